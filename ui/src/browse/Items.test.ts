import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CommandError, api, onExportProgress, type ExportProgress, type ItemQuery, type ItemSummary } from '$lib/ipc';
import Items from './Items.svelte';
import { itemsPrefs, resetBrowsePrefs } from './prefs.svelte';
import { HOSTILE, deferred, item, itemDetail, mockApi, page } from './testing/fixtures';

vi.mock('$lib/ipc', async () => (await import('./testing/fixtures')).ipcModule());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every query the list sent, in order. */
function queries(): ItemQuery[] {
  return vi.mocked(api.items).mock.calls.map((call) => call[0]);
}

beforeEach(() => {
  Object.assign(api, mockApi());
  resetBrowsePrefs();
});

afterEach(cleanup);

describe('Items', () => {
  it('lists items with their code, count and thumbnails', async () => {
    vi.mocked(api.items).mockResolvedValue(page([item(1, { has_picture: true }), item(2)], 1234));
    render(Items, { division: 7 });
    const rows = await screen.findAllByTestId('item-row');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveAttribute('data-code', 'ART-1');
    expect(rows[0]).toHaveAttribute('data-id', item(1).id);
    expect(screen.getByTestId('items-count')).toHaveTextContent('1,234 items');
    expect(rows[0].querySelector('img')).toHaveAttribute('src', `exo://localhost/7/item/${item(1).id}/thumb`);
    // No picture: a placeholder, not a request that will 404.
    expect(rows[1].querySelector('img')).toBeNull();
    expect(queries()[0]).toMatchObject({ division: 7, search: null, offset: 0, limit: 100 });
  });

  it('names each unit by its description, with the code as a tooltip', async () => {
    vi.mocked(api.items).mockResolvedValue(
      page([item(1, { unit: 'pc' }), item(2, { unit: 'box' }), item(3, { unit: null })], 3),
    );
    vi.mocked(api.units).mockResolvedValue([
      { id: 'u1', code: 'pc ', description: 'Piece', unit_type: 'A', active: true },
      { id: 'u2', code: 'kg', description: 'Kilogram', unit_type: 'W', active: true },
    ]);
    render(Items, { division: 7 });
    const cells = () => screen.getAllByTestId('item-unit-cell');
    await waitFor(() => expect(cells()[0]).toHaveTextContent(/^Piece$/));
    expect(cells()[0]).toHaveAttribute('title', 'pc');
    // A unit the division's list does not name keeps its code.
    expect(cells()[1]).toHaveTextContent(/^box$/);
    expect(cells()[2]).toHaveTextContent(/^$/);
    expect(api.units).toHaveBeenCalledWith(7);
  });

  it('debounces search-as-you-type', async () => {
    vi.mocked(api.items).mockResolvedValue(page([item(1)]));
    render(Items, { division: 1 });
    await screen.findAllByTestId('item-row');
    const input = screen.getByTestId('search-input');
    for (const text of ['w', 'wi', 'wid', 'widg']) {
      await fireEvent.input(input, { target: { value: text } });
      await sleep(20);
    }
    expect(queries()).toHaveLength(1);
    await waitFor(() => expect(queries()).toHaveLength(2));
    expect(queries()[1].search).toBe('widg');
    await sleep(200);
    expect(queries()).toHaveLength(2);
  });

  it('drops the answer of a search that was overtaken', async () => {
    const slow = deferred<ReturnType<typeof page<ItemSummary>>>();
    vi.mocked(api.items).mockImplementation(async (q: ItemQuery) => {
      if (q.search === 'slow') return slow.promise;
      if (q.search === 'fast') return page([item(2, { description: 'Fast answer' })]);
      return page([item(1)]);
    });
    render(Items, { division: 1 });
    await screen.findAllByTestId('item-row');
    const input = screen.getByTestId('search-input');

    await fireEvent.input(input, { target: { value: 'slow' } });
    await waitFor(() => expect(queries().at(-1)?.search).toBe('slow'));
    await fireEvent.input(input, { target: { value: 'fast' } });
    await screen.findByText('Fast answer');

    slow.resolve(page([item(3, { description: 'Stale answer' })], 1));
    await sleep(30);
    expect(screen.queryByText('Stale answer')).toBeNull();
    expect(screen.getByText('Fast answer')).toBeInTheDocument();
    expect(screen.getByTestId('items-count')).toHaveTextContent('1 item');
  });

  it('sends filters and sort to the shell', async () => {
    vi.mocked(api.itemGroups).mockResolvedValue([{ id: 'g-1', code: 'HW', description: 'Hardware' }]);
    vi.mocked(api.items).mockResolvedValue(page([item(1)]));
    render(Items, { division: 1 });
    await screen.findAllByTestId('item-row');

    await fireEvent.change(await screen.findByRole('combobox', { name: 'Item group' }), {
      target: { value: 'g-1' },
    });
    await fireEvent.change(screen.getByRole('combobox', { name: 'Sales item' }), {
      target: { value: 'no' },
    });
    await fireEvent.click(screen.getByRole('checkbox', { name: 'With picture only' }));
    await fireEvent.change(screen.getByRole('combobox', { name: 'Sort by' }), {
      target: { value: 'Description' },
    });
    await fireEvent.click(screen.getByRole('button', { name: 'Ascending' }));
    await waitFor(() =>
      expect(queries().at(-1)).toMatchObject({
        item_group: 'g-1',
        sales: false,
        purchase: null,
        has_picture: true,
        sort: 'Description',
        descending: true,
      }),
    );
  });

  it('shows Exact text as text in the list', async () => {
    vi.mocked(api.items).mockResolvedValue(page([item(1, { description: HOSTILE, code: '<i>c</i>' })]));
    render(Items, { division: 1 });
    const [row] = await screen.findAllByTestId('item-row');
    expect(within(row).getByText(HOSTILE)).toBeInTheDocument();
    expect(within(row).getByText('<i>c</i>')).toBeInTheDocument();
    expect(row.querySelector('script, b, i')).toBeNull();
  });

  it('opens the detail with Enter and returns with Escape, keeping the selection', async () => {
    vi.mocked(api.items).mockResolvedValue(page([item(1), item(2), item(3)]));
    vi.mocked(api.item).mockImplementation(async (_d: number, id: string) =>
      itemDetail(item(Number(id.slice(-12)), { description: `Detail of ${Number(id.slice(-12))}` })),
    );
    render(Items, { division: 1 });
    await screen.findAllByTestId('item-row');
    const list = screen.getByRole('listbox');
    list.focus();
    await fireEvent.keyDown(list, { key: 'ArrowDown' });
    await fireEvent.keyDown(list, { key: 'ArrowDown' });
    await fireEvent.keyDown(list, { key: 'Enter' });

    const detail = await screen.findByTestId('item-detail');
    await within(detail).findByRole('heading', { name: 'ART-2 · Detail of 2' });
    expect(api.item).toHaveBeenCalledWith(1, item(2).id);

    await fireEvent.keyDown(window, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('item-detail')).toBeNull());
    expect(list.querySelector('[aria-selected="true"]')).toHaveAttribute('data-code', 'ART-2');
    expect(document.activeElement).toBe(list);
    // The list was not reloaded.
    expect(api.items).toHaveBeenCalledTimes(1);
  });

  it('opens the detail on click and goes back with the Back button', async () => {
    vi.mocked(api.items).mockResolvedValue(page([item(1)]));
    vi.mocked(api.item).mockResolvedValue(itemDetail(item(1)));
    render(Items, { division: 1 });
    await fireEvent.click((await screen.findAllByTestId('item-row'))[0]);
    const detail = await screen.findByTestId('item-detail');
    await fireEvent.click(within(detail).getByRole('button', { name: /back/i }));
    await waitFor(() => expect(screen.queryByTestId('item-detail')).toBeNull());
  });

  it('focuses the search with "/" and Ctrl+F; Escape clears it', async () => {
    vi.mocked(api.items).mockResolvedValue(page([item(1)]));
    render(Items, { division: 1 });
    await screen.findAllByTestId('item-row');
    const input = screen.getByTestId('search-input') as HTMLInputElement;
    await fireEvent.keyDown(document.body, { key: '/' });
    expect(document.activeElement).toBe(input);
    input.blur();
    await fireEvent.keyDown(document.body, { key: 'f', ctrlKey: true });
    expect(document.activeElement).toBe(input);

    await fireEvent.input(input, { target: { value: 'bolt' } });
    await fireEvent.keyDown(input, { key: 'Escape' });
    expect(input.value).toBe('');
    expect(itemsPrefs.search).toBe('');
  });

  it('toggles the grid of medium pictures', async () => {
    vi.mocked(api.items).mockResolvedValue(page([item(1, { has_picture: true })]));
    render(Items, { division: 3 });
    await screen.findAllByTestId('item-row');
    const toggle = screen.getByTestId('item-grid-toggle');
    expect(toggle).toHaveAttribute('aria-pressed', 'false');
    await fireEvent.click(toggle);
    expect(toggle).toHaveAttribute('aria-pressed', 'true');
    const [row] = screen.getAllByTestId('item-row');
    expect(row.querySelector('img')).toHaveAttribute('src', `exo://localhost/3/item/${item(1).id}/medium`);
  });

  it('says nothing was synced yet and offers a sync', async () => {
    render(Items, { division: 1 });
    const empty = await screen.findByTestId('empty-state');
    await within(empty).findByText(/Nothing synced yet/);
    await fireEvent.click(within(empty).getByRole('button', { name: 'Sync now' }));
    expect(api.syncNow).toHaveBeenCalled();
    await within(empty).findByText(/Sync started/);
  });

  it('says no items match, with a way to clear the filters', async () => {
    vi.mocked(api.items).mockImplementation(async (q: ItemQuery) =>
      q.search ? page<ItemSummary>([]) : page([item(1)]),
    );
    render(Items, { division: 1 });
    await screen.findAllByTestId('item-row');
    await fireEvent.input(screen.getByTestId('search-input'), { target: { value: 'zzz' } });
    const empty = await screen.findByTestId('empty-state');
    expect(empty).toHaveTextContent('No items match “zzz”.');
    await fireEvent.click(within(empty).getByRole('button', { name: 'Clear filters' }));
    await screen.findAllByTestId('item-row');
  });

  it('shows the message of a failed command', async () => {
    vi.mocked(api.items).mockRejectedValue(new CommandError('internal', 'The cache is damaged'));
    render(Items, { division: 1 });
    const error = await screen.findByTestId('error-state');
    expect(error).toHaveTextContent('The cache is damaged');
    expect(screen.queryByTestId('loading')).toBeNull();
  });

  it('shows a loading state first', async () => {
    const answer = deferred<ReturnType<typeof page<ItemSummary>>>();
    vi.mocked(api.items).mockReturnValue(answer.promise);
    render(Items, { division: 1 });
    expect(screen.getByTestId('loading')).toBeInTheDocument();
    answer.resolve(page([item(1)]));
    await screen.findAllByTestId('item-row');
    expect(screen.queryByTestId('loading')).toBeNull();
  });

  it('sends in_stock: true with the "In stock only" filter and shows stock right-aligned', async () => {
    vi.mocked(api.items).mockResolvedValue(page([item(1, { stock: 1234.5 }), item(2, { stock: null })]));
    render(Items, { division: 1 });
    const rows = await screen.findAllByTestId('item-row');
    expect(queries()[0].in_stock).toBeNull();
    const cells = rows.map((r) => r.querySelector('[data-testid="item-stock-cell"]'));
    expect(cells[0]).toHaveTextContent(/^1,234\.5$/);
    expect(cells[0]).toHaveClass('num');
    expect(cells[1]).toHaveTextContent(/^$/);

    await fireEvent.click(screen.getByRole('checkbox', { name: 'In stock only' }));
    await waitFor(() => expect(queries().at(-1)?.in_stock).toBe(true));
    expect(itemsPrefs.inStock).toBe(true);
    await fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    await waitFor(() => expect(queries().at(-1)?.in_stock).toBeNull());
  });

  it('exports the filtered list with the chosen columns and format, with progress', async () => {
    let report: ((event: ExportProgress) => void) | null = null;
    const unlisten = vi.fn();
    vi.mocked(onExportProgress).mockImplementation(async (handler) => {
      report = handler;
      return unlisten;
    });
    const answer = deferred<{ path: string; rows: number }>();
    vi.mocked(api.exportList).mockReturnValue(answer.promise);
    vi.mocked(api.items).mockResolvedValue(page([item(1)], 1500));
    render(Items, { division: 4 });
    await screen.findAllByTestId('item-row');
    await fireEvent.input(screen.getByTestId('search-input'), { target: { value: 'bolt' } });
    await fireEvent.click(screen.getByRole('checkbox', { name: 'In stock only' }));
    await waitFor(() => expect(queries().at(-1)).toMatchObject({ search: 'bolt', in_stock: true }));

    await fireEvent.click(screen.getByTestId('export-open'));
    const dialog = screen.getByTestId('export-dialog');
    expect(dialog).toHaveTextContent('1,500 rows will be exported');
    const column = (name: string) =>
      dialog.querySelector<HTMLInputElement>(`[data-testid="export-column"][data-name="${name}"]`);
    // The defaults are chosen; every known property is offered.
    expect(column('Code')?.checked).toBe(true);
    expect(column('Stock')?.checked).toBe(true);
    expect(column('Barcode')?.checked).toBe(false);
    expect(column('SalesVatCode')).not.toBeNull();

    await fireEvent.click(screen.getByRole('button', { name: 'None' }));
    await fireEvent.input(within(dialog).getByRole('searchbox', { name: 'Find a column' }), {
      target: { value: 'barc' },
    });
    expect(
      within(dialog)
        .getAllByTestId('export-column')
        .map((c) => c.dataset.name),
    ).toEqual(['Barcode']);
    await fireEvent.click(column('Barcode')!);
    await fireEvent.input(within(dialog).getByRole('searchbox', { name: 'Find a column' }), {
      target: { value: '' },
    });
    await fireEvent.click(column('Code')!);
    await fireEvent.click(column('Stock')!);
    await fireEvent.change(within(dialog).getByTestId('export-format'), { target: { value: 'xlsx' } });
    await fireEvent.click(within(dialog).getByTestId('export-start'));

    await waitFor(() => expect(api.exportList).toHaveBeenCalledTimes(1));
    const request = vi.mocked(api.exportList).mock.calls[0][0];
    expect(request).toMatchObject({
      list: 'items',
      customers: null,
      columns: ['Barcode', 'Code', 'Stock'],
      format: 'xlsx',
    });
    expect(request.items).toMatchObject({ division: 4, search: 'bolt', in_stock: true, offset: 0 });

    const progress = within(dialog).getByTestId('export-progress');
    expect(within(dialog).getByTestId('export-start')).toBeDisabled();
    report!({ done: 300, total: 1500 });
    await waitFor(() => expect(progress).toHaveAttribute('aria-valuenow', '300'));
    expect(progress).toHaveAttribute('aria-valuemax', '1500');
    expect(dialog).toHaveTextContent('Exporting… 300 of 1,500 rows');
    // Escape does not abandon a running export.
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    expect(screen.getByTestId('export-dialog')).toBeInTheDocument();

    answer.resolve({ path: '/home/anna/Downloads/items.xlsx', rows: 1500 });
    const done = await within(dialog).findByTestId('export-done');
    expect(done).toHaveTextContent('Saved 1,500 rows to /home/anna/Downloads/items.xlsx');
    await waitFor(() => expect(document.activeElement).toHaveTextContent('Close'));
    expect(unlisten).toHaveBeenCalled();
    await fireEvent.click(within(done).getByRole('button', { name: 'Show in folder' }));
    expect(api.revealExport).toHaveBeenCalledWith('/home/anna/Downloads/items.xlsx');

    await fireEvent.keyDown(dialog, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('export-dialog')).toBeNull());
    expect(document.activeElement).toBe(screen.getByTestId('export-open'));
  });

  it('exports with Enter, shows why an export failed and closes with Escape', async () => {
    vi.mocked(api.items).mockResolvedValue(page([item(1)], 1));
    vi.mocked(api.exportList).mockRejectedValueOnce(
      new CommandError('storage', 'The Downloads folder is not writable'),
    );
    render(Items, { division: 1 });
    await screen.findAllByTestId('item-row');
    const search = screen.getByTestId('search-input') as HTMLInputElement;
    await fireEvent.input(search, { target: { value: 'bolt' } });
    await waitFor(() => expect(queries().at(-1)?.search).toBe('bolt'));
    await fireEvent.click(screen.getByTestId('export-open'));
    const dialog = screen.getByTestId('export-dialog');
    expect(dialog).toHaveTextContent('1 row will be exported');
    const format = within(dialog).getByTestId('export-format');
    expect(document.activeElement).toBe(format);
    await fireEvent.keyDown(format, { key: 'Enter' });
    await waitFor(() => expect(api.exportList).toHaveBeenCalledTimes(1));
    expect(vi.mocked(api.exportList).mock.calls[0][0]).toMatchObject({
      format: 'csv',
      columns: ['Code', 'Description', 'ItemGroupCode', 'ItemGroupDescription', 'Unit', 'Stock', 'CostPriceStandard'],
    });
    expect(await within(dialog).findByRole('alert')).toHaveTextContent(
      'The export failed: The Downloads folder is not writable',
    );
    expect(within(dialog).getByTestId('export-start')).toBeEnabled();

    // Escape closes the dialog and leaves the list's search alone.
    await fireEvent.keyDown(dialog, { key: 'Escape' });
    await waitFor(() => expect(screen.queryByTestId('export-dialog')).toBeNull());
    expect(search.value).toBe('bolt');
    expect(itemsPrefs.search).toBe('bolt');
    expect(api.exportList).toHaveBeenCalledTimes(1);
  });

  it('cannot export without a column', async () => {
    vi.mocked(api.items).mockResolvedValue(page([item(1)]));
    render(Items, { division: 1 });
    await screen.findAllByTestId('item-row');
    await fireEvent.click(screen.getByTestId('export-open'));
    const dialog = screen.getByTestId('export-dialog');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'None' }));
    expect(within(dialog).getByTestId('export-start')).toBeDisabled();
    await fireEvent.keyDown(within(dialog).getByTestId('export-format'), { key: 'Enter' });
    expect(within(dialog).getByRole('alert')).toHaveTextContent('Choose at least one column.');
    expect(api.exportList).not.toHaveBeenCalled();
  });
});

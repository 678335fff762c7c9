import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, type AccountQuery, type ItemQuery } from '$lib/ipc';
import { setLanguage } from '$lib/i18n.svelte';
import ExportDialog from './ExportDialog.svelte';
import { mockApi } from './testing/fixtures';

vi.mock('$lib/ipc', async () => (await import('./testing/fixtures')).ipcModule());

const CUSTOMERS: Omit<AccountQuery, 'offset' | 'limit'> = {
  division: 3,
  search: 'acme',
  kind: null,
  country: null,
  city: null,
  blocked: null,
  sort: 'Name',
  descending: false,
};

const ITEMS: Omit<ItemQuery, 'offset' | 'limit'> = {
  division: 5,
  search: null,
  item_group: null,
  sales: null,
  purchase: null,
  stock: null,
  in_stock: null,
  has_picture: null,
  sort: 'Code',
  descending: false,
};

beforeEach(() => {
  Object.assign(api, mockApi());
  vi.mocked(api.exportList).mockResolvedValue({ path: '/tmp/export.csv', rows: 2 });
  setLanguage('en');
});

afterEach(() => {
  cleanup();
  setLanguage('en');
});

function column(dialog: HTMLElement, name: string): HTMLInputElement {
  const input = dialog.querySelector<HTMLInputElement>(`[data-testid="export-column"][data-name="${name}"]`);
  if (!input) throw new Error(`no column ${name} offered`);
  return input;
}

async function exported() {
  await waitFor(() => expect(api.exportList).toHaveBeenCalledTimes(1));
  return vi.mocked(api.exportList).mock.calls[0][0];
}

describe('ExportDialog', () => {
  it('exports Exact’s stored values unless values as shown is chosen', async () => {
    render(ExportDialog, { list: 'customers', query: CUSTOMERS, total: 2, onclose: vi.fn() });
    const dialog = screen.getByTestId('export-dialog');
    const asShown = within(dialog).getByRole('checkbox', { name: 'Values as shown' });
    expect(asShown).not.toBeChecked();
    expect(asShown).toHaveAccessibleDescription(
      'Codes, yes/no fields and links in words, as on the detail screen; off: Exact’s stored values.',
    );
    await fireEvent.click(within(dialog).getByTestId('export-start'));
    expect(await exported()).toMatchObject({ list: 'customers', as_shown: null });
  });

  it('sends a rule for each chosen column shown in words, in the user’s language', async () => {
    setLanguage('nl');
    render(ExportDialog, { list: 'customers', query: CUSTOMERS, total: 2, onclose: vi.fn() });
    const dialog = screen.getByTestId('export-dialog');
    await fireEvent.click(within(dialog).getByRole('button', { name: 'Geen' }));
    for (const name of ['Code', 'Status', 'Blocked', 'Country']) {
      await fireEvent.click(column(dialog, name));
    }
    await fireEvent.click(within(dialog).getByRole('checkbox', { name: 'Waarden zoals getoond' }));
    await fireEvent.click(within(dialog).getByTestId('export-start'));

    const request = await exported();
    // The headers stay Exact's property names: the columns are sent as they are.
    expect(request.columns).toEqual(['Code', 'Status', 'Blocked', 'Country']);
    expect(request.customers).toMatchObject({ division: 3, search: 'acme', offset: 0 });
    expect(Object.keys(request.as_shown ?? {}).sort()).toEqual(['Blocked', 'Country', 'Status']);
    expect(request.as_shown?.Status).toEqual({
      kind: 'codes',
      labels: { A: 'Geen status', S: 'Suspect', P: 'Prospect', C: 'Klant' },
      bits: false,
    });
    expect(request.as_shown?.Blocked).toEqual({ kind: 'flag', yes: 'Ja', no: 'Nee' });
    expect(request.as_shown?.Country).toEqual({
      kind: 'reference',
      code: null,
      description: 'CountryName',
    });
  });

  it('builds the rules of an item list from the columns chosen when exporting', async () => {
    render(ExportDialog, { list: 'items', query: ITEMS, total: 2, onclose: vi.fn() });
    const dialog = screen.getByTestId('export-dialog');
    await fireEvent.click(within(dialog).getByTestId('export-as-shown'));
    await fireEvent.click(column(dialog, 'IsSalesItem'));
    await fireEvent.click(column(dialog, 'Unit'));
    await fireEvent.click(within(dialog).getByTestId('export-start'));

    const request = await exported();
    expect(request).toMatchObject({ list: 'items', customers: null });
    expect(request.columns).toEqual([
      'Code',
      'Description',
      'ItemGroupCode',
      'ItemGroupDescription',
      'Stock',
      'CostPriceStandard',
      'IsSalesItem',
    ]);
    // `Unit` was chosen when the box was ticked but not when exporting: no rule for it.
    expect(request.as_shown).toEqual({
      IsSalesItem: { kind: 'flag', yes: 'Yes', no: 'No' },
    });
  });
});

import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api } from '$lib/ipc';
import ItemDetail from './ItemDetail.svelte';
import { HOSTILE, TestCommandError, deferred, item, itemDetail, mockApi } from './testing/fixtures';

vi.mock('$lib/ipc', async () => (await import('./testing/fixtures')).ipcModule());

beforeEach(() => {
  Object.assign(api, mockApi());
});

afterEach(cleanup);

describe('ItemDetail', () => {
  it('shows Exact text as text everywhere', async () => {
    const summary = item(1, {
      description: HOSTILE,
      extra_description: '<img src=x onerror=alert(1)>',
    });
    vi.mocked(api.item).mockResolvedValue(
      itemDetail(summary, {
        attributes: JSON.stringify({ Description: HOSTILE, Notes: '<b>bold</b>' }),
        documents: [
          {
            id: 'd1',
            account: null,
            item: summary.id,
            subject: '<script>alert(2)</script>',
            document_type: 10,
            type_description: 'Spec',
            date_ms: null,
            attachments: [],
          },
        ],
      }),
    );
    render(ItemDetail, { division: 1, id: summary.id, onclose: () => {} });
    const detail = await screen.findByTestId('item-detail');
    await within(detail).findByText('<img src=x onerror=alert(1)>');
    expect(within(detail).getAllByText(HOSTILE).length).toBeGreaterThanOrEqual(2);
    expect(within(detail).getByText('<b>bold</b>')).toBeInTheDocument();
    expect(within(detail).getByText('<script>alert(2)</script>')).toBeInTheDocument();
    expect(detail.querySelector('script, b')).toBeNull();
    expect(detail.querySelectorAll('img')).toHaveLength(0);
  });

  it('shows the full picture and zooms it', async () => {
    const summary = item(4, { has_picture: true });
    vi.mocked(api.item).mockResolvedValue(itemDetail(summary));
    render(ItemDetail, { division: 2, id: summary.id, onclose: () => {} });
    const picture = await screen.findByTestId('item-picture');
    expect(picture).toHaveAttribute('src', `exo://localhost/2/item/${summary.id}/full`);
    const zoom = screen.getByRole('button', { name: /actual size/ });
    await fireEvent.click(zoom);
    expect(screen.getByRole('button', { name: /Fit the picture/ })).toBeInTheDocument();
    // Escape first leaves the zoom, then closes.
    const onclose = vi.fn();
    cleanup();
    render(ItemDetail, { division: 2, id: summary.id, onclose });
    await fireEvent.click(await screen.findByRole('button', { name: /actual size/ }));
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(onclose).not.toHaveBeenCalled();
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(onclose).toHaveBeenCalledTimes(1);
  });

  it('falls back to a placeholder when the picture is missing', async () => {
    const summary = item(5, { has_picture: true });
    vi.mocked(api.item).mockResolvedValue(itemDetail(summary));
    render(ItemDetail, { division: 2, id: summary.id, onclose: () => {} });
    const picture = await screen.findByTestId('item-picture');
    await fireEvent.error(picture);
    expect(screen.queryByTestId('item-picture')).toBeNull();
    expect(screen.getByText('No picture')).toBeInTheDocument();
  });

  it('shows unit, group and grouped attributes', async () => {
    const summary = item(6);
    vi.mocked(api.item).mockResolvedValue(
      itemDetail(summary, {
        attributes: JSON.stringify({ Code: 'ART-6', SalesVatCode: '2  ', FreeTextField_01: null }),
      }),
    );
    const { container } = render(ItemDetail, { division: 1, id: summary.id, onclose: () => {} });
    await screen.findByText('pc — Piece');
    expect(screen.getByText('GRP — Group')).toBeInTheDocument();
    expect(container.querySelector('[data-group="taxation"] [data-name="SalesVatCode"] dd')).toHaveTextContent(
      /^2$/,
    );
    expect(container.querySelector('[data-group="free"]')).toHaveTextContent('1 empty field');
  });

  it('opens attachments and shows why one could not be opened', async () => {
    const summary = item(7);
    vi.mocked(api.item).mockResolvedValue(
      itemDetail(summary, {
        documents: [
          {
            id: 'doc-1',
            account: null,
            item: summary.id,
            subject: 'Datasheet',
            document_type: 55,
            type_description: 'Attachment',
            date_ms: Date.UTC(2024, 1, 3),
            attachments: [
              { id: 'att-1', document: 'doc-1', file_name: 'sheet.pdf', file_size: 2048, url: null },
              { id: 'att-2', document: 'doc-1', file_name: 'big.zip', file_size: null, url: null },
            ],
          },
        ],
      }),
    );
    vi.mocked(api.openAttachment).mockImplementation(async (_d: number, id: string) => {
      if (id === 'att-2') throw new TestCommandError('offline', 'Exact Online cannot be reached');
    });
    render(ItemDetail, { division: 9, id: summary.id, onclose: () => {} });
    const row = await screen.findByTestId('document-row');
    expect(row).toHaveTextContent('Datasheet');
    expect(row).toHaveTextContent('2.0 KB');
    const [first, second] = within(row).getAllByTestId('attachment-open');
    await fireEvent.click(first);
    expect(api.openAttachment).toHaveBeenCalledWith(9, 'att-1');
    expect(within(row).queryByRole('alert')).toBeNull();
    await fireEvent.click(second);
    const alert = await within(row).findByRole('alert');
    expect(alert).toHaveTextContent('Could not open big.zip: Exact Online cannot be reached');
  });

  it('shows loading, then an error with a retry', async () => {
    const first = deferred<never>();
    vi.mocked(api.item).mockReturnValueOnce(first.promise);
    render(ItemDetail, { division: 1, id: 'x', summary: item(8), onclose: () => {} });
    expect(screen.getByTestId('loading')).toBeInTheDocument();
    // The list's row already gives the title.
    expect(screen.getByRole('heading', { name: 'ART-8 · Article 8' })).toBeInTheDocument();
    first.reject(new TestCommandError('internal', 'disk full'));
    const error = await screen.findByTestId('error-state');
    expect(error).toHaveTextContent('disk full');
    vi.mocked(api.item).mockResolvedValue(itemDetail(item(8)));
    await fireEvent.click(within(error).getByRole('button', { name: 'Try again' }));
    await screen.findByText('pc — Piece');
  });

  it('says when the item is gone', async () => {
    vi.mocked(api.item).mockRejectedValue(new TestCommandError('not_found', 'no such item'));
    render(ItemDetail, { division: 1, id: 'gone', onclose: () => {} });
    expect(await screen.findByTestId('error-state')).toHaveTextContent(
      'This item is no longer in the offline copy.',
    );
  });
});

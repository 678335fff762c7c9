import { cleanup, fireEvent, render, screen, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CommandError, api } from '$lib/ipc';
import { app } from '$lib/stores.svelte';
import { setLanguage } from '$lib/i18n.svelte';
import ItemDetail from './ItemDetail.svelte';
import { HOSTILE, deferred, item, itemDetail, mockApi, orderLine, price, stockRow } from './testing/fixtures';

vi.mock('$lib/ipc', async () => (await import('./testing/fixtures')).ipcModule());

beforeEach(() => {
  Object.assign(api, mockApi());
});

afterEach(() => {
  cleanup();
  setLanguage('en');
  app.divisions = null;
});

const plain = (s: string | null) => (s ?? '').replace(/\s+/g, ' ').trim();

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
    expect(container.querySelector('[data-group="taxation"] [data-name="SalesVatCode"] dd')).toHaveTextContent(/^2$/);
    expect(container.querySelector('[data-group="free"]')).toHaveTextContent('1 empty field');
  });

  it('shows the stock with its unit and the cost price with its currency', async () => {
    const summary = item(7, { stock: 1571, cost_price: 407.85 });
    vi.mocked(api.item).mockResolvedValue(
      itemDetail(summary, {
        attributes: JSON.stringify({ Unit: 'kg', Stock: 1571, CostPriceStandard: 407.85, CostPriceCurrency: 'USD' }),
      }),
    );
    const { container } = render(ItemDetail, { division: 1, id: summary.id, onclose: () => {} });
    // The summary beside the picture, then the same words among all fields.
    expect(await screen.findAllByText('1,571 kg')).toHaveLength(2);
    expect(screen.getAllByText('US$407.85')).toHaveLength(2);
    expect(container.querySelector('[data-name="Stock"] dd')).toHaveTextContent(/^1,571 kg$/);
    expect(container.querySelector('[data-name="CostPriceStandard"] dd')).toHaveTextContent(/^US\$407\.85$/);
  });

  it('shows flags and the item group in words among all fields, not codes or GUIDs', async () => {
    const summary = item(8);
    const guid = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    vi.mocked(api.item).mockResolvedValue(
      itemDetail(summary, {
        attributes: JSON.stringify({
          IsMakeItem: 0,
          IsNewContract: '1',
          IsSalesItem: true,
          ItemGroup: guid,
          ItemGroupCode: 'GRP',
          ItemGroupDescription: 'Screws',
          Unit: 'pc',
          UnitDescription: 'Piece',
          UnitType: 'O',
        }),
      }),
    );
    const { container } = render(ItemDetail, { division: 1, id: summary.id, onclose: () => {} });
    await screen.findByTestId('item-detail');
    await screen.findAllByTestId('attribute');
    const field = (name: string) => container.querySelector(`[data-name="${name}"] dd`);
    expect(field('IsMakeItem')).toHaveTextContent(/^No$/);
    expect(field('IsNewContract')).toHaveTextContent(/^Yes$/);
    expect(field('IsSalesItem')).toHaveTextContent(/^Yes$/);
    expect(field('UnitType')).toHaveTextContent(/^Other$/);
    expect(field('ItemGroup')).toHaveTextContent(/^GRP — Screws$/);
    expect(field('Unit')).toHaveTextContent(/^pc — Piece$/);
    expect(container.querySelector('[data-name="ItemGroupCode"]')).toBeNull();
    expect(container.querySelector('[data-name="UnitDescription"]')).toBeNull();
    expect(screen.getByTestId('item-detail')).not.toHaveTextContent(guid);
  });

  it('shows descriptions in other languages, the app language in the title, as text', async () => {
    const summary = item(7, { description: 'Schroef' });
    vi.mocked(api.item).mockResolvedValue(
      itemDetail(summary, {
        descriptions: [
          { language: 'DE', description: 'Schraube', extra_description: null },
          { language: 'EN', description: '<b>Screw</b>', extra_description: 'Steel' },
        ],
      }),
    );
    const { container } = render(ItemDetail, { division: 1, id: summary.id, onclose: () => {} });
    const rows = await screen.findAllByTestId('item-translation');
    expect(rows.map((r) => r.dataset.language)).toEqual(['DE', 'EN']);
    expect(rows[1]).toHaveTextContent('Description (EN)');
    expect(rows[1]).toHaveTextContent('<b>Screw</b>');
    expect(container.querySelector('h2')).toHaveTextContent('<b>Screw</b>');
    expect(container.querySelector('h2 b')).toBeNull();
  });

  it('keeps the own description in the title when the app language has none', async () => {
    setLanguage('nl');
    const summary = item(8, { description: 'Schroef' });
    vi.mocked(api.item).mockResolvedValue(
      itemDetail(summary, { descriptions: [{ language: 'EN', description: 'Screw', extra_description: null }] }),
    );
    const { container } = render(ItemDetail, { division: 1, id: summary.id, onclose: () => {} });
    await screen.findAllByTestId('item-translation');
    expect(container.querySelector('h2')).toHaveTextContent('Schroef');
    expect(screen.getByText('Omschrijving (EN)')).toBeInTheDocument();
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
      if (id === 'att-2') throw new CommandError('offline', 'Exact Online cannot be reached');
      return { kind: 'opened' };
    });
    render(ItemDetail, { division: 9, id: summary.id, onclose: () => {} });
    const row = await screen.findByTestId('document-row');
    expect(row).toHaveTextContent('Datasheet');
    expect(row).toHaveTextContent('2.0 KB');
    const [first, second] = within(row).getAllByTestId('attachment-open');
    await fireEvent.click(first);
    expect(api.openAttachment).toHaveBeenCalledWith(9, 'att-1', 'open');
    expect(within(row).queryByRole('alert')).toBeNull();
    await fireEvent.click(second);
    const alert = await within(row).findByRole('alert');
    expect(alert).toHaveTextContent('Could not open big.zip: Exact Online cannot be reached');
  });

  it('asks before opening a file that could run, and names what it really is', async () => {
    const summary = item(8);
    vi.mocked(api.item).mockResolvedValue(
      itemDetail(summary, {
        documents: [
          {
            id: 'doc-1',
            account: null,
            item: summary.id,
            subject: 'Invoice',
            document_type: 10,
            type_description: null,
            date_ms: null,
            attachments: [
              { id: 'att-x', document: 'doc-1', file_name: 'Factuur\u202Efdp.exe', file_size: 10, url: null },
            ],
          },
        ],
      }),
    );
    vi.mocked(api.openAttachment).mockImplementation(async (_d, _id, action) =>
      action === 'open'
        ? { kind: 'needs_confirmation', file_name: 'Factuur\u202Efdp.exe', real_type: 'a Windows program' }
        : { kind: 'shown_in_folder' },
    );
    render(ItemDetail, { division: 9, id: summary.id, onclose: () => {} });
    const button = await screen.findByTestId('attachment-open');
    expect(button).toHaveTextContent('Factuurfdp.exe');
    expect(button.textContent).not.toMatch(/\u202E/);
    await fireEvent.click(button);
    const dialog = await screen.findByTestId('attachment-confirm');
    expect(dialog).toHaveTextContent('“Factuurfdp.exe” is a Windows program');
    await fireEvent.click(within(dialog).getByTestId('attachment-show'));
    expect(api.openAttachment).toHaveBeenLastCalledWith(9, 'att-x', 'show_in_folder');
    expect(screen.queryByTestId('attachment-confirm')).toBeNull();
  });

  it('shows loading, then an error with a retry', async () => {
    const first = deferred<never>();
    vi.mocked(api.item).mockReturnValueOnce(first.promise);
    render(ItemDetail, { division: 1, id: 'x', summary: item(8), onclose: () => {} });
    expect(screen.getByTestId('loading')).toBeInTheDocument();
    // The list's row already gives the title.
    expect(screen.getByRole('heading', { name: 'ART-8 · Article 8' })).toBeInTheDocument();
    first.reject(new CommandError('internal', 'disk full'));
    const error = await screen.findByTestId('error-state');
    expect(error).toHaveTextContent('disk full');
    vi.mocked(api.item).mockResolvedValue(itemDetail(item(8)));
    await fireEvent.click(within(error).getByRole('button', { name: 'Try again' }));
    await screen.findByText('pc — Piece');
  });

  it('says when the item is gone', async () => {
    vi.mocked(api.item).mockRejectedValue(new CommandError('not_found', 'no such item'));
    render(ItemDetail, { division: 1, id: 'gone', onclose: () => {} });
    expect(await screen.findByTestId('error-state')).toHaveTextContent('This item is no longer in the offline copy.');
  });

  it("lists prices with today's highlighted and marked, ended ones dimmed", async () => {
    const summary = item(10);
    const year = 365 * 86_400_000;
    vi.mocked(api.item).mockResolvedValue(
      itemDetail(summary, {
        prices: [
          price('general', { price: 12.5, quantity: 0, valid_now: true }),
          price('old', { price: 11, valid_now: false, end_ms: Date.now() - year }),
          price('next', { price: 13, valid_now: false, start_ms: Date.now() + year }),
          price('deal', {
            account: 'acc-1',
            account_name: 'Bakkerij Jansen',
            price: 9.95,
            quantity: 10,
            valid_now: true,
            start_ms: Date.UTC(2024, 0, 1),
          }),
        ],
      }),
    );
    render(ItemDetail, { division: 1, id: summary.id, onclose: () => {} });
    const section = await screen.findByTestId('item-prices');
    const rows = within(section).getAllByTestId('price-row');
    expect(rows.map((r) => r.getAttribute('data-valid'))).toEqual(['true', 'false', 'false', 'true']);
    expect(rows[0]).toHaveClass('valid');
    expect(rows[0]).toHaveTextContent('General');
    expect(rows[0]).toHaveTextContent('€12.50');
    // Marked in words, not by colour alone.
    expect(within(rows[0]).getByText('Valid today')).toBeInTheDocument();
    expect(rows[1]).toHaveClass('expired');
    expect(rows[1]).toHaveTextContent('Expired');
    expect(rows[2]).not.toHaveClass('expired');
    expect(rows[2]).toHaveTextContent('Not yet valid');
    expect(rows[3]).toHaveTextContent('Bakkerij Jansen');
    expect(rows[3]).toHaveTextContent('€9.95');
    expect(rows[3]).toHaveTextContent('1 Jan 2024');
  });

  it('formats prices in Dutch with their own currency', async () => {
    setLanguage('nl');
    const summary = item(11);
    vi.mocked(api.item).mockResolvedValue(
      itemDetail(summary, { prices: [price('p1', { price: 1234.5 }), price('p2', { price: 8, currency: 'USD' })] }),
    );
    render(ItemDetail, { division: 1, id: summary.id, onclose: () => {} });
    const rows = await screen.findAllByTestId('price-row');
    expect(plain(rows[0].textContent)).toContain('€ 1.234,50');
    expect(plain(rows[1].textContent)).toContain('US$ 8,00');
    expect(screen.getByTestId('item-prices')).toHaveTextContent('Prijzen');
  });

  it('says when there are no prices, stock or orders', async () => {
    const summary = item(12);
    vi.mocked(api.item).mockResolvedValue(itemDetail(summary));
    render(ItemDetail, { division: 1, id: summary.id, onclose: () => {} });
    expect(await screen.findByTestId('item-prices')).toHaveTextContent('No sales prices.');
    expect(screen.getByTestId('item-stock')).toHaveTextContent('No stock in any warehouse.');
    expect(screen.getByTestId('item-orders')).toHaveTextContent('No sales orders with this item.');
  });

  it('shows stock per warehouse with a total row only for several', async () => {
    const summary = item(13);
    const synced = Date.UTC(2025, 2, 4, 9, 30);
    vi.mocked(api.item).mockResolvedValue(
      itemDetail(summary, {
        stock: [
          stockRow('MAIN', { warehouse_description: 'Main warehouse', current: 10, free: 7.5, projected: 14 }),
          stockRow('SHOP', { warehouse_description: 'Shop', current: 2.25, free: 2, projected: -1 }),
        ],
        stock_synced_ms: synced,
      }),
    );
    render(ItemDetail, { division: 1, id: summary.id, onclose: () => {} });
    const section = await screen.findByTestId('item-stock');
    const rows = within(section).getAllByTestId('stock-row');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('MAIN — Main warehouse');
    const total = within(section).getByTestId('stock-total');
    const cell = (row: HTMLElement, figure: string) => row.querySelector(`[data-figure="${figure}"]`);
    expect(cell(total, 'current')).toHaveTextContent(/^12\.25$/);
    expect(cell(total, 'free')).toHaveTextContent(/^9\.5$/);
    expect(cell(total, 'projected')).toHaveTextContent(/^13$/);
    expect(cell(total, 'reserved')).toHaveTextContent(/^4$/);
    expect(section).toHaveTextContent('Stock as of');
    expect(section).toHaveTextContent('2025');

    cleanup();
    vi.mocked(api.item).mockResolvedValue(itemDetail(summary, { stock: [stockRow('MAIN')] }));
    render(ItemDetail, { division: 1, id: summary.id, onclose: () => {} });
    const single = await screen.findByTestId('item-stock');
    expect(within(single).getAllByTestId('stock-row')).toHaveLength(1);
    expect(within(single).queryByTestId('stock-total')).toBeNull();
    expect(single).not.toHaveTextContent('Stock as of');
  });

  it('lists recent orders with quantity, price, amount and status', async () => {
    const summary = item(14);
    vi.mocked(api.item).mockResolvedValue(
      itemDetail(summary, {
        orders: [
          {
            order_id: 'o2',
            order_number: 1002,
            order_date_ms: Date.UTC(2025, 4, 2),
            customer: 'a1',
            customer_name: 'Bakkerij Jansen',
            currency: 'EUR',
            status: 20,
            status_description: 'Gedeeltelijk',
            line: orderLine('l2', { quantity: 3, unit_price: 9.95, amount: 29.85 }),
          },
          {
            order_id: 'o1',
            order_number: 1001,
            order_date_ms: Date.UTC(2025, 3, 1),
            customer: 'a2',
            customer_name: 'Café Noord',
            currency: null,
            status: 77,
            status_description: 'Special',
            line: orderLine('l1', { quantity: 1, unit_price: 12.5, amount: 12.5 }),
          },
        ],
      }),
    );
    render(ItemDetail, { division: 1, id: summary.id, onclose: () => {} });
    const rows = await screen.findAllByTestId('item-order-row');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveAttribute('data-order', '1002');
    const cells = (row: HTMLElement) => [...(row as HTMLTableRowElement).cells].map((c) => plain(c.textContent));
    expect(cells(rows[0])).toEqual([
      '2 May 2025',
      '1002',
      'Bakkerij Jansen',
      '3 pc',
      '€9.95',
      '€29.85',
      'Partly delivered',
    ]);
    // No currency and an unknown status: the plain amount and Exact's own text.
    expect(cells(rows[1])).toEqual(['1 Apr 2025', '1001', 'Café Noord', '1 pc', '12.50', '12.50', 'Special']);
  });

  it('shows extra fields among the attributes, with their labels', async () => {
    const summary = item(15);
    vi.mocked(api.item).mockResolvedValue(
      itemDetail(summary, {
        extra_fields: [
          { number: 2, description: 'Colour', value: 'Red' },
          { number: 1, description: null, value: 'Oak ' },
          { number: 3, description: 'Empty one', value: null },
        ],
      }),
    );
    const { container } = render(ItemDetail, { division: 1, id: summary.id, onclose: () => {} });
    const fields = await screen.findAllByTestId('extra-field');
    expect(fields.map((f) => f.getAttribute('data-number'))).toEqual(['1', '2']);
    expect(plain(fields[0].textContent)).toBe('Extra field 1 Oak');
    expect(plain(fields[1].textContent)).toBe('Colour Red');
    const group = container.querySelector('[data-group="extra"]');
    expect(group).toHaveTextContent('Extra fields');
    expect(group).toHaveTextContent('1 empty field');
  });

  it('shows hostile text in prices, orders and extra fields as text', async () => {
    const summary = item(16);
    vi.mocked(api.item).mockResolvedValue(
      itemDetail(summary, {
        prices: [price('p', { account: 'a', account_name: HOSTILE, unit_description: '<i>u</i>' })],
        orders: [
          {
            order_id: 'o',
            order_number: 1,
            order_date_ms: null,
            customer: 'a',
            customer_name: HOSTILE,
            currency: 'EUR',
            status: null,
            status_description: '<b>st</b>',
            line: orderLine('l', { unit_code: '<i>pc</i>' }),
          },
        ],
        extra_fields: [{ number: 1, description: '<b>label</b>', value: HOSTILE }],
      }),
    );
    render(ItemDetail, { division: 1, id: summary.id, onclose: () => {} });
    const detail = await screen.findByTestId('item-detail');
    const prices = await screen.findByTestId('item-prices');
    expect(within(prices).getByText(HOSTILE)).toBeInTheDocument();
    expect(within(prices).getByText('<i>u</i>')).toBeInTheDocument();
    const orders = screen.getByTestId('item-orders');
    expect(within(orders).getByText(HOSTILE)).toBeInTheDocument();
    expect(within(orders).getByText('<b>st</b>')).toBeInTheDocument();
    expect(within(orders).getByText('<i>pc</i>')).toBeInTheDocument();
    const [field] = screen.getAllByTestId('extra-field');
    expect(within(field).getByText('<b>label</b>')).toBeInTheDocument();
    expect(within(field).getByText(HOSTILE)).toBeInTheDocument();
    expect(detail.querySelector('script, b, i')).toBeNull();
  });

  it("shows amounts without a currency in the division's", async () => {
    app.divisions = [
      { code: 1, name: 'Shop NL', current: true, selected: true, currency: 'EUR' },
      { code: 2, name: 'Shop UK', current: false, selected: true, currency: 'GBP' },
    ];
    const summary = item(17);
    vi.mocked(api.item).mockResolvedValue(
      itemDetail(summary, {
        prices: [price('p', { price: 4, currency: null }), price('q', { price: 5, currency: 'USD' })],
      }),
    );
    render(ItemDetail, { division: 2, id: summary.id, onclose: () => {} });
    const rows = await screen.findAllByTestId('price-row');
    expect(rows[0]).toHaveTextContent('£4.00');
    expect(rows[1]).toHaveTextContent('US$5.00');
  });
});

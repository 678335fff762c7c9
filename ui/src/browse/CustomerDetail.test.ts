import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { setLanguage } from '$lib/i18n.svelte';
import { CommandError, api, type AddressRow, type ContactRow } from '$lib/ipc';
import CustomerDetail from './CustomerDetail.svelte';
import { sortAddresses, sortContacts } from './accounts';
import { HOSTILE, account, accountDetail, mockApi, order, orderLine, price } from './testing/fixtures';

vi.mock('$lib/ipc', async () => (await import('./testing/fixtures')).ipcModule());

beforeEach(() => {
  Object.assign(api, mockApi());
});

afterEach(cleanup);

function address(id: string, type: number | null, main: boolean, city = 'Utrecht'): AddressRow {
  return {
    id,
    account: 'a',
    address_type: type,
    main,
    lines: `Street ${id}`,
    postcode: '1234 AB',
    city,
    country: 'NL',
  };
}

function contact(id: string, name: string | null, main = false, extra: Partial<ContactRow> = {}): ContactRow {
  return {
    id,
    account: 'a',
    full_name: name,
    email: null,
    phone: null,
    mobile: null,
    is_main: main,
    picture_url: null,
    has_picture: false,
    ...extra,
  };
}

const shuffledAddresses = [
  address('delivery', 4, false),
  address('postal-main', 2, true),
  address('visit', 1, false),
  address('odd', 9, false),
  address('invoice', 3, false),
  address('visit-main', 1, true),
];

const shuffledContacts = [
  contact('c-zoe', 'Zoë Zandvoort'),
  contact('c-none', null),
  contact('c-anna', 'anna de Vries'),
  contact('c-main', 'Piet Main', true, { has_picture: true, email: 'piet@example.nl', phone: '+31 30 123 45 67' }),
  contact('c-bert', 'Bert Bakker'),
];

describe('ordering', () => {
  it('puts main addresses first, then by type', () => {
    expect(sortAddresses(shuffledAddresses).map((a) => a.id)).toEqual([
      'visit-main',
      'postal-main',
      'visit',
      'invoice',
      'delivery',
      'odd',
    ]);
  });

  it('puts the main contact first, then by name', () => {
    expect(sortContacts(shuffledContacts).map((c) => c.id)).toEqual(['c-main', 'c-anna', 'c-bert', 'c-zoe', 'c-none']);
  });
});

describe('CustomerDetail', () => {
  it('shows addresses and contacts in order', async () => {
    const summary = account(1, { has_logo: true });
    vi.mocked(api.account).mockResolvedValue(
      accountDetail(summary, { addresses: shuffledAddresses, contacts: shuffledContacts }),
    );
    const { container } = render(CustomerDetail, { division: 3, id: summary.id, onclose: () => {} });
    await screen.findAllByTestId('address-card');
    const cards = screen.getAllByTestId('address-card');
    expect(cards.map((c) => c.getAttribute('data-type'))).toEqual(['1', '2', '1', '3', '4', '9']);
    expect(cards[0]).toHaveTextContent('Visit address');
    expect(cards[0]).toHaveTextContent('Main');
    expect(cards[1]).toHaveTextContent('Postal address');
    expect(cards[4]).toHaveTextContent('Delivery address');

    const people = screen.getAllByTestId('contact-card');
    expect(people.map((c) => c.getAttribute('data-id'))).toEqual(['c-main', 'c-anna', 'c-bert', 'c-zoe', 'c-none']);
    expect(people[0]).toHaveTextContent('Main contact');
    expect(people[0].querySelector('img')).toHaveAttribute('src', 'exo://localhost/3/contact/c-main/thumb');
    expect(people[1].querySelector('img')).toBeNull();
    expect(container.querySelector('.identity img')).toHaveAttribute(
      'src',
      `exo://localhost/3/account/${summary.id}/medium`,
    );
  });

  it('opens mail and phone links through the shell', async () => {
    const summary = account(2);
    vi.mocked(api.account).mockResolvedValue(accountDetail(summary, { contacts: shuffledContacts }));
    render(CustomerDetail, { division: 1, id: summary.id, onclose: () => {} });
    const mail = await screen.findByRole('link', { name: 'piet@example.nl' });
    expect(mail).toHaveAttribute('href', 'mailto:piet@example.nl');
    const clicked = await fireEvent.click(mail);
    expect(clicked).toBe(false); // default prevented: the window does not navigate
    expect(api.openUrl).toHaveBeenCalledWith('mailto:piet@example.nl');
    await fireEvent.click(screen.getByRole('link', { name: '+31 30 123 45 67' }));
    expect(api.openUrl).toHaveBeenLastCalledWith('tel:+31301234567');

    vi.mocked(api.openUrl).mockRejectedValueOnce(new CommandError('internal', 'no mail app'));
    await fireEvent.click(mail);
    expect(await screen.findByRole('alert')).toHaveTextContent('no mail app');
  });

  it('shows Exact text as text, status and flags', async () => {
    const summary = account(3, { name: HOSTILE, status: 'P', is_supplier: true, blocked: true });
    vi.mocked(api.account).mockResolvedValue(
      accountDetail(summary, {
        attributes: JSON.stringify({ Name: HOSTILE, Website: 'www.example.nl' }),
        addresses: [{ ...address('x', 1, true), lines: '<b>Main street 1</b>\nBuilding <i>B</i>' }],
        contacts: [contact('c', '<script>x</script>')],
      }),
    );
    render(CustomerDetail, { division: 1, id: summary.id, onclose: () => {} });
    const detail = await screen.findByTestId('account-detail');
    await within(detail).findByText(/Main street 1/);
    expect(detail.querySelector('script, b, i')).toBeNull();
    expect(within(detail).getByText('<script>x</script>')).toBeInTheDocument();
    expect(within(detail).getAllByText(HOSTILE).length).toBeGreaterThanOrEqual(2);
    expect(within(detail).getByText('Prospect')).toBeInTheDocument();
    expect(within(detail).getByText('Supplier')).toBeInTheDocument();
    expect(within(detail).getByText('Blocked')).toBeInTheDocument();
    expect(within(detail).getByRole('link', { name: 'www.example.nl' })).toHaveAttribute(
      'href',
      'https://www.example.nl/',
    );
  });

  it('shows status, type and flags in words among all fields, in the app language', async () => {
    const summary = account(5, { status: 'C' });
    vi.mocked(api.account).mockResolvedValue(
      accountDetail(summary, {
        attributes: JSON.stringify({
          Status: 'C',
          Type: 'A',
          IsCompetitor: 0,
          Language: 'NL',
          LanguageDescription: 'Dutch',
          AccountManager: '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
          AccountManagerFullName: 'Jan Jansen',
        }),
      }),
    );
    const { container } = render(CustomerDetail, { division: 1, id: summary.id, onclose: () => {} });
    await screen.findAllByTestId('attribute');
    const field = (name: string) => container.querySelector(`[data-name="${name}"] dd`);
    expect(field('Status')).toHaveTextContent(/^Customer$/);
    expect(field('Status')).toHaveAttribute('title', 'C');
    expect(field('Type')).toHaveTextContent(/^Relation$/);
    expect(field('IsCompetitor')).toHaveTextContent(/^No$/);
    expect(field('Language')).toHaveTextContent(/^NL — Dutch$/);
    expect(field('AccountManager')).toHaveTextContent(/^Jan Jansen$/);
    expect(container.querySelector('[data-name="LanguageDescription"]')).toBeNull();
    expect(container.querySelector('[data-testid="account-detail"]')).not.toHaveTextContent(
      '3f2504e0-4f89-11d3-9a0c-0305e82c3301',
    );
    try {
      setLanguage('nl');
      await waitFor(() => expect(field('Status')).toHaveTextContent(/^Klant$/));
      expect(field('Type')).toHaveTextContent(/^Relatie$/);
      expect(field('IsCompetitor')).toHaveTextContent(/^Nee$/);
    } finally {
      setLanguage('en');
    }
  });

  it('names linked records, shows amounts with currency and folds GUIDs nothing names', async () => {
    const summary = account(6);
    const own = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    const parent = '4f2504e0-4f89-11d3-9a0c-0305e82c3301';
    const priceList = '5f2504e0-4f89-11d3-9a0c-0305e82c3301';
    vi.mocked(api.account).mockResolvedValue(
      accountDetail(summary, {
        attributes: JSON.stringify({
          ID: own,
          Parent: parent,
          PriceList: priceList,
          CreditLineSales: 2500,
          SalesCurrency: 'USD',
          DiscountSales: 0.1,
        }),
        links: [{ property: 'Parent', code: '100', name: 'Holding Jansen' }],
      }),
    );
    const { container } = render(CustomerDetail, { division: 1, id: summary.id, onclose: () => {} });
    await screen.findAllByTestId('attribute');
    const field = (name: string) => container.querySelector(`[data-name="${name}"] dd`);
    expect(field('Parent')).toHaveTextContent(/^100 — Holding Jansen$/);
    expect(field('Parent')).toHaveAttribute('title', parent);
    expect(field('CreditLineSales')).toHaveTextContent(/^US\$2,500\.00$/);
    expect(field('DiscountSales')).toHaveTextContent(/^10%$/);
    // The record's own ID and a link to a price list the app does not keep: folded away.
    const detail = screen.getByTestId('account-detail');
    expect(detail).not.toHaveTextContent(own);
    expect(detail).not.toHaveTextContent(priceList);
    const identifiers = container.querySelector('[data-group="identifiers"]') as HTMLElement;
    const fold = within(identifiers).getByRole('button', { name: /Show 2 identifiers/ });
    expect(fold).toHaveAttribute('aria-expanded', 'false');
    await fireEvent.click(fold);
    expect(fold).toHaveAttribute('aria-expanded', 'true');
    expect(field('ID')).toHaveTextContent(own);
    expect(field('PriceList')).toHaveTextContent(priceList);
  });

  it('closes with Escape', async () => {
    vi.mocked(api.account).mockResolvedValue(accountDetail(account(4)));
    const onclose = vi.fn();
    render(CustomerDetail, { division: 1, id: account(4).id, onclose });
    await screen.findByTestId('account-detail');
    await fireEvent.keyDown(window, { key: 'Escape' });
    expect(onclose).toHaveBeenCalledTimes(1);
  });

  it('lists price agreements by item with their validity', async () => {
    const summary = account(5);
    vi.mocked(api.account).mockResolvedValue(
      accountDetail(summary, {
        prices: [
          price('p1', {
            account: summary.id,
            item_code: 'BOLT',
            item_description: 'Bolt M6',
            price: 0.35,
            quantity: 100,
          }),
          price('p2', {
            account: summary.id,
            item_code: 'NUT',
            item_description: 'Nut M6',
            valid_now: false,
            end_ms: Date.UTC(2020, 0, 1),
          }),
        ],
      }),
    );
    render(CustomerDetail, { division: 1, id: summary.id, onclose: () => {} });
    const section = await screen.findByTestId('account-prices');
    expect(section).toHaveTextContent('Price agreements');
    const rows = within(section).getAllByTestId('price-row');
    expect(rows[0]).toHaveTextContent('BOLT — Bolt M6');
    expect(rows[0]).toHaveTextContent('100');
    expect(rows[0]).toHaveTextContent('€0.35');
    expect(rows[0]).toHaveAttribute('data-valid', 'true');
    expect(rows[1]).toHaveAttribute('data-valid', 'false');
    expect(rows[1]).toHaveClass('expired');
    expect(rows[1]).toHaveTextContent('1 Jan 2020');
  });

  it('lists orders newest first and expands one to its lines', async () => {
    const summary = account(6);
    vi.mocked(api.account).mockResolvedValue(
      accountDetail(summary, {
        orders: [
          order('o2', {
            order_number: 502,
            description: 'Spring stock',
            your_ref: 'PO-77',
            amount: 1210,
            status: 21,
            lines: [
              orderLine('o2-1', {
                line_number: 1,
                item_code: 'BOLT',
                description: 'Bolt M6',
                quantity: 100,
                amount: 35,
              }),
              orderLine('o2-2', { line_number: 2, item_code: 'NUT', description: 'Nut M6', quantity: 50, amount: 10 }),
            ],
          }),
          order('o1', { order_number: 501, currency: 'GBP', amount: 99, status: 45 }),
        ],
      }),
    );
    render(CustomerDetail, { division: 1, id: summary.id, onclose: () => {} });
    const section = await screen.findByTestId('account-orders');
    const rows = within(section).getAllByTestId('order-row');
    expect(rows.map((r) => r.getAttribute('data-number'))).toEqual(['502', '501']);
    expect(rows[0]).toHaveTextContent('Spring stock');
    expect(rows[0]).toHaveTextContent('Your ref. PO-77');
    expect(rows[0]).toHaveTextContent('Complete');
    expect(rows[0]).toHaveTextContent('€1,210.00');
    expect(rows[1]).toHaveTextContent('£99.00');
    expect(rows[1]).toHaveTextContent('Cancelled');
    expect(within(section).queryAllByTestId('order-line')).toHaveLength(0);

    const expand = within(rows[0]).getByRole('button', { name: 'Show the lines of order 502' });
    expect(expand).toHaveAttribute('aria-expanded', 'false');
    await fireEvent.click(expand);
    expect(expand).toHaveAttribute('aria-expanded', 'true');
    const lines = within(section).getAllByTestId('order-line');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toHaveTextContent('BOLT — Bolt M6');
    expect(lines[0]).toHaveTextContent('€35.00');
    expect(lines[1]).toHaveTextContent('NUT — Nut M6');
    // Only that order opened.
    expect(document.getElementById(expand.getAttribute('aria-controls') ?? '')).toContainElement(lines[0]);

    await fireEvent.click(within(rows[0]).getByRole('button', { name: 'Hide the lines of order 502' }));
    expect(within(section).queryAllByTestId('order-line')).toHaveLength(0);
  });

  it('says when there are no orders or agreements', async () => {
    vi.mocked(api.account).mockResolvedValue(accountDetail(account(7)));
    render(CustomerDetail, { division: 1, id: account(7).id, onclose: () => {} });
    expect(await screen.findByTestId('account-orders')).toHaveTextContent('No sales orders.');
    expect(screen.getByTestId('account-prices')).toHaveTextContent('No price agreements.');
  });

  it('shows hostile text in orders and agreements as text', async () => {
    const summary = account(8);
    vi.mocked(api.account).mockResolvedValue(
      accountDetail(summary, {
        orders: [
          order('o', {
            description: HOSTILE,
            your_ref: '<i>ref</i>',
            lines: [orderLine('l', { item_code: null, description: '<b>line</b>' })],
          }),
        ],
        prices: [price('p', { item_code: null, item_description: HOSTILE })],
      }),
    );
    render(CustomerDetail, { division: 1, id: summary.id, onclose: () => {} });
    const detail = await screen.findByTestId('account-detail');
    const orders = await screen.findByTestId('account-orders');
    await fireEvent.click(within(orders).getByRole('button', { name: /Show the lines/ }));
    expect(within(orders).getByText(HOSTILE)).toBeInTheDocument();
    expect(within(orders).getByText('Your ref. <i>ref</i>')).toBeInTheDocument();
    expect(within(orders).getByText('<b>line</b>')).toBeInTheDocument();
    expect(within(screen.getByTestId('account-prices')).getByText(HOSTILE)).toBeInTheDocument();
    expect(detail.querySelector('script, b, i')).toBeNull();
  });
});

import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, onProgress, type AccountQuery, type ProgressEvent } from '$lib/ipc';
import Customers from './Customers.svelte';
import { resetBrowsePrefs } from './prefs.svelte';
import { HOSTILE, account, accountDetail, mockApi, page } from './testing/fixtures';

vi.mock('$lib/ipc', async () => (await import('./testing/fixtures')).ipcModule());

function queries(): AccountQuery[] {
  return vi.mocked(api.accounts).mock.calls.map((call) => call[0]);
}

beforeEach(() => {
  Object.assign(api, mockApi());
  resetBrowsePrefs();
});

afterEach(cleanup);

describe('Customers', () => {
  it('lists accounts with logo, name, code, city and flags', async () => {
    vi.mocked(api.accounts).mockResolvedValue(
      page([
        account(1, { has_logo: true, name: HOSTILE }),
        account(2, { status: 'A', is_supplier: true, blocked: true, city: 'Gent', country: 'BE' }),
      ]),
    );
    render(Customers, { division: 5 });
    const rows = await screen.findAllByTestId('account-row');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveAttribute('data-code', '1');
    expect(rows[0]).toHaveAttribute('data-id', account(1).id);
    expect(within(rows[0]).getByText(HOSTILE)).toBeInTheDocument();
    expect(rows[0].querySelector('script, b')).toBeNull();
    expect(rows[0].querySelector('img')).toHaveAttribute('src', `exo://localhost/5/account/${account(1).id}/thumb`);
    expect(rows[0]).toHaveTextContent('Customer');
    expect(rows[1]).toHaveTextContent('Gent');
    expect(rows[1]).toHaveTextContent('Supplier');
    expect(rows[1]).toHaveTextContent('Blocked');
    expect(rows[1]).not.toHaveTextContent('No status');
    expect(screen.getByTestId('customers-count')).toHaveTextContent('2 accounts');
  });

  it('sends filters to the shell, the city after a pause', async () => {
    vi.mocked(api.accountCountries).mockResolvedValue(['NL', 'BE ']);
    vi.mocked(api.accounts).mockResolvedValue(page([account(1)]));
    render(Customers, { division: 1 });
    await screen.findAllByTestId('account-row');
    await fireEvent.change(screen.getByRole('combobox', { name: 'Kind' }), {
      target: { value: 'Supplier' },
    });
    const country = screen.getByRole('combobox', { name: 'Country' });
    await within(country).findByRole('option', { name: 'Belgium (BE)' });
    await fireEvent.change(country, { target: { value: 'BE' } });
    await fireEvent.change(screen.getByRole('combobox', { name: 'Blocked' }), {
      target: { value: 'no' },
    });
    const calls = queries().length;
    await fireEvent.input(screen.getByRole('searchbox', { name: 'City' }), {
      target: { value: 'Gent' },
    });
    expect(queries().length).toBe(calls);
    await waitFor(() =>
      expect(queries().at(-1)).toMatchObject({
        kind: 'Supplier',
        country: 'BE',
        city: 'Gent',
        blocked: false,
        sort: 'Name',
      }),
    );
  });

  it('applies the city with Enter, clears it with Escape, and clears every filter', async () => {
    vi.mocked(api.accounts).mockResolvedValue(page([account(1)]));
    render(Customers, { division: 1 });
    await screen.findAllByTestId('account-row');
    expect(screen.queryByRole('button', { name: 'Clear filters' }), 'nothing narrows the list yet').toBeNull();
    const city = screen.getByRole('searchbox', { name: 'City' });
    await fireEvent.input(city, { target: { value: 'Gent' } });
    await fireEvent.keyDown(city, { key: 'Enter' });
    expect(queries().at(-1)?.city, 'Enter does not wait for the pause').toBe('Gent');
    await fireEvent.keyDown(city, { key: 'Escape' });
    expect(city).toHaveValue('');
    expect(queries().at(-1)?.city).toBeNull();

    await fireEvent.input(city, { target: { value: 'Gent' } });
    await fireEvent.keyDown(city, { key: 'Enter' });
    await fireEvent.change(screen.getByRole('combobox', { name: 'Kind' }), { target: { value: 'Supplier' } });
    await fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(city).toHaveValue('');
    expect(queries().at(-1)).toMatchObject({ search: null, kind: null, country: null, city: null, blocked: null });
    expect(screen.queryByRole('button', { name: 'Clear filters' })).toBeNull();
  });

  it('opens an account and comes back', async () => {
    vi.mocked(api.accounts).mockResolvedValue(page([account(1), account(2)]));
    vi.mocked(api.account).mockResolvedValue(accountDetail(account(2)));
    render(Customers, { division: 1 });
    const rows = await screen.findAllByTestId('account-row');
    await fireEvent.click(rows[1]);
    const detail = await screen.findByTestId('account-detail');
    expect(api.account).toHaveBeenCalledWith(1, account(2).id);
    await fireEvent.click(within(detail).getByRole('button', { name: /back/i }));
    await waitFor(() => expect(screen.queryByTestId('account-detail')).toBeNull());
    expect(screen.getByRole('listbox').querySelector('[aria-selected="true"]')).toHaveAttribute('data-code', '2');
  });

  it('reloads in place when a sync brings accounts', async () => {
    let handler: ((event: ProgressEvent) => void) | null = null;
    vi.mocked(onProgress).mockImplementation(async (h) => {
      handler = h;
      return () => {};
    });
    vi.mocked(api.accounts).mockResolvedValueOnce(page([account(1)]));
    vi.mocked(api.accounts).mockResolvedValue(page([account(1), account(2)]));
    render(Customers, { division: 4 });
    await screen.findAllByTestId('account-row');
    await waitFor(() => expect(handler).not.toBeNull());
    const event: ProgressEvent = {
      division: 4,
      entity: 'Accounts',
      phase: 'done',
      rows: 2,
      pages: 1,
      calls: 1,
      total: 2,
      minutely_remaining: null,
      daily_remaining: null,
      rate: null,
      error: null,
      waiting: null,
    };
    handler!({ ...event, division: 9 }); // another division: ignored
    handler!(event);
    await waitFor(() => expect(screen.getAllByTestId('account-row')).toHaveLength(2), {
      timeout: 3000,
    });
    expect(screen.queryByTestId('loading')).toBeNull();
  });

  it('exports the filtered accounts with the customers query', async () => {
    vi.mocked(api.accounts).mockResolvedValue(page([account(1)], 40));
    vi.mocked(api.exportList).mockResolvedValue({ path: 'C:\\Users\\anna\\Downloads\\customers.csv', rows: 40 });
    render(Customers, { division: 2 });
    await screen.findAllByTestId('account-row');
    await fireEvent.change(screen.getByRole('combobox', { name: 'Kind' }), { target: { value: 'Supplier' } });
    await waitFor(() => expect(queries().at(-1)?.kind).toBe('Supplier'));

    await fireEvent.click(screen.getByTestId('export-open'));
    const dialog = screen.getByTestId('export-dialog');
    expect(dialog).toHaveTextContent('Export customers');
    expect(dialog).toHaveTextContent('40 rows will be exported');
    const city = dialog.querySelector<HTMLInputElement>('[data-testid="export-column"][data-name="City"]');
    expect(city?.checked).toBe(true);
    await fireEvent.click(city!);
    await fireEvent.click(within(dialog).getByTestId('export-start'));
    const done = await within(dialog).findByTestId('export-done');
    expect(done).toHaveTextContent('Saved 40 rows to C:\\Users\\anna\\Downloads\\customers.csv');
    const request = vi.mocked(api.exportList).mock.calls[0][0];
    expect(request).toMatchObject({ list: 'customers', items: null, format: 'csv' });
    expect(request.customers).toMatchObject({ division: 2, kind: 'Supplier', offset: 0 });
    expect(request.columns).toEqual([
      'Code',
      'Name',
      'AddressLine1',
      'Postcode',
      'Country',
      'Email',
      'Phone',
      'VATNumber',
    ]);
  });
});

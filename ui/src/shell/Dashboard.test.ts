import '@testing-library/svelte/vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { formatDateTime, formatTime, setLanguage } from '$lib/i18n.svelte';
import { app, defaultSettings } from '$lib/stores.svelte';
import Dashboard from './Dashboard.svelte';
import { infoFixture, progressFixture, runFixture, setAsideFixture, snapshotFixture, statusFixture } from './fixtures';

const api = vi.hoisted(() => ({
  runs: vi.fn(),
  syncNow: vi.fn(),
  resyncAll: vi.fn(),
  cancelSync: vi.fn(),
  reconnect: vi.fn(),
  cancelConnect: vi.fn(),
  syncState: vi.fn(),
  appInfo: vi.fn(),
  status: vi.fn(),
  setAsideRecords: vi.fn(),
}));

vi.mock('$lib/ipc', async (importOriginal) => ({
  ...(await importOriginal<typeof import('$lib/ipc')>()),
  api,
}));

const NOW = Date.UTC(2025, 5, 2, 12, 0, 0);

beforeEach(() => {
  setLanguage('en');
  vi.clearAllMocks();
  api.runs.mockResolvedValue([]);
  api.syncNow.mockResolvedValue(undefined);
  api.resyncAll.mockResolvedValue(undefined);
  api.cancelSync.mockResolvedValue(undefined);
  api.status.mockResolvedValue([]);
  api.setAsideRecords.mockResolvedValue([]);
  app.info = infoFixture();
  app.settings = { ...defaultSettings(), divisions: [1001], interval_minutes: 60 };
  app.sync = snapshotFixture();
  app.divisions = null;
  app.now = NOW;
});

describe('Dashboard', () => {
  it('shows an empty state before the first sync', async () => {
    render(Dashboard);
    expect(await screen.findByTestId('sync-empty')).toHaveTextContent('Nothing synced yet');
    expect(screen.queryAllByTestId('progress-row')).toHaveLength(0);
  });

  it('renders one row per division and entity, with a determinate bar when the total is known', async () => {
    app.settings.divisions = [1001, 1002];
    app.sync = snapshotFixture({
      running: true,
      progress: [
        progressFixture({
          division: 1001,
          entity: 'Items',
          rows: 340,
          total: 1000,
          calls: 4,
          minutely_remaining: 56,
          rate: 120.4,
        }),
        progressFixture({ division: 1001, entity: 'Accounts', phase: 'waiting' }),
        progressFixture({ division: 1002, entity: 'Items', rows: 150, calls: 2, rate: 75 }),
      ],
      assets: { queued: 40, done: 10 },
    });
    render(Dashboard);
    const rows = screen.getAllByTestId('progress-row');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveAttribute('data-division', '1001');
    expect(rows[0]).toHaveAttribute('data-entity', 'Items');
    expect(rows[0]).toHaveAttribute('data-phase', 'fetching');
    expect(rows[1]).toHaveAttribute('data-phase', 'waiting');
    expect(rows[2]).toHaveAttribute('data-division', '1002');

    const bar = within(rows[0]).getByTestId('progress-bar');
    expect(bar).toHaveAttribute('aria-valuenow', '34');
    expect((bar.firstElementChild as HTMLElement).style.width).toBe('34%');
    expect(rows[0]).toHaveTextContent('340 of 1,000');
    expect(rows[0]).toHaveTextContent('120 rows/s');
    expect(rows[0]).toHaveTextContent('56 left this minute');

    // No total: rows and rate instead of a bar.
    expect(within(rows[2]).queryByTestId('progress-bar')).toBeNull();
    expect(within(rows[2]).getByTestId('progress-rows')).toHaveTextContent('150 rows · 75 rows/s');

    expect(screen.getByTestId('assets-row')).toHaveTextContent('10 of 40 downloaded');
    expect(screen.getByTestId('run-calls')).toHaveTextContent('6 calls this run');
    expect(screen.getByTestId('sync-cancel')).toBeInTheDocument();
    expect(screen.getByTestId('sync-now')).toBeDisabled();
  });

  it('follows progress as the snapshot changes', async () => {
    app.sync = snapshotFixture({ running: true, progress: [progressFixture({ rows: 100, total: 1000 })] });
    render(Dashboard);
    expect(screen.getByTestId('progress-bar')).toHaveAttribute('aria-valuenow', '10');
    app.sync.progress = [progressFixture({ rows: 900, total: 1000 })];
    await waitFor(() => expect(screen.getByTestId('progress-bar')).toHaveAttribute('aria-valuenow', '90'));
  });

  it('starts and cancels a sync', async () => {
    render(Dashboard);
    await fireEvent.click(screen.getByTestId('sync-now'));
    expect(api.syncNow).toHaveBeenCalledOnce();
    app.sync.running = true;
    await fireEvent.click(await screen.findByTestId('sync-cancel'));
    expect(api.cancelSync).toHaveBeenCalledOnce();
  });

  it('says when the next run comes later to keep the day’s Exact calls', async () => {
    app.sync = snapshotFixture({ next_run_in_s: 3_600, stretched_for_budget: true });
    app.syncReceivedMs = NOW;
    render(Dashboard);
    expect(await screen.findByTestId('next-stretched')).toHaveTextContent('running low');
    app.sync.stretched_for_budget = false;
    await waitFor(() => expect(screen.queryByTestId('next-stretched')).toBeNull());
  });

  it('marks an old success as out of date', async () => {
    app.sync = snapshotFixture({ last_success_ms: NOW - 3 * 3_600_000 });
    render(Dashboard);
    expect(screen.getByTestId('sync-stale')).toBeInTheDocument();
    app.sync.last_success_ms = NOW - 30 * 60_000;
    await waitFor(() => expect(screen.queryByTestId('sync-stale')).toBeNull());
  });

  it('lists the runs and expands the failed entities with Exact’s message as text', async () => {
    const hostile = '<script>alert(1)</script><b>Bad request</b>';
    api.runs.mockResolvedValue([
      runFixture({
        id: 2,
        outcome: 'partial',
        trigger: 'interval',
        entities: [
          {
            division: 1001,
            entity: 'Items',
            rows_upserted: 10,
            rows_deleted: 0,
            calls: 3,
            set_aside: 0,
            without: [],
            too_large: [],
            error: null,
          },
          {
            division: 1001,
            entity: 'Accounts',
            rows_upserted: 0,
            rows_deleted: 0,
            calls: 1,
            set_aside: 0,
            without: [],
            too_large: [],
            error: hostile,
          },
        ],
      }),
      runFixture({ id: 1 }),
    ]);
    render(Dashboard);
    const rows = await screen.findAllByTestId('run-row');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toHaveTextContent('Schedule');
    expect(rows[0]).toHaveTextContent('Partly failed');
    expect(rows[1]).toHaveTextContent('Succeeded');
    expect(rows[1]).toHaveTextContent('3,103');
    expect(rows[1]).toHaveTextContent('1 min 5 s');
    const failures = within(rows[0]).getByTestId('run-failures');
    expect(failures.tagName).toBe('DETAILS');
    expect(failures).toHaveTextContent(hostile);
    expect(failures.querySelector('script')).toBeNull();
    expect(failures.querySelector('b')).toBeNull();
  });

  it('reloads the history when a run finishes', async () => {
    app.sync = snapshotFixture({ running: true });
    render(Dashboard);
    await waitFor(() => expect(api.runs).toHaveBeenCalledTimes(1));
    api.runs.mockResolvedValue([runFixture()]);
    app.sync = snapshotFixture({
      running: false,
      last_success_ms: NOW,
      last: { run_id: 1, started_ms: 1, finished_ms: 2, outcome: 'succeeded', entities: [], error: null },
    });
    await waitFor(() => expect(screen.getAllByTestId('run-row')).toHaveLength(1));
  });

  it('offers to sign in again when the sign-in broke', async () => {
    let resolve: (value: unknown) => void = () => {};
    api.reconnect.mockReturnValue(new Promise((r) => (resolve = r)));
    api.syncState.mockResolvedValue(snapshotFixture());
    app.sync = snapshotFixture({ needs_sign_in: true });
    render(Dashboard);
    await fireEvent.click(screen.getByTestId('sign-in-again'));
    expect(screen.getByTestId('sign-in-banner')).toHaveTextContent('Waiting for you to sign in in your browser…');
    resolve(infoFixture({ mode: 'account' }));
    await waitFor(() => expect(screen.queryByTestId('sign-in-banner')).toBeNull());
    expect(api.syncState).toHaveBeenCalled();
  });

  describe('records set aside', () => {
    it('shows a count for each entity with records set aside, and nothing without any', async () => {
      api.status.mockResolvedValue([
        statusFixture({ entity: 'Items', set_aside: 3 }),
        statusFixture({ entity: 'Accounts', set_aside: 0 }),
        statusFixture({ entity: 'Contacts', set_aside: 1200 }),
        statusFixture({ entity: 'Deleted', rows: null, set_aside: 0 }),
      ]);
      render(Dashboard);
      const counts = await screen.findAllByTestId('set-aside-count');
      expect(counts).toHaveLength(2);
      expect(counts[0]).toHaveTextContent('3 set aside');
      expect(counts[0]).toHaveAttribute('data-entity', 'Items');
      expect(counts[0]).toHaveAttribute('data-division', '1001');
      expect(counts[0].tagName).toBe('BUTTON');
      expect(counts[1]).toHaveTextContent('1,200 set aside');
      expect(screen.getByTestId('set-aside')).toHaveTextContent('Records set aside');
      expect(screen.getByTestId('set-aside')).toHaveTextContent('Contact persons');
    });

    it('shows no count when nothing is set aside, or the status cannot be read', async () => {
      api.status.mockResolvedValue([statusFixture({ set_aside: 0 })]);
      const { unmount } = render(Dashboard);
      await waitFor(() => expect(api.status).toHaveBeenCalledOnce());
      expect(screen.queryByTestId('set-aside')).toBeNull();
      unmount();

      api.status.mockRejectedValue(new Error('no cache'));
      render(Dashboard);
      await waitFor(() => expect(api.status).toHaveBeenCalledTimes(2));
      expect(screen.queryByTestId('set-aside')).toBeNull();
      expect(await screen.findByTestId('sync-empty')).toBeInTheDocument();
    });

    it('names the division beside the entity when several are synced', async () => {
      app.settings.divisions = [1001, 1002];
      app.divisions = [
        { code: 1001, name: 'Main', current: true, selected: true, currency: 'EUR' },
        { code: 1002, name: 'Branch', current: false, selected: true, currency: 'EUR' },
      ];
      api.status.mockResolvedValue([
        statusFixture({ division: 1001, set_aside: 3 }),
        statusFixture({ division: 1002, set_aside: 2 }),
      ]);
      render(Dashboard);
      const counts = await screen.findAllByTestId('set-aside-count');
      expect(counts.map((c) => c.getAttribute('data-division'))).toEqual(['1001', '1002']);
      expect(screen.getByTestId('set-aside')).toHaveTextContent('Main (1001)');
      expect(screen.getByTestId('set-aside')).toHaveTextContent('Branch (1002)');
    });

    it('counts again when a run finishes', async () => {
      app.sync = snapshotFixture({ running: true });
      render(Dashboard);
      await waitFor(() => expect(api.status).toHaveBeenCalledTimes(1));
      expect(screen.queryByTestId('set-aside-count')).toBeNull();
      api.status.mockResolvedValue([statusFixture({ set_aside: 2 })]);
      app.sync = snapshotFixture({
        running: false,
        last: { run_id: 1, started_ms: 1, finished_ms: 2, outcome: 'succeeded', entities: [], error: null },
      });
      expect(await screen.findByTestId('set-aside-count')).toHaveTextContent('2 set aside');
      api.status.mockResolvedValue([]);
      app.sync = snapshotFixture({ running: true });
      await waitFor(() => expect(screen.queryByTestId('set-aside-count')).toBeNull());
    });

    it('lists the records: key or no ID, the reason in words, the detail, when last seen, the text folded away', async () => {
      const hostile = '{"Description":"<img src=x onerror=alert(1)>"}';
      const lastSeen = Date.UTC(2025, 0, 6, 9, 0, 30);
      api.status.mockResolvedValue([statusFixture({ set_aside: 3 })]);
      api.setAsideRecords.mockResolvedValue([
        setAsideFixture({ last_seen_ms: lastSeen }),
        setAsideFixture({
          key: '3f2c1a7e-0000-4000-8000-000000000001',
          reason: 'wrong_type',
          detail: 'Modified should be a date, Exact sent 12',
          raw: hostile,
          raw_bytes: hostile.length,
        }),
        setAsideFixture({
          reason: 'too_large',
          detail: 'larger than 1 MiB',
          raw: 'x'.repeat(100),
          raw_bytes: 2_000_000,
        }),
      ]);
      render(Dashboard);
      const count = await screen.findByTestId('set-aside-count');
      await fireEvent.click(count);
      const list = await screen.findByTestId('set-aside-list');
      expect(api.setAsideRecords).toHaveBeenCalledWith(1001, 'Items');
      expect(list).toHaveAttribute('role', 'dialog');
      expect(list).toHaveAttribute('aria-modal', 'true');
      expect(list).toHaveTextContent('These records were not stored because');
      expect(list).toHaveTextContent('The rest of the data is complete.');
      expect(list).toHaveTextContent('tried again on every full resync');

      const rows = await within(list).findAllByTestId('set-aside-row');
      expect(rows).toHaveLength(3);
      expect(within(rows[0]).getByTestId('set-aside-key')).toHaveTextContent('no ID');
      expect(within(rows[0]).getByTestId('set-aside-reason')).toHaveTextContent('Missing or invalid ID');
      expect(rows[0]).toHaveAttribute('data-reason', 'missing_key');
      expect(within(rows[0]).getByTestId('set-aside-detail')).toHaveTextContent('no ID');
      expect(rows[0]).toHaveTextContent(`Last seen ${formatDateTime(lastSeen)}`);
      expect(within(rows[0]).getByTestId('set-aside-hint')).toHaveTextContent('ITEM-0500 · Bolt');

      expect(within(rows[1]).getByTestId('set-aside-key')).toHaveTextContent('3f2c1a7e-0000-4000-8000-000000000001');
      expect(within(rows[1]).getByTestId('set-aside-reason')).toHaveTextContent('A value of the wrong type');
      expect(within(rows[1]).getByTestId('set-aside-detail')).toHaveTextContent(
        'Modified should be a date, Exact sent 12',
      );
      const raw = within(rows[1]).getByTestId('set-aside-raw');
      expect(raw.tagName).toBe('DETAILS');
      expect(raw).not.toHaveAttribute('open');
      expect(raw.querySelector('pre')).toHaveTextContent(hostile);
      expect(raw.querySelector('img')).toBeNull();
      expect(within(rows[1]).getByTestId('set-aside-hint')).toHaveTextContent('<img src=x onerror=alert(1)>');
      expect(rows[1].querySelector('img')).toBeNull();
      expect(raw).not.toHaveTextContent('Only the start');

      expect(within(rows[2]).getByTestId('set-aside-reason')).toHaveTextContent('Too large to store');
      expect(within(rows[2]).queryByTestId('set-aside-hint')).toBeNull();
      expect(within(rows[2]).getByTestId('set-aside-raw')).toHaveTextContent('Only the start of the record is kept.');
      expect(within(rows[2]).getByTestId('set-aside-raw')).toHaveTextContent('1.9 MB');
    });

    it('moves focus into the list, closes on Escape and on Close, and gives focus back', async () => {
      api.status.mockResolvedValue([statusFixture({ set_aside: 1 })]);
      api.setAsideRecords.mockResolvedValue([setAsideFixture()]);
      render(Dashboard);
      const count = await screen.findByTestId('set-aside-count');
      count.focus();
      await fireEvent.click(count);
      const list = await screen.findByTestId('set-aside-list');
      const close = within(list).getByTestId('set-aside-close');
      expect(close).toHaveTextContent('Close');
      expect(document.activeElement).toBe(close);
      // Close, and the full resync that tries the records again.
      expect(within(list).getAllByRole('button')).toEqual([within(list).getByTestId('set-aside-resync'), close]);

      await fireEvent.keyDown(list, { key: 'Escape' });
      await waitFor(() => expect(screen.queryByTestId('set-aside-list')).toBeNull());
      expect(document.activeElement).toBe(count);

      await fireEvent.click(count);
      await fireEvent.click(await screen.findByTestId('set-aside-close'));
      await waitFor(() => expect(screen.queryByTestId('set-aside-list')).toBeNull());
      expect(document.activeElement).toBe(count);
    });

    it('says so when the list is empty or cannot be read, and retries', async () => {
      api.status.mockResolvedValue([statusFixture({ set_aside: 1 })]);
      api.setAsideRecords.mockRejectedValueOnce(new Error('database is locked'));
      render(Dashboard);
      await fireEvent.click(await screen.findByTestId('set-aside-count'));
      expect(await screen.findByTestId('set-aside-error')).toHaveTextContent('database is locked');
      await fireEvent.click(within(screen.getByTestId('set-aside-error')).getByRole('button'));
      expect(await screen.findByTestId('set-aside-empty')).toHaveTextContent('No records are set aside any more.');
      expect(api.setAsideRecords).toHaveBeenCalledTimes(2);
    });

    it('offers a full resync beside Close, asking first what it costs', async () => {
      api.status.mockResolvedValue([statusFixture({ set_aside: 3 })]);
      api.setAsideRecords.mockResolvedValue([setAsideFixture()]);
      render(Dashboard);
      const count = await screen.findByTestId('set-aside-count');
      count.focus();
      await fireEvent.click(count);
      const list = await screen.findByTestId('set-aside-list');
      const resync = within(list).getByTestId('set-aside-resync');
      expect(resync).toHaveTextContent('Resync everything');

      // Cancel leaves the list as it was, focus back on the button (pressed from the keyboard).
      resync.focus();
      await fireEvent.click(resync);
      let question = await screen.findByTestId('confirm-dialog');
      expect(list).not.toContainElement(question);
      expect(question).toHaveTextContent('Resync everything?');
      expect(question).toHaveTextContent('Every record is read from Exact Online again');
      expect(question).toHaveTextContent('Records set aside and properties Exact refused are tried again.');
      expect(question).toHaveTextContent('uses more of the day’s Exact Online calls');
      await fireEvent.click(within(question).getByRole('button', { name: 'Cancel' }));
      await waitFor(() => expect(screen.queryByTestId('confirm-dialog')).toBeNull());
      expect(api.resyncAll).not.toHaveBeenCalled();
      expect(screen.getByTestId('set-aside-list')).toBeInTheDocument();
      expect(document.activeElement).toBe(resync);

      // Escape answers the question, not the list behind it.
      await fireEvent.click(resync);
      question = await screen.findByTestId('confirm-dialog');
      await fireEvent.keyDown(question, { key: 'Escape' });
      await waitFor(() => expect(screen.queryByTestId('confirm-dialog')).toBeNull());
      expect(screen.getByTestId('set-aside-list')).toBeInTheDocument();

      // Confirmed: the shell is asked once, and the list closes with focus back on its opener.
      await fireEvent.click(resync);
      question = await screen.findByTestId('confirm-dialog');
      await fireEvent.click(within(question).getByTestId('confirm-ok'));
      expect(api.resyncAll).toHaveBeenCalledOnce();
      expect(api.syncNow).not.toHaveBeenCalled();
      await waitFor(() => expect(screen.queryByTestId('set-aside-list')).toBeNull());
      expect(screen.queryByTestId('confirm-dialog')).toBeNull();
      expect(document.activeElement).toBe(count);
    });

    it('keeps the list open with the shell’s message when the resync cannot start', async () => {
      api.status.mockResolvedValue([statusFixture({ set_aside: 3 })]);
      api.resyncAll.mockRejectedValue(new Error('Choose the divisions to sync first.'));
      render(Dashboard);
      await fireEvent.click(await screen.findByTestId('set-aside-count'));
      await fireEvent.click(await screen.findByTestId('set-aside-resync'));
      await fireEvent.click(within(await screen.findByTestId('confirm-dialog')).getByTestId('confirm-ok'));
      expect(await screen.findByTestId('set-aside-resync-error')).toHaveTextContent(
        'Choose the divisions to sync first.',
      );
      expect(screen.queryByTestId('confirm-dialog')).toBeNull();
      expect(screen.getByTestId('set-aside-list')).toBeInTheDocument();
    });

    it('speaks Dutch', async () => {
      setLanguage('nl');
      api.status.mockResolvedValue([statusFixture({ set_aside: 3 })]);
      api.setAsideRecords.mockResolvedValue([setAsideFixture()]);
      render(Dashboard);
      const count = await screen.findByTestId('set-aside-count');
      expect(count).toHaveTextContent('3 apart gezet');
      await fireEvent.click(count);
      const row = await screen.findByTestId('set-aside-row');
      expect(within(row).getByTestId('set-aside-key')).toHaveTextContent('geen ID');
      expect(within(row).getByTestId('set-aside-reason')).toHaveTextContent('Ontbrekende of ongeldige ID');
      expect(within(row).getByTestId('set-aside-raw')).toHaveTextContent('Zoals Exact Online het stuurde');
      await fireEvent.click(screen.getByTestId('set-aside-resync'));
      expect(await screen.findByTestId('confirm-dialog')).toHaveTextContent('Alles opnieuw synchroniseren?');
    });
  });

  describe('refused by Exact', () => {
    const later = NOW + 45 * 60_000;

    it('tells which properties each entity is read without, and which entity rests until when', async () => {
      app.settings.divisions = [1001, 1002];
      app.divisions = [
        { code: 1001, name: 'Main', current: true, selected: true, currency: 'EUR' },
        { code: 1002, name: 'Branch', current: false, selected: true, currency: 'EUR' },
      ];
      api.status.mockResolvedValue([
        statusFixture({ entity: 'Items', set_aside: 3, excluded: ['Barcode', 'Notes'] }),
        statusFixture({ entity: 'Accounts' }),
        statusFixture({ entity: 'Contacts', resting_until_ms: later }),
        statusFixture({ entity: 'Units', resting_until_ms: NOW - 60_000 }),
        statusFixture({ division: 1002, entity: 'Documents', excluded: ['Body'], resting_until_ms: later }),
      ]);
      render(Dashboard);
      const card = await screen.findByTestId('refused');
      expect(card).toHaveTextContent('Refused by Exact Online');
      // Beside the set-aside card, which still counts the items.
      expect(screen.getByTestId('set-aside').nextElementSibling).toBe(card);
      const entities = within(card).getAllByTestId('refused-entity');
      expect(entities.map((e) => `${e.dataset.division}/${e.dataset.entity}`)).toEqual([
        '1001/Items',
        '1001/Contacts',
        '1002/Documents',
      ]);
      expect(entities[0]).toHaveTextContent('Items · Main (1001)');
      expect(within(entities[0]).getByTestId('refused-without')).toHaveTextContent(
        'Read without Barcode, Notes: Exact refused them. Asked again on a full resync.',
      );
      expect(within(entities[0]).queryByTestId('refused-resting')).toBeNull();
      expect(within(entities[1]).queryByTestId('refused-without')).toBeNull();
      expect(within(entities[1]).getByTestId('refused-resting')).toHaveTextContent(
        `Not asked again until ${formatTime(later)}: Exact refused it.`,
      );
      expect(within(entities[2]).getByTestId('refused-without')).toHaveTextContent(
        'Read without Body: Exact refused it. Asked again on a full resync.',
      );
      expect(within(entities[2]).getByTestId('refused-resting')).toBeInTheDocument();

      // A rest that ran out is not shown any more.
      app.now = later + 1;
      await waitFor(() => expect(within(card).getAllByTestId('refused-entity')).toHaveLength(2));
      expect(within(card).queryByTestId('refused-resting')).toBeNull();
    });

    it('shows nothing when Exact refused nothing', async () => {
      api.status.mockResolvedValue([statusFixture(), statusFixture({ entity: 'Units', resting_until_ms: NOW })]);
      render(Dashboard);
      await waitFor(() => expect(api.status).toHaveBeenCalledOnce());
      expect(screen.queryByTestId('refused')).toBeNull();
    });

    it('reads the status again when a run ends', async () => {
      app.sync = snapshotFixture({ running: true });
      render(Dashboard);
      await waitFor(() => expect(api.status).toHaveBeenCalledTimes(1));
      expect(screen.queryByTestId('refused')).toBeNull();
      api.status.mockResolvedValue([statusFixture({ excluded: ['Notes'] })]);
      app.sync = snapshotFixture({
        running: false,
        last: { run_id: 1, started_ms: 1, finished_ms: 2, outcome: 'succeeded', entities: [], error: null },
      });
      expect(await screen.findByTestId('refused-without')).toHaveTextContent('Read without Notes');
      // A full resync asks for every property again.
      api.status.mockResolvedValue([statusFixture()]);
      app.sync = snapshotFixture({ running: true });
      await waitFor(() => expect(screen.queryByTestId('refused')).toBeNull());
    });

    it('speaks Dutch', async () => {
      setLanguage('nl');
      api.status.mockResolvedValue([statusFixture({ excluded: ['Notes'], resting_until_ms: later })]);
      render(Dashboard);
      const card = await screen.findByTestId('refused');
      expect(card).toHaveTextContent('Geweigerd door Exact Online');
      expect(within(card).getByTestId('refused-without')).toHaveTextContent(
        'Gelezen zonder Notes: Exact weigerde die. Die wordt opnieuw gevraagd bij een volledige hersynchronisatie.',
      );
      expect(within(card).getByTestId('refused-resting')).toHaveTextContent(
        `Wordt tot ${formatTime(later)} niet opnieuw gevraagd: Exact weigerde het.`,
      );
    });
  });

  describe('waiting for Exact', () => {
    const wait = "waiting for Exact's refresh rule until 14:03:12 UTC";

    it('says why the running sync waits, and stops saying so when it goes on', async () => {
      app.sync = snapshotFixture({
        running: true,
        progress: [
          progressFixture({ division: 1001, entity: 'Items', phase: 'done', waiting: wait }),
          progressFixture({ division: 1001, entity: 'Accounts', rows: 40, waiting: wait }),
        ],
      });
      render(Dashboard);
      const notice = screen.getByTestId('sync-waiting');
      expect(notice).toHaveAttribute('role', 'status');
      expect(within(notice).getAllByTestId('sync-waiting-reason')).toHaveLength(1);
      expect(notice).toHaveTextContent(`The sync waits, it is not stuck: ${wait}`);
      expect(notice).toHaveTextContent('renew its access only every few minutes');

      app.sync.progress = [
        progressFixture({ division: 1001, entity: 'Items', phase: 'done' }),
        progressFixture({ division: 1001, entity: 'Accounts', rows: 40 }),
      ];
      await waitFor(() => expect(screen.queryByTestId('sync-waiting')).toBeNull());
    });

    it('says nothing once the run ended', async () => {
      app.sync = snapshotFixture({ running: false, progress: [progressFixture({ phase: 'done', waiting: wait })] });
      render(Dashboard);
      expect(screen.queryByTestId('sync-waiting')).toBeNull();
    });

    it('speaks Dutch around Exact’s words', async () => {
      setLanguage('nl');
      app.sync = snapshotFixture({ running: true, progress: [progressFixture({ waiting: wait })] });
      render(Dashboard);
      expect(screen.getByTestId('sync-waiting')).toHaveTextContent(
        `De synchronisatie wacht, maar zit niet vast: ${wait}`,
      );
    });
  });

  describe('history', () => {
    it('shows what each entity of a run set aside and was read without', async () => {
      api.runs.mockResolvedValue([
        runFixture({
          id: 3,
          trigger: 'full',
          entities: [
            {
              division: 1001,
              entity: 'Items',
              rows_upserted: 10,
              rows_deleted: 0,
              calls: 3,
              set_aside: 1200,
              without: [],
              too_large: [],
              error: null,
            },
            {
              division: 1001,
              entity: 'Accounts',
              rows_upserted: 5,
              rows_deleted: 0,
              calls: 1,
              set_aside: 0,
              without: [],
              too_large: [],
              error: null,
            },
            {
              division: 1001,
              entity: 'Contacts',
              rows_upserted: 5,
              rows_deleted: 0,
              calls: 2,
              set_aside: 2,
              without: ['Notes', '<b>Picture</b>'],
              too_large: [],
              error: null,
            },
          ],
        }),
        runFixture({ id: 2 }),
      ]);
      render(Dashboard);
      const rows = await screen.findAllByTestId('run-row');
      expect(rows[0]).toHaveTextContent('Full resync');
      const notes = within(rows[0]).getAllByTestId('run-note');
      expect(notes.map((n) => n.dataset.entity)).toEqual(['Items', 'Contacts']);
      expect(within(notes[0]).getByTestId('run-set-aside')).toHaveTextContent('1,200 set aside');
      expect(within(notes[0]).queryByTestId('run-without')).toBeNull();
      expect(notes[1]).toHaveTextContent('Contact persons');
      expect(within(notes[1]).getByTestId('run-set-aside')).toHaveTextContent('2 set aside');
      expect(within(notes[1]).getByTestId('run-without')).toHaveTextContent('read without Notes, <b>Picture</b>');
      expect(notes[1].querySelector('b')).toBeNull();
      // A run with nothing to say shows no notes.
      expect(within(rows[1]).queryByTestId('run-notes')).toBeNull();
    });

    it('speaks Dutch', async () => {
      setLanguage('nl');
      api.runs.mockResolvedValue([
        runFixture({
          trigger: 'full',
          entities: [
            {
              division: 1001,
              entity: 'Items',
              rows_upserted: 10,
              rows_deleted: 0,
              calls: 3,
              set_aside: 3,
              without: ['Notes'],
              too_large: [],
              error: null,
            },
          ],
        }),
      ]);
      render(Dashboard);
      const row = await screen.findByTestId('run-row');
      expect(row).toHaveTextContent('Volledige hersynchronisatie');
      expect(within(row).getByTestId('run-set-aside')).toHaveTextContent('3 apart gezet');
      expect(within(row).getByTestId('run-without')).toHaveTextContent('gelezen zonder Notes');
    });
  });
});

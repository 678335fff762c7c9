import '@testing-library/svelte/vitest';
import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { setLanguage } from '$lib/i18n.svelte';
import { app, defaultSettings } from '$lib/stores.svelte';
import Dashboard from './Dashboard.svelte';
import { infoFixture, progressFixture, runFixture, snapshotFixture } from './fixtures';

const api = vi.hoisted(() => ({
  runs: vi.fn(),
  syncNow: vi.fn(),
  cancelSync: vi.fn(),
  reconnect: vi.fn(),
  cancelConnect: vi.fn(),
  syncState: vi.fn(),
  appInfo: vi.fn(),
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
  api.cancelSync.mockResolvedValue(undefined);
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
        progressFixture({ division: 1001, entity: 'Items', rows: 340, total: 1000, calls: 4, minutely_remaining: 56, rate: 120.4 }),
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
          { division: 1001, entity: 'Items', rows_upserted: 10, rows_deleted: 0, calls: 3, error: null },
          { division: 1001, entity: 'Accounts', rows_upserted: 0, rows_deleted: 0, calls: 1, error: hostile },
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
});

import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { ProgressEvent, SyncSnapshot } from '$lib/ipc';
import { infoFixture, progressFixture, snapshotFixture } from '../shell/fixtures';
import { app, defaultSettings, emptySnapshot, enter, mergeProgress, setDivision, start } from './stores.svelte';

const handlers = vi.hoisted(() => ({
  state: null as null | ((s: SyncSnapshot) => void),
  progress: null as null | ((p: ProgressEvent) => void),
}));

const api = vi.hoisted(() => ({
  appInfo: vi.fn(),
  getSettings: vi.fn(),
  syncState: vi.fn(),
  divisions: vi.fn(),
}));

vi.mock('$lib/ipc', async (importOriginal) => ({
  ...(await importOriginal<typeof import('$lib/ipc')>()),
  api,
  onSyncState: vi.fn(async (h: (s: SyncSnapshot) => void) => {
    handlers.state = h;
    return () => (handlers.state = null);
  }),
  onProgress: vi.fn(async (h: (p: ProgressEvent) => void) => {
    handlers.progress = h;
    return () => (handlers.progress = null);
  }),
}));

beforeEach(() => {
  vi.clearAllMocks();
  app.info = null;
  app.settings = defaultSettings();
  app.division = null;
  app.sync = emptySnapshot();
  app.divisions = null;
  api.appInfo.mockResolvedValue(infoFixture({ mode: 'demo' }));
  api.getSettings.mockResolvedValue({ ...defaultSettings(), divisions: [2002, 1001] });
  api.syncState.mockResolvedValue(snapshotFixture({ running: true, online: true }));
  api.divisions.mockResolvedValue([]);
});

describe('mergeProgress', () => {
  it('replaces the event of the same division and entity, appends others', () => {
    const a = progressFixture({ division: 1, entity: 'Items', rows: 1 });
    const b = progressFixture({ division: 2, entity: 'Items', rows: 1 });
    const list = mergeProgress(mergeProgress([], a), b);
    expect(list).toHaveLength(2);
    const next = mergeProgress(list, { ...a, rows: 50 });
    expect(next.map((p) => [p.division, p.rows])).toEqual([
      [1, 50],
      [2, 1],
    ]);
  });

  it('sets and clears a wait on every entity of the event’s division only', () => {
    const wait = "waiting for Exact's refresh rule until 14:03:12 UTC";
    let list = [
      progressFixture({ division: 1, entity: 'Items', phase: 'done' }),
      progressFixture({ division: 1, entity: 'Accounts' }),
      progressFixture({ division: 2, entity: 'Items' }),
    ];
    list = mergeProgress(list, progressFixture({ division: 1, entity: 'Accounts', waiting: wait }));
    expect(list.map((p) => p.waiting)).toEqual([wait, wait, null]);
    // The engine sends the division's last event again when the wait ends.
    list = mergeProgress(list, progressFixture({ division: 1, entity: 'Accounts', rows: 5 }));
    expect(list.map((p) => p.waiting)).toEqual([null, null, null]);
    expect(list.map((p) => p.phase)).toEqual(['done', 'fetching', 'fetching']);
  });
});

describe('app state', () => {
  it('starts from the shell, picks the first selected division, and follows the events', async () => {
    const stop = await start();
    expect(app.info?.mode).toBe('demo');
    expect(app.division).toBe(2002);
    expect(app.sync.running).toBe(true);
    expect(app.online).toBe(true);

    handlers.progress!(progressFixture({ division: 2002, entity: 'Items', rows: 10 }));
    handlers.progress!(progressFixture({ division: 2002, entity: 'Items', rows: 20 }));
    expect(app.sync.progress).toHaveLength(1);
    expect(app.sync.progress[0].rows).toBe(20);

    handlers.state!(snapshotFixture({ running: false, online: false }));
    expect(app.sync.running).toBe(false);
    expect(app.online).toBe(false);

    setDivision(1001);
    expect(app.division).toBe(1001);
    setDivision(42);
    expect(app.division).toBe(1001);

    stop();
    expect(handlers.state).toBeNull();
    expect(handlers.progress).toBeNull();
  });

  it('treats an unknown connection as online', () => {
    app.sync = snapshotFixture({ online: null });
    expect(app.online).toBe(true);
  });

  it('forgets the sync state when returning to the welcome screen', async () => {
    app.sync = snapshotFixture({ running: true });
    app.division = 1001;
    await enter(infoFixture({ mode: 'welcome' }));
    expect(app.sync.running).toBe(false);
    expect(app.division).toBeNull();
  });
});

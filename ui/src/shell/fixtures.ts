// Test data shaped like the shell's answers (used by the shell's tests only).

import type { AppInfo, EntityStatus, ProgressEvent, RunSummary, SetAsideRow, SyncSnapshot } from '$lib/ipc';

export function infoFixture(overrides: Partial<AppInfo> = {}): AppInfo {
  return {
    mode: 'demo',
    version: '0.1.0',
    data_dir: '/tmp/exo',
    account: null,
    token_storage: null,
    token_warning: null,
    refresh_expires_ms: null,
    ...overrides,
  };
}

export function progressFixture(overrides: Partial<ProgressEvent> = {}): ProgressEvent {
  return {
    division: 1001,
    entity: 'Items',
    phase: 'fetching',
    rows: 0,
    pages: 0,
    calls: 0,
    total: null,
    minutely_remaining: null,
    daily_remaining: null,
    rate: null,
    error: null,
    waiting: null,
    ...overrides,
  };
}

export function snapshotFixture(overrides: Partial<SyncSnapshot> = {}): SyncSnapshot {
  return {
    running: false,
    last: null,
    last_success_ms: null,
    next_run_in_s: null,
    stretched_for_budget: false,
    consecutive_failures: 0,
    needs_sign_in: false,
    online: true,
    progress: [],
    assets: { queued: 0, done: 0 },
    ...overrides,
  };
}

export function runFixture(overrides: Partial<RunSummary> = {}): RunSummary {
  return {
    id: 1,
    started_ms: Date.UTC(2025, 0, 6, 9, 0, 0),
    finished_ms: Date.UTC(2025, 0, 6, 9, 1, 5),
    trigger: 'manual',
    outcome: 'succeeded',
    entities: [
      {
        division: 1001,
        entity: 'Items',
        rows_upserted: 2500,
        rows_deleted: 3,
        calls: 12,
        set_aside: 0,
        without: [],
        too_large: [],
        error: null,
      },
      {
        division: 1001,
        entity: 'Accounts',
        rows_upserted: 600,
        rows_deleted: 0,
        calls: 4,
        set_aside: 0,
        without: [],
        too_large: [],
        error: null,
      },
    ],
    ...overrides,
  };
}

export function statusFixture(overrides: Partial<EntityStatus> = {}): EntityStatus {
  return {
    division: 1001,
    entity: 'Items',
    rows: 2500,
    cursor: 123_456,
    cursor_updated_ms: Date.UTC(2025, 0, 6, 9, 1, 5),
    last_run: 1,
    last_upserted: 2500,
    last_deleted: 0,
    last_error: null,
    set_aside: 0,
    resting_until_ms: null,
    excluded: [],
    too_large: [],
    ...overrides,
  };
}

export function setAsideFixture(overrides: Partial<SetAsideRow> = {}): SetAsideRow {
  const raw = '{"Code":"ITEM-0500","Description":"Bolt"}';
  return {
    division: 1001,
    entity: 'Items',
    key: null,
    reason: 'missing_key',
    detail: 'no ID',
    raw,
    raw_bytes: raw.length,
    first_seen_ms: Date.UTC(2025, 0, 6, 9, 0, 30),
    last_seen_ms: Date.UTC(2025, 0, 6, 9, 0, 30),
    last_run: 1,
    ...overrides,
  };
}

import { describe, expect, it } from 'vitest';
import { formatDateTime, setLanguage } from '$lib/i18n.svelte';
import { progressFixture, runFixture, snapshotFixture, statusFixture } from './fixtures';
import {
  entityLabel,
  entityPercent,
  formatAge,
  formatDuration,
  formatIn,
  isGuid,
  isStale,
  overallPercent,
  refusals,
  restingText,
  runNotes,
  setAsideHint,
  setAsideReasonLabel,
  syncState,
  waitingReasons,
  runWithoutText,
  withoutText,
  withSetAside,
} from './status';
import './messages';

const MIN = 60_000;

describe('isStale', () => {
  const now = Date.UTC(2025, 5, 1, 12, 0, 0);

  it('is never stale before the first success', () => {
    expect(isStale(null, 60, now)).toBe(false);
    expect(isStale(null, null, now)).toBe(false);
  });

  it('marks a success older than twice the interval', () => {
    expect(isStale(now - 119 * MIN, 60, now)).toBe(false);
    expect(isStale(now - 120 * MIN, 60, now)).toBe(false);
    expect(isStale(now - 121 * MIN, 60, now)).toBe(true);
    expect(isStale(now - 11 * MIN, 5, now)).toBe(true);
    expect(isStale(now - 9 * MIN, 5, now)).toBe(false);
  });

  it('uses a day when background syncing is off', () => {
    expect(isStale(now - 23 * 60 * MIN, null, now)).toBe(false);
    expect(isStale(now - 25 * 60 * MIN, null, now)).toBe(true);
  });

  it('daily syncing is stale after two days', () => {
    expect(isStale(now - 47 * 60 * MIN, 1440, now)).toBe(false);
    expect(isStale(now - 49 * 60 * MIN, 1440, now)).toBe(true);
  });
});

describe('syncState', () => {
  it('maps the snapshot to the four chip states', () => {
    expect(syncState(snapshotFixture())).toBe('never');
    expect(syncState(snapshotFixture({ running: true }))).toBe('running');
    expect(syncState(snapshotFixture({ last_success_ms: 1 }))).toBe('idle');
    expect(syncState(snapshotFixture({ consecutive_failures: 1 }))).toBe('failed');
    const failed = { run_id: 2, started_ms: 1, finished_ms: 2, outcome: 'failed' as const, entities: [], error: null };
    expect(syncState(snapshotFixture({ last: failed, last_success_ms: 1 }))).toBe('failed');
    expect(syncState(snapshotFixture({ last: { ...failed, outcome: 'succeeded' }, last_success_ms: 2 }))).toBe('idle');
  });
});

describe('percentages', () => {
  it('sums the entities with a known total, finished ones as complete', () => {
    expect(overallPercent([])).toBeNull();
    expect(overallPercent([progressFixture({ rows: 10 })])).toBeNull();
    expect(
      overallPercent([
        progressFixture({ entity: 'Items', rows: 250, total: 1000 }),
        progressFixture({ entity: 'Accounts', phase: 'done', rows: 0, total: 1000 }),
        progressFixture({ entity: 'Units', rows: 5 }),
      ]),
    ).toBe(62);
    expect(entityPercent(progressFixture({ rows: 340, total: 1000 }))).toBe(34);
    expect(entityPercent(progressFixture({ rows: 1200, total: 1000 }))).toBe(100);
    expect(entityPercent(progressFixture({ rows: 5 }))).toBeNull();
  });
});

describe('formatting', () => {
  it('says how long ago, in the current language', () => {
    setLanguage('en');
    const now = Date.UTC(2025, 5, 1, 12, 0, 0);
    expect(formatAge(now - 20_000, now)).toBe('just now');
    expect(formatAge(now - 5 * MIN, now)).toMatch(/5 min/);
    expect(formatAge(now - 3 * 60 * MIN, now)).toMatch(/3 hr|3 hours/);
    setLanguage('nl');
    expect(formatAge(now - 20_000, now)).toBe('zojuist');
    expect(formatAge(now - 5 * MIN, now)).toMatch(/5 min/);
    setLanguage('en');
  });

  it('says when the next sync is due', () => {
    setLanguage('en');
    expect(formatIn(20_000)).toBe('in less than a minute');
    expect(formatIn(52 * MIN)).toMatch(/in 52 min/);
    expect(formatIn(130 * MIN)).toMatch(/in 2 (hr|hours)/);
  });

  it('formats durations', () => {
    expect(formatDuration(12_000)).toBe('12 s');
    expect(formatDuration(65_000)).toBe('1 min 5 s');
    expect(formatDuration(3_900_000)).toBe('1 h 5 min');
  });
});

describe('isGuid', () => {
  it('accepts a GUID with or without braces', () => {
    expect(isGuid('1a2b3c4d-0000-4abc-8def-0123456789ab')).toBe(true);
    expect(isGuid(' {1A2B3C4D-0000-4ABC-8DEF-0123456789AB} ')).toBe(true);
  });

  it('refuses anything else', () => {
    expect(isGuid('')).toBe(false);
    expect(isGuid('my-app')).toBe(false);
    expect(isGuid('{1a2b3c4d-0000-4abc-8def-0123456789ab')).toBe(false);
    expect(isGuid('1a2b3c4d00004abc8def0123456789ab')).toBe(false);
  });
});

describe('entityLabel', () => {
  it('names every synced entity, translated descriptions by their language', () => {
    setLanguage('en');
    expect(entityLabel('SalesItemPrices')).toBe('Sales prices');
    expect(entityLabel('Items (EN)')).toBe('Item descriptions (EN)');
    expect(entityLabel('Unheard')).toBe('Unheard');
    setLanguage('nl');
    expect(entityLabel('StockPositions')).toBe('Voorraad');
    expect(entityLabel('Items (FR-BE)')).toBe('Artikelomschrijvingen (FR-BE)');
    setLanguage('en');
  });
});

describe('records set aside', () => {
  it('keeps the entities that have some', () => {
    const status = [
      statusFixture({ entity: 'Items', set_aside: 3 }),
      statusFixture({ entity: 'Accounts' }),
      statusFixture({ division: 1002, entity: 'Items', set_aside: 1 }),
    ];
    expect(withSetAside(status).map((s) => `${s.division}/${s.entity}`)).toEqual(['1001/Items', '1002/Items']);
    expect(withSetAside([])).toEqual([]);
  });

  it('names every reason in both languages', () => {
    expect(setAsideReasonLabel('missing_key')).toBe('Missing or invalid ID');
    expect(setAsideReasonLabel('wrong_type')).toBe('A value of the wrong type');
    expect(setAsideReasonLabel('unreadable')).toBe('Unreadable text');
    expect(setAsideReasonLabel('too_large')).toBe('Too large to store');
    setLanguage('nl');
    expect(setAsideReasonLabel('unreadable')).toBe('Onleesbare tekst');
    setLanguage('en');
  });

  it('recognises a record by its code and name or description', () => {
    expect(setAsideHint('{"Code":" HK-10006 ","Description":"Bout RVS","Name":"x"}')).toBe('HK-10006 · x');
    expect(setAsideHint('{"Code":"","Description":"Bout RVS"}')).toBe('Bout RVS');
    expect(setAsideHint('{"FullName":"Jan Jansen","Code":12}')).toBe('Jan Jansen');
    expect(setAsideHint(`{"Description":"${'a'.repeat(100)}"}`)).toBe(`${'a'.repeat(80)}…`);
    expect(setAsideHint('{"ID":"x"}')).toBeNull();
    expect(setAsideHint('[1, 2]')).toBeNull();
    expect(setAsideHint('{"Code": "cut off')).toBeNull();
  });
});

describe('what Exact refused', () => {
  // Local times, so the clock reads the same in every time zone.
  const now = new Date(2025, 5, 2, 13, 30).getTime();
  const until = new Date(2025, 5, 2, 14, 3).getTime();

  it('keeps the entities read without some properties or resting until later, in order', () => {
    const status = [
      statusFixture({ entity: 'Items', excluded: ['Barcode', 'Notes'] }),
      statusFixture({ entity: 'Accounts' }),
      statusFixture({ entity: 'Contacts', resting_until_ms: until }),
      statusFixture({ entity: 'Units', resting_until_ms: now - 1 }),
      statusFixture({ division: 1002, entity: 'Documents', excluded: ['Body'], resting_until_ms: now }),
    ];
    expect(refusals(status, now)).toEqual([
      { division: 1001, entity: 'Items', excluded: ['Barcode', 'Notes'], tooLarge: [], restingUntilMs: null },
      { division: 1001, entity: 'Contacts', excluded: [], tooLarge: [], restingUntilMs: until },
      { division: 1002, entity: 'Documents', excluded: ['Body'], tooLarge: [], restingUntilMs: null },
    ]);
    expect(refusals([], now)).toEqual([]);
    expect(refusals(status, until)).toHaveLength(2);
  });

  it('tells what was too large to serve apart from what Exact refused', () => {
    setLanguage('en');
    const status = [statusFixture({ entity: 'Documents', excluded: ['Body', 'Notes'], too_large: ['Body'] })];
    expect(refusals(status, now)[0].tooLarge).toEqual(['Body']);
    expect(withoutText(['Body', 'Notes'], ['Body'])).toBe(
      'Read without Notes: Exact refused it. Asked again on a full resync. ' +
        'Read without Body: pages with it were too large for Exact to serve. Asked again on a full resync.',
    );
    expect(withoutText(['Body', 'Remarks'], ['Body', 'Remarks'])).toBe(
      'Read without Body, Remarks: pages with them were too large for Exact to serve. Asked again on a full resync.',
    );
    expect(runWithoutText(['Notes', 'Body'], ['Body'])).toBe(
      'read without Notes; read without Body (too large for Exact to serve)',
    );
    expect(runWithoutText(['Notes'], [])).toBe('read without Notes');
    setLanguage('nl');
    expect(runWithoutText(['Body'], ['Body'])).toBe('gelezen zonder Body (te groot voor Exact)');
    expect(withoutText(['Body'], ['Body'])).toContain('te groot voor Exact');
    setLanguage('en');
  });

  it('says what was left out and when it is asked again, in both languages', () => {
    setLanguage('en');
    expect(withoutText(['Barcode', 'Notes'])).toBe(
      'Read without Barcode, Notes: Exact refused them. Asked again on a full resync.',
    );
    expect(withoutText(['Barcode'])).toBe('Read without Barcode: Exact refused it. Asked again on a full resync.');
    expect(restingText(until, now)).toBe('Not asked again until 14:03: Exact refused it.');
    const later = now + 3 * 24 * 60 * MIN;
    expect(restingText(later, now)).toBe(`Not asked again until ${formatDateTime(later)}: Exact refused it.`);
    setLanguage('nl');
    expect(withoutText(['Barcode', 'Notes'])).toBe(
      'Gelezen zonder Barcode, Notes: Exact weigerde ze. Ze worden opnieuw gevraagd bij een volledige hersynchronisatie.',
    );
    expect(restingText(until, now)).toBe('Wordt tot 14:03 niet opnieuw gevraagd: Exact weigerde het.');
    setLanguage('en');
  });
});

describe('waitingReasons', () => {
  const wait = "waiting for Exact's refresh rule until 14:03:12 UTC";

  it('gives each reason the running sync waits for once', () => {
    const progress = [
      progressFixture({ division: 1001, entity: 'Items', waiting: wait }),
      progressFixture({ division: 1001, entity: 'Accounts' }),
      progressFixture({ division: 1002, entity: 'Items', waiting: wait }),
      progressFixture({ division: 1003, entity: 'Items', waiting: `${wait} (Exact's clock is ahead of ours)` }),
      progressFixture({ division: 1004, entity: 'Items', waiting: '  ' }),
    ];
    expect(waitingReasons(snapshotFixture({ running: true, progress }))).toEqual([
      wait,
      `${wait} (Exact's clock is ahead of ours)`,
    ]);
  });

  it('is empty when nothing waits or no sync runs', () => {
    expect(waitingReasons(snapshotFixture({ running: true, progress: [progressFixture()] }))).toEqual([]);
    expect(waitingReasons(snapshotFixture({ running: false, progress: [progressFixture({ waiting: wait })] }))).toEqual(
      [],
    );
  });
});

describe('runNotes', () => {
  it('keeps the entities of a run that set records aside or were read without properties', () => {
    const run = runFixture({
      entities: [
        {
          division: 1001,
          entity: 'Items',
          rows_upserted: 10,
          rows_deleted: 0,
          calls: 3,
          set_aside: 3,
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
          calls: 1,
          set_aside: 0,
          without: ['Notes'],
          too_large: [],
          error: null,
        },
      ],
    });
    expect(runNotes(run).map((e) => e.entity)).toEqual(['Items', 'Contacts']);
    expect(runNotes(runFixture())).toEqual([]);
  });
});

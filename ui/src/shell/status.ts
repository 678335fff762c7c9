// Pure functions over the sync snapshot: the chip's state, the overall percentage, staleness and
// ages. Kept apart from the components so they are tested on their own.

import { formatDateTime, formatTime, locale, t } from '$lib/i18n.svelte';
import {
  CommandError,
  type EntityResult,
  type EntityStatus,
  type ProgressEvent,
  type RunSummary,
  type SetAsideReason,
  type SyncSnapshot,
} from '$lib/ipc';

export type SyncState = 'running' | 'idle' | 'failed' | 'never';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

export function syncState(sync: SyncSnapshot): SyncState {
  if (sync.running) return 'running';
  const outcome = sync.last?.outcome;
  if (outcome === 'failed' || outcome === 'partial') return 'failed';
  if (sync.last_success_ms !== null) return 'idle';
  if (sync.consecutive_failures > 0) return 'failed';
  return 'never';
}

/**
 * How far the run is, 0–100, over the entities whose total is known (finished entities count as
 * complete); `null` when no total is known yet.
 */
export function overallPercent(progress: ProgressEvent[]): number | null {
  let done = 0;
  let total = 0;
  for (const p of progress) {
    if (p.total === null || p.total <= 0) continue;
    total += p.total;
    const finished = p.phase === 'done' || p.phase === 'skipped' || p.phase === 'failed';
    done += finished ? p.total : Math.min(p.rows, p.total);
  }
  if (total === 0) return null;
  return Math.min(100, Math.floor((done / total) * 100));
}

/** The percentage of one entity, when its total is known. */
export function entityPercent(p: ProgressEvent): number | null {
  if (p.total === null) return null;
  if (p.phase === 'done') return 100;
  if (p.total <= 0) return 0;
  return Math.min(100, Math.floor((p.rows / p.total) * 100));
}

/**
 * Whether the last success is too old: more than twice the interval, or more than a day when
 * background syncing is off. Never stale before the first success (that is "never synced").
 */
export function isStale(lastSuccessMs: number | null, intervalMinutes: number | null, nowMs: number): boolean {
  if (lastSuccessMs === null) return false;
  const limit = intervalMinutes === null || intervalMinutes <= 0 ? DAY : 2 * intervalMinutes * MINUTE;
  return nowMs - lastSuccessMs > limit;
}

/** "just now", "5 min ago", "3 hours ago", "2 days ago", in the current language. */
export function formatAge(thenMs: number, nowMs: number): string {
  const diff = Math.max(0, nowMs - thenMs);
  if (diff < MINUTE) return t('shell.age.now');
  const rtf = new Intl.RelativeTimeFormat(locale(), {
    numeric: 'auto',
    style: 'short',
  });
  if (diff < HOUR) return rtf.format(-Math.floor(diff / MINUTE), 'minute');
  if (diff < DAY) return rtf.format(-Math.floor(diff / HOUR), 'hour');
  return rtf.format(-Math.floor(diff / DAY), 'day');
}

/** "in 5 min", "in 2 hr", "in less than a minute": when the next background sync is due. */
export function formatIn(ms: number): string {
  if (ms < MINUTE) return t('shell.in.soon');
  const rtf = new Intl.RelativeTimeFormat(locale(), { style: 'short' });
  if (ms < HOUR) return rtf.format(Math.round(ms / MINUTE), 'minute');
  if (ms < DAY) return rtf.format(Math.round(ms / HOUR), 'hour');
  return rtf.format(Math.round(ms / DAY), 'day');
}

/** "1 h 5 min", "3 min 20 s", "12 s". */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  if (seconds < 60) return t('shell.duration.s', { s: seconds });
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return t('shell.duration.ms', { m: minutes, s: seconds % 60 });
  return t('shell.duration.hm', { h: Math.floor(minutes / 60), m: minutes % 60 });
}

/** Why a record was set aside, in words. */
export function setAsideReasonLabel(reason: SetAsideReason): string {
  const key = `shell.set_aside.reason.${reason}`;
  const label = t(key);
  return label === key ? reason : label;
}

/** Properties that let a person recognise a record without its ID, in the order shown. */
const RECOGNISABLE = ['Code', 'Name', 'FullName', 'Description'];

/**
 * What a set-aside record can be recognised by ("HK-10006 · Bout RVS"): its code and name or
 * description when its text is a JSON object that has them, else null.
 */
export function setAsideHint(raw: string): string | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const record = value as Record<string, unknown>;
  const parts = RECOGNISABLE.map((name) => record[name])
    .filter((v): v is string => typeof v === 'string' && v.trim() !== '')
    .map((v) => (v.trim().length > 80 ? `${v.trim().slice(0, 80)}…` : v.trim()));
  return parts.length > 0 ? parts.slice(0, 2).join(' · ') : null;
}

/** The entities of each division that have records set aside now, in the status's order. */
export function withSetAside(status: readonly EntityStatus[]): EntityStatus[] {
  return status.filter((s) => s.set_aside > 0);
}

/** What Exact Online refused of one entity of one division, as the cache's status tells. */
export interface Refusal {
  division: number;
  entity: string;
  /** Properties left out of its reads (until a full resync). */
  excluded: string[];
  /** The properties of `excluded` left out because pages with them were too large to serve. */
  tooLarge: string[];
  /** Until when it is not asked again; `null` when it is not resting (or no longer). */
  restingUntilMs: number | null;
}

/** The entities read without some properties, or resting after a refusal, in the status's order. */
export function refusals(status: readonly EntityStatus[], nowMs: number): Refusal[] {
  return status.flatMap((s) => {
    const restingUntilMs = s.resting_until_ms !== null && s.resting_until_ms > nowMs ? s.resting_until_ms : null;
    if (s.excluded.length === 0 && restingUntilMs === null) return [];
    return [{ division: s.division, entity: s.entity, excluded: s.excluded, tooLarge: s.too_large, restingUntilMs }];
  });
}

/**
 * "Read without X, Y: Exact refused them. Asked again on a full resync.", and for the ones in
 * `tooLarge` "Read without Body: pages with it were too large for Exact to serve. ..." (one
 * sentence per cause).
 */
export function withoutText(properties: readonly string[], tooLarge: readonly string[] = []): string {
  const large = properties.filter((p) => tooLarge.includes(p));
  const refused = properties.filter((p) => !tooLarge.includes(p));
  const sentences: string[] = [];
  if (refused.length > 0) {
    const key = refused.length === 1 ? 'shell.refused.without_one' : 'shell.refused.without';
    sentences.push(t(key, { properties: refused.join(', ') }));
  }
  if (large.length > 0) {
    const key = large.length === 1 ? 'shell.too_large.without_one' : 'shell.too_large.without';
    sentences.push(t(key, { properties: large.join(', ') }));
  }
  return sentences.join(' ');
}

/** "Not asked again until 14:03: Exact refused it." (with the date when that is a day or more away). */
export function restingText(untilMs: number, nowMs: number): string {
  const time = untilMs - nowMs < DAY ? formatTime(untilMs) : formatDateTime(untilMs);
  return t('shell.refused.resting', { time });
}

/**
 * Why the running sync's calls wait ("waiting for Exact's refresh rule until 14:03:12 UTC"), once
 * per distinct reason; none when nothing waits or no sync runs.
 */
export function waitingReasons(sync: SyncSnapshot): string[] {
  if (!sync.running) return [];
  const reasons = sync.progress.map((p) => p.waiting?.trim() ?? '').filter((w) => w !== '');
  return [...new Set(reasons)];
}

/** "read without Notes; without Body (too large for Exact to serve)": a run's line for an entity. */
export function runWithoutText(without: readonly string[], tooLarge: readonly string[]): string {
  const refused = without.filter((p) => !tooLarge.includes(p));
  const large = without.filter((p) => tooLarge.includes(p));
  const parts: string[] = [];
  if (refused.length > 0) parts.push(t('shell.dashboard.run_without', { properties: refused.join(', ') }));
  if (large.length > 0) parts.push(t('shell.dashboard.run_without_large', { properties: large.join(', ') }));
  return parts.join('; ');
}

/** The entities of a run that set records aside or were read without some properties. */
export function runNotes(run: RunSummary): EntityResult[] {
  return run.entities.filter((e) => e.set_aside > 0 || e.without.length > 0);
}

/** Entity names translated; an unknown name shows as Exact spells it. */
export function entityLabel(entity: string): string {
  // Item descriptions in another language come as "Items (EN)".
  const translated = /^Items \(([A-Za-z-]+)\)$/.exec(entity);
  if (translated) return t('shell.entity.item_descriptions', { language: translated[1] });
  const key = `shell.entity.${entity}`;
  const label = t(key);
  return label === key ? entity : label;
}

export function runRows(run: RunSummary): number {
  return run.entities.reduce((sum, e) => sum + e.rows_upserted + e.rows_deleted, 0);
}

export function runCalls(run: RunSummary): number {
  return run.entities.reduce((sum, e) => sum + e.calls, 0);
}

export function progressCalls(progress: ProgressEvent[]): number {
  return progress.reduce((sum, p) => sum + p.calls, 0);
}

/** Client IDs from the Exact App Center are GUIDs, shown there with braces. */
export function isGuid(value: string): boolean {
  return /^(\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/i.test(
    value.trim(),
  );
}

/** What to say when signing in (connect or reconnect) failed. */
export function signInError(error: unknown): string {
  if (error instanceof CommandError) {
    switch (error.code) {
      case 'wrong_credentials':
        return t('shell.signin.error.wrong_credentials');
      case 'consent_refused':
        return t('shell.signin.error.consent_refused');
      case 'offline':
        return t('shell.signin.error.offline');
      case 'busy':
        return t('shell.signin.error.busy');
    }
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

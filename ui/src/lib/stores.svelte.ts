// The app-wide state: what the shell says about itself (AppInfo), the user's settings, the division
// being browsed, and the sync snapshot kept fresh by the shell's events. One instance (`app`),
// read by every component; only the functions below change it.

import {
  api,
  onProgress,
  onSyncState,
  type AppInfo,
  type DivisionInfo,
  type ProgressEvent,
  type Settings,
  type SyncSnapshot,
} from '$lib/ipc';

export function emptySnapshot(): SyncSnapshot {
  return {
    running: false,
    last: null,
    last_success_ms: null,
    next_run_in_s: null,
    stretched_for_budget: false,
    consecutive_failures: 0,
    needs_sign_in: false,
    online: null,
    progress: [],
    assets: { queued: 0, done: 0 },
  };
}

export function defaultSettings(): Settings {
  return {
    interval_minutes: 60,
    batch_size: 5000,
    incremental: true,
    pictures: true,
    attachments: 'on_demand',
    attachments_cap_mb: 20,
    divisions: [],
    description_languages: [],
    language: 'system',
    theme: 'system',
  };
}

/**
 * Replaces (or appends) the event of the same division and entity, keeping the order of arrival.
 * `waiting` tells about the division's calls, not one entity's: each event sets (or clears) it on
 * every entity of its division, as the shell's snapshot does.
 */
export function mergeProgress(list: ProgressEvent[], event: ProgressEvent): ProgressEvent[] {
  const next = list.map((p) =>
    p.division === event.division && p.waiting !== event.waiting ? { ...p, waiting: event.waiting } : p,
  );
  const index = next.findIndex((p) => p.division === event.division && p.entity === event.entity);
  if (index < 0) return [...next, event];
  next[index] = event;
  return next;
}

class AppState {
  /** `null` until the first `app_info` answered. */
  info = $state<AppInfo | null>(null);
  settings = $state<Settings>(defaultSettings());
  /** The division being browsed: one of `settings.divisions`. */
  division = $state<number | null>(null);
  sync = $state<SyncSnapshot>(emptySnapshot());
  /** When `sync` arrived (its `next_run_in_s` counts from then). */
  syncReceivedMs = $state(Date.now());
  /** Names of the divisions, from Exact (`null` when not known, e.g. offline). */
  divisions = $state<DivisionInfo[] | null>(null);
  /** The clock the "5 min ago" labels follow (ticks every 30 s). */
  now = $state(Date.now());
  /** Exact Online answered the last call (or nothing has been asked yet). */
  online = $derived(this.sync.online !== false);
}

export const app = new AppState();

/** Keeps `division` one of the selected divisions (the first by default). */
function fixDivision(): void {
  const selected = app.settings.divisions;
  if (app.division === null || !selected.includes(app.division)) {
    app.division = selected.length > 0 ? selected[0] : null;
  }
}

export function setDivision(code: number): void {
  if (app.settings.divisions.includes(code)) app.division = code;
}

export async function reloadInfo(): Promise<AppInfo> {
  const info = await api.appInfo();
  app.info = info;
  return info;
}

export async function reloadSettings(): Promise<Settings> {
  const settings = await api.getSettings();
  app.settings = settings;
  fixDivision();
  return settings;
}

export async function saveSettings(settings: Settings): Promise<Settings> {
  const saved = await api.saveSettings(settings);
  app.settings = saved;
  fixDivision();
  return saved;
}

/** Division names from Exact; quietly keeps the codes alone when Exact cannot be asked. */
export async function reloadDivisions(): Promise<DivisionInfo[] | null> {
  try {
    app.divisions = await api.divisions();
  } catch {
    // Offline or signed out: the switcher shows the codes alone.
  }
  return app.divisions;
}

export async function reloadSyncState(): Promise<void> {
  try {
    applySnapshot(await api.syncState());
  } catch {
    // Not connected yet: keep the empty snapshot.
  }
}

export function applySnapshot(snapshot: SyncSnapshot): void {
  app.sync = snapshot;
  app.syncReceivedMs = Date.now();
  app.now = app.syncReceivedMs;
}

export function applyProgress(event: ProgressEvent): void {
  app.sync.progress = mergeProgress(app.sync.progress, event);
}

/** After the mode changed (demo started, signed in, signed out): everything again. */
export async function enter(info: AppInfo): Promise<void> {
  app.info = info;
  app.divisions = null;
  if (info.mode === 'welcome') {
    app.division = null;
    app.sync = emptySnapshot();
    return;
  }
  await Promise.all([reloadSettings().catch(() => undefined), reloadSyncState()]);
  void reloadDivisions();
}

/**
 * Starts the app state: info, settings, sync snapshot, and the subscriptions to the shell's
 * events. Returns the function that stops the subscriptions and the clock.
 */
export async function start(): Promise<() => void> {
  const stops: Array<() => void> = [];
  const timer = setInterval(() => (app.now = Date.now()), 30_000);
  stops.push(() => clearInterval(timer));
  // The subscriptions, the mode and the settings are asked for at once: each is a round trip
  // to the shell, which answers once the last company is open again.
  const listening = Promise.all([onSyncState(applySnapshot), onProgress(applyProgress)])
    .then((subscribed) => stops.push(...subscribed))
    .catch(() => {
      // No shell (a plain browser): the state stays as fetched.
    });
  // Language and theme apply on the welcome screen too; a failure leaves the defaults.
  const [info] = await Promise.all([api.appInfo(), reloadSettings().catch(() => undefined), listening]);
  app.info = info;
  if (info.mode !== 'welcome') {
    await reloadSyncState();
    void reloadDivisions();
  }
  return () => stops.forEach((stop) => stop());
}

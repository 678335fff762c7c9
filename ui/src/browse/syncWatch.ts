// Reloads a browse view while a sync brings in rows of its entities, and once a run ends;
// throttled so that a fast sync does not reload the list more than every `throttleMs`.

import { onProgress, onSyncState } from '$lib/ipc';

export interface WatchOptions {
  division: () => number;
  /** Entity names as progress events carry them (`Items`, `Accounts`, `Deleted`, …). */
  entities: readonly string[];
  onchange: () => void;
  throttleMs?: number;
}

export function watchSync({ division, entities, onchange, throttleMs = 1500 }: WatchOptions) {
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = 0;
  let wasRunning = false;
  const rows = new Map<string, number>();
  const unlisten: (() => void)[] = [];

  function schedule(): void {
    if (stopped || timer !== null) return;
    const wait = Math.max(0, last + throttleMs - Date.now());
    timer = setTimeout(() => {
      timer = null;
      if (stopped) return;
      last = Date.now();
      onchange();
    }, wait);
  }

  function keep(promise: Promise<() => void>): void {
    promise
      .then((stop) => {
        if (stopped) stop();
        else unlisten.push(stop);
      })
      .catch(() => {
        // Outside the app shell (no event bridge): nothing to watch.
      });
  }

  keep(
    onProgress((event) => {
      if (event.division !== division() || !entities.includes(event.entity)) return;
      const key = `${event.division}/${event.entity}`;
      const before = rows.get(key);
      rows.set(key, event.rows);
      if (event.phase === 'done' || (event.rows > 0 && event.rows !== before)) schedule();
    }),
  );
  keep(
    onSyncState((state) => {
      if (wasRunning && !state.running) {
        rows.clear();
        schedule();
      }
      wasRunning = state.running;
    }),
  );

  return () => {
    stopped = true;
    if (timer !== null) clearTimeout(timer);
    for (const stop of unlisten) stop();
  };
}

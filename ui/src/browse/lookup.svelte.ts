// The choices of a list's filters that come from the division's own data (item groups, units,
// countries): loaded with the list and again after a sync brought rows in.

/**
 * `load()`'s answer: `fallback` until it arrives, and when it fails. Loads again when what
 * `load` reads (the division) or `refresh()` changes; an answer that comes after that is
 * dropped. Call it while a component initialises.
 */
export function lookup<T>(load: () => Promise<T>, fallback: T, refresh: () => unknown): { readonly current: T } {
  let current = $state.raw(fallback);
  $effect(() => {
    void refresh();
    let cancelled = false;
    load().then(
      (value) => {
        if (!cancelled) current = value;
      },
      () => {
        if (!cancelled) current = fallback;
      },
    );
    return () => {
      cancelled = true;
    };
  });
  return {
    get current() {
      return current;
    },
  };
}

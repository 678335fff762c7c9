// Runs `lookup` outside a component (an effect root), with the division and the refresh token
// as state the test changes.

import { flushSync } from 'svelte';
import { lookup } from '../lookup.svelte';

export function lookupHarness(load: (division: number) => Promise<string[]>) {
  let division = $state(1);
  let token = $state(0);
  let result: { readonly current: string[] } | null = null;
  const stop = $effect.root(() => {
    result = lookup(
      () => load(division),
      [] as string[],
      () => token,
    );
  });
  flushSync();
  return {
    current: () => result!.current,
    setDivision(value: number) {
      division = value;
      flushSync();
    },
    refresh() {
      token += 1;
      flushSync();
    },
    stop,
  };
}

// The division's own currency: amounts Exact sent without one (a price or an order missing its
// `Currency`) are in it. Read from the division list the shell keeps (api.divisions(), fetched
// once at start), so opening a detail asks Exact nothing.

import { app } from '$lib/stores.svelte';

/** The currency of a division, or null while the division list is not known (e.g. offline). */
export function divisionCurrency(division: number): string | null {
  return app.divisions?.find((d) => d.code === division)?.currency ?? null;
}

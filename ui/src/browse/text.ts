// How the free text of Exact's records is shown: trimmed, blank as missing, a linked record as
// its code and description, a country by its name.

import { locale } from '$lib/i18n.svelte';

/** Trimmed text, or null when blank. */
export function clean(value: string | null | undefined): string | null {
  const s = (value ?? '').trim();
  return s === '' ? null : s;
}

/** `code — description` of a linked record (unit, group), leaving out what is missing. */
export function codeAndDescription(code: string | null | undefined, description: string | null | undefined): string {
  return [clean(code), clean(description)].filter(Boolean).join(' — ');
}

/** Unit code (trimmed) → description, for the division's units that have both. */
export function unitDescriptions(
  units: readonly { code: string | null; description: string | null }[],
): Map<string, string> {
  const names = new Map<string, string>();
  for (const unit of units) {
    const code = clean(unit.code);
    const description = clean(unit.description);
    if (code && description && !names.has(code)) names.set(code, description);
  }
  return names;
}

/** A country's name in the current language (`NL` → "Netherlands"), or the code itself. */
export function countryName(code: string | null | undefined): string {
  const c = (code ?? '').trim();
  if (!c) return '';
  try {
    return new Intl.DisplayNames([locale()], { type: 'region' }).of(c.toUpperCase()) ?? c;
  } catch {
    return c;
  }
}

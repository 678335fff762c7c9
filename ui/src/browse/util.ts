// Small helpers shared by the browse views.

import { locale } from '$lib/i18n.svelte';

export { locale };

/** The message to show for a failed command (CommandError.message, or the error's text). */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) {
    return String((error as { message: unknown }).message);
  }
  return String(error);
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

/** Trimmed text, or null when blank. */
export function clean(value: string | null | undefined): string | null {
  const s = (value ?? '').trim();
  return s === '' ? null : s;
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

/** `code — description` of a linked record (unit, group), leaving out what is missing. */
export function codeAndDescription(
  code: string | null | undefined,
  description: string | null | undefined,
): string {
  return [clean(code), clean(description)].filter(Boolean).join(' — ');
}

/** Characters that would add headers or recipients to a mail link, or hide text (bidi, zero-width). */
const NOT_IN_ADDRESS = /[\s?&%;,<>"'()[\]\\/#:\p{Cf}]/u;

/**
 * A mailto: link for one plain e-mail address, or null when it is not one. The app checks the
 * link again before it opens it.
 */
export function mailtoUrl(email: string | null | undefined): string | null {
  const e = clean(email);
  if (!e || NOT_IN_ADDRESS.test(e)) return null;
  const [local, domain, ...more] = e.split('@');
  if (more.length > 0 || !local || !domain?.includes('.')) return null;
  return `mailto:${e}`;
}

/** A tel: link for a phone number, or null when it has no digits. */
export function telUrl(phone: string | null | undefined): string | null {
  const p = clean(phone);
  if (!p || !/\d/.test(p)) return null;
  return `tel:${p.replace(/[^\d+]/g, '')}`;
}

/** A web address as an http(s) URL (adding https:// when the scheme is missing), else null. */
export function webUrl(site: string | null | undefined): string | null {
  const s = clean(site);
  if (!s) return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(s) ? s : `https://${s}`;
  try {
    const url = new URL(withScheme);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

/** Whether a keyboard event comes from a place where the user types text. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color'].includes(type);
}

/** Tri-state filter values as used by the `<select>`s: '' any, 'yes', 'no'. */
export type TriState = '' | 'yes' | 'no';

export function triToBool(value: TriState): boolean | null {
  return value === 'yes' ? true : value === 'no' ? false : null;
}

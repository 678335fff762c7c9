// English, Dutch, French and German. Each area of the UI registers its own messages
// (`addMessages`) in every language; `t(key, params)` looks a key up in the current language, falling back to English
// and then to the key itself (so a missing message shows up, rather than an empty label).
//
// Usage in a component: `import { t } from '$lib/i18n.svelte';` then `{t('items.search')}`;
// parameters: `t('sync.rows', { count: 12 })` with `{count}` in the message.

export type Lang = 'en' | 'nl' | 'fr' | 'de';
type Messages = Record<string, string>;

/** Every language the UI speaks, English (the reference) first. */
export const LANGS: readonly Lang[] = ['en', 'nl', 'fr', 'de'];

/** The conventions numbers, amounts and dates follow in each language. */
const LOCALES: Record<Lang, string> = { en: 'en-GB', nl: 'nl-NL', fr: 'fr-FR', de: 'de-DE' };

const dictionaries: Record<Lang, Messages> = { en: {}, nl: {}, fr: {}, de: {} };

const current = $state<{ lang: Lang }>({ lang: 'en' });

export function addMessages(lang: Lang, messages: Messages): void {
  Object.assign(dictionaries[lang], messages);
}

export function setLanguage(lang: Lang): void {
  current.lang = lang;
  if (typeof document !== 'undefined') document.documentElement.lang = lang;
}

export function language(): Lang {
  return current.lang;
}

/** The locale of the current language (`nl-NL`), for `Intl` formats. */
export function locale(): string {
  return LOCALES[current.lang];
}

/** The language the system prefers (`fr-BE` → French), when it is one we speak; else English. */
export function systemLanguage(): Lang {
  const preferred = typeof navigator === 'undefined' ? 'en' : (navigator.language ?? 'en');
  const base = preferred.toLowerCase().split(/[-_]/)[0] ?? '';
  return (LANGS as readonly string[]).includes(base) ? (base as Lang) : 'en';
}

export function t(key: string, params?: Record<string, string | number>): string {
  const message = dictionaries[current.lang][key] ?? dictionaries.en[key] ?? key;
  if (!params) return message;
  return message.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}

/** Numbers, dates and amounts in the current language's conventions. */
export function formatNumber(value: number, digits = 0): string {
  return new Intl.NumberFormat(locale(), {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(value);
}

export function formatDateTime(ms: number): string {
  return new Intl.DateTimeFormat(locale(), {
    dateStyle: 'medium',
    timeStyle: 'short',
  }).format(ms);
}

/** The time of day alone ("14:03"). */
export function formatTime(ms: number): string {
  return new Intl.DateTimeFormat(locale(), {
    timeStyle: 'short',
  }).format(ms);
}

export function formatDate(ms: number): string {
  return new Intl.DateTimeFormat(locale(), {
    dateStyle: 'medium',
  }).format(ms);
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${formatNumber(value, unit === 0 ? 0 : 1)} ${units[unit]}`;
}

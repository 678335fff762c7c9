// Checks every message table (and value label) against English, for the tests: each key in
// every language, nothing left empty, nothing left in English unless the string is rightly the
// same in that language (listed below), and the same `{placeholders}` everywhere.

import { LANGS, type Lang } from './i18n.svelte';

export type Translated = Exclude<Lang, 'en'>;

export const TRANSLATED: readonly Translated[] = LANGS.filter((l): l is Translated => l !== 'en');

/**
 * Strings that are the same as English in a language, on purpose: product and language names,
 * codes, units, and words the language shares with English. Keep it short: anything else equal
 * to English is a message nobody translated.
 */
export const SAME_AS_ENGLISH: Readonly<Record<Translated, readonly string[]>> = {
  nl: [
    'Exact Offline',
    'English',
    'Nederlands',
    'Français',
    'Deutsch',
    'Offline',
    '{s} s',
    '{m} min {s} s',
    'Client secret',
    'Host',
    'Status',
    'Account',
    'Code',
    'Barcode',
    'E-mail',
    'Website',
    'Contact',
    'Orders',
    'Order',
    'Prospects',
    'Suspects',
    'Prospect',
    'Suspect',
    'Open',
    'Volume',
    'Mailbox',
    'Send & Track',
    'Peppol',
    'Min/max',
    'Accountant',
  ],
  fr: [
    'Exact Offline',
    'English',
    'Nederlands',
    'Français',
    'Deutsch',
    '{s} s',
    '{m} min {s} s',
    '{h} h {m} min',
    'Port',
    'Version',
    'Code',
    'Description',
    'Description ({language})',
    'Stock',
    'Documents',
    'Format',
    'Total',
    'Date',
    'Classification',
    'E-mail',
    'Prospects',
    'Suspects',
    'Prospect',
    'Suspect',
    'Relation',
    'Volume',
    'Mailbox',
    'Send & Track',
    'Peppol',
    'Min/max',
    'Notes',
    'Latitude',
    'Longitude',
  ],
  de: [
    'Exact Offline',
    'English',
    'Nederlands',
    'Français',
    'Deutsch',
    'Offline',
    'Region',
    'Host',
    'Port',
    'System',
    'Status',
    'Version',
    'Code',
    'Barcode',
    'Website',
    'Format',
    'Name',
    'Relation',
    'Mailbox',
    'Send & Track',
    'Peppol',
  ],
};

/** The `{name}` placeholders of a message, sorted. */
export function placeholders(message: string): string[] {
  return [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
}

/** A table of messages per language (English the reference), or of labels by any key. */
export type Tables = Readonly<Record<Lang, Readonly<Record<string, string>>>>;

export interface TranslationProblems {
  /** `fr: key` present in English, missing (or empty) in the language. */
  missing: string[];
  /** `fr: key` present in the language but not in English. */
  extra: string[];
  /** `fr: key = "text"` identical to English and not on the language's allow-list. */
  untranslated: string[];
  /** `fr: key {a} ≠ {b}` placeholders that differ from English. */
  placeholders: string[];
}

export function translationProblems(tables: Tables): TranslationProblems {
  const problems: TranslationProblems = { missing: [], extra: [], untranslated: [], placeholders: [] };
  const en = tables.en;
  for (const lang of TRANSLATED) {
    const table = tables[lang];
    const same = new Set(SAME_AS_ENGLISH[lang]);
    for (const [key, english] of Object.entries(en)) {
      const text = Object.hasOwn(table, key) ? table[key] : undefined;
      if (text === undefined || text.trim() === '') {
        problems.missing.push(`${lang}: ${key}`);
        continue;
      }
      if (text === english && !same.has(text)) problems.untranslated.push(`${lang}: ${key} = "${text}"`);
      const want = placeholders(english).join(' ');
      const got = placeholders(text).join(' ');
      if (want !== got) problems.placeholders.push(`${lang}: ${key} {${got}} ≠ {${want}}`);
    }
    for (const key of Object.keys(table)) {
      if (!Object.hasOwn(en, key)) problems.extra.push(`${lang}: ${key}`);
    }
  }
  return problems;
}

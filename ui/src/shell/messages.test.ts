import { describe, expect, it } from 'vitest';
import { LANGS } from '$lib/i18n.svelte';
import { SAME_AS_ENGLISH, TRANSLATED, translationProblems, type Tables } from '$lib/translations';
import appSource from '../App.svelte?raw';
import * as browse from '../browse/messages';
import { FIELD_LABELS } from '../browse/fieldLabels';
import { ENUMERATIONS } from '../browse/valueTable';
import { de, en, fr, nl } from './messages';

// Every source of the shell except the messages themselves and the tests.
const shellSources = import.meta.glob<string>(['./*.svelte', './*.ts', '!./*.test.ts', '!./messages.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
});
const sources = [appSource, ...Object.values(shellSources)];

// Every message table of the UI, in every language it speaks.
const TABLES: Record<string, Tables> = {
  shell: { en, nl, fr, de },
  browse: { en: browse.en, nl: browse.nl, fr: browse.fr, de: browse.de },
};

describe('messages in every language', () => {
  it('speaks English, Dutch, French and German', () => {
    expect(LANGS).toEqual(['en', 'nl', 'fr', 'de']);
  });

  for (const [area, tables] of Object.entries(TABLES)) {
    it(`${area}: has every English message in every language, and no other`, () => {
      const { missing, extra } = translationProblems(tables);
      expect(missing, 'messages missing or empty').toEqual([]);
      expect(extra, 'messages English does not have').toEqual([]);
    });

    it(`${area}: leaves no message in English unless it is the same in that language`, () => {
      expect(translationProblems(tables).untranslated, 'add a translation, or the string to SAME_AS_ENGLISH').toEqual(
        [],
      );
    });

    it(`${area}: keeps the same placeholders in every language`, () => {
      expect(translationProblems(tables).placeholders).toEqual([]);
    });
  }

  it('keeps the allow-list short, every entry in use', () => {
    for (const lang of TRANSLATED) {
      // What the language really leaves as in English: messages, value and field labels.
      const same = new Set<string>();
      for (const tables of Object.values(TABLES)) {
        for (const [key, text] of Object.entries(tables.en)) if (tables[lang][key] === text) same.add(text);
      }
      for (const enumerations of Object.values(ENUMERATIONS)) {
        for (const { codes } of Object.values(enumerations)) {
          for (const label of Object.values(codes)) if (label[lang] === label.en) same.add(label.en);
        }
      }
      for (const labels of Object.values(FIELD_LABELS)) {
        for (const label of Object.values(labels)) if (label[lang] === label.en) same.add(label.en);
      }
      expect(SAME_AS_ENGLISH[lang].length, lang).toBeLessThanOrEqual(40);
      expect(
        SAME_AS_ENGLISH[lang].filter((s) => !same.has(s)),
        `${lang}: stale allow-list entries`,
      ).toEqual([]);
    }
  });

  it('finds a message left untranslated, a missing one and a changed placeholder', () => {
    const problems = translationProblems({
      en: { a: 'Items', b: 'Code', c: '{count} rows', d: 'Sync' },
      nl: { a: 'Artikelen', b: 'Code', c: '{count} rijen', d: 'Synchronisatie' },
      fr: { a: 'Items', b: 'Code', c: '{n} lignes', d: 'Synchronisation' },
      de: { a: 'Artikel', b: 'Code', c: '{count} Zeilen', e: 'Extra' },
    });
    expect(problems.untranslated).toEqual(['fr: a = "Items"']);
    expect(problems.placeholders).toEqual(['fr: c {n} ≠ {count}']);
    expect(problems.missing).toEqual(['de: d']);
    expect(problems.extra).toEqual(['de: e']);
  });
});

describe('shell messages', () => {
  it('defines every literal key the shell uses', () => {
    const used = new Set<string>();
    for (const source of sources) {
      for (const m of source.matchAll(/['`](shell\.[\w.]+)['`]/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(100);
    const missing = [...used].filter((key) => !(key in en));
    expect(missing).toEqual([]);
  });

  it('defines the keys built from values', () => {
    const families: Record<string, string[]> = {
      'shell.phase': ['waiting', 'fetching', 'deleting', 'done', 'failed', 'skipped'],
      'shell.outcome': ['succeeded', 'partial', 'failed', 'cancelled'],
      'shell.trigger': ['manual', 'interval', 'startup', 'cli', 'demo', 'settings', 'full'],
      'shell.set_aside.reason': ['missing_key', 'wrong_type', 'unreadable', 'too_large'],
      'shell.mode': ['welcome', 'demo', 'account'],
      'shell.settings.token_storage': ['keychain', 'file'],
      'shell.settings.attachments': ['none', 'on_demand'],
      'shell.entity': [
        'Items',
        'ItemGroups',
        'Units',
        'Accounts',
        'Contacts',
        'Addresses',
        'Documents',
        'DocumentAttachments',
        'Deleted',
      ],
    };
    for (const [prefix, names] of Object.entries(families)) {
      for (const name of names) expect(en, `${prefix}.${name}`).toHaveProperty([`${prefix}.${name}`]);
    }
  });
});

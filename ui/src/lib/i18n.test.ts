import { afterEach, describe, expect, it, vi } from 'vitest';
import { formatNumber, locale, setLanguage, systemLanguage, t, addMessages } from './i18n.svelte';

afterEach(() => {
  setLanguage('en');
  vi.unstubAllGlobals();
});

/** Intl separates thousands with a (narrow) no-break space in French; compare with plain spaces. */
const plain = (s: string) => s.replace(/\s/g, ' ');

describe('i18n', () => {
  it('takes the language from the system when it is one the UI speaks', () => {
    const cases: Array<[string, string]> = [
      ['fr-BE', 'fr'],
      ['fr', 'fr'],
      ['de-AT', 'de'],
      ['DE-de', 'de'],
      ['nl-BE', 'nl'],
      ['en-US', 'en'],
      ['es-ES', 'en'],
      ['', 'en'],
    ];
    for (const [system, expected] of cases) {
      vi.stubGlobal('navigator', { language: system });
      expect(systemLanguage(), system).toBe(expected);
    }
  });

  it('formats numbers in each language’s locale', () => {
    const shown: Record<string, [string, string]> = {
      en: ['en-GB', '1,234.50'],
      nl: ['nl-NL', '1.234,50'],
      fr: ['fr-FR', '1 234,50'],
      de: ['de-DE', '1.234,50'],
    };
    for (const [lang, [loc, number]] of Object.entries(shown)) {
      setLanguage(lang as 'en' | 'nl' | 'fr' | 'de');
      expect(locale()).toBe(loc);
      expect(plain(formatNumber(1234.5, 2)), lang).toBe(number);
      expect(document.documentElement.lang).toBe(lang);
    }
  });

  it('falls back to English, then to the key', () => {
    addMessages('en', { 'test.only_english': 'Only {what}' });
    setLanguage('de');
    expect(t('test.only_english', { what: 'English' })).toBe('Only English');
    expect(t('test.nowhere')).toBe('test.nowhere');
  });
});

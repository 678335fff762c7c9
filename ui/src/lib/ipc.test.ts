import { afterEach, describe, expect, it } from 'vitest';
import { CommandError, errorMessage, type ErrorKind } from './ipc';
import { LANGS, setLanguage } from './i18n.svelte';
import '../shell/messages';

afterEach(() => setLanguage('en'));

describe('errorMessage', () => {
  it('tells the failures of Exact Online and of downloads in the user’s language', () => {
    const told: ErrorKind[] = [
      'rate_limited',
      'daily_limit',
      'server',
      'protocol',
      'refused',
      'download_refused',
      'download_deferred',
      'unusable',
    ];
    for (const lang of LANGS) {
      setLanguage(lang);
      const seen = new Set<string>();
      for (const kind of told) {
        const text = errorMessage(new CommandError(kind, 'Exact Online refused the request (403): Forbidden'));
        expect(text, `${lang} ${kind}`).not.toContain('error.');
        expect(text, `${lang} ${kind}`).not.toContain('Forbidden');
        seen.add(text);
      }
      expect(seen.size, lang).toBe(told.length);
    }
    setLanguage('nl');
    expect(errorMessage(new CommandError('rate_limited', 'x'))).toContain('Probeer het over een minuut');
  });

  it('shows the shell’s own message where it names what failed', () => {
    setLanguage('de');
    expect(errorMessage(new CommandError('not_found', 'This item is not in the offline copy.'))).toBe(
      'This item is not in the offline copy.',
    );
    expect(errorMessage(new Error('plain'))).toBe('plain');
    expect(errorMessage({ message: 'an object' })).toBe('an object');
    expect(errorMessage('a string')).toBe('a string');
  });
});

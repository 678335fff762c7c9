import { afterEach, describe, expect, it } from 'vitest';
import { setLanguage } from '$lib/i18n.svelte';
import { formatAmount, formatExactDate, formatQuantity } from './format';

/** Intl separates the symbol with a no-break space in Dutch; compare with plain spaces. */
const plain = (s: string) => s.replace(/\s/g, ' ');

afterEach(() => setLanguage('en'));

describe('formatAmount', () => {
  it('formats euros the Dutch and the English way', () => {
    setLanguage('nl');
    expect(plain(formatAmount(1234.5, 'EUR'))).toBe('€ 1.234,50');
    expect(plain(formatAmount(-3, 'EUR'))).toBe('€ -3,00');
    setLanguage('en');
    expect(formatAmount(1234.5, 'EUR')).toBe('€1,234.50');
    expect(formatAmount(0.1 + 0.2, 'EUR')).toBe('€0.30');
  });

  it('formats euros the French and the German way', () => {
    setLanguage('fr');
    expect(plain(formatAmount(1234.5, 'EUR'))).toBe('1 234,50 €');
    setLanguage('de');
    expect(plain(formatAmount(1234.5, 'EUR'))).toBe('1.234,50 €');
  });

  it('uses the currency of the row, trimmed and in capitals', () => {
    expect(formatAmount(10, ' usd ')).toBe('US$10.00');
    expect(plain(formatAmount(10, 'GBP', null, 'nl-NL'))).toBe('£ 10,00');
  });

  it('falls back to the division currency, else to the plain number', () => {
    expect(formatAmount(7.5, null, 'EUR')).toBe('€7.50');
    expect(formatAmount(7.5, '  ', 'EUR')).toBe('€7.50');
    expect(formatAmount(7.5, null)).toBe('7.50');
    expect(plain(formatAmount(1234.5, null, null, 'nl-NL'))).toBe('1.234,50');
  });

  it('shows nothing for a missing amount', () => {
    expect(formatAmount(null, 'EUR')).toBe('');
    expect(formatAmount(Number.NaN, 'EUR')).toBe('');
  });

  it('ignores a currency that is not a three-letter code, and names an unknown one', () => {
    expect(formatAmount(5, 'EURO')).toBe('5.00');
    expect(formatAmount(5, 'EURO', 'EUR')).toBe('€5.00');
    expect(plain(formatAmount(5, 'XYZ'))).toBe('XYZ 5.00');
  });
});

describe('formatQuantity', () => {
  it('drops the decimals of whole numbers and keeps up to four others', () => {
    expect(formatQuantity(12, 'en-GB')).toBe('12');
    expect(formatQuantity(1234.5, 'nl-NL')).toBe('1.234,5');
    expect(formatQuantity(0.123456, 'en-GB')).toBe('0.1235');
    expect(formatQuantity(-0, 'en-GB')).toBe('0');
    expect(formatQuantity(null)).toBe('');
  });
});

describe('formatExactDate', () => {
  it("shows Exact's midnight as that date, whatever the local time zone", () => {
    const ms = Date.UTC(2024, 0, 1); // /Date(1704067200000)/
    expect(formatExactDate(ms, 'en-GB')).toBe('1 Jan 2024');
    expect(formatExactDate(ms, 'nl-NL')).toBe('1 jan 2024');
    expect(formatExactDate(ms, 'fr-FR')).toBe('1 janv. 2024');
    expect(formatExactDate(ms, 'de-DE')).toBe('01.01.2024');
    expect(formatExactDate(null)).toBe('');
  });
});

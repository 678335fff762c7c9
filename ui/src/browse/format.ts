// Amounts, quantities and dates of the commercial sections (prices, stock, orders), formatted
// in one place so every table shows them the same way in the user's language.

import { locale } from '$lib/i18n.svelte';

const amountFormats = new Map<string, Intl.NumberFormat>();

function amountFormat(loc: string, currency: string | null): Intl.NumberFormat {
  const key = `${loc}|${currency ?? ''}`;
  let format = amountFormats.get(key);
  if (!format) {
    format = currency
      ? new Intl.NumberFormat(loc, { style: 'currency', currency })
      : new Intl.NumberFormat(loc, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    amountFormats.set(key, format);
  }
  return format;
}

/** A currency code as Intl accepts it (`eur ` → `EUR`), or null when it is not one. */
function currencyCode(code: string | null | undefined): string | null {
  const c = (code ?? '').trim().toUpperCase();
  return /^[A-Z]{3}$/.test(c) ? c : null;
}

/**
 * An amount with its currency (`€ 12,50` in Dutch, `€12.50` in English). Without a usable
 * currency the fallback (the division's) is used, else the plain number with two decimals.
 */
export function formatAmount(
  value: number | null | undefined,
  currency: string | null | undefined,
  fallbackCurrency: string | null = null,
  loc: string = locale(),
): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  const code = currencyCode(currency) ?? currencyCode(fallbackCurrency);
  try {
    return amountFormat(loc, code).format(value);
  } catch {
    // A three-letter code Intl does not know: show the number and the code as Exact sent it.
    return `${amountFormat(loc, null).format(value)} ${code ?? ''}`.trim();
  }
}

const quantityFormats = new Map<string, Intl.NumberFormat>();

/** A quantity or stock figure: no decimals when whole, up to four otherwise. */
export function formatQuantity(value: number | null | undefined, loc: string = locale()): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '';
  let format = quantityFormats.get(loc);
  if (!format) {
    format = new Intl.NumberFormat(loc, { maximumFractionDigits: 4 });
    quantityFormats.set(loc, format);
  }
  // -0 after a subtraction would show as "-0".
  return format.format(value === 0 ? 0 : value);
}

/**
 * A date Exact sent (price validity, order dates). Its milliseconds are wall-clock time written
 * as if UTC, so they are shown in UTC: a price starting at midnight keeps its own date.
 */
export function formatExactDate(ms: number | null | undefined, loc: string = locale()): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '';
  return new Intl.DateTimeFormat(loc, { dateStyle: 'medium', timeZone: 'UTC' }).format(new Date(ms));
}

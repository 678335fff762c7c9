// Pure helpers of the prices, stock and orders sections (kept out of the components so they
// can be tested on their own).

import { language, type Lang } from '$lib/i18n.svelte';
import type { PriceRow, StockRow } from '$lib/ipc';
import { codeLabel } from './values';

export type StockFigure = 'current' | 'free' | 'reserved' | 'planning_in' | 'planning_out' | 'projected';

export const STOCK_FIGURES: readonly StockFigure[] = [
  'current',
  'free',
  'reserved',
  'planning_in',
  'planning_out',
  'projected',
];

/**
 * The sum of each figure over every warehouse; a figure no warehouse reports stays null (a blank
 * cell, not a misleading 0).
 */
export function stockTotals(rows: readonly StockRow[]): Record<StockFigure, number | null> {
  const totals = {} as Record<StockFigure, number | null>;
  for (const figure of STOCK_FIGURES) {
    let sum: number | null = null;
    for (const row of rows) {
      const value = row[figure];
      if (value !== null && Number.isFinite(value)) sum = (sum ?? 0) + value;
    }
    // Binary fractions (0.1 + 0.2) would otherwise show a tail of digits.
    totals[figure] = sum === null ? null : Math.round(sum * 1e6) / 1e6;
  }
  return totals;
}

/** The one unit every warehouse uses, or null when they differ or none says. */
export function commonUnit(rows: readonly StockRow[]): string | null {
  const units = new Set(rows.map((r) => (r.unit_code ?? '').trim()).filter(Boolean));
  return units.size === 1 ? [...units][0] : null;
}

export type PriceState = 'valid' | 'expired' | 'future';

/**
 * Whether a price applies now (as the cache decided when it answered), has ended, or is yet to
 * start. A price that is not valid and has no end date in the past is a future one.
 */
export function priceState(price: PriceRow, nowMs: number = Date.now()): PriceState {
  if (price.valid_now) return 'valid';
  if (price.end_ms !== null && price.end_ms <= nowMs) return 'expired';
  return 'future';
}

/** A sales order status in words (12 open, 20 partial, 21 complete, 45 cancelled), else null. */
export function orderStatusLabel(status: number | null, lang: Lang = language()): string | null {
  return codeLabel('SalesOrders', 'Status', status, lang);
}

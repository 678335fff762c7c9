import { describe, expect, it } from 'vitest';
import { commonUnit, orderStatusLabel, priceState, stockTotals } from './commerce';
import { price, stockRow } from './testing/fixtures';

describe('stockTotals', () => {
  it('adds every figure over the warehouses', () => {
    const totals = stockTotals([
      stockRow('A', { current: 10, free: 8, reserved: 2, planning_in: 5, planning_out: 1, projected: 14 }),
      stockRow('B', { current: 0.1, free: 0.2, reserved: 0, planning_in: 0, planning_out: 3, projected: -2.9 }),
    ]);
    expect(totals).toEqual({
      current: 10.1,
      free: 8.2,
      reserved: 2,
      planning_in: 5,
      planning_out: 4,
      projected: 11.1,
    });
  });

  it('leaves a figure no warehouse reports blank, and skips the gaps of the others', () => {
    const totals = stockTotals([
      stockRow('A', { reserved: null, planning_in: 4 }),
      stockRow('B', { reserved: null, planning_in: null }),
    ]);
    expect(totals.reserved).toBeNull();
    expect(totals.planning_in).toBe(4);
    expect(stockTotals([]).current).toBeNull();
  });

  it('names the unit only when every warehouse uses the same one', () => {
    expect(commonUnit([stockRow('A'), stockRow('B', { unit_code: ' pc ' })])).toBe('pc');
    expect(commonUnit([stockRow('A'), stockRow('B', { unit_code: 'kg' })])).toBeNull();
    expect(commonUnit([stockRow('A', { unit_code: null })])).toBeNull();
  });
});

describe('priceState', () => {
  const now = Date.UTC(2025, 5, 1);

  it('trusts the cache for a valid price and tells ended from future ones', () => {
    expect(priceState(price('p', { valid_now: true }), now)).toBe('valid');
    expect(priceState(price('p', { valid_now: false, end_ms: Date.UTC(2025, 0, 1) }), now)).toBe('expired');
    expect(priceState(price('p', { valid_now: false, end_ms: now }), now)).toBe('expired');
    expect(priceState(price('p', { valid_now: false, start_ms: Date.UTC(2026, 0, 1) }), now)).toBe('future');
  });
});

describe('orderStatusLabel', () => {
  it("names Exact's order statuses and leaves others to Exact's text", () => {
    expect(orderStatusLabel(12, 'en')).toBe('Open');
    expect(orderStatusLabel(20, 'en')).toBe('Partly delivered');
    expect(orderStatusLabel(21, 'nl')).toBe('Afgehandeld');
    expect(orderStatusLabel(45, 'nl')).toBe('Geannuleerd');
    expect(orderStatusLabel(99, 'en')).toBeNull();
    expect(orderStatusLabel(null, 'en')).toBeNull();
  });
});

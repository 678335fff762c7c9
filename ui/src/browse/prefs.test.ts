import { afterEach, describe, expect, it } from 'vitest';
import { customersPrefs, enterDivision, itemsPrefs, resetBrowsePrefs } from './prefs.svelte';

afterEach(resetBrowsePrefs);

describe('enterDivision', () => {
  it('forgets the division’s own filter choice and position, and keeps the search and view', () => {
    enterDivision('items', 1);
    Object.assign(itemsPrefs, { group: 'g-1', search: 'bolt', grid: true, selected: 12, scrollTop: 900 });
    enterDivision('items', 1);
    expect(itemsPrefs).toMatchObject({ group: 'g-1', selected: 12, scrollTop: 900 });

    enterDivision('items', 2);
    expect(itemsPrefs).toMatchObject({
      division: 2,
      group: '',
      search: 'bolt',
      grid: true,
      selected: -1,
      scrollTop: 0,
    });

    enterDivision('customers', 1);
    Object.assign(customersPrefs, { country: 'NL', city: 'Delft', selected: 3, scrollTop: 60 });
    enterDivision('customers', 3);
    expect(customersPrefs).toMatchObject({ division: 3, country: '', city: 'Delft', selected: -1, scrollTop: 0 });
    expect(itemsPrefs.division, 'the other list keeps its own division').toBe(2);
  });
});

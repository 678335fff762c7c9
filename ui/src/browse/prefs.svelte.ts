// What the browse views remember while the app runs (search, filters, sort, view mode,
// selection and scroll position), so that going to another view and back changes nothing.

import type { AccountKind, AccountSort, ItemSort } from '$lib/ipc';

/** Tri-state filter values as used by the `<select>`s: '' any, 'yes', 'no'. */
export type TriState = '' | 'yes' | 'no';

export function triToBool(value: TriState): boolean | null {
  return value === 'yes' ? true : value === 'no' ? false : null;
}

/** What every list remembers: its search, sort, selected row and scroll position. */
export interface ListPrefs<S extends string> {
  division: number | null;
  search: string;
  sort: S;
  descending: boolean;
  selected: number;
  scrollTop: number;
}

export interface ItemsPrefs extends ListPrefs<ItemSort> {
  /** Item group ID, '' for all. */
  group: string;
  sales: TriState;
  purchase: TriState;
  stock: TriState;
  withPicture: boolean;
  /** Only items with stock on hand. */
  inStock: boolean;
  grid: boolean;
}

export interface CustomersPrefs extends ListPrefs<AccountSort> {
  kind: AccountKind | '';
  country: string;
  city: string;
  blocked: TriState;
}

function itemDefaults(): ItemsPrefs {
  return {
    division: null,
    search: '',
    group: '',
    sales: '',
    purchase: '',
    stock: '',
    withPicture: false,
    inStock: false,
    sort: 'Code',
    descending: false,
    grid: false,
    selected: -1,
    scrollTop: 0,
  };
}

function customerDefaults(): CustomersPrefs {
  return {
    division: null,
    search: '',
    kind: '',
    country: '',
    city: '',
    blocked: '',
    sort: 'Name',
    descending: false,
    selected: -1,
    scrollTop: 0,
  };
}

export const itemsPrefs = $state<ItemsPrefs>(itemDefaults());
export const customersPrefs = $state<CustomersPrefs>(customerDefaults());

/** Each list's state, by the list's name (BrowseList). */
export const listPrefs: { readonly items: ItemsPrefs; readonly customers: CustomersPrefs } = {
  items: itemsPrefs,
  customers: customersPrefs,
};

/**
 * Another division of `list`: its own rows, and its own choices in the filter that lists them
 * (item groups, countries); search, sort and view mode stay.
 */
export function enterDivision(list: keyof typeof listPrefs, division: number): void {
  const prefs = listPrefs[list];
  if (prefs.division === division) return;
  if (prefs.division !== null) {
    if (list === 'items') itemsPrefs.group = '';
    else customersPrefs.country = '';
    prefs.selected = -1;
    prefs.scrollTop = 0;
  }
  prefs.division = division;
}

/** Back to the defaults (tests). */
export function resetBrowsePrefs(): void {
  Object.assign(itemsPrefs, itemDefaults());
  Object.assign(customersPrefs, customerDefaults());
}

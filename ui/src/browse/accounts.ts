// Ordering and labels of an account's addresses and contacts.

import type { AddressRow, ContactRow } from '$lib/ipc';

/** Main addresses first, then by type (1 visit, 2 postal, 3 invoice, 4 delivery, others last). */
export function sortAddresses(addresses: readonly AddressRow[]): AddressRow[] {
  const typeRank = (a: AddressRow) =>
    a.address_type !== null && a.address_type >= 1 && a.address_type <= 4 ? a.address_type : 99;
  return [...addresses].sort(
    (a, b) => Number(b.main) - Number(a.main) || typeRank(a) - typeRank(b) || a.id.localeCompare(b.id),
  );
}

/** The main contact first, then by name (people without a name last). */
export function sortContacts(contacts: readonly ContactRow[]): ContactRow[] {
  const name = (c: ContactRow) => (c.full_name ?? '').trim();
  return [...contacts].sort((a, b) => {
    if (a.is_main !== b.is_main) return a.is_main ? -1 : 1;
    const na = name(a);
    const nb = name(b);
    if (!na !== !nb) return na ? -1 : 1;
    return na.localeCompare(nb, undefined, { sensitivity: 'base' }) || a.id.localeCompare(b.id);
  });
}

/** The message key of an address type. */
export function addressTypeKey(type: number | null): string {
  return type !== null && type >= 1 && type <= 4 ? `account.address.${type}` : 'account.address.other';
}

/** The message key of an account status letter (C, P, S, A), or null when unknown. */
export function statusKey(status: string | null): string | null {
  const s = (status ?? '').trim().toUpperCase();
  return ['C', 'P', 'S', 'A'].includes(s) ? `account.status.${s}` : null;
}

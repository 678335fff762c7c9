// Ordering and labels of an account's addresses and contacts.

import { language, t, type Lang } from '$lib/i18n.svelte';
import type { AddressRow, ContactRow, LinkRow } from '$lib/ipc';
import './messages';
import { codeLabel } from './values';

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

/** An address type in words (Visit address, …), "Address" for a type Exact does not document. */
export function addressTypeLabel(type: number | null, lang: Lang = language()): string {
  return codeLabel('Addresses', 'Type', type, lang) ?? t('account.address.other');
}

/** An account status letter (C, P, S, A) in words, or null when it is not one. */
export function statusLabel(status: string | null, lang: Lang = language()): string | null {
  return codeLabel('Accounts', 'Status', status, lang);
}

/** The records an account points to by GUID alone, as "code — name" per property. */
export function linkTexts(links: readonly LinkRow[]): Record<string, string> {
  const texts: Record<string, string> = {};
  for (const link of links) {
    const text = [link.code, link.name].filter(Boolean).join(' — ');
    if (text) texts[link.property] = text;
  }
  return texts;
}

// Links made from an account's contact fields. They are opened outside the app (api.openUrl),
// which checks them again; here only what is plainly one address becomes a link.

import { clean } from './text';

/** Characters that would add headers or recipients to a mail link, or hide text (bidi, zero-width). */
const NOT_IN_ADDRESS = /[\s?&%;,<>"'()[\]\\/#:\p{Cf}]/u;

/** A mailto: link for one plain e-mail address, or null when it is not one. */
export function mailtoUrl(email: string | null | undefined): string | null {
  const e = clean(email);
  if (!e || NOT_IN_ADDRESS.test(e)) return null;
  const [local, domain, ...more] = e.split('@');
  if (more.length > 0 || !local || !domain?.includes('.')) return null;
  return `mailto:${e}`;
}

/** A tel: link for a phone number, or null when it has no digits. */
export function telUrl(phone: string | null | undefined): string | null {
  const p = clean(phone);
  if (!p || !/\d/.test(p)) return null;
  return `tel:${p.replace(/[^\d+]/g, '')}`;
}

/** A web address as an http(s) URL (adding https:// when the scheme is missing), else null. */
export function webUrl(site: string | null | undefined): string | null {
  const s = clean(site);
  if (!s) return null;
  const withScheme = /^[a-z][a-z0-9+.-]*:/i.test(s) ? s : `https://${s}`;
  try {
    const url = new URL(withScheme);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
  } catch {
    return null;
  }
}

import { describe, expect, it } from 'vitest';
import { mailtoUrl, telUrl, webUrl } from './links';

describe('links from Exact data', () => {
  it('makes a mail link of one plain address only', () => {
    expect(mailtoUrl(' info@example.nl ')).toBe('mailto:info@example.nl');
    for (const hostile of [
      'a@b.nl?bcc=x@evil.tld&attach=~/.ssh/id_rsa',
      'a@b.nl&cc=x@evil.tld',
      'a@b.nl%3Fbcc=x@evil.tld',
      'a@b.nl,x@evil.tld',
      'a@b.nl;x@evil.tld',
      'a\u202E@b.nl',
      'a@b',
      'not an address',
    ]) {
      expect(mailtoUrl(hostile), hostile).toBeNull();
    }
  });

  it('keeps digits and a leading plus in phone links', () => {
    expect(telUrl('+31 (0)20-123 45 67')).toBe('tel:+310201234567');
    expect(telUrl('none')).toBeNull();
  });

  it('opens only http and https web addresses', () => {
    expect(webUrl('www.example.nl')).toBe('https://www.example.nl/');
    expect(webUrl('javascript:alert(1)')).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import appSource from '../App.svelte?raw';
import { en, nl } from './messages';

// Every source of the shell except the messages themselves and the tests.
const shellSources = import.meta.glob<string>(['./*.svelte', './*.ts', '!./*.test.ts', '!./messages.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
});
const sources = [appSource, ...Object.values(shellSources)];

describe('shell messages', () => {
  it('has every message in both languages', () => {
    expect(Object.keys(nl).sort()).toEqual(Object.keys(en).sort());
    for (const [key, text] of Object.entries(nl)) expect(text, key).not.toBe('');
  });

  it('keeps the same parameters in both languages', () => {
    const params = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    for (const key of Object.keys(en)) expect(params(nl[key]), key).toEqual(params(en[key]));
  });

  it('defines every literal key the shell uses', () => {
    const used = new Set<string>();
    for (const source of sources) {
      for (const m of source.matchAll(/['`](shell\.[\w.]+)['`]/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(100);
    const missing = [...used].filter((key) => !(key in en));
    expect(missing).toEqual([]);
  });

  it('defines the keys built from values', () => {
    const families: Record<string, string[]> = {
      'shell.phase': ['waiting', 'fetching', 'deleting', 'done', 'failed', 'skipped'],
      'shell.outcome': ['succeeded', 'partial', 'failed', 'cancelled'],
      'shell.trigger': ['manual', 'interval', 'startup', 'cli', 'demo', 'settings', 'full'],
      'shell.set_aside.reason': ['missing_key', 'wrong_type', 'unreadable', 'too_large'],
      'shell.mode': ['welcome', 'demo', 'account'],
      'shell.settings.token_storage': ['keychain', 'file'],
      'shell.settings.attachments': ['none', 'on_demand'],
      'shell.entity': ['Items', 'ItemGroups', 'Units', 'Accounts', 'Contacts', 'Addresses', 'Documents', 'DocumentAttachments', 'Deleted'],
    };
    for (const [prefix, names] of Object.entries(families)) {
      for (const name of names) expect(en, `${prefix}.${name}`).toHaveProperty([`${prefix}.${name}`]);
    }
  });
});

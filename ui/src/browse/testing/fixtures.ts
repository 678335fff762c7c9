// Test data and a mocked `$lib/ipc` for the browse tests.

import { vi } from 'vitest';
import type {
  AccountDetail,
  AccountSummary,
  ItemDetail,
  ItemSummary,
  ListPage,
} from '$lib/ipc';

export function item(n: number, extra: Partial<ItemSummary> = {}): ItemSummary {
  return {
    division: 1,
    id: `00000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
    code: `ART-${n}`,
    description: `Article ${n}`,
    extra_description: null,
    search_code: null,
    barcode: null,
    item_group: null,
    item_group_code: 'GRP',
    item_group_description: 'Group',
    unit: 'pc',
    is_sales: true,
    is_purchase: false,
    is_stock: true,
    stock: 3,
    cost_price: 1.5,
    picture_url: null,
    picture_name: null,
    has_picture: false,
    modified_ms: 1_700_000_000_000,
    timestamp: 1,
    ...extra,
  };
}

export function page<T>(rows: T[], total = rows.length, offset = 0): ListPage<T> {
  return { rows, total, offset, limit: 100 };
}

export function itemDetail(summary: ItemSummary, extra: Partial<ItemDetail> = {}): ItemDetail {
  return {
    summary,
    unit: { id: 'u1', code: 'pc', description: 'Piece', unit_type: 'O', active: true },
    group: { id: 'g1', code: 'GRP', description: 'Group' },
    documents: [],
    attributes: JSON.stringify({ Code: summary.code, Description: summary.description }),
    ...extra,
  };
}

export function account(n: number, extra: Partial<AccountSummary> = {}): AccountSummary {
  return {
    division: 1,
    id: `10000000-0000-0000-0000-${String(n).padStart(12, '0')}`,
    code: String(n),
    name: `Company ${n}`,
    status: 'C',
    is_supplier: false,
    is_sales: true,
    city: 'Utrecht',
    country: 'NL',
    email: null,
    phone: null,
    blocked: false,
    logo_url: null,
    has_logo: false,
    modified_ms: 1_700_000_000_000,
    timestamp: 1,
    ...extra,
  };
}

export function accountDetail(
  summary: AccountSummary,
  extra: Partial<AccountDetail> = {},
): AccountDetail {
  return {
    summary,
    contacts: [],
    addresses: [],
    documents: [],
    attributes: JSON.stringify({ Name: summary.name }),
    ...extra,
  };
}

/** The `api` object with every command mocked (empty answers by default). */
export function mockApi() {
  return {
    items: vi.fn(async () => page<ItemSummary>([])),
    item: vi.fn(async (): Promise<ItemDetail> => {
      throw new Error('not mocked');
    }),
    itemGroups: vi.fn(async () => [] as { id: string; code: string | null; description: string | null }[]),
    accounts: vi.fn(async () => page<AccountSummary>([])),
    account: vi.fn(async (): Promise<AccountDetail> => {
      throw new Error('not mocked');
    }),
    accountCountries: vi.fn(async () => [] as string[]),
    openAttachment: vi.fn(async () => {}),
    openUrl: vi.fn(async () => {}),
    status: vi.fn(async () => [] as unknown[]),
    syncNow: vi.fn(async () => {}),
  };
}

/** A deferred promise, to answer a mocked command when the test decides. */
export function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

export const HOSTILE = '<script>alert(1)</script><b>x</b>';

export class TestCommandError extends Error {
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'CommandError';
    this.code = code;
  }
}

/** The shape of `$lib/ipc` for `vi.mock('$lib/ipc', …)`. */
export function ipcModule() {
  return {
    api: mockApi(),
    pictureUrl: (division: number, kind: string, id: string, size: string) =>
      `exo://localhost/${division}/${kind}/${id}/${size}`,
    onSyncState: vi.fn(async () => () => {}),
    onProgress: vi.fn(async () => () => {}),
    CommandError: TestCommandError,
  };
}

// Test data and a mocked `$lib/ipc` for the browse tests.

import { vi } from 'vitest';
import type {
  AccountDetail,
  AccountSummary,
  AttachmentOpened,
  ExportProgress,
  ExportResult,
  ItemDetail,
  ItemSummary,
  ListPage,
  OrderLineRow,
  OrderRow,
  PriceRow,
  StockRow,
  UnitRow,
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
    prices: [],
    stock: [],
    stock_synced_ms: null,
    orders: [],
    extra_fields: [],
    descriptions: [],
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

export function accountDetail(summary: AccountSummary, extra: Partial<AccountDetail> = {}): AccountDetail {
  return {
    summary,
    contacts: [],
    addresses: [],
    documents: [],
    prices: [],
    orders: [],
    attributes: JSON.stringify({ Name: summary.name }),
    links: [],
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
    units: vi.fn(async () => [] as UnitRow[]),
    accounts: vi.fn(async () => page<AccountSummary>([])),
    account: vi.fn(async (): Promise<AccountDetail> => {
      throw new Error('not mocked');
    }),
    accountCountries: vi.fn(async () => [] as string[]),
    openAttachment: vi.fn(async (): Promise<AttachmentOpened> => ({ kind: 'opened' })),
    openUrl: vi.fn(async () => {}),
    status: vi.fn(async () => [] as unknown[]),
    syncNow: vi.fn(async () => {}),
    exportList: vi.fn(async (): Promise<ExportResult> => {
      throw new Error('not mocked');
    }),
    revealExport: vi.fn(async () => {}),
  };
}

export function price(id: string, extra: Partial<PriceRow> = {}): PriceRow {
  return {
    id,
    item: 'i1',
    item_code: 'ART-1',
    item_description: 'Article 1',
    account: null,
    account_name: null,
    price: 12.5,
    currency: 'EUR',
    quantity: 1,
    unit: 'pc',
    unit_description: 'Piece',
    start_ms: null,
    end_ms: null,
    valid_now: true,
    ...extra,
  };
}

export function stockRow(id: string, extra: Partial<StockRow> = {}): StockRow {
  return {
    id,
    warehouse: `w-${id}`,
    warehouse_code: id,
    warehouse_description: `Warehouse ${id}`,
    current: 10,
    free: 8,
    reserved: 2,
    planning_in: 5,
    planning_out: 1,
    projected: 14,
    unit_code: 'pc',
    ...extra,
  };
}

export function orderLine(id: string, extra: Partial<OrderLineRow> = {}): OrderLineRow {
  return {
    id,
    order_id: 'o1',
    line_number: 1,
    item: 'i1',
    item_code: 'ART-1',
    item_description: 'Article 1',
    description: 'Article 1',
    quantity: 2,
    unit_code: 'pc',
    unit_price: 12.5,
    net_price: 12.5,
    amount: 25,
    delivery_date_ms: null,
    ...extra,
  };
}

export function order(id: string, extra: Partial<OrderRow> = {}): OrderRow {
  return {
    id,
    order_number: 1,
    order_date_ms: Date.UTC(2024, 2, 1),
    customer: 'a1',
    customer_name: 'Company 1',
    description: `Order ${id}`,
    currency: 'EUR',
    amount: 30.25,
    amount_excl_vat: 25,
    status: 12,
    status_description: 'Open',
    delivery_date_ms: null,
    your_ref: null,
    lines: [orderLine(`${id}-l1`, { order_id: id })],
    ...extra,
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

/**
 * `$lib/ipc` for `vi.mock('$lib/ipc', …)`: the real module (CommandError, errorMessage) with
 * the commands, events and picture addresses faked.
 */
export async function ipcModule() {
  return {
    ...(await vi.importActual<typeof import('$lib/ipc')>('$lib/ipc')),
    api: mockApi(),
    pictureUrl: (division: number, kind: string, id: string, size: string) =>
      `exo://localhost/${division}/${kind}/${id}/${size}`,
    onSyncState: vi.fn(async () => () => {}),
    onProgress: vi.fn(async () => () => {}),
    onExportProgress: vi.fn(async (_handler: (event: ExportProgress) => void) => () => {}),
  };
}

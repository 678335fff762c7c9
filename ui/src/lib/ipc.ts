// The only module that talks to the shell: every command and event of the app, typed by the
// declarations generated from the Rust types (types.gen.ts). Components import `api` from here.

import { convertFileSrc, invoke } from '@tauri-apps/api/core';
import { listen, type UnlistenFn } from '@tauri-apps/api/event';
import type {
  AccountDetail,
  AccountQuery,
  AccountSummary,
  AppError,
  AppInfo,
  AttachmentAction,
  AttachmentOpened,
  ConnectRequest,
  DivisionInfo,
  EntityStatus,
  ErrorKind,
  ExportProgress,
  ExportRequest,
  ExportResult,
  ItemDetail,
  ItemGroupRow,
  ItemQuery,
  ItemSummary,
  ListPage,
  ProgressEvent,
  RedirectChoice,
  RegionInfo,
  RegistrationInfo,
  RunSummary,
  SetAsideRow,
  Settings,
  StorageInfo,
  SyncSnapshot,
  UnitRow,
} from './types.gen';
import { t } from './i18n.svelte';

export type * from './types.gen';

/** A command's failure: `code` to switch on, `message` to show. */
export class CommandError extends Error {
  readonly code: ErrorKind;

  constructor(code: ErrorKind, message: string) {
    super(message);
    this.name = 'CommandError';
    this.code = code;
  }
}

/**
 * The kinds of failure told in the user's language (`error.<kind>` messages). The shell's own
 * message of the others names what failed (the item, the folder, the setting) and is shown as it is.
 */
const TOLD_IN_WORDS: ReadonlySet<ErrorKind> = new Set<ErrorKind>([
  'rate_limited',
  'daily_limit',
  'server',
  'protocol',
  'refused',
  'download_refused',
  'download_deferred',
  'unusable',
]);

/** The text to show for a failed command: a `CommandError`'s message, or whatever else was thrown. */
export function errorMessage(error: unknown): string {
  if (error instanceof CommandError && TOLD_IN_WORDS.has(error.code)) return t(`error.${error.code}`);
  if (error instanceof Error) return error.message;
  if (typeof error === 'object' && error !== null && 'message' in error) return String(error.message);
  return String(error);
}

function isAppError(value: unknown): value is AppError {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as AppError).code === 'string' &&
    typeof (value as AppError).message === 'string'
  );
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    if (isAppError(error)) throw new CommandError(error.code, error.message);
    throw new CommandError('internal', String(error));
  }
}

export const api = {
  appInfo: () => call<AppInfo>('app_info'),
  regions: () => call<RegionInfo[]>('regions'),
  /** The redirect URI's host and port to start from (the saved connection's, else the default) and the choices. */
  redirectChoice: () => call<RedirectChoice>('redirect_choice'),
  startDemo: () => call<AppInfo>('start_demo'),
  /** Opens the system browser and resolves when the sign-in completes (or fails). */
  connect: (request: ConnectRequest) => call<AppInfo>('connect', { request }),
  /** Whether this copy was set up with a shared app registration (its source and region, never the secret). */
  registration: () => call<RegistrationInfo>('registration'),
  /** Like `connect`, with the shared app registration on `region` (null: the registration's own). */
  connectShared: (region: string | null) => call<AppInfo>('connect_shared', { region }),
  cancelConnect: () => call<void>('cancel_connect'),
  /** Signs in again with the stored app registration (after `auth_required`). */
  reconnect: () => call<AppInfo>('reconnect'),
  signOut: () => call<AppInfo>('sign_out'),
  divisions: () => call<DivisionInfo[]>('divisions'),
  getSettings: () => call<Settings>('get_settings'),
  saveSettings: (settings: Settings) => call<Settings>('save_settings', { settings }),
  syncNow: () => call<void>('sync_now'),
  /** A full resync now (or after the running sync): everything read again; later runs are incremental. */
  resyncAll: () => call<void>('resync_all'),
  cancelSync: () => call<void>('cancel_sync'),
  syncState: () => call<SyncSnapshot>('sync_state'),
  runs: (limit: number) => call<RunSummary[]>('runs', { limit }),
  status: () => call<EntityStatus[]>('status'),
  /** Records set aside (not stored as Exact sent them), newest first; `null` for all. */
  setAsideRecords: (division: number | null, entity: string | null) =>
    call<SetAsideRow[]>('set_aside_records', { division, entity }),
  items: (query: ItemQuery) => call<ListPage<ItemSummary>>('items', { query }),
  item: (division: number, id: string) => call<ItemDetail>('item', { division, id }),
  itemGroups: (division: number) => call<ItemGroupRow[]>('item_groups', { division }),
  units: (division: number) => call<UnitRow[]>('units', { division }),
  accounts: (query: AccountQuery) => call<ListPage<AccountSummary>>('accounts', { query }),
  account: (division: number, id: string) => call<AccountDetail>('account', { division, id }),
  accountCountries: (division: number) => call<string[]>('account_countries', { division }),
  /** Downloads the file if needed (and allowed) and opens it with the system viewer. */
  openAttachment: (division: number, id: string, action: AttachmentAction = 'open') =>
    call<AttachmentOpened>('open_attachment', { division, id, action }),
  openUrl: (url: string) => call<void>('open_url', { url }),
  storage: () => call<StorageInfo>('storage'),
  diagnostics: () => call<string>('diagnostics'),
  clearCaches: () => call<StorageInfo>('clear_caches'),
  /** Demo only: takes the simulated Exact Online off the network, or back. */
  setDemoOnline: (online: boolean) => call<void>('set_demo_online', { online }),
  /** Writes the filtered list to a CSV or XLSX file; `onExportProgress` reports how far it is. */
  exportList: (request: ExportRequest) => call<ExportResult>('export_list', { request }),
  /** Shows an exported file in the system file manager. */
  revealExport: (path: string) => call<void>('reveal_export', { path }),
};

export function onSyncState(handler: (state: SyncSnapshot) => void): Promise<UnlistenFn> {
  return listen<SyncSnapshot>('sync-state', (event) => handler(event.payload));
}

export function onProgress(handler: (event: ProgressEvent) => void): Promise<UnlistenFn> {
  return listen<ProgressEvent>('sync-progress', (event) => handler(event.payload));
}

export function onExportProgress(handler: (event: ExportProgress) => void): Promise<UnlistenFn> {
  return listen<ExportProgress>('export-progress', (event) => handler(event.payload));
}

export type PictureKind = 'item' | 'account' | 'contact';
export type PictureSize = 'thumb' | 'medium' | 'full';

/**
 * The address of a cached picture, served by the app's own `exo:` scheme from the asset store
 * (never from the network). Answers 404 when there is no picture; show a placeholder then.
 */
export function pictureUrl(division: number, kind: PictureKind, id: string, size: PictureSize): string {
  return convertFileSrc(`${division}/${kind}/${id}/${size}`, 'exo');
}

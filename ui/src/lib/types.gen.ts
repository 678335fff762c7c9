// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p exact-offline bindings`.
// Do not edit: a test fails when this file differs from what the Rust types produce.

export type Mode = "welcome" | "demo" | "account";

export type TokenStorage = "keychain" | "file";

export type AppInfo = { mode: Mode, version: string, 
/**
 * The data folder in use (the demo company has its own below it).
 */
data_dir: string, 
/**
 * The signed-in account (mode `account`).
 */
account: AccountInfo | null, token_storage: TokenStorage | null, 
/**
 * Why tokens are in a file instead of the keychain, when they are.
 */
token_warning: string | null, 
/**
 * When the refresh token expires unless a sync runs before (UTC epoch ms).
 */
refresh_expires_ms: number | null, };

export type AccountInfo = { base_url: string, client_id: string, 
/**
 * Region code (`nl`, `be`, ...) when the base URL is one of Exact's.
 */
region: string | null, };

export type RegionInfo = { 
/**
 * `nl`, `be`, `de`, `fr`, `es`, `co.uk`, `com`.
 */
code: string, 
/**
 * Country name in English (`Netherlands`).
 */
name: string, base_url: string, };

export type ConnectRequest = { 
/**
 * A region code from `regions()`; ignored when `base_url` is given.
 */
region: string | null, base_url: string | null, client_id: string, client_secret: string, 
/**
 * `localhost` or `127.0.0.1`: the host of the redirect URI registered for the app.
 */
redirect_host: string, 
/**
 * The port of that redirect URI (1024–65535).
 */
redirect_port: number, };

export type RedirectChoice = { 
/**
 * The hosts that may be chosen, the default first.
 */
hosts: Array<string>, 
/**
 * The saved connection's host when it has one the form can show, else the default.
 */
host: string, 
/**
 * The saved connection's port likewise, else the default.
 */
port: number, min_port: number, max_port: number, 
/**
 * The path every redirect URI the app builds ends with (`/callback`).
 */
path: string, };

export type RegistrationInfo = { 
/**
 * A usable shared registration is present: the welcome screen offers the one-button sign-in.
 */
available: boolean, 
/**
 * Where it was found (also when it cannot be used); `None` when there is none.
 */
source: RegistrationSource | null, 
/**
 * The file it was read from (none for a registration built into the program).
 */
path: string | null, 
/**
 * The region to offer first (`nl`, `be`, ...), when the registration names one.
 */
region: string | null, 
/**
 * Why the registration found cannot be used: the file and what is wrong in it.
 */
error: string | null, };

export type RegistrationSource = "variable" | "beside_app" | "system" | "built_in";

export type DivisionInfo = { code: number, name: string | null, 
/**
 * The division last opened on Exact's website (a hint only; never chosen silently).
 */
current: boolean, 
/**
 * Chosen for syncing.
 */
selected: boolean, 
/**
 * The division's currency (amounts without their own are in it).
 */
currency: string | null, };

export type AttachmentMode = "none" | "on_demand" | "all";

export type AttachmentAction = "open" | "open_anyway" | "show_in_folder";

export type AttachmentOpened = { "kind": "opened" } | { "kind": "shown_in_folder" } | { "kind": "needs_confirmation", file_name: string, real_type: string, };

export type Language = "system" | "en" | "nl" | "fr" | "de";

export type Theme = "system" | "light" | "dark";

export type Settings = { 
/**
 * Minutes between background syncs; `null` means only on "Sync now".
 */
interval_minutes: number | null, 
/**
 * Records per transaction at most (1–5 000).
 */
batch_size: number, 
/**
 * Off: every sync reads everything again and removes what vanished.
 */
incremental: boolean, 
/**
 * Download item pictures, logos and contact pictures.
 */
pictures: boolean, attachments: AttachmentMode, attachments_cap_mb: number, 
/**
 * Divisions to sync (codes).
 */
divisions: Array<number>, 
/**
 * Exact language codes (`EN`, `DE`, `FR`, `NL-BE`...) whose item descriptions are kept
 * besides the division's own; each costs one more read of the items.
 */
description_languages: Array<string>, language: Language, theme: Theme, };

export type AssetProgress = { queued: number, done: number, };

export type SyncSnapshot = { running: boolean, 
/**
 * The last finished run.
 */
last: RunReport | null, 
/**
 * When the last run that succeeded finished (UTC epoch ms).
 */
last_success_ms: number | null, next_run_in_s: number | null, 
/**
 * The next run comes later than the interval to keep the day's shared Exact calls.
 */
stretched_for_budget: boolean, consecutive_failures: number, 
/**
 * The sign-in is broken: the user must sign in again.
 */
needs_sign_in: boolean, 
/**
 * Whether Exact Online answered the last call (`null` before the first).
 */
online: boolean | null, 
/**
 * The latest progress of each division and entity in the current (or last) run.
 */
progress: Array<ProgressEvent>, assets: AssetProgress, };

export type StorageInfo = { data_dir: string, cache_bytes: number, assets_bytes: number, token_storage: TokenStorage | null, };

export type ErrorKind = "not_connected" | "auth_required" | "wrong_credentials" | "consent_refused" | "offline" | "rate_limited" | "daily_limit" | "server" | "protocol" | "refused" | "download_refused" | "download_deferred" | "unusable" | "not_found" | "invalid_input" | "busy" | "storage" | "internal";

export type AppError = { code: ErrorKind, message: string, };

export type ExportList = "items" | "customers";

export type ExportRequest = { list: ExportList, items: ItemQuery | null, customers: AccountQuery | null, columns: Array<string>, format: TableFormat, as_shown: { [key in string]: ExportValueRule } | null, };

export type ExportValueRule = { "kind": "codes", labels: { [key in string]: string }, bits: boolean, } | { "kind": "flag", yes: string, no: string, } | { "kind": "reference", code: string | null, description: string | null, };

export type ExportResult = { path: string, rows: number, };

export type ExportProgress = { done: number, total: number, };

export type TableFormat = "csv" | "xlsx";

export type Phase = "waiting" | "fetching" | "deleting" | "done" | "failed" | "skipped";

export type ProgressEvent = { division: number, 
/**
 * Entity name (`"Items"`) or `"Deleted"`.
 */
entity: string, phase: Phase, 
/**
 * Rows applied so far in this run.
 */
rows: number, pages: number, calls: number, 
/**
 * Rows expected in total, when known (for a determinate bar).
 */
total: number | null, minutely_remaining: number | null, daily_remaining: number | null, 
/**
 * Rows per second over this entity so far.
 */
rate: number | null, 
/**
 * The error of a failed entity, with Exact's message.
 */
error: string | null, 
/**
 * Why the division's calls wait, while they do ("waiting for Exact's refresh rule until
 * 14:03:12 UTC"); `None` otherwise.
 */
waiting: string | null, };

export type Outcome = "succeeded" | "partial" | "failed" | "cancelled";

export type ErrorCode = "AuthRequired" | "RateLimited" | "DailyLimit" | "Offline" | "Server" | "Protocol" | "Refused" | "Storage" | "Cancelled";

export type EntityOutcome = { division: number, entity: string, rows_upserted: number, rows_deleted: number, calls: number, 
/**
 * Records that could not be stored as they are, kept apart with the reason.
 */
set_aside: SetAsideCounts, 
/**
 * Properties left out of the read (until a full resync): Exact refused them, or they are
 * in `too_large`.
 */
without: Array<string>, 
/**
 * The properties of `without` left out because a page with them was too large for Exact
 * to serve (see `offline_cache::ExclusionCause::TooLarge`).
 */
too_large: Array<string>, error: [ErrorCode, string] | null, };

export type RunReport = { run_id: number, started_ms: number, finished_ms: number, outcome: Outcome, entities: Array<EntityOutcome>, 
/**
 * A failure before any entity (for example listing the divisions).
 */
error: [ErrorCode, string] | null, };

export type ListPage<T> = { rows: Array<T>, 
/**
 * Rows matching the query across all pages.
 */
total: number, offset: number, limit: number, };

export type ItemSort = "Code" | "Description" | "Modified";

export type ItemQuery = { division: number, 
/**
 * Free text: every word must prefix-match code, description, extra description, search
 * code, barcode or group.
 */
search: string | null, 
/**
 * Item group ID.
 */
item_group: string | null, sales: boolean | null, purchase: boolean | null, stock: boolean | null, 
/**
 * `true`: only items with stock on hand (the item's `Stock` above zero); `false`: none.
 */
in_stock: boolean | null, has_picture: boolean | null, sort: ItemSort, descending: boolean, offset: number, limit: number, };

export type ItemSummary = { division: number, id: string, code: string | null, description: string | null, extra_description: string | null, search_code: string | null, barcode: string | null, item_group: string | null, item_group_code: string | null, item_group_description: string | null, 
/**
 * Unit code, trimmed.
 */
unit: string | null, is_sales: boolean, is_purchase: boolean, is_stock: boolean, stock: number | null, 
/**
 * `CostPriceStandard`.
 */
cost_price: number | null, picture_url: string | null, picture_name: string | null, 
/**
 * A real picture, not Exact's placeholder.
 */
has_picture: boolean, modified_ms: number | null, timestamp: number | null, };

export type ItemDetail = { summary: ItemSummary, unit: UnitRow | null, group: ItemGroupRow | null, 
/**
 * Documents linked to the item, newest first, each with its attachments.
 */
documents: Array<DocumentRow>, 
/**
 * Sales prices: general prices first, then customer agreements.
 */
prices: Array<PriceRow>, 
/**
 * Stock per warehouse.
 */
stock: Array<StockRow>, 
/**
 * When the division's stock positions were last brought up to date (UTC epoch ms).
 */
stock_synced_ms: number | null, 
/**
 * The most recent order lines with this item, newest order first.
 */
orders: Array<ItemOrderRow>, 
/**
 * Extra fields (`read/logistics/ItemExtraField`), by number.
 */
extra_fields: Array<ExtraFieldRow>, 
/**
 * Descriptions in the other languages synced, by language code.
 */
descriptions: Array<ItemDescriptionRow>, 
/**
 * Every attribute as Exact sent it (JSON object text).
 */
attributes: string, };

export type UnitRow = { id: string, code: string | null, description: string | null, 
/**
 * Exact's unit type letter (A, L, O, T, V, W).
 */
unit_type: string | null, active: boolean | null, };

export type ItemGroupRow = { id: string, code: string | null, description: string | null, };

export type DocumentRow = { id: string, account: string | null, item: string | null, subject: string | null, document_type: number | null, type_description: string | null, 
/**
 * `DocumentDate` as UTC epoch ms.
 */
date_ms: number | null, attachments: Array<AttachmentRow>, };

export type AttachmentRow = { id: string, document: string | null, file_name: string | null, file_size: number | null, 
/**
 * Exact's download URL (add `&Download=1`, send the bearer token).
 */
url: string | null, };

export type PriceRow = { id: string, item: string | null, 
/**
 * The item's code and description (from the items table, when it is there).
 */
item_code: string | null, item_description: string | null, 
/**
 * `None` for a general price; the customer of a price agreement.
 */
account: string | null, account_name: string | null, price: number | null, currency: string | null, 
/**
 * The minimum quantity from which the price applies.
 */
quantity: number | null, unit: string | null, unit_description: string | null, 
/**
 * Validity as UTC epoch ms; `None` = open-ended.
 */
start_ms: number | null, end_ms: number | null, 
/**
 * Whether the price applies at the moment of the query (within its dates).
 */
valid_now: boolean, };

export type StockRow = { id: string, warehouse: string | null, warehouse_code: string | null, warehouse_description: string | null, current: number | null, free: number | null, reserved: number | null, planning_in: number | null, planning_out: number | null, 
/**
 * Current + planned in − planned out.
 */
projected: number | null, unit_code: string | null, };

export type OrderRow = { id: string, order_number: number | null, 
/**
 * `OrderDate` as UTC epoch ms.
 */
order_date_ms: number | null, customer: string | null, customer_name: string | null, description: string | null, currency: string | null, 
/**
 * Amount including VAT, in the order's currency.
 */
amount: number | null, amount_excl_vat: number | null, 
/**
 * 12 open, 20 partial, 21 complete, 45 cancelled.
 */
status: number | null, status_description: string | null, delivery_date_ms: number | null, your_ref: string | null, 
/**
 * By line number.
 */
lines: Array<OrderLineRow>, };

export type OrderLineRow = { id: string, order_id: string | null, line_number: number | null, item: string | null, item_code: string | null, item_description: string | null, description: string | null, quantity: number | null, unit_code: string | null, unit_price: number | null, net_price: number | null, 
/**
 * Line amount in the order's currency.
 */
amount: number | null, delivery_date_ms: number | null, };

export type ItemOrderRow = { order_id: string | null, order_number: number | null, order_date_ms: number | null, customer: string | null, customer_name: string | null, currency: string | null, status: number | null, status_description: string | null, line: OrderLineRow, };

export type ExtraFieldRow = { number: number, 
/**
 * The field's label in the division.
 */
description: string | null, value: string | null, };

export type ItemDescriptionRow = { language: string, description: string | null, extra_description: string | null, };

export type AccountKind = "Customer" | "Prospect" | "Suspect" | "Supplier";

export type AccountSort = "Code" | "Name" | "City" | "Modified";

export type AccountQuery = { division: number, 
/**
 * Free text: every word must prefix-match name, code, city, email, phone or a contact name.
 */
search: string | null, kind: AccountKind | null, 
/**
 * Country code as Exact stores it, trimmed (`NL`).
 */
country: string | null, city: string | null, blocked: boolean | null, sort: AccountSort, descending: boolean, offset: number, limit: number, };

export type AccountSummary = { division: number, id: string, 
/**
 * Trimmed (Exact left-pads account codes to 18 characters).
 */
code: string | null, name: string | null, 
/**
 * A none, S suspect, P prospect, C customer.
 */
status: string | null, is_supplier: boolean, is_sales: boolean, city: string | null, country: string | null, email: string | null, phone: string | null, blocked: boolean, logo_url: string | null, 
/**
 * A real logo, not Exact's placeholder.
 */
has_logo: boolean, modified_ms: number | null, timestamp: number | null, };

export type AccountDetail = { summary: AccountSummary, 
/**
 * Main contact first, then by name.
 */
contacts: Array<ContactRow>, 
/**
 * Main addresses first, then by type (1 visit, 2 postal, 3 invoice, 4 delivery).
 */
addresses: Array<AddressRow>, 
/**
 * Documents linked to the account, newest first, each with its attachments.
 */
documents: Array<DocumentRow>, 
/**
 * The customer's price agreements, by item code.
 */
prices: Array<PriceRow>, 
/**
 * The customer's most recent sales orders, newest first, each with its lines.
 */
orders: Array<OrderRow>, 
/**
 * Every attribute as Exact sent it (JSON object text).
 */
attributes: string, 
/**
 * The records its attributes point to by GUID alone (`Parent`, `Accountant`,
 * `MainContact`), named from the cache; a link to a record not kept is left out.
 */
links: Array<LinkRow>, };

export type LinkRow = { 
/**
 * The attribute holding the GUID (`Parent`).
 */
property: string, code: string | null, 
/**
 * The linked record's name.
 */
name: string | null, };

export type ContactRow = { id: string, account: string | null, full_name: string | null, email: string | null, phone: string | null, mobile: string | null, is_main: boolean, picture_url: string | null, 
/**
 * A real picture, not Exact's placeholder.
 */
has_picture: boolean, };

export type AddressRow = { id: string, account: string | null, 
/**
 * 1 visit, 2 postal, 3 invoice, 4 delivery.
 */
address_type: number | null, 
/**
 * The main address of its type.
 */
main: boolean, 
/**
 * Address lines 1–3, non-blank ones joined by newlines.
 */
lines: string | null, postcode: string | null, city: string | null, country: string | null, };

export type DivisionRow = { code: number, description: string | null, 
/**
 * The division's own currency (`Currency`, e.g. `EUR`): amounts without one are in it.
 */
currency: string | null, };

export type EntityStatus = { division: number, 
/**
 * An entity name (`"Items"`) or `"Deleted"`.
 */
entity: string, 
/**
 * Rows stored (`None` for the Deleted log, which has no table).
 */
rows: number | null, 
/**
 * Highest committed `Timestamp`.
 */
cursor: number | null, 
/**
 * When the cursor last moved (epoch ms).
 */
cursor_updated_ms: number | null, 
/**
 * The run that last recorded a result for this entity.
 */
last_run: number | null, last_upserted: number | null, last_deleted: number | null, last_error: string | null, 
/**
 * Records set aside now (kept apart, not stored; see [`crate::SetAsideRow`]).
 */
set_aside: number, 
/**
 * Until when (epoch ms) the entity is not asked for, since Exact refused it; `None` when
 * it is not resting.
 */
resting_until_ms: number | null, 
/**
 * Properties left out of its reads (until a full resync): Exact refused them, or they are
 * in `too_large`.
 */
excluded: Array<string>, 
/**
 * The properties of `excluded` left out because a page with them was too large for Exact
 * to serve ([`crate::ExclusionCause::TooLarge`]).
 */
too_large: Array<string>, };

export type SetAsideReason = "missing_key" | "wrong_type" | "unreadable" | "too_large";

export type SetAsideCounts = { missing_key: number, wrong_type: number, unreadable: number, too_large: number, };

export type SetAsideRow = { division: number, entity: string, key: string | null, reason: SetAsideReason, detail: string, 
/**
 * The record as sent, at most [`RAW_KEPT_BYTES`].
 */
raw: string, 
/**
 * The whole record's size in bytes.
 */
raw_bytes: number, first_seen_ms: number, last_seen_ms: number, 
/**
 * The last run that saw it.
 */
last_run: number, };

export type EntityResult = { division: number, 
/**
 * An entity name (`"Items"`) or `"Deleted"`.
 */
entity: string, rows_upserted: number, rows_deleted: number, 
/**
 * API calls made.
 */
calls: number, 
/**
 * Records set aside (see [`crate::SetAsideReason`]).
 */
set_aside: number, 
/**
 * Properties left out of this read (see [`crate::ExcludedProperty`]): Exact refused them,
 * or they are in `too_large`.
 */
without: Array<string>, 
/**
 * The properties of `without` left out because a page with them was too large for Exact to
 * serve ([`crate::ExclusionCause::TooLarge`]).
 */
too_large: Array<string>, 
/**
 * Why the entity stopped, if it failed.
 */
error: string | null, };

export type RunSummary = { id: number, started_ms: number, finished_ms: number | null, 
/**
 * What started it (`"interval"`, `"manual"`, `"startup"`, `"cli"` ...).
 */
trigger: string, 
/**
 * `None` while running (or when the process died during the run).
 */
outcome: string | null, entities: Array<EntityResult>, };

//! offline-cache: the offline copy of a company's Exact Online data, in one SQLite file.
//!
//! Role: the one crate that owns SQLite. No SQL exists anywhere else in the project; the sync
//! engine writes through [`Cache`]'s sync-side methods and the app and CLI read through its
//! query methods, which return serialisable DTOs.
//!
//! Invariants:
//! - One writer connection (behind a mutex) plus a small pool of read-only connections; WAL
//!   lets readers see the last committed state while a batch is being written.
//! - Pragmas are set once at open: `journal_mode=WAL`, `foreign_keys=ON`, `busy_timeout`,
//!   `synchronous=NORMAL`.
//! - Every write goes through `write(|tx| ...)`, which commits on `Ok` and rolls back on `Err`.
//! - A batch of upserts or deletions and the move of its cursor happen in ONE transaction, so a
//!   cursor is never ahead of committed rows; cursors only move forward (`max(old, new)`).
//! - Migrations are append-only, numbered and embedded; `PRAGMA user_version` is the applied
//!   count, and a database upgraded step by step equals a fresh one (tested).
//! - Every entity row keeps the record's full attribute map as JSON exactly as received, next to
//!   typed columns normalised for browsing (trimmed codes, dates as UTC epoch ms). The JSON is
//!   stored LZ4-compressed against a frozen dictionary (migration 7, see `columns.rs`); every
//!   reader decompresses and returns the exact text written. The sync engine hands over
//!   [`PreparedRecord`]s: the page's own JSON text of each record (minus `__metadata`), already
//!   compressed, with only the properties the typed columns read parsed
//!   ([`Entity::column_properties`]); a test checks that they store exactly what whole records do.
//! - The full-text indexes (`items_fts`, `accounts_fts`, `contacts_fts`, contentless) are kept in
//!   step inside the same transaction as the row change: deletions through triggers, upserts by
//!   an index pass after the batch's row writes (FTS5 flushes pending terms at every statement
//!   savepoint, so per-row trigger writes made one index segment per row). An account search
//!   term matches the account's columns or one of its contacts' names (migration 9).
//! - User search text is escaped into FTS5 syntax: hostile input never causes an error.

mod account_index;
mod accounts;
mod addresses;
mod attachments;
mod cache;
mod columns;
mod contacts;
mod cursors;
mod database;
mod descriptions;
mod divisions;
mod documents;
mod entity;
mod error;
mod exclusions;
mod extra_fields;
mod item_groups;
mod items;
mod migrations;
mod orders;
mod prices;
mod records;
mod refusals;
mod runs;
mod search;
mod set_aside;
mod status;
mod stock;
mod units;

pub use accounts::{
    AccountDetail, AccountKind, AccountQuery, AccountSort, AccountSummary, LinkRow,
};
pub use addresses::AddressRow;
pub use attachments::AttachmentRow;
pub use cache::Cache;
pub use contacts::ContactRow;
pub use cursors::DELETED_CURSOR;
pub use descriptions::{ItemDescriptionRow, cursor_key as description_cursor_key};
pub use divisions::DivisionRow;
pub use documents::DocumentRow;
pub use entity::Entity;
pub use error::{Error, Result};
pub use exclusions::{ExcludedProperty, ExclusionCause, describe_without};
pub use extra_fields::ExtraFieldRow;
pub use item_groups::ItemGroupRow;
pub use items::{ItemDetail, ItemQuery, ItemSort, ItemSummary};
pub use migrations::{MIGRATIONS, migrate_to};
pub use orders::{ItemOrderRow, OrderLineRow, OrderRow};
pub use prices::PriceRow;
pub use records::{ListPage, PreparedRecord};
pub use runs::{EntityResult, RunSummary};
pub use set_aside::{
    NewSetAside, RAW_KEPT_BYTES, SetAsideCounts, SetAsideReason, SetAsideRow, SetAsideSummary,
};
pub use status::EntityStatus;
pub use stock::StockRow;
pub use units::UnitRow;

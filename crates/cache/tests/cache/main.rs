//! offline-cache against a real SQLite file in a temp dir, with records from exact-sim's
//! generator (every property, Exact's conventions). Each module tests the module of `src/` it
//! is named after; `support` holds the shared fixture.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod account_index;
mod accounts;
mod cursors;
mod database;
mod exclusions;
mod items;
mod migrations;
mod records;
mod search;
mod status;
mod support;

//! The `addresses` table (visit, postal, invoice and delivery addresses of accounts).

use exact_record::Record;
use rusqlite::{Connection, Row, Statement, params};
use serde::Serialize;

use crate::columns::{date_ms, flag, guid, joined, text};
use crate::error::{Context, Result};

pub(crate) const UPSERT: &str = "
INSERT INTO addresses (division, id, account, type, main, lines, postcode, city, country,
    modified_ms, timestamp, attributes, seen_generation)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)
ON CONFLICT (division, id) DO UPDATE SET
    account = excluded.account, type = excluded.type, main = excluded.main,
    lines = excluded.lines, postcode = excluded.postcode, city = excluded.city,
    country = excluded.country, modified_ms = excluded.modified_ms,
    timestamp = excluded.timestamp, attributes = excluded.attributes,
    seen_generation = coalesce(excluded.seen_generation, addresses.seen_generation)";

pub(crate) fn bind(
    stmt: &mut Statement<'_>,
    division: i32,
    id: &str,
    r: &Record,
    attributes: &[u8],
    generation: Option<i64>,
) -> rusqlite::Result<usize> {
    stmt.execute(params![
        division,
        id,
        guid(r, "Account"),
        r.i64("Type"),
        flag(r, "Main"),
        joined(r, &["AddressLine1", "AddressLine2", "AddressLine3"], "\n"),
        text(r, "Postcode"),
        text(r, "City"),
        text(r, "Country"),
        date_ms(r, "Modified"),
        r.timestamp(),
        attributes,
        generation,
    ])
}

/// An address of an account.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AddressRow {
    pub id: String,
    pub account: Option<String>,
    /// 1 visit, 2 postal, 3 invoice, 4 delivery.
    pub address_type: Option<i64>,
    /// The main address of its type.
    pub main: bool,
    /// Address lines 1–3, non-blank ones joined by newlines.
    pub lines: Option<String>,
    pub postcode: Option<String>,
    pub city: Option<String>,
    pub country: Option<String>,
}

fn row(r: &Row<'_>) -> rusqlite::Result<AddressRow> {
    Ok(AddressRow {
        id: r.get(0)?,
        account: r.get(1)?,
        address_type: r.get(2)?,
        main: r.get(3)?,
        lines: r.get(4)?,
        postcode: r.get(5)?,
        city: r.get(6)?,
        country: r.get(7)?,
    })
}

pub(crate) fn for_account(
    conn: &Connection,
    division: i32,
    account: &str,
) -> Result<Vec<AddressRow>> {
    conn.prepare_cached(
        "SELECT id, account, type, main, lines, postcode, city, country
         FROM addresses WHERE division = ?1 AND account = ?2
         ORDER BY main DESC, type, id",
    )
    .context("preparing the addresses of an account")?
    .query_map(params![division, account], row)
    .context("reading addresses")?
    .collect::<rusqlite::Result<Vec<_>>>()
    .context("reading addresses")
}

//! The `sales_item_prices` table: general sales prices (no account) and customer price
//! agreements, with quantity breaks, units and validity dates.

use exact_record::Record;
use rusqlite::{Connection, Row, Statement, params};
use serde::Serialize;

use crate::columns::{date_ms, guid, text};
use crate::error::{Context, Result};

pub(crate) const UPSERT: &str = "
INSERT INTO sales_item_prices (division, id, item, account, account_name, price, currency,
    quantity, unit, unit_description, start_ms, end_ms, timestamp, attributes, seen_generation)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)
ON CONFLICT (division, id) DO UPDATE SET
    item = excluded.item, account = excluded.account, account_name = excluded.account_name,
    price = excluded.price, currency = excluded.currency, quantity = excluded.quantity,
    unit = excluded.unit, unit_description = excluded.unit_description,
    start_ms = excluded.start_ms, end_ms = excluded.end_ms, timestamp = excluded.timestamp,
    attributes = excluded.attributes,
    seen_generation = coalesce(excluded.seen_generation, sales_item_prices.seen_generation)";

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
        guid(r, "Item"),
        guid(r, "Account"),
        text(r, "AccountName"),
        r.f64("Price"),
        text(r, "Currency"),
        r.f64("Quantity"),
        text(r, "Unit"),
        text(r, "UnitDescription"),
        date_ms(r, "StartDate"),
        date_ms(r, "EndDate"),
        r.timestamp(),
        attributes,
        generation,
    ])
}

/// One sales price of an item.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct PriceRow {
    pub id: String,
    pub item: Option<String>,
    /// The item's code and description (from the items table, when it is there).
    pub item_code: Option<String>,
    pub item_description: Option<String>,
    /// `None` for a general price; the customer of a price agreement.
    pub account: Option<String>,
    pub account_name: Option<String>,
    pub price: Option<f64>,
    pub currency: Option<String>,
    /// The minimum quantity from which the price applies.
    pub quantity: Option<f64>,
    pub unit: Option<String>,
    pub unit_description: Option<String>,
    /// Validity as UTC epoch ms; `None` = open-ended.
    pub start_ms: Option<i64>,
    pub end_ms: Option<i64>,
    /// Whether the price applies at the moment of the query (within its dates).
    pub valid_now: bool,
}

const COLUMNS: &str = "p.id, p.item, i.code, i.description, p.account, p.account_name, p.price,
    p.currency, p.quantity, p.unit, p.unit_description, p.start_ms, p.end_ms";

fn row(r: &Row<'_>, now_ms: i64) -> rusqlite::Result<PriceRow> {
    let (start_ms, end_ms): (Option<i64>, Option<i64>) = (r.get(11)?, r.get(12)?);
    Ok(PriceRow {
        id: r.get(0)?,
        item: r.get(1)?,
        item_code: r.get(2)?,
        item_description: r.get(3)?,
        account: r.get(4)?,
        account_name: r.get(5)?,
        price: r.get(6)?,
        currency: r.get(7)?,
        quantity: r.get(8)?,
        unit: r.get(9)?,
        unit_description: r.get(10)?,
        start_ms,
        end_ms,
        valid_now: start_ms.is_none_or(|s| s <= now_ms) && end_ms.is_none_or(|e| now_ms < e),
    })
}

/// Every price of an item: general prices first, then agreements by customer; each by unit,
/// quantity break and start date.
pub(crate) fn for_item(
    conn: &Connection,
    division: i32,
    item: &str,
    now_ms: i64,
) -> Result<Vec<PriceRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sales_item_prices p
         LEFT JOIN items i ON i.division = p.division AND i.id = p.item
         WHERE p.division = ?1 AND p.item = ?2
         ORDER BY p.account IS NOT NULL, p.account_name, p.unit, p.quantity, p.start_ms, p.id"
    );
    query(conn, &sql, division, item, now_ms)
}

/// A customer's price agreements, by item code.
pub(crate) fn for_account(
    conn: &Connection,
    division: i32,
    account: &str,
    now_ms: i64,
) -> Result<Vec<PriceRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sales_item_prices p
         LEFT JOIN items i ON i.division = p.division AND i.id = p.item
         WHERE p.division = ?1 AND p.account = ?2
         ORDER BY i.code, p.item, p.quantity, p.start_ms, p.id"
    );
    query(conn, &sql, division, account, now_ms)
}

fn query(
    conn: &Connection,
    sql: &str,
    division: i32,
    key: &str,
    now_ms: i64,
) -> Result<Vec<PriceRow>> {
    conn.prepare_cached(sql)
        .context("preparing a price lookup")?
        .query_map(params![division, key], |r| row(r, now_ms))
        .context("reading prices")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .context("reading prices")
}

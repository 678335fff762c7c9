//! The `sales_order_headers` and `sales_order_lines` tables, joined on the order's ID
//! (`OrderID`; a header's `ID` is its `OrderID`).

use exact_record::Record;
use rusqlite::{Connection, Row, Statement, params};
use serde::Serialize;

use crate::columns::{date_ms, guid, text};
use crate::error::{Context, Result};

pub(crate) const UPSERT_HEADER: &str = "
INSERT INTO sales_order_headers (division, id, order_number, order_date_ms, ordered_by,
    ordered_by_name, description, currency, amount, amount_excl_vat, status, status_description,
    delivery_date_ms, your_ref, timestamp, attributes, seen_generation)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
ON CONFLICT (division, id) DO UPDATE SET
    order_number = excluded.order_number, order_date_ms = excluded.order_date_ms,
    ordered_by = excluded.ordered_by, ordered_by_name = excluded.ordered_by_name,
    description = excluded.description, currency = excluded.currency,
    amount = excluded.amount, amount_excl_vat = excluded.amount_excl_vat,
    status = excluded.status, status_description = excluded.status_description,
    delivery_date_ms = excluded.delivery_date_ms, your_ref = excluded.your_ref,
    timestamp = excluded.timestamp, attributes = excluded.attributes,
    seen_generation = coalesce(excluded.seen_generation, sales_order_headers.seen_generation)";

pub(crate) fn bind_header(
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
        r.i64("OrderNumber"),
        date_ms(r, "OrderDate"),
        guid(r, "OrderedBy"),
        text(r, "OrderedByName"),
        text(r, "Description"),
        text(r, "Currency"),
        r.f64("AmountFC"),
        r.f64("AmountFCExclVat"),
        r.i64("Status"),
        text(r, "StatusDescription"),
        date_ms(r, "DeliveryDate"),
        text(r, "YourRef"),
        r.timestamp(),
        attributes,
        generation,
    ])
}

pub(crate) const UPSERT_LINE: &str = "
INSERT INTO sales_order_lines (division, id, order_id, line_number, item, item_code,
    item_description, description, quantity, unit_code, unit_price, net_price, amount,
    delivery_date_ms, timestamp, attributes, seen_generation)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)
ON CONFLICT (division, id) DO UPDATE SET
    order_id = excluded.order_id, line_number = excluded.line_number, item = excluded.item,
    item_code = excluded.item_code, item_description = excluded.item_description,
    description = excluded.description, quantity = excluded.quantity,
    unit_code = excluded.unit_code, unit_price = excluded.unit_price,
    net_price = excluded.net_price, amount = excluded.amount,
    delivery_date_ms = excluded.delivery_date_ms, timestamp = excluded.timestamp,
    attributes = excluded.attributes,
    seen_generation = coalesce(excluded.seen_generation, sales_order_lines.seen_generation)";

pub(crate) fn bind_line(
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
        guid(r, "OrderID"),
        r.i64("LineNumber"),
        guid(r, "Item"),
        text(r, "ItemCode"),
        text(r, "ItemDescription"),
        text(r, "Description"),
        r.f64("Quantity"),
        text(r, "UnitCode"),
        r.f64("UnitPrice"),
        r.f64("NetPrice"),
        r.f64("AmountFC"),
        date_ms(r, "DeliveryDate"),
        r.timestamp(),
        attributes,
        generation,
    ])
}

/// A sales order with its lines.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrderRow {
    pub id: String,
    pub order_number: Option<i64>,
    /// `OrderDate` as UTC epoch ms.
    pub order_date_ms: Option<i64>,
    pub customer: Option<String>,
    pub customer_name: Option<String>,
    pub description: Option<String>,
    pub currency: Option<String>,
    /// Amount including VAT, in the order's currency.
    pub amount: Option<f64>,
    pub amount_excl_vat: Option<f64>,
    /// 12 open, 20 partial, 21 complete, 45 cancelled.
    pub status: Option<i64>,
    pub status_description: Option<String>,
    pub delivery_date_ms: Option<i64>,
    pub your_ref: Option<String>,
    /// By line number.
    pub lines: Vec<OrderLineRow>,
}

/// One line of a sales order.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct OrderLineRow {
    pub id: String,
    pub order_id: Option<String>,
    pub line_number: Option<i64>,
    pub item: Option<String>,
    pub item_code: Option<String>,
    pub item_description: Option<String>,
    pub description: Option<String>,
    pub quantity: Option<f64>,
    pub unit_code: Option<String>,
    pub unit_price: Option<f64>,
    pub net_price: Option<f64>,
    /// Line amount in the order's currency.
    pub amount: Option<f64>,
    pub delivery_date_ms: Option<i64>,
}

/// A line of an order that contains a given item, with its order's header facts.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ItemOrderRow {
    pub order_id: Option<String>,
    pub order_number: Option<i64>,
    pub order_date_ms: Option<i64>,
    pub customer: Option<String>,
    pub customer_name: Option<String>,
    pub currency: Option<String>,
    pub status: Option<i64>,
    pub status_description: Option<String>,
    pub line: OrderLineRow,
}

const HEADER_COLUMNS: &str = "h.id, h.order_number, h.order_date_ms, h.ordered_by,
    h.ordered_by_name, h.description, h.currency, h.amount, h.amount_excl_vat, h.status,
    h.status_description, h.delivery_date_ms, h.your_ref";

const LINE_COLUMNS: &str = "l.id, l.order_id, l.line_number, l.item, l.item_code,
    l.item_description, l.description, l.quantity, l.unit_code, l.unit_price, l.net_price,
    l.amount, l.delivery_date_ms";

fn header(r: &Row<'_>) -> rusqlite::Result<OrderRow> {
    Ok(OrderRow {
        id: r.get(0)?,
        order_number: r.get(1)?,
        order_date_ms: r.get(2)?,
        customer: r.get(3)?,
        customer_name: r.get(4)?,
        description: r.get(5)?,
        currency: r.get(6)?,
        amount: r.get(7)?,
        amount_excl_vat: r.get(8)?,
        status: r.get(9)?,
        status_description: r.get(10)?,
        delivery_date_ms: r.get(11)?,
        your_ref: r.get(12)?,
        lines: Vec::new(),
    })
}

/// A line from `LINE_COLUMNS` starting at column `at`.
fn line(r: &Row<'_>, at: usize) -> rusqlite::Result<OrderLineRow> {
    Ok(OrderLineRow {
        id: r.get(at)?,
        order_id: r.get(at + 1)?,
        line_number: r.get(at + 2)?,
        item: r.get(at + 3)?,
        item_code: r.get(at + 4)?,
        item_description: r.get(at + 5)?,
        description: r.get(at + 6)?,
        quantity: r.get(at + 7)?,
        unit_code: r.get(at + 8)?,
        unit_price: r.get(at + 9)?,
        net_price: r.get(at + 10)?,
        amount: r.get(at + 11)?,
        delivery_date_ms: r.get(at + 12)?,
    })
}

/// A customer's most recent orders (newest first), each with its lines.
pub(crate) fn for_account(
    conn: &Connection,
    division: i32,
    account: &str,
    limit: usize,
) -> Result<Vec<OrderRow>> {
    let mut orders = conn
        .prepare_cached(&format!(
            "SELECT {HEADER_COLUMNS} FROM sales_order_headers h
             WHERE h.division = ?1 AND h.ordered_by = ?2
             ORDER BY h.order_date_ms DESC, h.order_number DESC, h.id LIMIT ?3"
        ))
        .context("preparing a customer's orders")?
        .query_map(params![division, account, limit as i64], header)
        .context("reading orders")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .context("reading orders")?;
    let mut lines = conn
        .prepare_cached(&format!(
            "SELECT {LINE_COLUMNS} FROM sales_order_lines l
             WHERE l.division = ?1 AND l.order_id = ?2 ORDER BY l.line_number, l.id"
        ))
        .context("preparing order lines")?;
    for order in &mut orders {
        order.lines = lines
            .query_map(params![division, order.id], |r| line(r, 0))
            .context("reading order lines")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .context("reading order lines")?;
    }
    Ok(orders)
}

/// The most recent order lines (newest order first) that contain an item.
pub(crate) fn for_item(
    conn: &Connection,
    division: i32,
    item: &str,
    limit: usize,
) -> Result<Vec<ItemOrderRow>> {
    conn.prepare_cached(&format!(
        "SELECT h.id, h.order_number, h.order_date_ms, h.ordered_by, h.ordered_by_name,
             h.currency, h.status, h.status_description, {LINE_COLUMNS}
         FROM sales_order_lines l
         LEFT JOIN sales_order_headers h ON h.division = l.division AND h.id = l.order_id
         WHERE l.division = ?1 AND l.item = ?2
         ORDER BY h.order_date_ms DESC, h.order_number DESC, l.line_number, l.id LIMIT ?3"
    ))
    .context("preparing an item's orders")?
    .query_map(params![division, item, limit as i64], |r| {
        Ok(ItemOrderRow {
            order_id: r.get(0)?,
            order_number: r.get(1)?,
            order_date_ms: r.get(2)?,
            customer: r.get(3)?,
            customer_name: r.get(4)?,
            currency: r.get(5)?,
            status: r.get(6)?,
            status_description: r.get(7)?,
            line: line(r, 8)?,
        })
    })
    .context("reading an item's orders")?
    .collect::<rusqlite::Result<Vec<_>>>()
    .context("reading an item's orders")
}

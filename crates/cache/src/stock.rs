//! The `stock_positions` table: an item's stock per warehouse.

use exact_record::Record;
use rusqlite::{Connection, Row, Statement, params};
use serde::Serialize;

use crate::columns::{guid, text};
use crate::error::{Context, Result};

pub(crate) const UPSERT: &str = "
INSERT INTO stock_positions (division, id, item, warehouse, warehouse_code,
    warehouse_description, current_stock, free_stock, reserved_stock, planning_in, planning_out,
    projected_stock, unit_code, timestamp, attributes, seen_generation)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)
ON CONFLICT (division, id) DO UPDATE SET
    item = excluded.item, warehouse = excluded.warehouse,
    warehouse_code = excluded.warehouse_code,
    warehouse_description = excluded.warehouse_description,
    current_stock = excluded.current_stock, free_stock = excluded.free_stock,
    reserved_stock = excluded.reserved_stock, planning_in = excluded.planning_in,
    planning_out = excluded.planning_out, projected_stock = excluded.projected_stock,
    unit_code = excluded.unit_code, timestamp = excluded.timestamp,
    attributes = excluded.attributes,
    seen_generation = coalesce(excluded.seen_generation, stock_positions.seen_generation)";

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
        guid(r, "ItemId"),
        guid(r, "Warehouse"),
        text(r, "WarehouseCode"),
        text(r, "WarehouseDescription"),
        r.f64("CurrentStock"),
        r.f64("FreeStock"),
        r.f64("ReservedStock"),
        r.f64("PlanningIn"),
        r.f64("PlanningOut"),
        r.f64("ProjectedStock"),
        text(r, "UnitCode"),
        r.timestamp(),
        attributes,
        generation,
    ])
}

/// An item's stock in one warehouse.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct StockRow {
    pub id: String,
    pub warehouse: Option<String>,
    pub warehouse_code: Option<String>,
    pub warehouse_description: Option<String>,
    pub current: Option<f64>,
    pub free: Option<f64>,
    pub reserved: Option<f64>,
    pub planning_in: Option<f64>,
    pub planning_out: Option<f64>,
    /// Current + planned in − planned out.
    pub projected: Option<f64>,
    pub unit_code: Option<String>,
}

fn row(r: &Row<'_>) -> rusqlite::Result<StockRow> {
    Ok(StockRow {
        id: r.get(0)?,
        warehouse: r.get(1)?,
        warehouse_code: r.get(2)?,
        warehouse_description: r.get(3)?,
        current: r.get(4)?,
        free: r.get(5)?,
        reserved: r.get(6)?,
        planning_in: r.get(7)?,
        planning_out: r.get(8)?,
        projected: r.get(9)?,
        unit_code: r.get(10)?,
    })
}

/// An item's stock positions, by warehouse code.
pub(crate) fn for_item(conn: &Connection, division: i32, item: &str) -> Result<Vec<StockRow>> {
    conn.prepare_cached(
        "SELECT id, warehouse, warehouse_code, warehouse_description, current_stock, free_stock,
             reserved_stock, planning_in, planning_out, projected_stock, unit_code
         FROM stock_positions WHERE division = ?1 AND item = ?2
         ORDER BY warehouse_code, id",
    )
    .context("preparing a stock lookup")?
    .query_map(params![division, item], row)
    .context("reading stock")?
    .collect::<rusqlite::Result<Vec<_>>>()
    .context("reading stock")
}

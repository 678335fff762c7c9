//! The `units` table (logistics/Units, replaced as a whole on every sync).

use exact_record::Record;
use rusqlite::{Connection, OptionalExtension, Row, Statement, params};
use serde::Serialize;

use crate::columns::text;
use crate::error::{Context, Result};

pub(crate) const UPSERT: &str = "
INSERT INTO units (division, id, code, description, type, active, attributes, seen_generation)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
ON CONFLICT (division, id) DO UPDATE SET
    code = excluded.code, description = excluded.description, type = excluded.type,
    active = excluded.active, attributes = excluded.attributes,
    seen_generation = coalesce(excluded.seen_generation, units.seen_generation)";

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
        text(r, "Code"),
        text(r, "Description"),
        text(r, "Type"),
        r.bool("Active"),
        attributes,
        generation,
    ])
}

/// A unit of measure; items refer to it by its (trimmed) code.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct UnitRow {
    pub id: String,
    pub code: Option<String>,
    pub description: Option<String>,
    /// Exact's unit type letter (A, L, O, T, V, W).
    pub unit_type: Option<String>,
    pub active: Option<bool>,
}

fn row(r: &Row<'_>) -> rusqlite::Result<UnitRow> {
    Ok(UnitRow {
        id: r.get(0)?,
        code: r.get(1)?,
        description: r.get(2)?,
        unit_type: r.get(3)?,
        active: r.get(4)?,
    })
}

pub(crate) fn list(conn: &Connection, division: i32) -> Result<Vec<UnitRow>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, code, description, type, active FROM units
             WHERE division = ?1 ORDER BY code, id",
        )
        .context("preparing the unit list")?;
    let rows = stmt
        .query_map(params![division], row)
        .context("listing units")?;
    rows.collect::<rusqlite::Result<_>>()
        .context("listing units")
}

pub(crate) fn by_code(conn: &Connection, division: i32, code: &str) -> Result<Option<UnitRow>> {
    conn.prepare_cached(
        "SELECT id, code, description, type, active FROM units
         WHERE division = ?1 AND code = ?2 ORDER BY id LIMIT 1",
    )
    .context("preparing a unit lookup")?
    .query_row(params![division, code], row)
    .optional()
    .context("reading a unit")
}

//! The `item_groups` table (logistics/ItemGroups, replaced as a whole on every sync).

use exact_record::Record;
use rusqlite::{Connection, OptionalExtension, Row, Statement, params};
use serde::Serialize;

use crate::columns::{date_ms, text};
use crate::error::{Context, Result};

pub(crate) const UPSERT: &str = "
INSERT INTO item_groups (division, id, code, description, modified_ms, attributes, seen_generation)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
ON CONFLICT (division, id) DO UPDATE SET
    code = excluded.code, description = excluded.description, modified_ms = excluded.modified_ms,
    attributes = excluded.attributes,
    seen_generation = coalesce(excluded.seen_generation, item_groups.seen_generation)";

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
        date_ms(r, "Modified"),
        attributes,
        generation,
    ])
}

/// An item group (family).
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ItemGroupRow {
    pub id: String,
    pub code: Option<String>,
    pub description: Option<String>,
}

fn row(r: &Row<'_>) -> rusqlite::Result<ItemGroupRow> {
    Ok(ItemGroupRow {
        id: r.get(0)?,
        code: r.get(1)?,
        description: r.get(2)?,
    })
}

pub(crate) fn by_id(conn: &Connection, division: i32, id: &str) -> Result<Option<ItemGroupRow>> {
    conn.prepare_cached(
        "SELECT id, code, description FROM item_groups WHERE division = ?1 AND id = ?2",
    )
    .context("preparing an item group lookup")?
    .query_row(params![division, id], row)
    .optional()
    .context("reading an item group")
}

pub(crate) fn list(conn: &Connection, division: i32) -> Result<Vec<ItemGroupRow>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT id, code, description FROM item_groups WHERE division = ?1 ORDER BY code, id",
        )
        .context("preparing the item group list")?;
    let rows = stmt
        .query_map(params![division], row)
        .context("listing item groups")?;
    rows.collect::<rusqlite::Result<_>>()
        .context("listing item groups")
}

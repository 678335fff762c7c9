//! The `item_extra_fields` table (`read/logistics/ItemExtraField`): free fields of an item,
//! numbered per item. They have no `ID`; the stored key is `"<item guid>/<number>"`.

use exact_record::Record;
use rusqlite::{Connection, Row, Statement, params};
use serde::Serialize;

use crate::columns::{date_ms, guid, text};
use crate::error::{Context, Result};

/// The stored key of an extra field: its item and number.
pub(crate) fn key(r: &Record) -> Option<String> {
    Some(format!("{}/{}", guid(r, "ItemID")?, r.i64("Number")?))
}

pub(crate) const UPSERT: &str = "
INSERT INTO item_extra_fields (division, id, item, number, description, value, modified_ms,
    timestamp, attributes, seen_generation)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
ON CONFLICT (division, id) DO UPDATE SET
    description = excluded.description, value = excluded.value,
    modified_ms = excluded.modified_ms, attributes = excluded.attributes,
    seen_generation = coalesce(excluded.seen_generation, item_extra_fields.seen_generation)";

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
        guid(r, "ItemID"),
        r.i64("Number"),
        text(r, "Description"),
        r.str("Value"),
        date_ms(r, "Modified"),
        r.timestamp(),
        attributes,
        generation,
    ])
}

/// One extra field of an item.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExtraFieldRow {
    pub number: i64,
    /// The field's label in the division.
    pub description: Option<String>,
    pub value: Option<String>,
}

fn row(r: &Row<'_>) -> rusqlite::Result<ExtraFieldRow> {
    Ok(ExtraFieldRow {
        number: r.get(0)?,
        description: r.get(1)?,
        value: r.get(2)?,
    })
}

pub(crate) fn for_item(conn: &Connection, division: i32, item: &str) -> Result<Vec<ExtraFieldRow>> {
    conn.prepare_cached(
        "SELECT number, description, value FROM item_extra_fields
         WHERE division = ?1 AND item = ?2 ORDER BY number",
    )
    .context("preparing an extra-field lookup")?
    .query_map(params![division, item], row)
    .context("reading extra fields")?
    .collect::<rusqlite::Result<Vec<_>>>()
    .context("reading extra fields")
}

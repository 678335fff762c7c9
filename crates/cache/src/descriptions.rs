//! The `item_descriptions` table: an item's description and extra description per language,
//! as Exact returns them for the `CustomDescriptionLanguage` request header.

use exact_record::Record;
use rusqlite::{Connection, Transaction, params};
use serde::Serialize;

use crate::columns::text;
use crate::error::{Context, Result};

/// The cursor key of a language's descriptions (`Items@EN`).
pub fn cursor_key(language: &str) -> String {
    format!("Items@{}", language.to_ascii_uppercase())
}

/// Upserts the descriptions of `records` (each with `ID`, `Description`, `ExtraDescription`);
/// records without an ID are skipped. Returns how many were stored.
pub(crate) fn upsert(
    tx: &Transaction<'_>,
    division: i32,
    language: &str,
    records: &[Record],
) -> Result<usize> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO item_descriptions
                 (division, item, language, description, extra_description, timestamp)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (division, item, language) DO UPDATE SET
                 description = excluded.description,
                 extra_description = excluded.extra_description,
                 timestamp = excluded.timestamp",
        )
        .context("preparing a description upsert")?;
    let language = language.to_ascii_uppercase();
    let mut n = 0;
    for r in records {
        let Some(id) = r.id() else { continue };
        stmt.execute(params![
            division,
            id,
            language,
            text(r, "Description"),
            text(r, "ExtraDescription"),
            r.timestamp(),
        ])
        .context("storing a description")?;
        n += 1;
    }
    Ok(n)
}

/// An item's description in one language.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ItemDescriptionRow {
    pub language: String,
    pub description: Option<String>,
    pub extra_description: Option<String>,
}

pub(crate) fn for_item(
    conn: &Connection,
    division: i32,
    item: &str,
) -> Result<Vec<ItemDescriptionRow>> {
    conn.prepare_cached(
        "SELECT language, description, extra_description FROM item_descriptions
         WHERE division = ?1 AND item = ?2 ORDER BY language",
    )
    .context("preparing a description lookup")?
    .query_map(params![division, item], |r| {
        Ok(ItemDescriptionRow {
            language: r.get(0)?,
            description: r.get(1)?,
            extra_description: r.get(2)?,
        })
    })
    .context("reading descriptions")?
    .collect::<rusqlite::Result<Vec<_>>>()
    .context("reading descriptions")
}

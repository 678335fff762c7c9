//! The `divisions` table: system/Divisions rows and the move date the engine last acted on.

use exact_record::Record;
use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::Serialize;

use crate::columns::{Attributes, attributes, compress_attributes, text};
use crate::error::{Context, Result};

/// Stores the divisions (keyed by their numeric `Code`); rows without a code are skipped.
/// The known move date is left alone: only [`set_move_date`] changes it.
pub(crate) fn upsert(tx: &Transaction<'_>, divisions: &[Record]) -> Result<usize> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO divisions (code, description, attributes) VALUES (?1, ?2, ?3)
             ON CONFLICT (code) DO UPDATE SET
                 description = excluded.description, attributes = excluded.attributes",
        )
        .context("preparing a division upsert")?;
    let (mut n, mut json, mut lz4) = (0, Vec::new(), Vec::new());
    for d in divisions {
        let Some(code) = d.i64("Code") else { continue };
        stmt.execute(params![
            code,
            text(d, "Description"),
            compress_attributes(attributes(d, &mut json)?, &mut lz4)
        ])
        .context("upserting a division")?;
        n += 1;
    }
    Ok(n)
}

pub(crate) fn move_date(conn: &Connection, division: i32) -> Result<Option<String>> {
    let found: Option<Option<String>> = conn
        .prepare_cached("SELECT known_move_date FROM divisions WHERE code = ?1")
        .context("preparing a move date read")?
        .query_row(params![division], |r| r.get(0))
        .optional()
        .context("reading a move date")?;
    Ok(found.flatten())
}

pub(crate) fn set_move_date(
    tx: &Transaction<'_>,
    division: i32,
    value: Option<&str>,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO divisions (code, known_move_date) VALUES (?1, ?2)
         ON CONFLICT (code) DO UPDATE SET known_move_date = excluded.known_move_date",
    )
    .context("preparing a move date write")?
    .execute(params![division, value])
    .context("writing a move date")?;
    Ok(())
}

/// A division as the pickers show it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DivisionRow {
    pub code: i32,
    pub description: Option<String>,
    /// The division's own currency (`Currency`, e.g. `EUR`): amounts without one are in it.
    pub currency: Option<String>,
}

/// Divisions listed by a sync (rows that only carry a move date are left out).
pub(crate) fn list(conn: &Connection) -> Result<Vec<DivisionRow>> {
    let mut stmt = conn
        .prepare_cached(
            "SELECT code, description, attributes FROM divisions
             WHERE attributes IS NOT NULL ORDER BY code",
        )
        .context("preparing the division list")?;
    let rows = stmt
        .query_map([], |r| {
            let attributes = r.get::<_, Attributes>(2)?.0;
            let currency = serde_json::from_str::<serde_json::Value>(&attributes)
                .ok()
                .and_then(|v| v.get("Currency")?.as_str().map(|c| c.trim().to_owned()))
                .filter(|c| !c.is_empty());
            Ok(DivisionRow {
                code: r.get(0)?,
                description: r.get(1)?,
                currency,
            })
        })
        .context("listing divisions")?;
    rows.collect::<rusqlite::Result<_>>()
        .context("listing divisions")
}

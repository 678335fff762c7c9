//! The `cursors` table: per division, the highest committed `Timestamp` of each entity and of
//! the Deleted log. Cursors are only moved inside the transaction that commits their rows.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::error::{Context, Result};

/// Cursor key of the sync/Deleted log (the other keys are entity names).
pub const DELETED_CURSOR: &str = "Deleted";

/// The stored cursor, `None` before the first committed batch.
pub(crate) fn get(conn: &Connection, division: i32, key: &str) -> Result<Option<i64>> {
    conn.prepare_cached("SELECT timestamp FROM cursors WHERE division = ?1 AND cursor_key = ?2")
        .context("preparing a cursor read")?
        .query_row(params![division, key], |r| r.get(0))
        .optional()
        .context("reading a cursor")
}

/// Moves the cursor forward to `timestamp` (never backward: `max(old, new)`).
pub(crate) fn advance(
    tx: &Transaction<'_>,
    division: i32,
    key: &str,
    timestamp: i64,
    now_ms: i64,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO cursors (division, cursor_key, timestamp, updated_at_ms) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (division, cursor_key) DO UPDATE SET
             timestamp = max(cursors.timestamp, excluded.timestamp),
             updated_at_ms = excluded.updated_at_ms",
    )
    .context("preparing a cursor move")?
    .execute(params![division, key, timestamp, now_ms])
    .context("moving a cursor")?;
    Ok(())
}

/// Forgets every cursor of the division, so that the next sync starts from the beginning.
pub(crate) fn reset(tx: &Transaction<'_>, division: i32) -> Result<()> {
    tx.execute("DELETE FROM cursors WHERE division = ?1", params![division])
        .context("resetting cursors")?;
    Ok(())
}

/// Every cursor of the division: key → (timestamp, updated_at_ms).
pub(crate) fn all(conn: &Connection, division: i32) -> Result<Vec<(String, i64, i64)>> {
    conn.prepare_cached(
        "SELECT cursor_key, timestamp, updated_at_ms FROM cursors WHERE division = ?1",
    )
    .context("preparing cursor listing")?
    .query_map(params![division], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
    .context("listing cursors")?
    .collect::<rusqlite::Result<Vec<_>>>()
    .context("listing cursors")
}

/// Remembers that a full resync of the division has begun, marking its rows with `generation`
/// (replaces the mark of one begun before: a new begin restarts it).
pub(crate) fn mark_full_resync(
    tx: &Transaction<'_>,
    division: i32,
    now_ms: i64,
    generation: i64,
) -> Result<()> {
    tx.execute(
        "INSERT INTO full_resyncs (division, started_ms, generation) VALUES (?1, ?2, ?3)
         ON CONFLICT (division) DO UPDATE SET
             started_ms = excluded.started_ms, generation = excluded.generation",
        params![division, now_ms, generation],
    )
    .context("marking a full resync")?;
    Ok(())
}

/// The generation of the division's begun and unfinished full resync, if there is one that
/// can be continued (a mark from before migration 14 has none).
pub(crate) fn full_resync_generation(conn: &Connection, division: i32) -> Result<Option<i64>> {
    let found: Option<Option<i64>> = conn
        .query_row(
            "SELECT generation FROM full_resyncs WHERE division = ?1",
            params![division],
            |r| r.get(0),
        )
        .optional()
        .context("reading the full-resync mark")?;
    Ok(found.flatten())
}

/// Whether a full resync of the division was begun and not finished.
pub(crate) fn full_resync_pending(conn: &Connection, division: i32) -> Result<bool> {
    conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM full_resyncs WHERE division = ?1)",
        params![division],
        |r| r.get(0),
    )
    .context("reading the full-resync mark")
}

/// Forgets the full-resync mark of the division.
pub(crate) fn clear_full_resync(tx: &Transaction<'_>, division: i32) -> Result<()> {
    tx.execute(
        "DELETE FROM full_resyncs WHERE division = ?1",
        params![division],
    )
    .context("clearing the full-resync mark")?;
    Ok(())
}

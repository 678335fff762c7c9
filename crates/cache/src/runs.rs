//! The `sync_runs` and `sync_run_entities` tables: what every sync run did, per entity.

use rusqlite::{Connection, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::error::{Context, Error, Result};

/// The result of one entity (or the Deleted log) in one division within a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EntityResult {
    pub division: i32,
    /// An entity name (`"Items"`) or `"Deleted"`.
    pub entity: String,
    pub rows_upserted: u64,
    pub rows_deleted: u64,
    /// API calls made.
    pub calls: u64,
    /// Records set aside (see [`crate::SetAsideReason`]).
    pub set_aside: u64,
    /// Properties left out of this read (see [`crate::ExcludedProperty`]): Exact refused them,
    /// or they are in `too_large`.
    pub without: Vec<String>,
    /// The properties of `without` left out because a page with them was too large for Exact to
    /// serve ([`crate::ExclusionCause::TooLarge`]).
    #[serde(default)]
    pub too_large: Vec<String>,
    /// Why the entity stopped, if it failed.
    pub error: Option<String>,
}

/// A sync run with its per-entity results.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct RunSummary {
    pub id: i64,
    pub started_ms: i64,
    pub finished_ms: Option<i64>,
    /// What started it (`"interval"`, `"manual"`, `"startup"`, `"cli"` ...).
    pub trigger: String,
    /// `None` while running (or when the process died during the run).
    pub outcome: Option<String>,
    pub entities: Vec<EntityResult>,
}

pub(crate) fn start(tx: &Transaction<'_>, trigger: &str, started_ms: i64) -> Result<i64> {
    tx.execute(
        "INSERT INTO sync_runs (started_ms, trigger) VALUES (?1, ?2)",
        params![started_ms, trigger],
    )
    .context("starting a run")?;
    Ok(tx.last_insert_rowid())
}

fn to_i64(n: u64) -> i64 {
    i64::try_from(n).unwrap_or(i64::MAX)
}

/// Records (or replaces) an entity's result; the run must exist.
pub(crate) fn record(tx: &Transaction<'_>, run: i64, r: &EntityResult) -> Result<()> {
    let result = tx
        .prepare_cached(
            "INSERT OR REPLACE INTO sync_run_entities
                 (run, division, entity, rows_upserted, rows_deleted, calls, error, set_aside,
                  without, too_large)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )
        .context("preparing a run result")?
        .execute(params![
            run,
            r.division,
            r.entity,
            to_i64(r.rows_upserted),
            to_i64(r.rows_deleted),
            to_i64(r.calls),
            r.error,
            to_i64(r.set_aside),
            r.without.join(","),
            r.too_large.join(",")
        ]);
    match result {
        Ok(_) => Ok(()),
        Err(e) if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) => {
            Err(Error::NotFound {
                what: format!("sync run {run}"),
            })
        }
        Err(source) => Err(Error::Sqlite {
            context: "recording a run result",
            source,
        }),
    }
}

pub(crate) fn finish(
    tx: &Transaction<'_>,
    run: i64,
    finished_ms: i64,
    outcome: &str,
) -> Result<()> {
    let n = tx
        .execute(
            "UPDATE sync_runs SET finished_ms = ?2, outcome = ?3 WHERE id = ?1",
            params![run, finished_ms, outcome],
        )
        .context("finishing a run")?;
    if n == 0 {
        return Err(Error::NotFound {
            what: format!("sync run {run}"),
        });
    }
    Ok(())
}

fn entity_result(r: &rusqlite::Row<'_>) -> rusqlite::Result<EntityResult> {
    Ok(EntityResult {
        division: r.get(0)?,
        entity: r.get(1)?,
        rows_upserted: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
        rows_deleted: u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
        calls: u64::try_from(r.get::<_, i64>(4)?).unwrap_or(0),
        error: r.get(5)?,
        set_aside: u64::try_from(r.get::<_, i64>(6)?).unwrap_or(0),
        without: names(&r.get::<_, String>(7)?),
        too_large: names(&r.get::<_, String>(8)?),
    })
}

/// The names of a comma-separated column.
fn names(list: &str) -> Vec<String> {
    list.split(',')
        .filter(|p| !p.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The newest runs first, each with its entity results (by division, then entity).
pub(crate) fn recent(conn: &Connection, limit: usize) -> Result<Vec<RunSummary>> {
    let mut runs = conn
        .prepare_cached(
            "SELECT id, started_ms, finished_ms, trigger, outcome FROM sync_runs
             ORDER BY id DESC LIMIT ?1",
        )
        .context("preparing the run list")?
        .query_map(params![i64::try_from(limit).unwrap_or(i64::MAX)], |r| {
            Ok(RunSummary {
                id: r.get(0)?,
                started_ms: r.get(1)?,
                finished_ms: r.get(2)?,
                trigger: r.get(3)?,
                outcome: r.get(4)?,
                entities: Vec::new(),
            })
        })
        .context("listing runs")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .context("listing runs")?;
    let mut stmt = conn
        .prepare_cached(
            "SELECT division, entity, rows_upserted, rows_deleted, calls, error, set_aside, without,
                    too_large
             FROM sync_run_entities WHERE run = ?1 ORDER BY division, entity",
        )
        .context("preparing run results")?;
    for run in &mut runs {
        run.entities = stmt
            .query_map(params![run.id], entity_result)
            .context("reading run results")?
            .collect::<rusqlite::Result<Vec<_>>>()
            .context("reading run results")?;
    }
    Ok(runs)
}

/// The latest recorded result of an entity in a division: (run, result).
pub(crate) fn last_result(
    conn: &Connection,
    division: i32,
    entity: &str,
) -> Result<Option<(i64, EntityResult)>> {
    use rusqlite::OptionalExtension;
    conn.prepare_cached(
        "SELECT division, entity, rows_upserted, rows_deleted, calls, error, set_aside, without,
                too_large, run
         FROM sync_run_entities WHERE division = ?1 AND entity = ?2 ORDER BY run DESC LIMIT 1",
    )
    .context("preparing the last result")?
    .query_row(params![division, entity], |r| {
        Ok((r.get(9)?, entity_result(r)?))
    })
    .optional()
    .context("reading the last result")
}

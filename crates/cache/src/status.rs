//! What the cache holds per division and entity: rows, cursor, last result.

use rusqlite::Connection;
use serde::Serialize;

use crate::cursors::{self, DELETED_CURSOR};
use crate::entity::Entity;
use crate::error::{Context, Result};
use crate::exclusions::{self, ExclusionCause};
use crate::records;
use crate::refusals;
use crate::runs;
use crate::set_aside;

/// The state of one entity (or the Deleted log) in one division.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct EntityStatus {
    pub division: i32,
    /// An entity name (`"Items"`) or `"Deleted"`.
    pub entity: String,
    /// Rows stored (`None` for the Deleted log, which has no table).
    pub rows: Option<u64>,
    /// Highest committed `Timestamp`.
    pub cursor: Option<i64>,
    /// When the cursor last moved (epoch ms).
    pub cursor_updated_ms: Option<i64>,
    /// The run that last recorded a result for this entity.
    pub last_run: Option<i64>,
    pub last_upserted: Option<u64>,
    pub last_deleted: Option<u64>,
    pub last_error: Option<String>,
    /// Records set aside now (kept apart, not stored; see [`crate::SetAsideRow`]).
    pub set_aside: u64,
    /// Until when (epoch ms) the entity is not asked for, since Exact refused it; `None` when
    /// it is not resting.
    pub resting_until_ms: Option<i64>,
    /// Properties left out of its reads (until a full resync): Exact refused them, or they are
    /// in `too_large`.
    pub excluded: Vec<String>,
    /// The properties of `excluded` left out because a page with them was too large for Exact
    /// to serve ([`crate::ExclusionCause::TooLarge`]).
    pub too_large: Vec<String>,
}

/// Divisions that have been synced (a cursor, a recorded result, or stored rows).
fn known_divisions(conn: &Connection) -> Result<Vec<i32>> {
    let mut sql =
        String::from("SELECT division FROM cursors UNION SELECT division FROM sync_run_entities");
    for e in Entity::ALL {
        sql.push_str(&format!(
            " UNION SELECT DISTINCT division FROM {}",
            e.table()
        ));
    }
    sql.push_str(" ORDER BY 1");
    conn.prepare_cached(&sql)
        .context("preparing the division list")?
        .query_map([], |r| r.get(0))
        .context("listing divisions")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .context("listing divisions")
}

/// One status per known division × (every entity, then the Deleted log); rests that end by
/// `now_ms` are not shown.
pub(crate) fn all(conn: &Connection, now_ms: i64) -> Result<Vec<EntityStatus>> {
    let mut out = Vec::new();
    let set_aside = set_aside::summary(conn)?;
    let resting = refusals::current(conn, now_ms)?;
    let excluded = exclusions::all(conn)?;
    for division in known_divisions(conn)? {
        let cursors = cursors::all(conn, division)?;
        let keys = Entity::ALL
            .iter()
            .map(|e| (e.as_str(), Some(*e)))
            .chain([(DELETED_CURSOR, None)]);
        for (key, entity) in keys {
            let rows = match entity {
                Some(e) => Some(records::count(conn, division, e)?),
                None => None,
            };
            let cursor = cursors.iter().find(|(k, _, _)| k == key);
            let last = runs::last_result(conn, division, key)?;
            out.push(EntityStatus {
                division,
                entity: key.to_string(),
                rows,
                cursor: cursor.map(|c| c.1),
                cursor_updated_ms: cursor.map(|c| c.2),
                last_run: last.as_ref().map(|l| l.0),
                last_upserted: last.as_ref().map(|l| l.1.rows_upserted),
                last_deleted: last.as_ref().map(|l| l.1.rows_deleted),
                last_error: last.and_then(|l| l.1.error),
                set_aside: set_aside
                    .iter()
                    .find(|s| s.division == division && s.entity == key)
                    .map_or(0, |s| s.counts.total()),
                resting_until_ms: resting
                    .iter()
                    .find(|(d, e, _)| *d == division && e == key)
                    .map(|(_, _, until)| *until),
                excluded: excluded
                    .iter()
                    .filter(|x| x.division == division && x.entity == key)
                    .map(|x| x.property.clone())
                    .collect(),
                too_large: excluded
                    .iter()
                    .filter(|x| x.division == division && x.entity == key)
                    .filter(|x| x.cause == ExclusionCause::TooLarge)
                    .map(|x| x.property.clone())
                    .collect(),
            });
        }
    }
    Ok(out)
}

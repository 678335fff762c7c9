//! The `excluded_properties` table: properties Exact refused in an entity's `$select`, left out
//! of that entity's reads in the division until a full resync asks for them again
//! (migration 17). The Deleted log's `EntityType` filter is kept here too when Exact refuses it.

use rusqlite::{Connection, Transaction, params};
use serde::Serialize;

use crate::error::{Context, Result};

/// A property left out of an entity's reads because Exact refused it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExcludedProperty {
    pub division: i32,
    pub entity: String,
    pub property: String,
    /// Exact's message when it refused it.
    pub reason: String,
    pub since_ms: i64,
}

pub(crate) fn exclude(
    tx: &Transaction<'_>,
    division: i32,
    entity: &str,
    property: &str,
    reason: &str,
    now_ms: i64,
) -> Result<()> {
    tx.execute(
        "INSERT INTO excluded_properties (division, entity, property, reason, since_ms)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (division, entity, property) DO UPDATE SET reason = excluded.reason",
        params![division, entity, property, reason, now_ms],
    )
    .context("excluding a property")?;
    Ok(())
}

/// The properties left out of the entity's reads in the division, by name.
pub(crate) fn of(conn: &Connection, division: i32, entity: &str) -> Result<Vec<String>> {
    conn.prepare_cached(
        "SELECT property FROM excluded_properties WHERE division = ?1 AND entity = ?2
         ORDER BY property",
    )
    .context("preparing the excluded properties")?
    .query_map(params![division, entity], |r| r.get(0))
    .context("reading the excluded properties")?
    .collect::<rusqlite::Result<Vec<String>>>()
    .context("reading the excluded properties")
}

/// Every exclusion, by division, entity and property.
pub(crate) fn all(conn: &Connection) -> Result<Vec<ExcludedProperty>> {
    conn.prepare_cached(
        "SELECT division, entity, property, reason, since_ms FROM excluded_properties
         ORDER BY division, entity, property",
    )
    .context("preparing the excluded properties")?
    .query_map([], |r| {
        Ok(ExcludedProperty {
            division: r.get(0)?,
            entity: r.get(1)?,
            property: r.get(2)?,
            reason: r.get(3)?,
            since_ms: r.get(4)?,
        })
    })
    .context("listing the excluded properties")?
    .collect::<rusqlite::Result<Vec<_>>>()
    .context("listing the excluded properties")
}

/// Forgets the division's exclusions, so that its next reads ask for every property again.
pub(crate) fn clear(tx: &Transaction<'_>, division: i32) -> Result<usize> {
    tx.execute(
        "DELETE FROM excluded_properties WHERE division = ?1",
        params![division],
    )
    .context("clearing the excluded properties")
}

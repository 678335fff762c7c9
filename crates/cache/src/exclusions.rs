//! The `excluded_properties` table: properties left out of an entity's reads in the division
//! until a full resync asks for them again (migrations 17 and 18), each with its cause: Exact
//! refused it in `$select`, or a page with it was too large for Exact to serve. The Deleted log's
//! `EntityType` filter is kept here too when Exact refuses it.

use rusqlite::{Connection, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::error::{Context, Result};

/// Why a property is left out of an entity's reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum ExclusionCause {
    /// Exact refused the property in `$select` (a 400 naming it).
    Refused,
    /// A page failed as one too large for Exact to serve would (a server error or a body cut
    /// off, after the retries), and the read went through without the entity's large text
    /// properties, this one among them.
    TooLarge,
}

impl ExclusionCause {
    /// The name stored in the `cause` column.
    pub fn as_str(self) -> &'static str {
        match self {
            ExclusionCause::Refused => "refused",
            ExclusionCause::TooLarge => "too_large",
        }
    }

    /// The cause stored as `name`; an unknown name reads as [`ExclusionCause::Refused`], the
    /// column's default.
    pub fn parse(name: &str) -> ExclusionCause {
        match name {
            "too_large" => ExclusionCause::TooLarge,
            _ => ExclusionCause::Refused,
        }
    }

    /// Why, in words for a status line: "Exact refused it", "the page was too large for Exact
    /// to serve".
    pub fn explanation(self) -> &'static str {
        match self {
            ExclusionCause::Refused => "Exact refused it",
            ExclusionCause::TooLarge => "the page was too large for Exact to serve",
        }
    }
}

/// "without Barcode (Exact refused it), without Body (the page was too large for Exact to
/// serve)": the properties of `without` grouped by cause, those also in `too_large` as too
/// large. Empty when `without` is.
pub fn describe_without(without: &[String], too_large: &[String]) -> String {
    let (large, refused): (Vec<&str>, Vec<&str>) = without
        .iter()
        .map(String::as_str)
        .partition(|p| too_large.iter().any(|t| t == p));
    [
        (refused, ExclusionCause::Refused),
        (large, ExclusionCause::TooLarge),
    ]
    .into_iter()
    .filter(|(names, _)| !names.is_empty())
    .map(|(names, cause)| format!("without {} ({})", names.join(", "), cause.explanation()))
    .collect::<Vec<_>>()
    .join(", ")
}

/// A property left out of an entity's reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ExcludedProperty {
    pub division: i32,
    pub entity: String,
    pub property: String,
    pub cause: ExclusionCause,
    /// Exact's message when it refused the property or failed the page.
    pub reason: String,
    pub since_ms: i64,
}

pub(crate) fn exclude(
    tx: &Transaction<'_>,
    division: i32,
    entity: &str,
    property: &str,
    cause: ExclusionCause,
    reason: &str,
    now_ms: i64,
) -> Result<()> {
    tx.execute(
        "INSERT INTO excluded_properties (division, entity, property, cause, reason, since_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (division, entity, property)
         DO UPDATE SET cause = excluded.cause, reason = excluded.reason",
        params![division, entity, property, cause.as_str(), reason, now_ms],
    )
    .context("excluding a property")?;
    Ok(())
}

/// The properties left out of the entity's reads in the division, by name.
pub(crate) fn of(conn: &Connection, division: i32, entity: &str) -> Result<Vec<String>> {
    Ok(causes_of(conn, division, entity)?
        .into_iter()
        .map(|(property, _)| property)
        .collect())
}

/// The properties left out of the entity's reads in the division with their causes, by name.
pub(crate) fn causes_of(
    conn: &Connection,
    division: i32,
    entity: &str,
) -> Result<Vec<(String, ExclusionCause)>> {
    conn.prepare_cached(
        "SELECT property, cause FROM excluded_properties WHERE division = ?1 AND entity = ?2
         ORDER BY property",
    )
    .context("preparing the excluded properties")?
    .query_map(params![division, entity], |r| {
        Ok((r.get(0)?, ExclusionCause::parse(&r.get::<_, String>(1)?)))
    })
    .context("reading the excluded properties")?
    .collect::<rusqlite::Result<Vec<_>>>()
    .context("reading the excluded properties")
}

/// Every exclusion, by division, entity and property.
pub(crate) fn all(conn: &Connection) -> Result<Vec<ExcludedProperty>> {
    conn.prepare_cached(
        "SELECT division, entity, property, cause, reason, since_ms FROM excluded_properties
         ORDER BY division, entity, property",
    )
    .context("preparing the excluded properties")?
    .query_map([], |r| {
        Ok(ExcludedProperty {
            division: r.get(0)?,
            entity: r.get(1)?,
            property: r.get(2)?,
            cause: ExclusionCause::parse(&r.get::<_, String>(3)?),
            reason: r.get(4)?,
            since_ms: r.get(5)?,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn causes_round_trip_through_their_names() {
        for cause in [ExclusionCause::Refused, ExclusionCause::TooLarge] {
            assert_eq!(ExclusionCause::parse(cause.as_str()), cause);
        }
        assert_eq!(
            ExclusionCause::parse(""),
            ExclusionCause::Refused,
            "the column's default"
        );
    }

    #[test]
    fn without_is_told_by_cause() {
        let names = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(describe_without(&[], &[]), "");
        assert_eq!(
            describe_without(&names(&["Barcode"]), &[]),
            "without Barcode (Exact refused it)"
        );
        assert_eq!(
            describe_without(
                &names(&["Body", "Notes", "Barcode"]),
                &names(&["Body", "Notes"])
            ),
            "without Barcode (Exact refused it), without Body, Notes (the page was too large \
             for Exact to serve)"
        );
    }
}

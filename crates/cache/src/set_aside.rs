//! The `set_aside` table: records Exact sent that could not be stored as they are, kept as
//! sent with the reason, until a valid version arrives, Exact deletes them, or a full pass of
//! their entity no longer sees them (migration 15).

use std::fmt;

use rusqlite::{Connection, OptionalExtension, Transaction, params};
use serde::{Deserialize, Serialize};

use crate::entity::Entity;
use crate::error::{Context, Result};

/// The stored text of a set-aside record is cut to this many bytes; enough to recognise it.
pub const RAW_KEPT_BYTES: usize = 64 * 1024;

/// Why a record was set aside.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum SetAsideReason {
    /// No key (`ID`, or the key its endpoint documents), or one that is not a GUID.
    MissingKey,
    /// A property a typed column reads has a value of another type (a date that is a number).
    WrongType,
    /// Text that cannot be read: a lone UTF-16 surrogate, bytes that are not UTF-8, a number out
    /// of range; the page held it, the rest of the page was read.
    Unreadable,
    /// Larger than a record may be.
    TooLarge,
}

impl SetAsideReason {
    pub const ALL: [SetAsideReason; 4] = [
        SetAsideReason::MissingKey,
        SetAsideReason::WrongType,
        SetAsideReason::Unreadable,
        SetAsideReason::TooLarge,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SetAsideReason::MissingKey => "missing_key",
            SetAsideReason::WrongType => "wrong_type",
            SetAsideReason::Unreadable => "unreadable",
            SetAsideReason::TooLarge => "too_large",
        }
    }

    /// Words for a count of records, as in "2 without ID".
    pub fn describe(self) -> &'static str {
        match self {
            SetAsideReason::MissingKey => "without ID",
            SetAsideReason::WrongType => "with a value of the wrong type",
            SetAsideReason::Unreadable => "unreadable text",
            SetAsideReason::TooLarge => "too large",
        }
    }

    fn parse(text: &str) -> SetAsideReason {
        SetAsideReason::ALL
            .into_iter()
            .find(|r| r.as_str() == text)
            .unwrap_or(SetAsideReason::Unreadable)
    }
}

/// Records set aside, counted by reason.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SetAsideCounts {
    pub missing_key: u64,
    pub wrong_type: u64,
    pub unreadable: u64,
    pub too_large: u64,
}

impl SetAsideCounts {
    pub fn add(&mut self, reason: SetAsideReason, n: u64) {
        *self.slot(reason) += n;
    }

    pub fn get(&self, reason: SetAsideReason) -> u64 {
        match reason {
            SetAsideReason::MissingKey => self.missing_key,
            SetAsideReason::WrongType => self.wrong_type,
            SetAsideReason::Unreadable => self.unreadable,
            SetAsideReason::TooLarge => self.too_large,
        }
    }

    fn slot(&mut self, reason: SetAsideReason) -> &mut u64 {
        match reason {
            SetAsideReason::MissingKey => &mut self.missing_key,
            SetAsideReason::WrongType => &mut self.wrong_type,
            SetAsideReason::Unreadable => &mut self.unreadable,
            SetAsideReason::TooLarge => &mut self.too_large,
        }
    }

    pub fn total(&self) -> u64 {
        SetAsideReason::ALL.iter().map(|r| self.get(*r)).sum()
    }

    pub fn merge(&mut self, other: &SetAsideCounts) {
        for reason in SetAsideReason::ALL {
            self.add(reason, other.get(reason));
        }
    }
}

/// "3 records set aside: 2 without ID, 1 unreadable text"; empty when there are none.
impl fmt::Display for SetAsideCounts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let total = self.total();
        if total == 0 {
            return Ok(());
        }
        let noun = if total == 1 { "record" } else { "records" };
        write!(f, "{total} {noun} set aside: ")?;
        let parts: Vec<String> = SetAsideReason::ALL
            .iter()
            .filter(|r| self.get(**r) > 0)
            .map(|r| format!("{} {}", self.get(*r), r.describe()))
            .collect();
        f.write_str(&parts.join(", "))
    }
}

/// A record to set aside, as the sync engine found it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSetAside {
    /// The record's key when it has a usable one.
    pub key: Option<String>,
    pub reason: SetAsideReason,
    /// What exactly is wrong, in words (`"Modified: a number where a date belongs"`).
    pub detail: String,
    /// The record as Exact sent it (whole; the cache keeps [`RAW_KEPT_BYTES`] of it).
    pub raw: String,
}

/// A set-aside record as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SetAsideRow {
    pub division: i32,
    pub entity: String,
    pub key: Option<String>,
    pub reason: SetAsideReason,
    pub detail: String,
    /// The record as sent, at most [`RAW_KEPT_BYTES`].
    pub raw: String,
    /// The whole record's size in bytes.
    #[cfg_attr(feature = "ts", ts(type = "number"))]
    pub raw_bytes: u64,
    pub first_seen_ms: i64,
    pub last_seen_ms: i64,
    /// The last run that saw it.
    pub last_run: i64,
}

/// How many records one entity of one division has set aside now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SetAsideSummary {
    pub division: i32,
    pub entity: String,
    pub counts: SetAsideCounts,
}

/// The row's identity: its key, or without one a hash of its whole text (FNV-1a, 64 bits).
fn fingerprint(record: &NewSetAside) -> String {
    match &record.key {
        Some(key) => format!("key:{key}"),
        None => {
            let hash = record.raw.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
                (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
            });
            format!("text:{hash:016x}")
        }
    }
}

/// `text` cut to at most `max` bytes on a character boundary.
fn cut(text: &str, max: usize) -> &str {
    let mut end = text.len().min(max);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Stores (or refreshes) set-aside records seen by `run`.
pub(crate) fn put(
    tx: &Transaction<'_>,
    division: i32,
    entity: Entity,
    run: i64,
    now_ms: i64,
    records: &[NewSetAside],
) -> Result<()> {
    let mut stmt = tx
        .prepare_cached(
            "INSERT INTO set_aside (division, entity, fingerprint, record_key, reason, detail, raw,
                 raw_bytes, first_seen_ms, last_seen_ms, last_run)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?9, ?10)
             ON CONFLICT (division, entity, fingerprint) DO UPDATE SET
                 reason = excluded.reason, detail = excluded.detail, raw = excluded.raw,
                 raw_bytes = excluded.raw_bytes, last_seen_ms = excluded.last_seen_ms,
                 last_run = max(last_run, excluded.last_run)",
        )
        .context("preparing a set-aside write")?;
    for record in records {
        stmt.execute(params![
            division,
            entity.as_str(),
            fingerprint(record),
            record.key,
            record.reason.as_str(),
            record.detail,
            cut(&record.raw, RAW_KEPT_BYTES),
            i64::try_from(record.raw.len()).unwrap_or(i64::MAX),
            now_ms,
            run,
        ])
        .context("setting a record aside")?;
    }
    Ok(())
}

/// Whether the entity of the division has any set-aside record (checked once per batch, so
/// that storing a batch looks up its keys only when there is something to clear).
fn any(tx: &Transaction<'_>, division: i32, entity: Entity) -> Result<bool> {
    tx.prepare_cached("SELECT 1 FROM set_aside WHERE division = ?1 AND entity = ?2 LIMIT 1")
        .context("preparing a set-aside check")?
        .query_row(params![division, entity.as_str()], |_| Ok(()))
        .optional()
        .context("checking set-aside records")
        .map(|found| found.is_some())
}

/// Clears the set-aside records with these keys: a valid version was stored, or Exact deleted
/// the record.
pub(crate) fn clear_keys(
    tx: &Transaction<'_>,
    division: i32,
    entity: Entity,
    keys: impl IntoIterator<Item = String>,
) -> Result<usize> {
    if !any(tx, division, entity)? {
        return Ok(0);
    }
    let mut stmt = tx
        .prepare_cached(
            "DELETE FROM set_aside WHERE division = ?1 AND entity = ?2 AND record_key = ?3",
        )
        .context("preparing a set-aside clear")?;
    let mut n = 0;
    for key in keys {
        n += stmt
            .execute(params![division, entity.as_str(), key])
            .context("clearing a set-aside record")?;
    }
    Ok(n)
}

/// After a full pass of the entity marked with `generation` (the run that began it): clears
/// the records that pass did not see again.
pub(crate) fn sweep(
    tx: &Transaction<'_>,
    division: i32,
    entity: Entity,
    generation: i64,
) -> Result<usize> {
    tx.execute(
        "DELETE FROM set_aside WHERE division = ?1 AND entity = ?2 AND last_run < ?3",
        params![division, entity.as_str(), generation],
    )
    .context("sweeping set-aside records")
}

/// The set-aside records, newest first, optionally of one division and entity.
pub(crate) fn list(
    conn: &Connection,
    division: Option<i32>,
    entity: Option<Entity>,
    limit: usize,
) -> Result<Vec<SetAsideRow>> {
    conn.prepare_cached(
        "SELECT division, entity, record_key, reason, detail, raw, raw_bytes, first_seen_ms,
                last_seen_ms, last_run
         FROM set_aside
         WHERE (?1 IS NULL OR division = ?1) AND (?2 IS NULL OR entity = ?2)
         ORDER BY last_seen_ms DESC, division, entity, fingerprint
         LIMIT ?3",
    )
    .context("preparing the set-aside list")?
    .query_map(
        params![
            division,
            entity.map(Entity::as_str),
            i64::try_from(limit).unwrap_or(i64::MAX)
        ],
        |r| {
            Ok(SetAsideRow {
                division: r.get(0)?,
                entity: r.get(1)?,
                key: r.get(2)?,
                reason: SetAsideReason::parse(&r.get::<_, String>(3)?),
                detail: r.get(4)?,
                raw: r.get(5)?,
                raw_bytes: u64::try_from(r.get::<_, i64>(6)?).unwrap_or(0),
                first_seen_ms: r.get(7)?,
                last_seen_ms: r.get(8)?,
                last_run: r.get(9)?,
            })
        },
    )
    .context("listing set-aside records")?
    .collect::<rusqlite::Result<Vec<_>>>()
    .context("listing set-aside records")
}

/// Counts per division and entity, by reason (only entities that have some).
pub(crate) fn summary(conn: &Connection) -> Result<Vec<SetAsideSummary>> {
    let rows = conn
        .prepare_cached(
            "SELECT division, entity, reason, count(*) FROM set_aside
             GROUP BY division, entity, reason ORDER BY division, entity",
        )
        .context("preparing the set-aside counts")?
        .query_map([], |r| {
            Ok((
                r.get::<_, i32>(0)?,
                r.get::<_, String>(1)?,
                SetAsideReason::parse(&r.get::<_, String>(2)?),
                u64::try_from(r.get::<_, i64>(3)?).unwrap_or(0),
            ))
        })
        .context("counting set-aside records")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .context("counting set-aside records")?;
    let mut out: Vec<SetAsideSummary> = Vec::new();
    for (division, entity, reason, n) in rows {
        match out.last_mut() {
            Some(last) if last.division == division && last.entity == entity => {
                last.counts.add(reason, n);
            }
            _ => {
                let mut counts = SetAsideCounts::default();
                counts.add(reason, n);
                out.push(SetAsideSummary {
                    division,
                    entity,
                    counts,
                });
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_as_a_sentence() {
        let mut counts = SetAsideCounts::default();
        assert_eq!(counts.to_string(), "");
        counts.add(SetAsideReason::MissingKey, 2);
        counts.add(SetAsideReason::Unreadable, 1);
        assert_eq!(
            counts.to_string(),
            "3 records set aside: 2 without ID, 1 unreadable text"
        );
        let mut one = SetAsideCounts::default();
        one.add(SetAsideReason::TooLarge, 1);
        assert_eq!(one.to_string(), "1 record set aside: 1 too large");
        for reason in SetAsideReason::ALL {
            assert_eq!(SetAsideReason::parse(reason.as_str()), reason);
        }
    }

    #[test]
    fn stored_text_is_cut_on_a_character_boundary() {
        assert_eq!(cut("aé", 2), "a");
        assert_eq!(cut("aé", 3), "aé");
        assert_eq!(cut("", 5), "");
    }

    #[test]
    fn records_without_a_key_are_told_apart_by_their_text() {
        let record = |key: Option<&str>, raw: &str| NewSetAside {
            key: key.map(str::to_owned),
            reason: SetAsideReason::MissingKey,
            detail: String::new(),
            raw: raw.to_owned(),
        };
        assert_eq!(fingerprint(&record(Some("k"), "{}")), "key:k");
        assert_ne!(
            fingerprint(&record(None, r#"{"A":1}"#)),
            fingerprint(&record(None, r#"{"A":2}"#))
        );
        assert_eq!(
            fingerprint(&record(None, r#"{"A":1}"#)),
            fingerprint(&record(None, r#"{"A":1}"#))
        );
    }
}

//! The `refusals` table: entities Exact refused (a 4xx other than 401 and 429), resting until a
//! time with Exact's reason (migration 16). Exact blocks an app after ten errors per endpoint per
//! hour, so the sync engine does not ask a refused endpoint again before the rest ends; stored
//! here, the rest holds across processes (a sync started from cron is a new process each time).
//! A row leaves when its entity syncs again; an expired row is ignored until then.

use rusqlite::{Connection, OptionalExtension, Transaction, params};

use crate::error::{Context, Result};

/// Rests the entity of the division until `until_ms` (epoch ms) for `reason`, replacing any
/// rest it had.
pub(crate) fn put(
    tx: &Transaction<'_>,
    division: i32,
    entity: &str,
    until_ms: i64,
    reason: &str,
) -> Result<()> {
    tx.prepare_cached(
        "INSERT INTO refusals (division, entity, until_ms, reason) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (division, entity) DO UPDATE SET
             until_ms = excluded.until_ms, reason = excluded.reason",
    )
    .context("preparing a refusal write")?
    .execute(params![division, entity, until_ms, reason])
    .context("storing a refusal")?;
    Ok(())
}

/// The rest of the entity of the division that lasts past `now_ms`: until when, and why.
pub(crate) fn get(
    conn: &Connection,
    division: i32,
    entity: &str,
    now_ms: i64,
) -> Result<Option<(i64, String)>> {
    conn.prepare_cached(
        "SELECT until_ms, reason FROM refusals
         WHERE division = ?1 AND entity = ?2 AND until_ms > ?3",
    )
    .context("preparing a refusal read")?
    .query_row(params![division, entity, now_ms], |r| {
        Ok((r.get(0)?, r.get(1)?))
    })
    .optional()
    .context("reading a refusal")
}

/// Ends the rest of the entity of the division, if it has one (expired or not).
pub(crate) fn remove(tx: &Transaction<'_>, division: i32, entity: &str) -> Result<()> {
    tx.prepare_cached("DELETE FROM refusals WHERE division = ?1 AND entity = ?2")
        .context("preparing a refusal removal")?
        .execute(params![division, entity])
        .context("removing a refusal")?;
    Ok(())
}

/// Every rest that lasts past `now_ms`: (division, entity, until when).
pub(crate) fn current(conn: &Connection, now_ms: i64) -> Result<Vec<(i32, String, i64)>> {
    conn.prepare_cached(
        "SELECT division, entity, until_ms FROM refusals WHERE until_ms > ?1
         ORDER BY division, entity",
    )
    .context("preparing the refusal list")?
    .query_map(params![now_ms], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
    .context("listing refusals")?
    .collect::<rusqlite::Result<Vec<_>>>()
    .context("listing refusals")
}

#[cfg(test)]
mod tests {
    use crate::{Cache, EntityResult};

    const HOUR_MS: i64 = 3_600_000;

    fn open() -> (tempfile::TempDir, Cache) {
        let dir = tempfile::tempdir().expect("temp dir");
        let cache = Cache::open(&dir.path().join("cache.sqlite")).expect("opens");
        (dir, cache)
    }

    #[test]
    fn a_rest_lasts_until_its_end_and_no_longer() {
        let (_dir, cache) = open();
        let t = 1_700_000_000_000;
        assert_eq!(cache.resting(1, "Contacts", t).expect("reads"), None);
        cache
            .rest(1, "Contacts", t + HOUR_MS, "Forbidden")
            .expect("rests");
        assert_eq!(
            cache.resting(1, "Contacts", t).expect("reads"),
            Some((t + HOUR_MS, "Forbidden".to_owned()))
        );
        assert_eq!(
            cache
                .resting(1, "Contacts", t + HOUR_MS - 1)
                .expect("reads"),
            Some((t + HOUR_MS, "Forbidden".to_owned())),
            "still resting a millisecond before the end"
        );
        assert_eq!(
            cache.resting(1, "Contacts", t + HOUR_MS).expect("reads"),
            None,
            "an expired rest is ignored"
        );
        assert_eq!(
            cache.resting(2, "Contacts", t).expect("reads"),
            None,
            "another division is not resting"
        );
        assert_eq!(
            cache.resting(1, "Accounts", t).expect("reads"),
            None,
            "another entity is not resting"
        );
    }

    #[test]
    fn a_new_refusal_replaces_the_rest_and_a_success_ends_it() {
        let (_dir, cache) = open();
        let t = 1_700_000_000_000;
        cache.rest(1, "Items", t + HOUR_MS, "first").expect("rests");
        cache
            .rest(1, "Accounts", t + HOUR_MS, "other")
            .expect("rests");
        // Refused again after the first rest expired: the rest starts over with the new reason.
        cache
            .rest(1, "Items", t + 3 * HOUR_MS, "second")
            .expect("rests again");
        assert_eq!(
            cache.resting(1, "Items", t + 2 * HOUR_MS).expect("reads"),
            Some((t + 3 * HOUR_MS, "second".to_owned()))
        );
        cache.end_rest(1, "Items").expect("ends");
        assert_eq!(cache.resting(1, "Items", t).expect("reads"), None);
        assert!(
            cache.resting(1, "Accounts", t).expect("reads").is_some(),
            "only that entity's rest ends"
        );
        cache
            .end_rest(1, "Items")
            .expect("ending a rest that is not there is no error");
    }

    #[test]
    fn the_status_shows_a_current_rest() {
        let (_dir, cache) = open();
        let run = cache.start_run("test", 0).expect("starts a run");
        for entity in ["Items", "Contacts", "Accounts"] {
            cache
                .record_entity_result(
                    run,
                    &EntityResult {
                        division: 7,
                        entity: entity.to_owned(),
                        rows_upserted: 0,
                        rows_deleted: 0,
                        calls: 1,
                        set_aside: 0,
                        without: Vec::new(),
                        too_large: Vec::new(),
                        error: Some("Forbidden".to_owned()),
                    },
                )
                .expect("records");
        }
        let now = 1_780_000_000_000;
        cache
            .rest(7, "Contacts", now + HOUR_MS, "Forbidden")
            .expect("rests");
        cache
            .rest(7, "Accounts", now - 1, "Forbidden")
            .expect("rests");
        let status = cache.status(now).expect("status");
        let resting = |entity: &str| {
            status
                .iter()
                .find(|s| s.division == 7 && s.entity == entity)
                .unwrap_or_else(|| panic!("no status for {entity}"))
                .resting_until_ms
        };
        assert_eq!(resting("Contacts"), Some(now + HOUR_MS));
        assert_eq!(resting("Accounts"), None, "an expired rest is not shown");
        assert_eq!(resting("Items"), None);
    }
}

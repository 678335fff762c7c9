//! Records Exact sends that cannot be stored as they are: each is set aside with its reason,
//! every good record of its page is stored, the cursor moves on, and it leaves the list when a
//! valid version arrives or a full resync no longer sees it.

use crate::support::*;
use offline_cache::{Entity, SetAsideReason, SetAsideRow};
use offline_sync::{Outcome, SyncOptions};
use serde_json::json;

const ITEMS_PATH: &str = "sync/Logistics/Items";

/// `small()` has 2 300 items: pages of 1 000, 1 000 and 300, each with one bad record.
const BAD_PER_RUN: u64 = 3;

fn set_aside(h: &Harness, entity: Entity) -> Vec<SetAsideRow> {
    h.cache
        .set_aside_records(Some(h.division()), Some(entity), 100)
        .unwrap()
}

/// The simulator's items that are not set aside equal the cache's, and nothing else is cached.
async fn assert_items_equal_except(h: &Harness, aside: &[SetAsideRow]) {
    let d = h.division();
    let source = h.dump(d, Entity::Items).await;
    let cached = h.cached(d, Entity::Items);
    assert_eq!(cached.len() as u64, source.len() as u64 - BAD_PER_RUN);
    for (id, row) in &cached {
        assert_eq!(Some(row), source.get(id), "item {id} equals the simulator");
    }
    let keyed: Vec<&String> = aside.iter().filter_map(|r| r.key.as_ref()).collect();
    for id in keyed {
        assert!(source.contains_key(id) && !cached.contains_key(id), "{id}");
    }
    let cursor = h.cache.cursor(d, "Items").unwrap();
    let newest = source
        .values()
        .filter_map(|r| r["Timestamp"].as_i64())
        .max();
    assert_eq!(
        cursor, newest,
        "the cursor moved as if every record was read"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_kind_of_bad_record_is_set_aside_and_its_page_is_stored() {
    for (kind, reason, detail) in [
        ("missing_key", SetAsideReason::MissingKey, "no ID"),
        (
            "wrong_type",
            SetAsideReason::WrongType,
            "Modified should be a date, Exact sent 12345",
        ),
        ("lone_surrogate", SetAsideReason::Unreadable, "escape"),
        ("oversized_value", SetAsideReason::TooLarge, "MiB"),
    ] {
        let h = start(small()).await;
        h.admin(
            "faults",
            json!({"rules": [{"path": ITEMS_PATH, "kind": kind}]}),
        )
        .await;
        let report = h.run(&h.options()).await;
        assert_eq!(report.outcome, Outcome::Succeeded, "{kind}: {report:#?}");
        let items = report
            .entities
            .iter()
            .find(|e| e.entity == "Items")
            .unwrap();
        assert_eq!(items.set_aside.get(reason), BAD_PER_RUN, "{kind}");
        assert_eq!(report.set_aside().total(), BAD_PER_RUN, "{kind}");
        assert_eq!(items.rows_upserted, 2_300 - BAD_PER_RUN, "{kind}");

        let aside = set_aside(&h, Entity::Items);
        assert_eq!(aside.len() as u64, BAD_PER_RUN, "{kind}");
        for row in &aside {
            assert_eq!(row.reason, reason, "{kind}");
            assert!(row.detail.contains(detail), "{kind}: {}", row.detail);
            assert_eq!(row.last_run, report.run_id);
            assert_eq!(
                row.key.is_some(),
                reason != SetAsideReason::MissingKey,
                "{kind}: the key is kept when the record has one"
            );
        }
        if reason == SetAsideReason::TooLarge {
            assert!(aside.iter().all(|r| r.raw_bytes > 5 << 20));
            assert!(
                aside
                    .iter()
                    .all(|r| r.raw.len() <= offline_cache::RAW_KEPT_BYTES)
            );
        } else {
            assert!(aside.iter().all(|r| r.raw.len() as u64 == r.raw_bytes));
        }
        assert_items_equal_except(&h, &aside).await;

        let status = h.cache.status(crate::support::now()).unwrap();
        let row = status
            .iter()
            .find(|s| s.entity == "Items" && s.division == h.division())
            .unwrap();
        assert_eq!(row.set_aside, BAD_PER_RUN, "{kind}: status counts them");
        let runs = h.cache.runs(1).unwrap();
        let recorded = runs[0]
            .entities
            .iter()
            .find(|e| e.entity == "Items")
            .unwrap();
        assert_eq!(
            recorded.set_aside, BAD_PER_RUN,
            "{kind}: the run history keeps the count"
        );

        // Seen again by the next run (nothing new): still listed once each.
        let again = h.run(&h.options()).await;
        assert_eq!(again.outcome, Outcome::Succeeded);
        assert_eq!(set_aside(&h, Entity::Items).len() as u64, BAD_PER_RUN);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_later_valid_version_clears_a_set_aside_record() {
    let h = start(small()).await;
    h.admin(
        "faults",
        json!({"rules": [{"path": ITEMS_PATH, "kind": "lone_surrogate"}]}),
    )
    .await;
    h.run(&h.options()).await;
    let aside = set_aside(&h, Entity::Items);
    assert_eq!(aside.len() as u64, BAD_PER_RUN);
    h.admin("faults", json!({"rules": []})).await;

    // Two of the three are edited in Exact: they come back valid and leave the list.
    let edited: Vec<serde_json::Value> = aside[..2]
        .iter()
        .map(|r| json!({"ID": r.key.clone().unwrap(), "Description": "Repaired"}))
        .collect();
    h.admin(
        "mutate",
        json!({"division": h.division(), "entity": "Items", "update": edited}),
    )
    .await;
    let report = h.run(&h.options()).await;
    assert_eq!(report.outcome, Outcome::Succeeded);
    assert_eq!(report.set_aside().total(), 0);
    let left = set_aside(&h, Entity::Items);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].key, aside[2].key);

    // The third is deleted in Exact: the Deleted log clears it.
    h.admin(
        "mutate",
        json!({"division": h.division(), "entity": "Items", "delete": [aside[2].key.clone().unwrap()]}),
    )
    .await;
    h.run(&h.options()).await;
    assert!(set_aside(&h, Entity::Items).is_empty());
    h.assert_equal(h.division()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_resync_retries_every_set_aside_record() {
    let h = start(small()).await;
    h.admin(
        "faults",
        json!({"rules": [{"path": ITEMS_PATH, "kind": "missing_key"}]}),
    )
    .await;
    h.run(&h.options()).await;
    assert_eq!(set_aside(&h, Entity::Items).len() as u64, BAD_PER_RUN);
    h.admin("faults", json!({"rules": []})).await;

    // An incremental run does not see them again: without a key, nothing can clear them.
    h.run(&h.options()).await;
    assert_eq!(set_aside(&h, Entity::Items).len() as u64, BAD_PER_RUN);

    let full = SyncOptions {
        full: true,
        ..h.options()
    };
    let report = h.run(&full).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    assert!(set_aside(&h, Entity::Items).is_empty());
    h.assert_equal(h.division()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_master_read_whole_sets_aside_its_bad_record_until_it_is_read_valid() {
    let h = start(small()).await;
    h.admin(
        "faults",
        json!({"rules": [{"path": "logistics/Units", "kind": "missing_key", "count": 1}]}),
    )
    .await;
    let report = h.run(&h.options()).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    let units = report
        .entities
        .iter()
        .find(|e| e.entity == "Units")
        .unwrap();
    assert_eq!(units.set_aside.missing_key, 1);
    assert_eq!(set_aside(&h, Entity::Units).len(), 1);
    let source = h.dump(h.division(), Entity::Units).await;
    assert_eq!(
        h.cached(h.division(), Entity::Units).len(),
        source.len() - 1
    );

    // The next read (without the fault) is whole and valid: the set-aside record is gone.
    h.run(&h.options()).await;
    assert!(set_aside(&h, Entity::Units).is_empty());
    h.assert_equal(h.division()).await;
}

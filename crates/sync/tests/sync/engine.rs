//! The engine against exact-sim and a real SQLite file: after every sync the cache equals the
//! simulator's data, with the fewest calls, whatever faults and mutations happened.

use std::sync::{Arc, Mutex};

use exact_sim::SimConfig;
use offline_cache::Entity;
use offline_sync::{CancellationToken, Outcome, Phase, ProgressEvent, ProgressSink, SyncOptions};
use serde_json::json;

use crate::support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_sync_equals_the_simulator_with_the_fewest_calls() {
    let h = start(small()).await;
    let report = h.run(&h.options()).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    h.assert_equal(h.division()).await;
    // Sync endpoints page 1 000 rows: the floor is ⌈rows / 1000⌉ calls (one for an empty set).
    for entity in [
        "Items",
        "Accounts",
        "Contacts",
        "Addresses",
        "Documents",
        "DocumentAttachments",
        "SalesItemPrices",
        "StockPositions",
        "SalesOrderHeaders",
        "SalesOrderLines",
    ] {
        let e = outcome(&report, entity);
        assert!(e.rows_upserted > 0, "{entity}: the demo data has rows");
        let floor = e.rows_upserted.div_ceil(1000).max(1);
        assert_eq!(
            e.calls, floor,
            "{entity}: {} rows in {} calls",
            e.rows_upserted, e.calls
        );
    }
    assert_eq!(outcome(&report, "Items").rows_upserted, 2_300);

    // Extra fields page 1 000 rows too, but never split an item's fields over two pages.
    let extra = outcome(&report, "ItemExtraFields");
    assert!(extra.rows_upserted > 0);
    assert!(
        extra.calls <= extra.rows_upserted.div_ceil(997),
        "ItemExtraFields: {} rows in {} calls",
        extra.rows_upserted,
        extra.calls
    );

    // Nothing changed: one call per entity, nothing written; extra fields are filtered by
    // `Modified ge` (Exact has no `gt` there), so the latest ones are read and rewritten again.
    let latest_extra = {
        let fields = h.dump(h.division(), Entity::ItemExtraFields).await;
        let modified: Vec<&str> = fields
            .values()
            .filter_map(|r| r["Modified"].as_str())
            .collect();
        let latest = modified
            .iter()
            .max()
            .copied()
            .unwrap_or_default()
            .to_owned();
        modified.iter().filter(|m| **m == latest).count() as u64
    };
    let again = h.run(&h.options()).await;
    assert_eq!(again.outcome, Outcome::Succeeded);
    let extra = outcome(&again, "ItemExtraFields");
    assert_eq!(
        (extra.calls, extra.rows_upserted),
        (1, latest_extra),
        "ItemExtraFields: a no-change sync reads the fields of the latest Modified only"
    );
    for e in again
        .entities
        .iter()
        .filter(|e| !["ItemGroups", "Units", "ItemExtraFields"].contains(&e.entity.as_str()))
    {
        assert_eq!(
            (e.calls, e.rows_upserted),
            (1, 0),
            "{}: a no-change sync reads one empty page",
            e.entity
        );
    }
    let runs = h.cache.runs(10).unwrap();
    assert_eq!(runs.len(), 2, "both runs are recorded");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn incremental_sync_applies_inserts_updates_and_deletions() {
    let h = start(small()).await;
    h.run(&h.options()).await;
    let d = h.division();
    h.admin(
        "mutate",
        json!({"division": d, "entity": "Items", "insert": 5, "update": 7, "delete": 3}),
    )
    .await;
    h.admin(
        "mutate",
        json!({"division": d, "entity": "Accounts", "update": 4, "delete": 2}),
    )
    .await;
    h.admin(
        "mutate",
        json!({"division": d, "entity": "Contacts", "insert": 3, "delete": 1}),
    )
    .await;
    h.admin(
        "mutate",
        json!({"division": d, "entity": "DocumentAttachments", "delete": 2}),
    )
    .await;
    for (entity, insert, update, delete) in [
        ("SalesItemPrices", 2, 3, 2),
        ("StockPositions", 0, 4, 1),
        ("SalesOrderHeaders", 1, 2, 1),
        ("SalesOrderLines", 3, 2, 2),
    ] {
        h.admin(
            "mutate",
            json!({"division": d, "entity": entity, "insert": insert, "update": update, "delete": delete}),
        )
        .await;
    }
    let report = h.run(&h.options()).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    assert_eq!(
        outcome(&report, "Items").rows_upserted,
        12,
        "5 inserted + 7 updated items"
    );
    assert_eq!(outcome(&report, "Items").calls, 1);
    assert_eq!(
        outcome(&report, "Deleted").rows_deleted,
        14,
        "3 items, 2 accounts, 1 contact, 2 attachments, 2 prices, 1 stock position, 1 order, 2 lines"
    );
    for (entity, upserted) in [
        ("SalesItemPrices", 5),
        ("StockPositions", 4),
        ("SalesOrderHeaders", 3),
        ("SalesOrderLines", 5),
    ] {
        let e = outcome(&report, entity);
        assert_eq!((e.rows_upserted, e.calls), (upserted, 1), "{entity}");
    }
    h.assert_equal(d).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn small_batches_and_several_divisions_give_the_same_cache() {
    let h = start(SimConfig {
        divisions: 2,
        items: 1_500,
        accounts: 200,
        ..small()
    })
    .await;
    let divisions = h.demo.sim.division_codes();
    let options = SyncOptions {
        divisions: divisions.clone(),
        batch_size: 333,
        ..SyncOptions::default()
    };
    let report = h.run(&options).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    for d in divisions {
        h.assert_equal(d).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_refresh_sweeps_rows_that_vanished() {
    let h = start(small()).await;
    h.run(&h.options()).await;
    // A row Exact no longer has (its deletion fell out of the two-month Deleted log).
    let ghost = json!({"ID": "00000000-0000-0000-0000-00000000abcd", "Timestamp": 5, "Code": "GHOST", "Description": "gone"});
    let ghost = exact_api::Record(ghost.as_object().unwrap().clone());
    h.cache
        .apply_upserts(
            h.division(),
            Entity::Items,
            &[ghost],
            None,
            None,
            crate::support::now(),
        )
        .unwrap();
    assert_eq!(h.cached(h.division(), Entity::Items).len(), 2_301);
    let report = h
        .run(&SyncOptions {
            incremental: false,
            ..h.options()
        })
        .await;
    assert_eq!(report.outcome, Outcome::Succeeded);
    assert!(
        outcome(&report, "Items").rows_deleted >= 1,
        "the vanished row is swept"
    );
    h.assert_equal(h.division()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn transient_faults_are_survived_and_the_cache_still_equals() {
    let h = start(SimConfig {
        time_scale: 50.0,
        ..small()
    })
    .await;
    h.admin(
        "faults",
        json!({"rules": [
            {"path": "sync/", "kind": "status", "status": 503, "rate": 0.2, "count": 4},
            {"path": "sync/", "kind": "truncate", "rate": 0.2, "count": 2},
            {"path": "sync/", "kind": "malformed", "rate": 0.2, "count": 2},
            {"path": "sync/", "kind": "burst429", "rate": 0.2, "count": 2},
            {"path": "sync/", "kind": "reset", "rate": 0.2, "count": 2}
        ]}),
    )
    .await;
    let report = h.run(&h.options()).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    h.assert_equal(h.division()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelled_sync_resumes_to_an_equal_cache() {
    let h = start(SimConfig {
        items: 6_000,
        latency: std::time::Duration::from_millis(40),
        ..small()
    })
    .await;
    let cancel = CancellationToken::new();
    let events: Arc<Mutex<Vec<ProgressEvent>>> = Arc::default();
    let sink: ProgressSink = {
        let cancel = cancel.clone();
        let events = Arc::clone(&events);
        Arc::new(move |e: ProgressEvent| {
            if e.entity == "Items" && e.pages >= 2 {
                cancel.cancel();
            }
            events.lock().unwrap().push(e);
        })
    };
    // A commit per page, so that some pages are stored when the cancel comes.
    let options = SyncOptions {
        batch_size: 1000,
        ..h.options()
    };
    let report = h.engine.run(&options, "test", sink, cancel).await;
    assert_eq!(report.outcome, Outcome::Cancelled);
    let partial = h.cached(h.division(), Entity::Items).len();
    assert!(
        partial > 0 && partial < 6_000,
        "part of the items were committed before the cancel: {partial}"
    );
    assert!(
        events
            .lock()
            .unwrap()
            .iter()
            .any(|e| e.phase == Phase::Fetching),
        "progress was reported"
    );
    let resumed = h.run(&h.options()).await;
    assert_eq!(resumed.outcome, Outcome::Succeeded);
    assert!(
        outcome(&resumed, "Items").calls < 7,
        "the resumed run continues from the cursor"
    );
    h.assert_equal(h.division()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_moved_division_is_resynced_in_full() {
    let h = start(small()).await;
    h.run(&h.options()).await;
    let quiet = h.run(&h.options()).await;
    assert_eq!(outcome(&quiet, "Items").calls, 1, "nothing changed yet");
    h.admin("divisions/move", json!({"division": h.division()}))
        .await;
    let moved = h.run(&h.options()).await;
    assert_eq!(moved.outcome, Outcome::Succeeded, "{moved:#?}");
    let items = outcome(&moved, "Items");
    assert_eq!(
        (items.rows_upserted, items.calls),
        (2_300, 3),
        "every item is read again after a move"
    );
    h.assert_equal(h.division()).await;
    let after = h.run(&h.options()).await;
    assert_eq!(
        outcome(&after, "Items").calls,
        1,
        "the move is remembered: no second full resync"
    );
}

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
//! The engine against exact-sim and a real SQLite file: after every sync the cache equals the
//! simulator's data, with the fewest calls, whatever faults and mutations happened.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use exact_sim::SimConfig;
use offline_cache::Entity;
use offline_sync::{
    CancellationToken, Engine, ErrorCode, Outcome, Phase, ProgressEvent, ProgressSink, SyncOptions,
    ignore_progress,
};
use serde_json::json;

mod support;

use support::*;

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
        .apply_upserts(h.division(), Entity::Items, &[ghost], None, None)
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
async fn a_refused_entity_does_not_stop_the_others() {
    let h = start(small()).await;
    h.admin("faults", json!({"rules": [{"path": "sync/CRM/Contacts", "kind": "status", "status": 400, "count": 1}]})).await;
    let report = h.run(&h.options()).await;
    assert_eq!(report.outcome, Outcome::Partial);
    let contacts = outcome(&report, "Contacts");
    let (code, message) = contacts.error.clone().expect("contacts failed");
    assert_eq!(code, ErrorCode::Refused);
    assert!(!message.is_empty(), "Exact's message is kept");
    assert!(
        outcome(&report, "Addresses").error.is_none(),
        "later entities still sync"
    );
    let status = h.cache.status().unwrap();
    let contacts_status = status.iter().find(|s| s.entity == "Contacts").unwrap();
    assert!(
        contacts_status.last_error.is_some(),
        "the error is recorded for the status view"
    );
    // Exact blocks an app after ten errors per endpoint per hour: the refused endpoint rests.
    let soon = h.run(&h.options()).await;
    let resting = outcome(&soon, "Contacts");
    assert_eq!(
        resting.calls, 0,
        "a refused endpoint is not asked again within the hour"
    );
    assert_eq!(
        resting.error.as_ref().map(|e| e.0),
        Some(ErrorCode::Refused)
    );
    assert!(outcome(&soon, "Addresses").error.is_none());
    // A new engine (another process) asks again and catches up.
    let later: exact_api::SharedClock = Arc::new(exact_api::ScaledClock::new(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64
            + 3_700_000,
        1.0,
    ));
    let engine = Engine::new(h.demo.client.clone(), Arc::clone(&h.cache), later);
    let next = engine
        .run(
            &h.options(),
            "test",
            ignore_progress(),
            CancellationToken::new(),
        )
        .await;
    assert_eq!(next.outcome, Outcome::Succeeded, "{next:#?}");
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

/// When pages come slower than they are stored (Exact's pace), each is committed as it comes,
/// whatever the batch size: progress moves page by page and an interruption loses no page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_that_come_slowly_are_stored_one_by_one() {
    let h = start(SimConfig {
        items: 4_200,
        // Slow enough that a page is stored before the next arrives, also on a busy machine.
        latency: std::time::Duration::from_millis(600),
        ..small()
    })
    .await;
    let events: Arc<Mutex<Vec<ProgressEvent>>> = Arc::default();
    let sink: ProgressSink = {
        let events = Arc::clone(&events);
        Arc::new(move |e: ProgressEvent| events.lock().unwrap().push(e))
    };
    let options = SyncOptions {
        only: vec![Entity::Items],
        ..h.options()
    };
    assert!(
        options.batch_size > 4_200,
        "the default batch holds every item"
    );
    let report = h
        .engine
        .run(&options, "test", sink, CancellationToken::new())
        .await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    let stored_before_the_end: std::collections::BTreeSet<u64> = events
        .lock()
        .unwrap()
        .iter()
        .filter(|e| e.entity == "Items" && e.phase == Phase::Fetching)
        .map(|e| e.rows)
        .filter(|rows| (1..4_200).contains(rows))
        .collect();
    assert!(
        stored_before_the_end.len() >= 2,
        "items were committed while later pages loaded: {stored_before_the_end:?}"
    );
    assert_eq!(h.cached(h.division(), Entity::Items).len(), 4_200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broken_sign_in_stops_the_division_cleanly() {
    // The client waits for Exact's 570 s rule before refreshing after a 401; let time run fast.
    let h = start(SimConfig {
        time_scale: 500.0,
        ..small()
    })
    .await;
    h.admin(
        "faults",
        json!({"rules": [{"path": "sync/Logistics/Items", "kind": "revoke_grant", "count": 1}]}),
    )
    .await;
    let report = h.run(&h.options()).await;
    assert_eq!(
        report.outcome,
        Outcome::Partial,
        "item groups and units synced before: {report:#?}"
    );
    assert_eq!(
        outcome(&report, "Items").error.as_ref().map(|e| e.0),
        Some(ErrorCode::AuthRequired)
    );
    let accounts = outcome(&report, "Accounts").error.clone();
    assert_eq!(
        accounts.map(|e| e.0),
        Some(ErrorCode::AuthRequired),
        "the rest is skipped for the same reason"
    );
    assert_eq!(
        outcome(&report, "Accounts").calls,
        0,
        "no call is wasted after a broken sign-in"
    );
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_runs_on_demand_and_reports_its_state() {
    let h = start(small()).await;
    let scheduler =
        offline_sync::Scheduler::spawn(h.engine.clone(), h.options(), None, ignore_progress());
    let mut state = scheduler.state();
    assert!(
        state.borrow().last.is_none() && state.borrow().next_run_in_s.is_none(),
        "no interval: nothing planned"
    );
    scheduler.sync_now().await;
    let finished = tokio::time::timeout(std::time::Duration::from_secs(60), async {
        loop {
            state.changed().await.unwrap();
            let s = state.borrow().clone();
            if !s.running && s.last.is_some() {
                return s;
            }
        }
    })
    .await
    .expect("the run finishes");
    assert_eq!(finished.last.unwrap().outcome, Outcome::Succeeded);
    assert_eq!(finished.consecutive_failures, 0);
    h.assert_equal(h.division()).await;
}

/// The scheduler's next finished run after the run `after` (any, with `None`).
async fn next_report(
    state: &mut tokio::sync::watch::Receiver<offline_sync::SchedulerState>,
    after: Option<i64>,
) -> offline_sync::RunReport {
    tokio::time::timeout(std::time::Duration::from_secs(60), async {
        loop {
            {
                let s = state.borrow_and_update();
                if let Some(last) = s
                    .last
                    .as_ref()
                    .filter(|l| !s.running && Some(l.run_id) != after)
                {
                    return last.clone();
                }
            }
            state.changed().await.unwrap();
        }
    })
    .await
    .expect("the run finishes")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_scheduler_resyncs_everything_once_when_asked() {
    let h = start(small()).await;
    let scheduler =
        offline_sync::Scheduler::spawn(h.engine.clone(), h.options(), None, ignore_progress());
    let mut state = scheduler.state();
    scheduler.sync_now().await;
    let first = next_report(&mut state, None).await;
    assert_eq!(first.outcome, Outcome::Succeeded, "{first:#?}");

    scheduler.resync_all().await;
    let full = next_report(&mut state, Some(first.run_id)).await;
    assert_eq!(full.outcome, Outcome::Succeeded, "{full:#?}");
    assert_eq!(
        outcome(&full, "Items").rows_upserted,
        2_300,
        "every item is read again"
    );

    scheduler.sync_now().await;
    let after = next_report(&mut state, Some(full.run_id)).await;
    assert_eq!(after.outcome, Outcome::Succeeded, "{after:#?}");
    assert_eq!(
        (
            outcome(&after, "Items").rows_upserted,
            outcome(&after, "Items").calls
        ),
        (0, 1),
        "the run after the full resync is incremental again"
    );
    let triggers: Vec<String> = h
        .cache
        .runs(10)
        .unwrap()
        .into_iter()
        .rev()
        .map(|r| r.trigger)
        .collect();
    assert_eq!(triggers, ["scheduler", "full", "scheduler"]);
    h.assert_equal(h.division()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deleted_log_older_than_exact_keeps_forces_a_full_resync() {
    let h = start(small()).await;
    h.admin(
        "mutate",
        json!({"division": h.division(), "entity": "Items", "delete": 1}),
    )
    .await;
    h.run(&h.options()).await;
    // A quiet run still notes that the Deleted log was read, so it is not considered stale.
    let quiet = h.run(&h.options()).await;
    assert_eq!(outcome(&quiet, "Items").calls, 1);
    // The same cache seen 61 days later: the Deleted log no longer covers the gap.
    let later: exact_api::SharedClock = Arc::new(exact_api::ScaledClock::new(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64
            + 61 * 24 * 3_600_000,
        1.0,
    ));
    let engine = Engine::new(h.demo.client.clone(), Arc::clone(&h.cache), later);
    let report = engine
        .run(
            &h.options(),
            "test",
            ignore_progress(),
            CancellationToken::new(),
        )
        .await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    assert_eq!(
        outcome(&report, "Items").rows_upserted,
        2_299,
        "every remaining item is read again"
    );
    h.assert_equal(h.division()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn asset_work_follows_committed_rows_and_deletions() {
    let h = start(small()).await;
    let work: Arc<Mutex<Vec<offline_sync::AssetWork>>> = Arc::default();
    let sink: offline_sync::AssetSink = {
        let work = Arc::clone(&work);
        Arc::new(move |w| work.lock().unwrap().push(w))
    };
    let engine = h.engine.clone().with_assets(sink);
    engine
        .run(
            &h.options(),
            "test",
            ignore_progress(),
            CancellationToken::new(),
        )
        .await;
    let fetched: usize = work
        .lock()
        .unwrap()
        .iter()
        .map(|w| match w {
            offline_sync::AssetWork::Fetch(jobs) => jobs.len(),
            offline_sync::AssetWork::Forget(_) => 0,
        })
        .sum();
    let cached = |e| h.cache.count(h.division(), e).unwrap() as usize;
    let rows = cached(Entity::Items)
        + cached(Entity::Accounts)
        + cached(Entity::Contacts)
        + cached(Entity::DocumentAttachments);
    assert_eq!(
        fetched, rows,
        "one asset job per committed row that can carry a picture or file"
    );

    work.lock().unwrap().clear();
    let deleted = h
        .admin(
            "mutate",
            json!({"division": h.division(), "entity": "Items", "delete": 2}),
        )
        .await;
    engine
        .run(
            &h.options(),
            "test",
            ignore_progress(),
            CancellationToken::new(),
        )
        .await;
    let forgotten: Vec<String> = work
        .lock()
        .unwrap()
        .iter()
        .flat_map(|w| match w {
            offline_sync::AssetWork::Forget(keys) => {
                keys.iter().map(|k| k.record_id.clone()).collect()
            }
            offline_sync::AssetWork::Fetch(_) => Vec::new(),
        })
        .collect();
    let mut expected: Vec<String> = deleted["deleted"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect();
    let mut forgotten_sorted = forgotten.clone();
    forgotten_sorted.sort();
    expected.sort();
    assert_eq!(
        forgotten_sorted, expected,
        "deleted items' assets are forgotten"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_full_resync_is_continued_as_one() {
    let h = start(SimConfig {
        latency: std::time::Duration::from_millis(30),
        ..small()
    })
    .await;
    h.run(&h.options()).await;
    let ghost =
        json!({"ID": "00000000-0000-0000-0000-00000000beef", "Timestamp": 5, "Code": "GHOST"});
    let ghost = exact_api::Record(ghost.as_object().unwrap().clone());
    h.cache
        .apply_upserts(h.division(), Entity::Items, &[ghost], None, None)
        .unwrap();

    // A full resync, cancelled after the first page of items.
    let cancel = CancellationToken::new();
    let sink: ProgressSink = {
        let cancel = cancel.clone();
        Arc::new(move |e: ProgressEvent| {
            if e.entity == "Items" && e.pages >= 1 {
                cancel.cancel();
            }
        })
    };
    let full = SyncOptions {
        full: true,
        // A commit per page: the first page is stored when the cancel comes.
        batch_size: 1000,
        ..h.options()
    };
    let report = h.engine.run(&full, "test", sink, cancel).await;
    assert_eq!(report.outcome, Outcome::Cancelled);
    assert!(
        h.cache.full_resync_pending(h.division()).unwrap(),
        "the begun resync is remembered"
    );

    // The cancel stops the run before it stores a page loaded after the first.
    assert_eq!(
        outcome(&report, "Items").rows_upserted,
        1_000,
        "the first page of items was committed, and nothing after the cancel"
    );

    // An ordinary run afterwards finishes it from where it stopped (the first 1 000 items are
    // committed with their cursor), and the vanished row is swept.
    let next = h.run(&h.options()).await;
    assert_eq!(next.outcome, Outcome::Succeeded, "{next:#?}");
    assert_eq!(
        outcome(&next, "Items").rows_upserted,
        1_300,
        "the resync goes on after the items it read before"
    );
    assert_eq!(
        outcome(&next, "Items").rows_deleted,
        1,
        "the ghost is swept"
    );
    assert!(
        !h.cache.full_resync_pending(h.division()).unwrap(),
        "a completed resync clears its mark"
    );
    h.assert_equal(h.division()).await;
}

/// Every item's description as the simulator gives it in `language`.
async fn descriptions_from_exact(h: &Harness, language: &str) -> BTreeMap<String, Option<String>> {
    let url = h.demo.client.api_url(
        Some(h.division()),
        "sync/Logistics/Items",
        &[
            ("$select", "ID,Timestamp,Description"),
            ("$filter", "Timestamp gt 1L"),
        ],
    );
    let mut pager = h.demo.client.pages(
        h.division(),
        url,
        exact_api::RequestOptions {
            language: Some(language.to_owned()),
            ..exact_api::RequestOptions::default()
        },
    );
    let mut out = BTreeMap::new();
    while let Some(page) = pager.next_page().await.unwrap() {
        for r in page.records {
            out.insert(r.id().unwrap(), r.str("Description").map(str::to_owned));
        }
    }
    out
}

/// The descriptions the cache holds in `language`, for every item it holds.
fn cached_descriptions(h: &Harness, language: &str) -> BTreeMap<String, Option<String>> {
    let d = h.division();
    h.cached(d, Entity::Items)
        .keys()
        .map(|id| {
            let detail = h.cache.item(d, id).unwrap().unwrap();
            let found = detail
                .descriptions
                .into_iter()
                .find(|t| t.language == language)
                .unwrap_or_else(|| panic!("item {id} has no {language} description"));
            (id.clone(), found.description)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn item_descriptions_are_synced_per_language_and_follow_their_items() {
    let h = start(small()).await;
    let options = SyncOptions {
        languages: vec!["EN".into(), "de".into()],
        ..h.options()
    };
    let report = h.run(&options).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    for language in ["EN", "DE"] {
        let e = outcome(&report, &format!("Items ({language})"));
        assert_eq!((e.rows_upserted, e.calls), (2_300, 3), "{language}");
        assert_eq!(
            cached_descriptions(&h, language),
            descriptions_from_exact(&h, language).await,
            "{language} descriptions equal Exact's"
        );
    }
    let nl = descriptions_from_exact(&h, "NL").await;
    let en = descriptions_from_exact(&h, "EN").await;
    assert!(
        nl.iter().filter(|(id, d)| en[*id] != **d).count() > 2_000,
        "the languages differ"
    );

    // Updated items bring their translations again; deleted ones take them along.
    let d = h.division();
    h.admin(
        "mutate",
        json!({"division": d, "entity": "Items", "update": 4, "delete": 2}),
    )
    .await;
    let report = h.run(&options).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    let e = outcome(&report, "Items (EN)");
    assert_eq!((e.rows_upserted, e.calls), (4, 1));
    for language in ["EN", "DE"] {
        assert_eq!(
            cached_descriptions(&h, language),
            descriptions_from_exact(&h, language).await,
            "{language} after changes"
        );
    }
    let rows: i64 = rusqlite_count(&h, "SELECT count(*) FROM item_descriptions");
    assert_eq!(
        rows,
        2 * 2_298,
        "two deleted items left no translation behind"
    );
}

fn rusqlite_count(h: &Harness, sql: &str) -> i64 {
    let path = h._dir.path().join("cache.sqlite");
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

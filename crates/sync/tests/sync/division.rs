//! One division's run: an entity that fails alone or stops the division, and the pass it is
//! read with (a stale Deleted log resyncs in full; an interrupted full resync is continued).

use std::sync::Arc;

use exact_sim::SimConfig;
use offline_cache::Entity;
use offline_sync::{
    CancellationToken, Engine, ErrorCode, Outcome, ProgressEvent, ProgressSink, SyncOptions,
    ignore_progress,
};
use serde_json::json;

use crate::support::*;

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
    let status = h.cache.status(crate::support::now()).unwrap();
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
        .apply_upserts(
            h.division(),
            Entity::Items,
            &[ghost],
            None,
            None,
            crate::support::now(),
        )
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

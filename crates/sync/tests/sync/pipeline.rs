//! Pages applied as they come: committed page by page at Exact's pace, and asset work handed
//! on after each commit.

use std::sync::{Arc, Mutex};

use exact_sim::SimConfig;
use offline_cache::Entity;
use offline_sync::{
    CancellationToken, Outcome, Phase, ProgressEvent, ProgressSink, SyncOptions, ignore_progress,
};
use serde_json::json;

use crate::support::*;

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

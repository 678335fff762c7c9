//! A wait for Exact's refresh rule shows in the progress while it lasts.

use std::sync::{Arc, Mutex};

use crate::support::*;
use exact_sim::SimConfig;
use offline_sync::{CancellationToken, Outcome, ProgressEvent, ProgressSink};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wait_for_the_refresh_rule_is_shown_until_it_ends() {
    // 100× time: Exact's 570 s rule passes in seconds.
    let h = start(SimConfig {
        time_scale: 100.0,
        ..small()
    })
    .await;
    // The access token dies on the first Items call, long before Exact allows a refresh.
    h.admin(
        "faults",
        json!({"rules": [{"path": "sync/Logistics/Items", "kind": "revoke_access", "count": 1}]}),
    )
    .await;
    let events: Arc<Mutex<Vec<ProgressEvent>>> = Arc::default();
    let seen = Arc::clone(&events);
    let sink: ProgressSink = Arc::new(move |e| seen.lock().unwrap().push(e));
    let report = h
        .engine
        .run(&h.options(), "test", sink, CancellationToken::new())
        .await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    let events = events.lock().unwrap().clone();
    let waiting: Vec<&ProgressEvent> = events.iter().filter(|e| e.waiting.is_some()).collect();
    assert!(!waiting.is_empty(), "the wait was shown");
    let text = waiting[0].waiting.as_deref().unwrap();
    assert!(
        text.starts_with("waiting for Exact's refresh rule until "),
        "{text}"
    );
    assert_eq!(waiting[0].entity, "Items", "on the entity whose call waits");
    let after = events.iter().rposition(|e| e.waiting.is_some()).unwrap();
    assert!(
        events[after + 1..].iter().any(|e| e.entity == "Items"),
        "Items goes on after the wait"
    );
    assert!(events.last().unwrap().waiting.is_none(), "the wait ended");
    h.assert_equal(h.division()).await;
}

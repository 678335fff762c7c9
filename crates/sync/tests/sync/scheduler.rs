//! The scheduler: runs on demand, reports its state, and resyncs in full once when asked.

use offline_sync::{Outcome, ignore_progress};

use crate::support::*;

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

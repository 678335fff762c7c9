//! The scheduler stretches its interval when the day's shared call budget runs low.

use std::time::Duration;

use crate::support::*;
use exact_sim::SimConfig;
use offline_sync::{Outcome, Scheduler, ignore_progress};

async fn finished_run(scheduler: &Scheduler) -> offline_sync::SchedulerState {
    let mut state = scheduler.state();
    tokio::time::timeout(Duration::from_secs(120), async {
        loop {
            state.changed().await.unwrap();
            let s = state.borrow().clone();
            if !s.running && s.last.is_some() {
                return s;
            }
        }
    })
    .await
    .expect("the run finishes")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_low_daily_budget_stretches_the_interval_and_a_large_one_does_not() {
    let interval = Some(Duration::from_secs(15 * 60));
    for (daily_limit, stretched) in [(5_000, false), (40, true)] {
        // A first sync of this company takes about 20 calls of the division's day.
        let h = start(SimConfig {
            daily_limit,
            ..small()
        })
        .await;
        let scheduler =
            Scheduler::spawn(h.engine.clone(), h.options(), interval, ignore_progress());
        scheduler.sync_now().await;
        let s = finished_run(&scheduler).await;
        let report = s.last.as_ref().unwrap();
        assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
        assert_eq!(
            s.stretched_for_budget, stretched,
            "daily limit {daily_limit}"
        );
        let next = s.next_run_in_s.unwrap();
        match stretched {
            // 40 - 4 reserved leaves less than another run: the next waits for the reset.
            true => assert!(next > 15 * 60, "{next} s"),
            false => assert!(next <= 15 * 60, "{next} s"),
        }
    }
}

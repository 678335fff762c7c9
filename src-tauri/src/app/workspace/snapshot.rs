//! The live sync snapshot the window shows: kept in step with the scheduler and the engine's
//! progress, and sent to the window when it changes.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use offline_sync::{ErrorCode, Outcome, ProgressEvent, RunReport, SchedulerState};
use tauri::{AppHandle, Emitter};
use tokio::sync::Notify;

use super::super::dto::SyncSnapshot;
use super::lock;

/// Keeps the latest event of each division and entity. `waiting` tells about the division's
/// calls, not one entity's: each event sets (or clears) it on every entity of its division, so
/// an entity whose last event came during a wait does not keep showing it after.
pub(super) fn keep_progress(progress: &mut Vec<ProgressEvent>, event: &ProgressEvent) {
    for p in progress.iter_mut().filter(|p| p.division == event.division) {
        p.waiting.clone_from(&event.waiting);
    }
    match progress
        .iter_mut()
        .find(|p| p.division == event.division && p.entity == event.entity)
    {
        Some(slot) => *slot = event.clone(),
        None => progress.push(event.clone()),
    }
}

/// Keeps the snapshot in step with the scheduler.
pub(super) async fn forward_state(
    mut state: tokio::sync::watch::Receiver<SchedulerState>,
    snapshot: Arc<Mutex<SyncSnapshot>>,
    dirty: Arc<Notify>,
) {
    loop {
        {
            let current = state.borrow_and_update().clone();
            let mut s = lock(&snapshot);
            if current.running && !s.running {
                // A new run: its own progress and picture counts.
                s.progress.clear();
                s.assets = Default::default();
            }
            s.running = current.running;
            s.next_run_in_s = current.next_run_in_s;
            s.stretched_for_budget = current.stretched_for_budget;
            s.consecutive_failures = current.consecutive_failures;
            s.needs_sign_in = current.needs_sign_in;
            if let Some(report) = &current.last {
                if report.outcome == Outcome::Succeeded {
                    s.last_success_ms = Some(report.finished_ms);
                }
                if let Some(online) = reached_exact(report) {
                    s.online = Some(online);
                }
            }
            s.last = current.last;
        }
        dirty.notify_one();
        if state.changed().await.is_err() {
            return;
        }
    }
}

/// Whether a run shows Exact Online answering (`None` when it made no call either way).
fn reached_exact(report: &RunReport) -> Option<bool> {
    let offline = report
        .entities
        .iter()
        .filter_map(|e| e.error.as_ref())
        .chain(report.error.as_ref())
        .any(|(code, _)| *code == ErrorCode::Offline);
    if offline {
        Some(false)
    } else if report.calls() > 0 {
        Some(true)
    } else {
        None
    }
}

/// Sends the snapshot to the window when it changed, at most four times a second.
pub(super) async fn emit_snapshots(
    app: AppHandle,
    snapshot: Arc<Mutex<SyncSnapshot>>,
    dirty: Arc<Notify>,
) {
    loop {
        dirty.notified().await;
        let current = lock(&snapshot).clone();
        let _ = app.emit("sync-state", &current);
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use offline_sync::EntityOutcome;

    fn report(calls: u64, error: Option<ErrorCode>) -> RunReport {
        RunReport {
            run_id: 1,
            started_ms: 0,
            finished_ms: 1,
            outcome: if error.is_some() {
                Outcome::Failed
            } else {
                Outcome::Succeeded
            },
            entities: vec![EntityOutcome {
                division: 1,
                entity: "Items".into(),
                rows_upserted: 0,
                rows_deleted: 0,
                calls,
                set_aside: Default::default(),
                without: Vec::new(),
                too_large: Vec::new(),
                error: error.map(|c| (c, "x".to_owned())),
            }],
            error: None,
        }
    }

    #[test]
    fn online_follows_the_last_run() {
        assert_eq!(reached_exact(&report(3, None)), Some(true));
        assert_eq!(
            reached_exact(&report(0, Some(ErrorCode::Offline))),
            Some(false)
        );
        assert_eq!(reached_exact(&report(0, Some(ErrorCode::Cancelled))), None);
        assert_eq!(reached_exact(&report(0, None)), None);
    }

    fn event(division: i32, entity: &str, waiting: Option<&str>) -> ProgressEvent {
        ProgressEvent {
            division,
            entity: entity.into(),
            phase: offline_sync::Phase::Fetching,
            rows: 0,
            pages: 0,
            calls: 0,
            total: None,
            minutely_remaining: None,
            daily_remaining: None,
            rate: None,
            error: None,
            waiting: waiting.map(str::to_owned),
        }
    }

    #[test]
    fn a_wait_is_the_division_s_and_ends_for_each_of_its_entities() {
        let wait = "waiting for Exact's refresh rule until 14:03:12 UTC";
        let mut progress = Vec::new();
        keep_progress(&mut progress, &event(1, "Items", None));
        keep_progress(&mut progress, &event(1, "Accounts", Some(wait)));
        keep_progress(&mut progress, &event(2, "Items", Some(wait)));
        let waiting = |progress: &[ProgressEvent]| -> Vec<(i32, String, bool)> {
            progress
                .iter()
                .map(|p| (p.division, p.entity.clone(), p.waiting.is_some()))
                .collect()
        };
        assert_eq!(
            waiting(&progress),
            [
                (1, "Items".to_owned(), true),
                (1, "Accounts".to_owned(), true),
                (2, "Items".to_owned(), true),
            ],
            "one slot per division and entity, in the order of arrival"
        );
        // The engine sends the division's last event again when the wait ends.
        keep_progress(&mut progress, &event(1, "Accounts", None));
        assert_eq!(
            waiting(&progress),
            [
                (1, "Items".to_owned(), false),
                (1, "Accounts".to_owned(), false),
                (2, "Items".to_owned(), true),
            ]
        );
    }
}

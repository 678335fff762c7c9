//! When syncs happen: on an interval, on "sync now", and sooner again after a failure (with
//! exponential backoff capped by the interval). One run at a time; "cancel" stops the running one.
//! "Resync all" makes the next run a full resync; the runs after it are incremental again.

use std::time::Duration;

use serde::Serialize;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use crate::budget::SharedBudget;
use crate::engine::{Engine, SyncOptions};
use crate::progress::ProgressSink;
use crate::report::{Outcome, RunReport};

/// What the scheduler is doing, for the UI.
#[derive(Debug, Clone, Default, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct SchedulerState {
    pub running: bool,
    pub last: Option<RunReport>,
    /// Runs that failed in a row (drives the backoff).
    pub consecutive_failures: u32,
    /// Seconds until the next automatic run, when one is planned.
    pub next_run_in_s: Option<u64>,
    /// The last run found the sign-in broken; automatic runs wait for the user.
    pub needs_sign_in: bool,
    /// The next automatic run comes later than the interval: the day's Exact calls left,
    /// shared by every desktop on this app registration, would not last otherwise.
    pub stretched_for_budget: bool,
}

#[derive(Debug)]
enum Command {
    /// A run now (or right after the running one); `full`: a full resync.
    SyncNow {
        full: bool,
    },
    Cancel,
    Configure {
        options: SyncOptions,
        interval: Option<Duration>,
    },
}

/// A handle to the background scheduler task; dropping every handle stops it.
#[derive(Debug, Clone)]
pub struct Scheduler {
    commands: mpsc::Sender<Command>,
    state: watch::Receiver<SchedulerState>,
}

/// The first retry after a failure; doubles per failure, never beyond the interval.
const FIRST_BACKOFF: Duration = Duration::from_secs(60);

impl Scheduler {
    /// Starts the scheduler on the current tokio runtime. With `interval` `None`, only
    /// "sync now" starts a run.
    pub fn spawn(
        engine: Engine,
        options: SyncOptions,
        interval: Option<Duration>,
        progress: ProgressSink,
    ) -> Scheduler {
        let (commands, receiver) = mpsc::channel(16);
        let (state_tx, state) = watch::channel(SchedulerState::default());
        tokio::spawn(run_loop(
            engine, options, interval, progress, receiver, state_tx,
        ));
        Scheduler { commands, state }
    }

    /// Starts a run now (or right after the running one).
    pub async fn sync_now(&self) {
        let _ = self.commands.send(Command::SyncNow { full: false }).await;
    }

    /// Starts a full resync now (or right after the one running): the cursors are forgotten,
    /// every record is read again and rows Exact no longer has are removed. Only that run is
    /// full; the runs after it are incremental again.
    pub async fn resync_all(&self) {
        let _ = self.commands.send(Command::SyncNow { full: true }).await;
    }

    /// Cancels the running sync, if any.
    pub async fn cancel(&self) {
        let _ = self.commands.send(Command::Cancel).await;
    }

    /// New options and interval, used from the next run.
    pub async fn configure(&self, options: SyncOptions, interval: Option<Duration>) {
        let _ = self
            .commands
            .send(Command::Configure { options, interval })
            .await;
    }

    /// Watches the state.
    pub fn state(&self) -> watch::Receiver<SchedulerState> {
        self.state.clone()
    }
}

/// How long to wait before the next automatic run.
pub fn next_delay(interval: Option<Duration>, consecutive_failures: u32) -> Option<Duration> {
    let interval = interval?;
    if consecutive_failures == 0 {
        return Some(interval);
    }
    let backoff = FIRST_BACKOFF.saturating_mul(1 << (consecutive_failures - 1).min(16));
    Some(backoff.min(interval))
}

/// The run asked for ("sync now", "resync all") and not started yet: at most one, and full when
/// any of the requests was.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Request {
    asked: bool,
    full: bool,
}

impl Request {
    fn ask(&mut self, full: bool) {
        self.asked = true;
        self.full |= full;
    }

    /// The options of the run starting now (asked for or by the timer), which answers the
    /// request: a full resync asked for applies to this run only.
    fn take(&mut self, options: &SyncOptions) -> SyncOptions {
        let run = SyncOptions {
            full: options.full || self.full,
            ..options.clone()
        };
        *self = Request::default();
        run
    }
}

/// A delay longer than `delay` when a division's remaining daily calls (from Exact's headers
/// after this run), spent at the pace every desktop on the app registration spends them, would
/// not last until the reset.
fn budget_delay(
    engine: &Engine,
    budget: &mut SharedBudget,
    report: &RunReport,
    delay: Duration,
) -> Option<Duration> {
    budget.next_interval(
        delay,
        &report.calls_per_division(),
        |division| engine.client.rate(division),
        engine.clock.now_ms(),
    )
}

/// The scheduler task's state between runs.
struct Loop {
    engine: Engine,
    options: SyncOptions,
    interval: Option<Duration>,
    progress: ProgressSink,
    commands: mpsc::Receiver<Command>,
    state: watch::Sender<SchedulerState>,
    failures: u32,
    /// When the next automatic run starts, if one is planned.
    next: Option<Instant>,
    pending: Request,
    budget: SharedBudget,
}

/// What ended a wait for the next run.
enum Woken {
    /// A run is due: the timer, or "sync now".
    Run,
    /// Nothing to run yet (a cancel with nothing running, new options): wait again.
    Again,
    /// Every handle is gone.
    Closed,
}

async fn run_loop(
    engine: Engine,
    options: SyncOptions,
    interval: Option<Duration>,
    progress: ProgressSink,
    commands: mpsc::Receiver<Command>,
    state: watch::Sender<SchedulerState>,
) {
    let mut this = Loop {
        next: next_delay(interval, 0).map(|d| Instant::now() + d),
        engine,
        options,
        interval,
        progress,
        commands,
        state,
        failures: 0,
        pending: Request::default(),
        budget: SharedBudget::default(),
    };
    loop {
        let next = this.next;
        this.state.send_modify(|s| {
            s.next_run_in_s = next.map(|n| n.saturating_duration_since(Instant::now()).as_secs())
        });
        if !this.pending.asked {
            match this.wait().await {
                Woken::Run => {}
                Woken::Again => continue,
                Woken::Closed => return,
            }
        }
        let (report, closed) = this.run().await;
        this.finished(report);
        if closed {
            return;
        }
    }
}

impl Loop {
    /// Waits for the timer or a command.
    async fn wait(&mut self) -> Woken {
        let next = self.next;
        let timer = async {
            match next {
                Some(at) => tokio::time::sleep_until(at).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            _ = timer => Woken::Run,
            command = self.commands.recv() => match command {
                None => Woken::Closed,
                Some(Command::SyncNow { full }) => {
                    self.pending.ask(full);
                    Woken::Run
                }
                Some(Command::Cancel) => Woken::Again,
                Some(Command::Configure { options, interval }) => {
                    self.options = options;
                    self.interval = interval;
                    self.next = next_delay(interval, self.failures).map(|d| Instant::now() + d);
                    Woken::Again
                }
            },
        }
    }

    /// One run, listening to commands while it goes on; also whether every handle is gone.
    async fn run(&mut self) -> (RunReport, bool) {
        let current = self.pending.take(&self.options);
        self.state.send_modify(|s| s.running = true);
        let cancel = CancellationToken::new();
        let trigger = if current.full { "full" } else { "scheduler" };
        let run = self
            .engine
            .run(&current, trigger, self.progress.clone(), cancel.clone());
        tokio::pin!(run);
        let mut closed = false;
        let report = loop {
            tokio::select! {
                report = &mut run => break report,
                command = self.commands.recv(), if !closed => match command {
                    None => {
                        // Every handle is gone: stop this run and stop listening.
                        closed = true;
                        cancel.cancel();
                    }
                    Some(Command::Cancel) => cancel.cancel(),
                    Some(Command::SyncNow { full }) => self.pending.ask(full),
                    Some(Command::Configure { options, interval }) => {
                        self.options = options;
                        self.interval = interval;
                    }
                },
            }
        };
        (report, closed)
    }

    /// Plans the next run after `report` and shows both.
    fn finished(&mut self, report: RunReport) {
        self.failures = match report.outcome {
            Outcome::Failed => self.failures + 1,
            _ => 0,
        };
        // Without a valid sign-in every automatic run would fail at Exact's token endpoint:
        // wait for "sync now" (after the user signs in again) instead.
        let needs_sign_in = report.needs_sign_in();
        let delay = match needs_sign_in {
            true => None,
            false => next_delay(self.interval, self.failures),
        };
        let stretched =
            delay.and_then(|d| budget_delay(&self.engine, &mut self.budget, &report, d));
        let wait = stretched.or(delay);
        self.next = wait.map(|d| Instant::now() + d);
        let failures = self.failures;
        self.state.send_modify(|s| {
            // In the same update as the run's end, so no one sees the finished run beside the
            // wait planned before it.
            s.next_run_in_s = wait.map(|d| d.as_secs());
            s.stretched_for_budget = stretched.is_some();
            s.running = false;
            s.consecutive_failures = failures;
            s.needs_sign_in = needs_sign_in;
            s.last = Some(report);
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_and_is_capped_by_the_interval() {
        let hour = Some(Duration::from_secs(3600));
        assert_eq!(next_delay(hour, 0), Some(Duration::from_secs(3600)));
        assert_eq!(next_delay(hour, 1), Some(Duration::from_secs(60)));
        assert_eq!(next_delay(hour, 2), Some(Duration::from_secs(120)));
        assert_eq!(next_delay(hour, 3), Some(Duration::from_secs(240)));
        assert_eq!(next_delay(hour, 12), Some(Duration::from_secs(3600)));
        assert_eq!(
            next_delay(None, 3),
            None,
            "without an interval nothing runs by itself"
        );
    }

    #[test]
    fn a_full_resync_asked_for_is_the_next_run_only() {
        let options = SyncOptions {
            divisions: vec![5],
            batch_size: 250,
            ..SyncOptions::default()
        };
        let mut pending = Request::default();
        let by_timer = pending.take(&options);
        assert!(!by_timer.full, "a run of the timer is incremental");
        assert_eq!(
            (by_timer.divisions, by_timer.batch_size),
            (vec![5], 250),
            "the rest of the options stay"
        );

        pending.ask(true);
        assert!(pending.asked);
        assert!(pending.take(&options).full, "the run asked for is full");
        assert_eq!(pending, Request::default(), "the run answers the request");
        assert!(!pending.take(&options).full, "the run after it is not");

        pending.ask(false);
        assert!(!pending.take(&options).full, "sync now stays incremental");
    }

    #[test]
    fn requests_while_a_run_goes_on_become_one_run_full_if_any_was() {
        let options = SyncOptions::default();
        let mut pending = Request::default();
        pending.ask(true);
        pending.ask(false);
        assert!(
            pending.take(&options).full,
            "sync now does not undo resync all"
        );
        pending.ask(false);
        pending.ask(true);
        assert!(pending.take(&options).full);
        assert!(!pending.asked, "one run answers both");
    }
}

//! offline-sync: brings the offline cache up to date with Exact Online, with the fewest calls
//! the API allows, and never leaves it corrupt or ahead of itself.
//!
//! A sync is three steps (after Atuin): fetch since a stored cursor ([`exact_api`] sync
//! endpoints with a `$select` of every property), plan with pure functions ([`plan`]: dedupe by
//! ID keeping the highest `Timestamp`, cut into batches that carry a cursor only when safe), and
//! apply each batch in one transaction that also moves the cursor ([`offline_cache`]).
//! Deletions come from `sync/Deleted` with their own cursor; small masters (item groups, units)
//! are replaced whole; a moved division, a stale cursor or a user's request resyncs in full with
//! mark-and-sweep.
//!
//! The engine reports progress as domain events ([`ProgressEvent`]) and never names a UI type.

pub mod budget;
mod deletions;
mod division;
pub mod doctor;
pub mod engine;
mod failure;
mod heal;
mod pages;
mod pipeline;
pub mod plan;
pub mod progress;
pub mod report;
pub mod scheduler;
mod validate;

pub use doctor::{Check, DivisionReport, DoctorReport};
pub use engine::{DEFAULT_BATCH_SIZE, Engine, SyncOptions};
pub use pipeline::{AssetSink, AssetWork, asset_entity};
pub use progress::{Phase, ProgressEvent, ProgressSink, ignore_progress};
pub use report::{EntityOutcome, ErrorCode, Outcome, RunReport};
pub use scheduler::{Scheduler, SchedulerState};
pub use tokio_util::sync::CancellationToken;

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
//! offline-sync against exact-sim (the demo company, in-process) and a real SQLite file, one
//! module per module of `src/` where it can: whole runs (`engine`), a division's run
//! (`division`), pages applied as they come (`pipeline`), descriptions per language (`pages`),
//! healed reads (`heal`, `too_large`), rests after a refusal (`refusals`), set-aside records
//! (`set_aside`), the progress during a wait (`waits`), the scheduler (`scheduler`) and its
//! shared daily budget (`budget`). The harness is in `support`.

mod budget;
mod division;
mod engine;
mod heal;
mod pages;
mod pipeline;
mod refusals;
mod scheduler;
mod set_aside;
mod support;
mod too_large;
mod waits;

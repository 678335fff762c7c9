//! exact-api against exact-sim on port 0: the OAuth code flow, token lifecycle, pacing, paging,
//! faults and downloads, each checked against the simulator's own statistics and dumps. Each
//! module tests the module of `src/` it is named after; `support` holds the shared harness, and
//! `fuzz_regressions` the inputs the fuzz targets found.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod body;
mod client;
mod download;
mod fuzz_regressions;
mod loopback;
mod pacing;
mod pager;
mod renewal;
mod session;
mod support;

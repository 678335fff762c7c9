//! offline-assets against exact-sim (real downloads of real JPEG/PNG/GIF bytes, signed in
//! through the demo's OAuth flow) and hostile bytes fed to the decoder directly. Each module
//! tests the module of `src/` it is named after; `support` holds the shared harness, and
//! `fuzz_regressions` the inputs the fuzz targets found.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod budget;
mod downloads;
mod fuzz_regressions;
mod open_policy;
mod picture;
mod policy;
mod retention;
mod support;

//! End-to-end tests of Exact Offline, and the benchmark program's library.
//!
//! - [`webdriver`]: a small W3C WebDriver client;
//! - [`ui`]: the harness of the WebDriver scenarios in `tests/ui.rs`, which drive the real app
//!   (`exact-offline --data-dir <tmp>`) through tauri-driver and WebKitWebDriver under Xvfb. They are
//!   `#[ignore]`d because they need a display and the driver: `scripts/ui-tests.sh` runs them.
//! - [`focus`] and [`layout`]: what the keyboard and the 200 % zoom scenarios check on a screen
//!   (the focused element and its focus indicator; what does not fit the window).
//! - [`bench`]: every performance figure from one program (`src/bin/bench.rs`): syncs from the
//!   simulator, thumbnails, the window's commands and the launch of the release app.

pub mod bench;
pub mod focus;
pub mod layout;
pub mod ui;
pub mod webdriver;

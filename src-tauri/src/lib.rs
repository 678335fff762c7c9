//! exact-offline: the application binary: the Tauri window (`app`) and the headless command line
//! (login, sync, status, export) over the engine crates, which works without a display.
//!
//! The shell only adapts: it reads flags and settings, calls one engine function, and prints the
//! result. No SQL and no HTTP live here.

pub mod app;
pub mod cli;
pub mod company;
pub mod config;
pub mod diagnostics;
pub mod folders;
pub mod links;
pub mod pictures;
pub mod redirect;
pub mod registration;
pub mod table_export;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

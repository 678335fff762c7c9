//! The benchmark program: every figure of ARCHITECTURE.md → Performance from one run.
//!
//! `cargo run --release -p exact-offline-tests --bin bench -- [--scale S] [--json PATH]
//! [--only sync,nochange,budget,thumbs,search,launch,desktops] [--keep-data DIR] [--app PATH] [--runs N]
//! [--pictures N] [--work-dir DIR]`
//!
//! Starts exact-sim in this process, prints one table and writes the same figures as JSON to
//! PATH (default `target/bench/latest.json`) plus a copy named by the start time next to it.
//! The launch section needs the release app (`cargo build --release -p exact-offline`), Xvfb
//! (or a display) and tauri-driver; without them it says "skipped" and why. `--keep-data DIR`
//! leaves the browsing cache in DIR (reused on the next run), which the app opens with
//! `exact-offline --data-dir DIR`. Exits with 1 when a section failed or the simulator served a
//! 429.

#![allow(clippy::print_stdout)]

use std::path::PathBuf;

use anyhow::{Context, Result, bail};
use exact_offline_tests::bench::{self, Options, Section};

// The allocator is the app's own (mimalloc, set in the exact_offline library this links).

const USAGE: &str = "usage: bench [--scale S] [--json PATH] [--only sync,nochange,budget,thumbs,search,launch,desktops] \
[--keep-data DIR] [--app PATH] [--runs N] [--pictures N] [--work-dir DIR]";

fn options() -> Result<(Options, PathBuf)> {
    let mut options = Options::new(1.0);
    let mut json = None;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .with_context(|| format!("{arg} needs a value\n{USAGE}"))
        };
        match arg.as_str() {
            "--scale" => options.scale = value()?.parse().context("--scale takes a number")?,
            "--json" => json = Some(PathBuf::from(value()?)),
            "--only" => options.sections = Section::parse_list(&value()?)?,
            "--keep-data" => options.keep_data = Some(PathBuf::from(value()?)),
            "--app" => options.app = PathBuf::from(value()?),
            "--runs" => options.launch_runs = value()?.parse().context("--runs takes a count")?,
            "--pictures" => {
                options.pictures = value()?.parse().context("--pictures takes a count")?
            }
            "--work-dir" => options.work_dir = PathBuf::from(value()?),
            "-h" | "--help" => {
                println!("{USAGE}");
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}\n{USAGE}"),
        }
    }
    let json = json.unwrap_or_else(|| options.work_dir.join("latest.json"));
    Ok((options, json))
}

#[tokio::main]
async fn main() -> Result<()> {
    let (options, json) = options()?;
    let report = bench::run(&options).await?;
    print!("{}", bench::table::render(&report));
    let copy = bench::write_json(&report, &json)?;
    println!(
        "figures written to {} and {}",
        json.display(),
        copy.display()
    );
    if !report.failures.is_empty() {
        std::process::exit(1);
    }
    Ok(())
}

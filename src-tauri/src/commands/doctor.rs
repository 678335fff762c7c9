//! `exact-offline doctor`: checks what works between this computer and Exact Online and prints
//! a report to send when asking for help. It holds no token, secret, name or record.

use std::fmt::Write as _;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use offline_cache::Cache;
use offline_sync::{Check, DoctorReport, Engine};

use crate::cli::DoctorArgs;
use crate::commands::company;
use crate::config::cache_path;

pub async fn run(data_dir: &Path, args: &DoctorArgs) -> Result<ExitCode> {
    let company = company::open(data_dir, args.demo, &args.instance, &args.divisions).await?;
    let cache_file = cache_path(&company.dir);
    let cache = Arc::new(
        tokio::task::spawn_blocking(move || Cache::open(&cache_file))
            .await
            .context("cache task failed")??,
    );
    let engine = Engine::new(company.client.clone(), cache, Arc::clone(&company.clock));
    let report = engine.doctor(&company.divisions).await;
    let text = match args.json {
        true => serde_json::to_string_pretty(&report)?,
        false => render(company.client.base_url().as_str(), &report),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, &text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("Report written to {}", path.display());
        }
        None => {
            use std::io::Write;
            writeln!(std::io::stdout().lock(), "{text}")?;
        }
    }
    Ok(match report.ok() {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    })
}

/// The report as text: what was checked and what Exact answered, per division.
pub fn render(instance: &str, report: &DoctorReport) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Exact Offline {} diagnostics ({} {})\nInstance: {instance}",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::OS,
        std::env::consts::ARCH
    );
    for check in &report.checks {
        line(&mut out, check);
    }
    let _ = match report.clock_offset_ms {
        Some(ms) if ms.abs() > 60_000 => writeln!(
            out,
            "Clock: this computer is {:.0} s off Exact's; sign-in and rate limits need it within a minute",
            -(ms as f64) / 1000.0
        ),
        Some(ms) => writeln!(
            out,
            "Clock: within {:.0} s of Exact's",
            (ms.abs() as f64 / 1000.0).max(1.0)
        ),
        None => writeln!(out, "Clock: Exact sent no Date header"),
    };
    for report in &report.divisions {
        let _ = writeln!(out, "\nDivision {}", report.division);
        for check in &report.checks {
            out.push_str("  ");
            line(&mut out, check);
        }
        let rate = &report.rate;
        let number = |n: Option<i64>| n.map_or_else(|| "?".to_owned(), |n| n.to_string());
        let _ = writeln!(
            out,
            "  Rate limits: {} of {} calls left this minute, {} of {} today",
            number(rate.minutely_remaining),
            number(rate.minutely_limit),
            number(rate.daily_remaining),
            number(rate.daily_limit)
        );
        for x in &report.excluded {
            let _ = writeln!(
                out,
                "  Read without {}.{}: {}",
                x.entity, x.property, x.reason
            );
        }
        for s in &report.set_aside {
            let _ = writeln!(out, "  {}: {}", s.entity, s.counts);
        }
    }
    out
}

fn line(out: &mut String, check: &Check) {
    let mark = if check.ok { "ok  " } else { "FAIL" };
    let _ = writeln!(out, "{mark} {:<20} {}", check.name, check.detail);
}

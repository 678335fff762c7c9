//! The diagnostics report as text, for `exact-offline doctor` and the window's *Copy
//! diagnostics*: what was checked and what Exact answered. It holds no token, secret, name or
//! record (see [`offline_sync::doctor`]).

use std::fmt::Write as _;

use offline_sync::{Check, DoctorReport};

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
                "  Read without {}.{} ({}): {}",
                x.entity,
                x.property,
                x.cause.explanation(),
                x.reason
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

//! The report as the one table the program prints.

use std::fmt::Write as _;

use super::{Outcome, Report, Row, Rows};

fn section_rows<T: Rows>(outcome: &Outcome<T>) -> Vec<Row> {
    match outcome {
        Outcome::Measured(t) => t.rows(),
        Outcome::Skipped { skipped } => vec![super::row("skipped", skipped)],
        Outcome::Failed { error } => vec![super::row("FAILED", error)],
    }
}

fn load(l: Option<[f64; 3]>) -> String {
    l.map_or_else(
        || "unknown".into(),
        |[one, five, _]| format!("{one:.2} (5 min {five:.2})"),
    )
}

/// The table: a heading with the machine's facts, then each section's rows, then failures.
pub fn render(report: &Report) -> String {
    let m = &report.machine;
    let mut out = String::new();
    let commit = m
        .git_commit
        .as_deref()
        .map_or("unknown", |c| &c[..c.len().min(10)]);
    let dirty = if m.git_dirty == Some(true) {
        " + uncommitted changes"
    } else {
        ""
    };
    let _ = writeln!(
        out,
        "Exact Offline benchmark, scale {} — {} — commit {commit}{dirty}",
        report.scale, report.started
    );
    let _ = writeln!(
        out,
        "{} cores ({}); load at start {}, at end {}; {:.0} s in all",
        m.cores,
        m.cpu.as_deref().unwrap_or("unknown CPU"),
        load(m.load_start),
        load(m.load_end),
        report.wall_s
    );
    let s = &report.sections;
    let sections = [
        ("1 sync", section_rows(&s.sync)),
        ("2 nochange", section_rows(&s.nochange)),
        ("3 budget", section_rows(&s.budget)),
        ("4 thumbs", section_rows(&s.thumbs)),
        ("5 search", section_rows(&s.search)),
        ("6 launch", section_rows(&s.launch)),
        ("7 desktops", section_rows(&s.desktops)),
    ];
    let width = sections
        .iter()
        .flat_map(|(_, rows)| rows.iter().map(|r| r.measure.chars().count()))
        .max()
        .unwrap_or(0)
        .max("measure".len());
    let _ = writeln!(out, "{:<11} {:<width$}  value", "section", "measure");
    let _ = writeln!(out, "{:-<11} {:-<width$}  {:-<14}", "", "", "");
    for (name, rows) in &sections {
        for (i, r) in rows.iter().enumerate() {
            let label = if i == 0 { *name } else { "" };
            let _ = writeln!(out, "{label:<11} {:<width$}  {}", r.measure, r.value);
        }
    }
    if report.failures.is_empty() {
        let _ = writeln!(out, "no failures");
    } else {
        for f in &report.failures {
            let _ = writeln!(out, "FAILURE: {f}");
        }
    }
    out
}

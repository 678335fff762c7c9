//! `exact-offline status`: rows, cursors, last runs and errors per division and entity.

use std::path::Path;
use std::process::ExitCode;

use std::io::Write;

use anyhow::Result;
use offline_cache::{Cache, describe_without};

use super::company::open_copy;
use crate::cli::StatusArgs;

pub fn run(data_dir: &Path, args: &StatusArgs) -> Result<ExitCode> {
    let cache = open_copy(data_dir, args.demo)?;
    if args.set_aside {
        return set_aside(&cache, args);
    }
    let now = now_ms();
    let status = cache.status(now)?;
    let runs = cache.runs(5)?;
    if args.json {
        let json = serde_json::json!({
            "entities": status,
            "runs": runs,
            "set_aside": cache.set_aside_summary()?,
            "size_bytes": cache.size_on_disk()?,
        });
        writeln!(
            std::io::stdout().lock(),
            "{}",
            serde_json::to_string_pretty(&json)?
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:>9}  {:<20} {:>9}  {:>16}  {:>10}  last result",
        "division", "entity", "rows", "cursor", "synced"
    )?;
    for s in &status {
        let rows = s.rows.map_or_else(|| "-".to_owned(), |r| r.to_string());
        let cursor = s.cursor.map_or_else(|| "-".to_owned(), |c| c.to_string());
        let age = s
            .cursor_updated_ms
            .map_or_else(|| "never".to_owned(), |at| age(now - at));
        let mut result = match (&s.last_error, s.last_upserted) {
            (Some(e), _) => format!("error: {e}"),
            (None, Some(n)) => format!("ok, {n} upserted, {} deleted", s.last_deleted.unwrap_or(0)),
            (None, None) => String::new(),
        };
        if s.set_aside > 0 {
            result.push_str(&format!("; {} set aside", s.set_aside));
        }
        if !s.excluded.is_empty() {
            result.push_str(&format!(
                "; read {}; asked again by a full resync",
                describe_without(&s.excluded, &s.too_large)
            ));
        }
        if let Some(until) = s.resting_until_ms {
            result.push_str(&format!(
                "; not asked again for {} (Exact refused it)",
                self::age(until - now).trim_end_matches(" ago")
            ));
        }
        writeln!(
            out,
            "{:>9}  {:<20} {:>9}  {:>16}  {:>10}  {result}",
            s.division, s.entity, rows, cursor, age
        )?;
    }
    writeln!(
        out,
        "\nCache size: {:.1} MB",
        cache.size_on_disk()? as f64 / 1_048_576.0
    )?;
    let set_aside: u64 = status.iter().map(|s| s.set_aside).sum();
    if set_aside > 0 {
        writeln!(
            out,
            "{set_aside} records set aside: `exact-offline status{} --set-aside` lists them.",
            if args.demo { " --demo" } else { "" }
        )?;
    }
    if let Some(last) = runs.first() {
        writeln!(
            out,
            "Last run: #{} {} ({})",
            last.id,
            last.outcome.as_deref().unwrap_or("unfinished"),
            last.trigger
        )?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `status --set-aside`: every record set aside, with its reason (as JSON with `--json`).
fn set_aside(cache: &Cache, args: &StatusArgs) -> Result<ExitCode> {
    let rows = cache.set_aside_records(None, None, usize::MAX)?;
    let mut out = std::io::stdout().lock();
    if args.json {
        writeln!(out, "{}", serde_json::to_string_pretty(&rows)?)?;
        return Ok(ExitCode::SUCCESS);
    }
    if rows.is_empty() {
        writeln!(
            out,
            "No records are set aside: every record Exact sent is stored."
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let now = now_ms();
    writeln!(
        out,
        "{:>9}  {:<20} {:<36}  {:<30} {:>10}  detail",
        "division", "entity", "key", "reason", "seen"
    )?;
    for r in &rows {
        writeln!(
            out,
            "{:>9}  {:<20} {:<36}  {:<30} {:>10}  {}",
            r.division,
            r.entity,
            r.key.as_deref().unwrap_or("(no ID)"),
            r.reason.describe(),
            age(now - r.last_seen_ms),
            r.detail
        )?;
    }
    writeln!(
        out,
        "\n{} records were received from Exact but not stored, for the reason shown; everything \
         else is stored. A record leaves this list when Exact sends a valid version of it, when \
         it is deleted in Exact, or when a full resync (`exact-offline sync{} --full`) no longer \
         finds it. `--json` shows each record as Exact sent it.",
        rows.len(),
        if args.demo { " --demo" } else { "" }
    )?;
    Ok(ExitCode::SUCCESS)
}

/// The time a subcommand that opens no company judges by (rests, ages): this computer's clock.
pub(super) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// "12 s ago", "5 min ago", "3 h ago", "2 d ago".
fn age(ms: i64) -> String {
    let s = (ms / 1000).max(0);
    match s {
        0..=59 => format!("{s} s ago"),
        60..=3599 => format!("{} min ago", s / 60),
        3600..=86_399 => format!("{} h ago", s / 3600),
        _ => format!("{} d ago", s / 86_400),
    }
}

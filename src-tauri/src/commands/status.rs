//! `exact-offline status`: rows, cursors, last runs and errors per division and entity.

use std::path::Path;
use std::process::ExitCode;

use std::io::Write;

use anyhow::Result;
use offline_cache::Cache;

use crate::cli::StatusArgs;
use crate::config::{cache_path, demo_dir};

pub fn run(data_dir: &Path, args: &StatusArgs) -> Result<ExitCode> {
    let dir = if args.demo {
        demo_dir(data_dir)
    } else {
        data_dir.to_path_buf()
    };
    let path = cache_path(&dir);
    if !path.exists() {
        eprintln!(
            "No offline copy in {} yet. Run `exact-offline sync{}` first.",
            dir.display(),
            if args.demo { " --demo" } else { "" }
        );
        return Ok(ExitCode::FAILURE);
    }
    let cache = Cache::open(&path)?;
    let status = cache.status()?;
    let runs = cache.runs(5)?;
    if args.json {
        let json = serde_json::json!({ "entities": status, "runs": runs, "size_bytes": cache.size_on_disk()? });
        writeln!(
            std::io::stdout().lock(),
            "{}",
            serde_json::to_string_pretty(&json)?
        )?;
        return Ok(ExitCode::SUCCESS);
    }
    let now = now_ms();
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
        let result = match (&s.last_error, s.last_upserted) {
            (Some(e), _) => format!("error: {e}"),
            (None, Some(n)) => format!("ok, {n} upserted, {} deleted", s.last_deleted.unwrap_or(0)),
            (None, None) => String::new(),
        };
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

fn now_ms() -> i64 {
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

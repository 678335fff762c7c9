//! `exact-offline doctor`: checks what works between this computer and Exact Online and prints
//! a report to send when asking for help. It holds no token, secret, name or record.

use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, Result};
use offline_cache::Cache;
use offline_sync::Engine;

use crate::cli::DoctorArgs;
use crate::commands::company;
use crate::config::cache_path;
use crate::folders::Folders;

pub async fn run(folders: &Folders, args: &DoctorArgs) -> Result<ExitCode> {
    let company = company::open(folders, args.demo, &args.instance, &args.divisions).await?;
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
        false => crate::diagnostics::render(company.client.base_url().as_str(), &report),
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

//! `exact-offline sync`: one run of the engine with a progress bar per division and entity, a
//! summary table, and a non-zero exit code when anything failed.

use std::collections::HashMap;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use offline_assets::{AssetConfig, AssetEvent, job_for};
use offline_cache::{Cache, Entity, describe_without};
use offline_sync::{
    AssetSink, AssetWork, CancellationToken, Outcome, Phase, ProgressEvent, ProgressSink,
    RunReport, SyncOptions, asset_entity,
};

use super::company;
use crate::cli::{Instance, SyncArgs};
use crate::company::Company;
use crate::config::Connection;
use crate::folders::Folders;

/// Without a subcommand and without a display to show the window on: a headless sync of the
/// signed-in account, else of the demo company.
pub async fn run_default(folders: &Folders) -> Result<ExitCode> {
    // The signed-in account when there is one, else the built-in demo company.
    let demo = Connection::load(&folders.config)?.is_none();
    if demo {
        eprintln!(
            "Exact Offline: no display for the window and no account signed in, so here is a headless sync of the built-in demo company."
        );
    } else {
        eprintln!(
            "Exact Offline: no display for the window, so here is a headless sync of your Exact Online account."
        );
    }
    let args = SyncArgs {
        instance: Instance {
            region: None,
            base_url: None,
        },
        demo,
        divisions: Vec::new(),
        batch_size: 1000,
        full: false,
        no_pictures: false,
        entities: Vec::new(),
        languages: Vec::new(),
    };
    let code = run(folders, args).await?;
    let flag = if demo { " --demo" } else { "" };
    eprintln!(
        "Browse it with `exact-offline status{flag}` or `exact-offline export{flag} --entity Items`."
    );
    Ok(code)
}

pub async fn run(folders: &Folders, args: SyncArgs) -> Result<ExitCode> {
    let (signed_in, divisions) =
        company::choose(folders, args.demo, &args.instance, &args.divisions).await?;
    let company = Company::open(signed_in).await?;
    let mut engine = company.engine();
    let bars = Bars::new();
    // Pictures and logos of committed rows download beside the record sync, never blocking it.
    // A marker stays in the asset folder until a run has fetched every picture it was given; if
    // it is found, the last run stopped early (crash, Ctrl-C, failures), and every row is offered
    // again after the sync (the runner skips what is already stored).
    let marker = company.dir().join("assets").join("incomplete");
    let mut pictures = None;
    let mut catch_up = None;
    if !args.no_pictures {
        let unfinished = marker.exists();
        let (sink, runner) = start_assets(&company, &bars)?;
        std::fs::write(&marker, b"")
            .with_context(|| format!("cannot write {}", marker.display()))?;
        engine = engine.with_assets(Arc::clone(&sink));
        pictures = Some(runner);
        if unfinished {
            catch_up = Some(sink);
        }
    }
    let options = SyncOptions {
        divisions,
        batch_size: args.batch_size as usize,
        incremental: true,
        full: args.full,
        only: args.entities.clone(),
        languages: args.languages.clone(),
    };

    let cancel = CancellationToken::new();
    let on_interrupt = cancel.clone();
    tokio::spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            eprintln!(
                "\nCancelling; committed work is kept and the next sync continues from there. Press Ctrl-C again to quit at once."
            );
            on_interrupt.cancel();
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
    let report = engine
        .run(&options, "cli", bars.sink(), cancel.clone())
        .await;
    if let Some(sink) = catch_up {
        offer_every_row(engine.cache(), &report, sink).await?;
    }
    drop(engine);
    let assets = match pictures {
        Some(runner) => Some(runner.await.context("the picture downloads stopped")?),
        None => None,
    };
    if assets.is_some_and(|a| a.failed == 0) && !cancel.is_cancelled() {
        let _ = std::fs::remove_file(&marker);
    }
    bars.clear();
    print_summary(&report, args.demo)?;
    if let Some(a) = assets {
        use std::io::Write;
        writeln!(
            std::io::stdout().lock(),
            "Pictures: {} downloaded ({:.1} MB), {} unchanged, {} without a picture, {} failed.",
            a.stored,
            a.bytes as f64 / 1_048_576.0,
            a.unchanged,
            a.no_image,
            a.failed
        )?;
    }
    Ok(if report.outcome == Outcome::Succeeded {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Hands the asset jobs of every stored row of the synced divisions to the runner.
async fn offer_every_row(cache: &Arc<Cache>, report: &RunReport, sink: AssetSink) -> Result<()> {
    let mut divisions: Vec<i32> = report.entities.iter().map(|e| e.division).collect();
    divisions.dedup();
    let cache = Arc::clone(cache);
    tokio::task::spawn_blocking(move || -> Result<()> {
        for division in divisions {
            for (entity, kind) in Entity::ALL
                .into_iter()
                .filter_map(|e| Some((e, asset_entity(e)?)))
            {
                let mut jobs = Vec::new();
                cache.export(division, entity, &mut |json| {
                    let record: exact_api::Record = serde_json::from_str(json)?;
                    jobs.extend(job_for(kind, division, &record));
                    Ok(())
                })?;
                sink(AssetWork::Fetch(jobs));
            }
        }
        Ok(())
    })
    .await
    .context("the picture catch-up stopped")?
}

/// Starts the asset runner with a spinner counting jobs done; answers the sink for the engine
/// and the task that ends with the run's totals.
fn start_assets(
    company: &Company,
    bars: &Bars,
) -> Result<(AssetSink, tokio::task::JoinHandle<offline_assets::Summary>)> {
    let bar = bars.multi.add(ProgressBar::new_spinner());
    bar.set_style(
        ProgressStyle::with_template("{prefix:>28} {spinner} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    bar.set_prefix("pictures");
    let counts = Arc::new(Mutex::new((0u64, 0u64)));
    let events: offline_assets::EventSink = {
        let (bar, counts) = (bar.clone(), Arc::clone(&counts));
        Arc::new(move |event: &AssetEvent| {
            let mut c = counts.lock().unwrap_or_else(|p| p.into_inner());
            match event {
                AssetEvent::Queued { .. } => c.0 += 1,
                AssetEvent::Done { .. } => c.1 += 1,
            }
            bar.set_message(format!("{} of {} done", c.1, c.0));
            bar.tick();
        })
    };
    let pictures = company.start_pictures(AssetConfig::default(), Some(events), None)?;
    let runner = pictures.runner;
    let runner = tokio::spawn(async move {
        let summary = runner.await.unwrap_or_default();
        bar.finish_and_clear();
        summary
    });
    Ok((pictures.sink, runner))
}

/// One spinner per division and entity, drawn on standard error (hidden when it is not a terminal).
#[derive(Clone)]
struct Bars {
    multi: MultiProgress,
    bars: Arc<Mutex<HashMap<(i32, String), ProgressBar>>>,
}

impl Bars {
    fn new() -> Self {
        Bars {
            multi: MultiProgress::new(),
            bars: Arc::default(),
        }
    }

    fn sink(&self) -> ProgressSink {
        let this = self.clone();
        Arc::new(move |event: ProgressEvent| this.show(&event))
    }

    fn show(&self, e: &ProgressEvent) {
        let mut bars = self.bars.lock().unwrap_or_else(|p| p.into_inner());
        let bar = bars
            .entry((e.division, e.entity.clone()))
            .or_insert_with(|| {
                let bar = self.multi.add(ProgressBar::new_spinner());
                let style = ProgressStyle::with_template("{prefix:>28} {spinner} {msg}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner());
                bar.set_style(style);
                bar.set_prefix(format!("{} {}", e.division, e.entity));
                bar
            });
        let rate = e
            .rate
            .map_or_else(String::new, |r| format!(", {r:.0} rows/s"));
        let limit = e
            .minutely_remaining
            .map_or_else(String::new, |m| format!(", {m} calls left this minute"));
        match e.phase {
            Phase::Waiting => bar.set_message("waiting"),
            Phase::Fetching | Phase::Deleting => {
                bar.enable_steady_tick(Duration::from_millis(120));
                match &e.waiting {
                    Some(why) => bar.set_message(format!("{} rows, {why}", e.rows)),
                    None => {
                        bar.set_message(format!("{} rows, {} calls{rate}{limit}", e.rows, e.calls))
                    }
                }
            }
            Phase::Done => {
                bar.finish_with_message(format!("done: {} rows, {} calls", e.rows, e.calls))
            }
            Phase::Failed => {
                bar.finish_with_message(format!("failed: {}", e.error.as_deref().unwrap_or("?")))
            }
            Phase::Skipped => bar.finish_with_message("skipped"),
        }
    }

    fn clear(&self) {
        let _ = self.multi.clear();
    }
}

fn print_summary(report: &RunReport, demo: bool) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    writeln!(
        out,
        "{:>9}  {:<20} {:>9} {:>9} {:>7}  result",
        "division", "entity", "upserted", "deleted", "calls"
    )?;
    for e in &report.entities {
        let mut result = match &e.error {
            None => "ok".to_owned(),
            Some((code, message)) => format!("{code:?}: {message}"),
        };
        if e.set_aside.total() > 0 {
            result.push_str(&format!(", {} set aside", e.set_aside.total()));
        }
        if !e.without.is_empty() {
            result.push_str(&format!(", {}", describe_without(&e.without, &e.too_large)));
        }
        writeln!(
            out,
            "{:>9}  {:<20} {:>9} {:>9} {:>7}  {result}",
            e.division, e.entity, e.rows_upserted, e.rows_deleted, e.calls
        )?;
    }
    if let Some((code, message)) = &report.error {
        writeln!(out, "The sync could not start ({code:?}): {message}")?;
    }
    let seconds = (report.finished_ms - report.started_ms) as f64 / 1000.0;
    writeln!(
        out,
        "Run #{}: {} in {seconds:.1} s, {} rows, {} calls.",
        report.run_id,
        report.outcome.as_str(),
        report.rows_upserted(),
        report.calls()
    )?;
    let set_aside = report.set_aside();
    if set_aside.total() > 0 {
        writeln!(
            out,
            "{set_aside}; `exact-offline status{} --set-aside` lists them.",
            if demo { " --demo" } else { "" }
        )?;
    }
    Ok(())
}

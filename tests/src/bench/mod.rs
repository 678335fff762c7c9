//! The benchmark program's library (`cargo run --release -p exact-offline-tests --bin bench`):
//! every performance figure of ARCHITECTURE.md → Performance measured by one program, which starts
//! the simulator itself, prints one table and writes the same figures as JSON.
//!
//! Sections, in the order they run (each can be chosen with `--only`):
//! 1. `sync`: full sync of the sync company ([`sync`]);
//! 2. `nochange`: a sync right after it that finds nothing changed;
//! 3. `budget`: a full sync under Exact's budgets with latency, on a time-scaled clock ([`budget`]);
//! 4. `thumbs`: thumbnails per second ([`thumbs`]);
//! 5. `search`: list, search and detail latencies at the command boundary ([`browse`]);
//! 6. `launch`: the release app under WebDriver, to the first rendered row ([`launch`]);
//! 7. `desktops`: one day of twenty desktops sharing one app registration's budget
//!    ([`desktops`]).
//!
//! A section that cannot run here says why (`skipped: …`); one that fails says how, and the run
//! ends with failures listed, never a made-up figure.

pub mod browse;
pub mod budget;
pub mod desktops;
pub mod floor;
pub mod launch;
pub mod machine;
pub mod simulator;
pub mod sync;
pub mod table;
pub mod thumbs;

use std::fmt::Display;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result, bail};
use serde::Serialize;

use crate::ui::target_dir;

/// One part of the benchmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Sync,
    NoChange,
    Budget,
    Thumbs,
    Search,
    Launch,
    Desktops,
}

impl Section {
    pub const ALL: [Section; 7] = [
        Section::Sync,
        Section::NoChange,
        Section::Budget,
        Section::Thumbs,
        Section::Search,
        Section::Launch,
        Section::Desktops,
    ];

    /// The name used by `--only`, the table and the JSON.
    pub fn name(self) -> &'static str {
        match self {
            Section::Sync => "sync",
            Section::NoChange => "nochange",
            Section::Budget => "budget",
            Section::Thumbs => "thumbs",
            Section::Search => "search",
            Section::Launch => "launch",
            Section::Desktops => "desktops",
        }
    }

    /// Sections from a comma-separated list of names.
    pub fn parse_list(list: &str) -> Result<Vec<Section>> {
        list.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|name| {
                Section::ALL
                    .into_iter()
                    .find(|s| s.name() == name)
                    .with_context(|| {
                        let names: Vec<_> = Section::ALL.iter().map(|s| s.name()).collect();
                        format!("unknown section {name:?}: choose from {}", names.join(","))
                    })
            })
            .collect()
    }
}

/// What to run and where.
#[derive(Debug, Clone)]
pub struct Options {
    /// 1.0 = 100 000 items and the rest at the sizes the figures have always been quoted at.
    pub scale: f64,
    pub sections: Vec<Section>,
    /// Build the browsing cache here (and keep it) instead of in a temporary folder; an existing
    /// cache there is reused. The app opens it with `exact-offline --data-dir DIR`.
    pub keep_data: Option<PathBuf>,
    /// Where temporary caches go: on disk, not in a RAM-backed /tmp, so that the cache's writes
    /// cost what they cost.
    pub work_dir: PathBuf,
    /// The release app the launch section starts.
    pub app: PathBuf,
    pub launch_runs: usize,
    pub pictures: usize,
    /// How much faster than real time the desktops' day runs.
    pub day_time_scale: f64,
}

impl Options {
    /// Every section at `scale`, with the defaults of the programs this one replaced.
    pub fn new(scale: f64) -> Options {
        let target = target_dir();
        Options {
            scale,
            sections: Section::ALL.to_vec(),
            keep_data: None,
            work_dir: target.join("bench"),
            app: target.join("release").join("exact-offline"),
            launch_runs: 3,
            pictures: 400,
            day_time_scale: desktops::TIME_SCALE,
        }
    }

    fn wants(&self, section: Section) -> bool {
        self.sections.contains(&section)
    }
}

/// One line of the table.
#[derive(Debug, Clone)]
pub struct Row {
    pub measure: String,
    pub value: String,
}

pub fn row(measure: impl Into<String>, value: impl Display) -> Row {
    Row {
        measure: measure.into(),
        value: value.to_string(),
    }
}

/// "peak (at start)" in MiB, or "unknown" where /proc could not tell.
fn mib_pair(peak: Option<f64>, start: Option<f64>) -> String {
    match (peak, start) {
        (Some(p), Some(s)) => format!("{p:.0} ({s:.0})"),
        (Some(p), None) => format!("{p:.0}"),
        _ => "unknown".into(),
    }
}

/// Figures that show themselves as table rows.
pub trait Rows {
    fn rows(&self) -> Vec<Row>;
}

/// What became of one section.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Outcome<T> {
    Measured(T),
    Skipped { skipped: String },
    Failed { error: String },
}

impl<T> Outcome<T> {
    fn skipped(reason: impl Into<String>) -> Self {
        Outcome::Skipped {
            skipped: reason.into(),
        }
    }

    fn from_result(result: Result<T>) -> Self {
        match result {
            Ok(t) => Outcome::Measured(t),
            Err(e) => Outcome::Failed {
                error: format!("{e:#}"),
            },
        }
    }

    pub fn measured(&self) -> Option<&T> {
        match self {
            Outcome::Measured(t) => Some(t),
            _ => None,
        }
    }
}

const NOT_SELECTED: &str = "not selected (--only)";

/// Every section's outcome, under the names `--only` takes.
#[derive(Debug, Clone, Serialize)]
pub struct Sections {
    pub sync: Outcome<sync::FullSync>,
    pub nochange: Outcome<sync::NoChange>,
    pub budget: Outcome<budget::Budgeted>,
    pub thumbs: Outcome<thumbs::Thumbnails>,
    pub search: Outcome<browse::Browsing>,
    pub launch: Outcome<launch::Launch>,
    pub desktops: Outcome<desktops::Desktops>,
}

/// A whole run: what the table shows and the JSON holds.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub started: String,
    pub finished: String,
    pub wall_s: f64,
    pub scale: f64,
    pub machine: machine::Machine,
    pub sections: Sections,
    /// Why the run failed: sections that did not complete, and figures that broke a rule
    /// (a 429 served). Empty for a good run.
    pub failures: Vec<String>,
}

/// Where the browsing cache lives during a run.
enum DataDir {
    Kept(PathBuf),
    Temporary(tempfile::TempDir),
}

impl DataDir {
    fn path(&self) -> &Path {
        match self {
            DataDir::Kept(p) => p,
            DataDir::Temporary(t) => t.path(),
        }
    }
}

/// Runs the chosen sections one after another (each has the machine to itself, as far as this
/// program goes) and gathers their figures.
pub async fn run(options: &Options) -> Result<Report> {
    if !(options.scale.is_finite() && options.scale > 0.0) {
        bail!("the scale must be a positive number, not {}", options.scale);
    }
    std::fs::create_dir_all(&options.work_dir)
        .with_context(|| format!("creating {}", options.work_dir.display()))?;
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap_or(Path::new("."));
    let mut machine = machine::Machine::probe(workspace);
    let started = chrono::Utc::now();
    let clock = Instant::now();
    let scale = options.scale;
    let work = options.work_dir.as_path();

    let (mut full, mut nochange) = (
        Outcome::skipped(NOT_SELECTED),
        Outcome::skipped(NOT_SELECTED),
    );
    if options.wants(Section::Sync) || options.wants(Section::NoChange) {
        progress(&format!("full sync and no-change sync, scale {scale}"));
        match sync::run(scale, work).await {
            Ok((f, n)) => {
                if options.wants(Section::Sync) {
                    full = Outcome::Measured(f);
                }
                if options.wants(Section::NoChange) {
                    nochange = Outcome::Measured(n);
                }
            }
            Err(e) => {
                let error = format!("{e:#}");
                if options.wants(Section::Sync) {
                    full = Outcome::Failed {
                        error: error.clone(),
                    };
                }
                if options.wants(Section::NoChange) {
                    nochange = Outcome::Failed { error };
                }
            }
        }
    }

    let budgeted = if options.wants(Section::Budget) {
        progress("full sync under Exact's budgets, time-scaled");
        Outcome::from_result(budget::run(scale, work).await)
    } else {
        Outcome::skipped(NOT_SELECTED)
    };

    let thumbnails = if options.wants(Section::Thumbs) {
        progress(&format!("thumbnails of {} pictures", options.pictures));
        let pictures = options.pictures;
        Outcome::from_result(
            tokio::task::spawn_blocking(move || thumbs::run(pictures))
                .await
                .unwrap_or_else(|e| Err(anyhow::anyhow!("the thumbnail run panicked: {e}"))),
        )
    } else {
        Outcome::skipped(NOT_SELECTED)
    };

    // The launch is checked before the browsing cache is built, so a machine without a display
    // stack learns it at once.
    let launch_unavailable = options
        .wants(Section::Launch)
        .then(|| launch::unavailable(&options.app))
        .flatten();
    let needs_data = options.wants(Section::Search)
        || (options.wants(Section::Launch) && launch_unavailable.is_none())
        || options.keep_data.is_some();
    let mut data = None;
    let mut built = Ok(None);
    if needs_data {
        let dir = match &options.keep_data {
            Some(dir) => DataDir::Kept(dir.clone()),
            None => DataDir::Temporary(tempfile::tempdir_in(work)?),
        };
        progress(&format!("browsing cache in {}", dir.path().display()));
        built = browse::build(dir.path(), scale).await;
        data = Some(dir);
    }
    let built_error = built.as_ref().err().map(|e| format!("{e:#}"));
    let searched = match (&data, &built) {
        _ if !options.wants(Section::Search) => Outcome::skipped(NOT_SELECTED),
        (Some(dir), Ok(secs)) => {
            progress("search, list and detail commands");
            Outcome::from_result(browse::run(dir.path(), *secs).await)
        }
        _ => Outcome::Failed {
            error: built_error.clone().unwrap_or_default(),
        },
    };
    let launched = match (&data, &launch_unavailable) {
        _ if !options.wants(Section::Launch) => Outcome::skipped(NOT_SELECTED),
        (_, Some(reason)) => Outcome::skipped(reason.clone()),
        (Some(dir), None) if built_error.is_none() => {
            progress("launch of the release app under WebDriver");
            Outcome::from_result(
                launch::run(&options.app, dir.path(), work, options.launch_runs).await,
            )
        }
        _ => Outcome::Failed {
            error: built_error.unwrap_or_default(),
        },
    };
    if let Some(DataDir::Kept(dir)) = &data {
        progress(&format!(
            "kept the data folder: exact-offline --data-dir {}",
            dir.display()
        ));
    }

    let day = if options.wants(Section::Desktops) {
        progress(&format!(
            "one day of {} desktops on one app registration",
            desktops::DESKTOPS
        ));
        Outcome::from_result(desktops::run(work, options.day_time_scale).await)
    } else {
        Outcome::skipped(NOT_SELECTED)
    };

    machine.finish();
    let sections = Sections {
        sync: full,
        nochange,
        budget: budgeted,
        thumbs: thumbnails,
        search: searched,
        launch: launched,
        desktops: day,
    };
    let failures = failures(&sections);
    Ok(Report {
        started: started.to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        finished: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        wall_s: clock.elapsed().as_secs_f64(),
        scale,
        machine,
        sections,
        failures,
    })
}

fn progress(what: &str) {
    eprintln!("bench: {what}…");
}

/// Sections that failed, and measured figures that break a rule.
fn failures(s: &Sections) -> Vec<String> {
    let error = |name: &str, e: Option<&String>| e.map(|e| format!("{name}: {e}"));
    let errors = [
        error("sync", failed(&s.sync)),
        error("nochange", failed(&s.nochange)),
        error("budget", failed(&s.budget)),
        error("thumbs", failed(&s.thumbs)),
        error("search", failed(&s.search)),
        error("launch", failed(&s.launch)),
        error("desktops", failed(&s.desktops)),
        s.budget
            .measured()
            .and_then(budget::Budgeted::failure)
            .map(|f| format!("budget: {f}")),
        s.desktops
            .measured()
            .and_then(desktops::Desktops::failure)
            .map(|f| format!("desktops: {f}")),
        s.thumbs
            .measured()
            .and_then(thumbs::Thumbnails::failure)
            .map(|f| format!("thumbs: {f}")),
    ];
    errors.into_iter().flatten().collect()
}

fn failed<T>(outcome: &Outcome<T>) -> Option<&String> {
    match outcome {
        Outcome::Failed { error } => Some(error),
        _ => None,
    }
}

/// Writes the report to `path` and a copy named by its start time next to it, so that runs can
/// be compared later. Returns the copy's path.
pub fn write_json(report: &Report, path: &Path) -> Result<PathBuf> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let json = serde_json::to_vec_pretty(report)?;
    std::fs::write(path, &json).with_context(|| format!("writing {}", path.display()))?;
    let stamp: String = report
        .started
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let copy = dir.join(format!("bench-{stamp}.json"));
    std::fs::write(&copy, &json).with_context(|| format!("writing {}", copy.display()))?;
    Ok(copy)
}

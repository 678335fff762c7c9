//! The headless command line: parsing, dispatch, and one module per subcommand.

mod company;
mod doctor;
mod export;
mod login;
mod status;
mod sync;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use exact_api::Region;

use crate::redirect::RedirectHost;

/// Exact Offline keeps an offline copy of your Exact Online data.
#[derive(Debug, Parser)]
#[command(name = "exact-offline", version, about)]
pub struct Cli {
    /// One folder for the offline copy, settings, tokens and logs (default: the platform's data,
    /// config, cache and log folders).
    #[arg(long, global = true, env = "EXACT_OFFLINE_DATA_DIR")]
    pub data_dir: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Sign in to Exact Online with your app registration, or the shared one this copy was set up
    /// with (prints the URL to open).
    Login(LoginArgs),
    /// Bring the offline copy up to date.
    Sync(SyncArgs),
    /// Show what the offline copy holds, per division and entity.
    Status(StatusArgs),
    /// Write an entity's records as CSV or JSON lines.
    Export(ExportArgs),
    /// Check sign-in, every endpoint, the rate limits and the clock; print a report to send
    /// when asking for help (no token, secret or customer data in it).
    Doctor(DoctorArgs),
}

/// Which Exact Online instance to talk to.
#[derive(Debug, Clone, Args)]
pub struct Instance {
    /// Exact Online region: nl, be, de, fr, es, co.uk, com.
    #[arg(long, conflicts_with = "base_url")]
    pub region: Option<Region>,
    /// Base URL of the instance (overrides --region), e.g. a simulator's.
    #[arg(long)]
    pub base_url: Option<String>,
}

impl Instance {
    pub fn base_url(&self) -> Option<String> {
        self.base_url
            .clone()
            .or_else(|| self.region.map(|r| r.base_url().to_owned()))
    }
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    #[command(flatten)]
    pub instance: Instance,
    /// Client id of your app in the Exact App Center [default: the shared app registration this
    /// copy was set up with, if any].
    #[arg(long)]
    pub client_id: Option<String>,
    /// Client secret of that app (needed with --client-id).
    #[arg(long, env = "EXACT_CLIENT_SECRET", hide_env_values = true)]
    pub client_secret: Option<String>,
    /// Host of the redirect URI registered for the app: localhost or 127.0.0.1 [default:
    /// localhost]. The URI is http://HOST:PORT/callback.
    #[arg(long, value_name = "localhost|127.0.0.1")]
    pub redirect_host: Option<RedirectHost>,
    /// Port of that redirect URI, 1024 to 65535 [default: 47615].
    #[arg(long, value_name = "PORT", value_parser = crate::redirect::parse_port)]
    pub redirect_port: Option<u16>,
    /// The whole redirect URI registered for the app, instead of --redirect-host and
    /// --redirect-port (http:// on 127.0.0.1, localhost or [::1], any port and path). Without
    /// any of the three, a login of the app signed in before reuses the URI saved then, else
    /// http://localhost:47615/callback.
    #[arg(long, conflicts_with_all = ["redirect_host", "redirect_port"])]
    pub redirect_uri: Option<String>,
    /// Divisions to sync (repeatable); default: the current division.
    #[arg(long = "division")]
    pub divisions: Vec<i32>,
    /// Minutes to wait for the browser sign-in.
    #[arg(long, default_value_t = 10)]
    pub timeout_minutes: u64,
}

#[derive(Debug, Args)]
pub struct SyncArgs {
    #[command(flatten)]
    pub instance: Instance,
    /// Sync the built-in demo company instead of a real account.
    #[arg(long)]
    pub demo: bool,
    /// Divisions to sync (repeatable); default: those chosen at login.
    #[arg(long = "division")]
    pub divisions: Vec<i32>,
    /// Records per transaction at most (pages are stored as they come when Exact is slower).
    #[arg(long, default_value_t = offline_sync::DEFAULT_BATCH_SIZE as u32, value_parser = clap::value_parser!(u32).range(1..=100_000))]
    pub batch_size: u32,
    /// Forget the cursors and read everything again (removes rows Exact no longer has).
    #[arg(long)]
    pub full: bool,
    /// Do not download pictures and logos (records only).
    #[arg(long)]
    pub no_pictures: bool,
    /// Sync only this entity (repeatable; Exact's names, e.g. `Items`, `SalesOrderLines`);
    /// default: all.
    #[arg(long = "entity", value_parser = parse_entity)]
    pub entities: Vec<offline_cache::Entity>,
    /// Also keep item descriptions in this language (repeatable; Exact's codes: EN, DE, FR-BE).
    #[arg(long = "language")]
    pub languages: Vec<String>,
}

fn parse_entity(name: &str) -> Result<offline_cache::Entity, String> {
    name.parse()
        .map_err(|e: offline_cache::Error| e.to_string())
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    #[command(flatten)]
    pub instance: Instance,
    /// Check the built-in demo company instead of a real account.
    #[arg(long)]
    pub demo: bool,
    /// Divisions to check (repeatable); default: those chosen at login.
    #[arg(long = "division")]
    pub divisions: Vec<i32>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
    /// Write the report to this file instead of the terminal.
    #[arg(long)]
    pub output: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct StatusArgs {
    /// Show the demo company's copy.
    #[arg(long)]
    pub demo: bool,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// List the records set aside (received from Exact but not stored, with the reason).
    #[arg(long)]
    pub set_aside: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Format {
    Csv,
    Jsonl,
    Xlsx,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Items, ItemGroups, Units, Accounts, Contacts, Addresses, Documents, DocumentAttachments,
    /// SalesItemPrices, StockPositions, SalesOrderHeaders, SalesOrderLines, ItemExtraFields.
    #[arg(long)]
    pub entity: String,
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    /// Only this division (default: every division in the copy).
    #[arg(long)]
    pub division: Option<i32>,
    /// Write to this file instead of standard output.
    #[arg(long)]
    pub output: Option<PathBuf>,
    /// Export the demo company's copy.
    #[arg(long)]
    pub demo: bool,
    /// Only these columns (Exact's property names, comma separated), for csv and xlsx.
    #[arg(long, value_delimiter = ',')]
    pub columns: Vec<String>,
    /// Items or Accounts only: the rows the app's list shows for this search.
    #[arg(long)]
    pub search: Option<String>,
    /// Items only: just the items with stock on hand.
    #[arg(long)]
    pub in_stock: bool,
}

/// Parses the command line, runs the command, and turns errors into a message and exit code.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    // The folders first, private to the user, with an earlier version's files carried over
    // and its webview data removed before a log file opens beside theirs.
    let prepared = crate::folders::prepare(cli.data_dir.as_deref());
    let _log_writer = init_logging(prepared.as_ref().ok().map(|(f, _)| f.logs.as_path()));
    let folders = match prepared {
        Ok((folders, report)) => {
            report.log();
            folders
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    if cli.command.is_none() && has_display() {
        return open_window(folders);
    }
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            // Login only writes the connection and the token files: the config folder.
            Some(Command::Login(args)) => login::run(&folders.config, args).await,
            Some(Command::Sync(args)) => sync::run(&folders, args).await,
            // Status and export only read the offline copy: the data folder.
            Some(Command::Status(args)) => status::run(&folders.data, &args),
            Some(Command::Export(args)) => export::run(&folders.data, &args),
            Some(Command::Doctor(args)) => doctor::run(&folders, &args).await,
            None => sync::run_default(&folders).await,
        }
    });
    match result {
        Ok(code) => code,
        // A closed pipe (`... | head`) is the reader's choice, not an error.
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
            }) =>
        {
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Whether a window can be shown (on Linux: an X11 or Wayland display is set).
fn has_display() -> bool {
    if cfg!(target_os = "linux") {
        ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|v| std::env::var_os(v).is_some_and(|d| !d.is_empty()))
    } else {
        true
    }
}

fn open_window(folders: crate::folders::Folders) -> ExitCode {
    match crate::app::run(folders) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs go to standard error (`RUST_LOG`, default `warn`) and to a daily file in the logs folder
/// (default `info`; seven files kept). Tokens and secrets are never logged.
fn init_logging(
    logs: Option<&std::path::Path>,
) -> Option<tracing_appender::non_blocking::WorkerGuard> {
    use tracing_subscriber::{EnvFilter, Layer, layer::SubscriberExt, util::SubscriberInitExt};
    let filter = |default: &str| {
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(default))
    };
    let stderr = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter("warn"));
    let file = logs.and_then(|dir| {
        // The appender lists the folder to prune old files and complains on stderr when it is
        // missing (a first start).
        std::fs::create_dir_all(dir).ok()?;
        tracing_appender::rolling::Builder::new()
            .rotation(tracing_appender::rolling::Rotation::DAILY)
            .filename_prefix("exact-offline")
            .filename_suffix("log")
            .max_log_files(7)
            .build(dir)
            .ok()
    });
    match file {
        Some(appender) => {
            let (writer, guard) = tracing_appender::non_blocking(appender);
            let layer = tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(writer)
                .with_filter(filter("info,tao=warn,wry=warn"));
            tracing_subscriber::registry()
                .with(stderr)
                .with(layer)
                .init();
            Some(guard)
        }
        None => {
            tracing_subscriber::registry().with(stderr).init();
            None
        }
    }
}

//! `exact-sim` binary: runs a simulated Exact Online on 127.0.0.1 until SIGTERM or Ctrl-C.
//!
//! The first stdout line is exactly `exact-sim listening on http://127.0.0.1:PORT`, so a parent
//! process can read the port; the second is `admin_secret: SECRET`, which every `/_sim/` request
//! must carry in the `X-Sim-Admin` header; the app registration and division codes follow.

use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use exact_sim::{AppRegistration, FaultRule, SimConfig};

/// A simulated Exact Online (OAuth2, REST, sync, pictures, rate limits, faults).
#[derive(Debug, Parser)]
#[command(name = "exact-sim", version)]
struct Args {
    /// Port on 127.0.0.1 (0 = any free port).
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Seed of all generated data.
    #[arg(long, default_value_t = 42)]
    seed: u64,
    /// Number of divisions.
    #[arg(long, default_value_t = 1)]
    divisions: u32,
    /// Items per division.
    #[arg(long, default_value_t = 2_500)]
    items: usize,
    /// Accounts per division.
    #[arg(long, default_value_t = 500)]
    accounts: usize,
    #[arg(long)]
    contacts: Option<usize>,
    #[arg(long)]
    addresses: Option<usize>,
    #[arg(long)]
    documents: Option<usize>,
    #[arg(long)]
    attachments: Option<usize>,
    #[arg(long)]
    prices: Option<usize>,
    #[arg(long)]
    orders: Option<usize>,
    /// Share of items/accounts/contacts with a real picture (0..1).
    #[arg(long, default_value_t = 0.5)]
    picture_share: f64,
    #[arg(long)]
    client_id: Option<String>,
    #[arg(long)]
    client_secret: Option<String>,
    #[arg(long)]
    redirect_uri: Option<String>,
    /// Calls per division per minute.
    #[arg(long, default_value_t = 60)]
    minutely_limit: u32,
    /// Calls per division per UTC day.
    #[arg(long, default_value_t = 5_000)]
    daily_limit: u32,
    /// Latency added before every /api/v1 response, in ms.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// The largest /api/v1 answer body in bytes (Exact's cap: 38 MB in NL/BE, 9.5 MB elsewhere);
    /// a larger one gets a 500 with Exact's error body, a guess at what Exact answers.
    #[arg(long, default_value_t = exact_sim::response_cap::CAP_NL_BE)]
    response_cap: u64,
    /// Sim seconds per real second.
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// Count picture and attachment downloads against the limits, with rate-limit headers.
    #[arg(long)]
    docs_counted: bool,
    /// Sim clock at start, epoch ms (default: now).
    #[arg(long)]
    origin_ms: Option<i64>,
    /// Fault rules as JSON: one rule, an array, or {"rules":[..]}; repeatable. Kinds: status,
    /// burst429, latency, reset, truncate, malformed, revoke_access, revoke_grant, spurious_401
    /// (a 401, or a download's answer to a bad token, for a token that stays valid), gzip_bomb
    /// (a small gzip body inflating to `bytes`, default 100 MiB), oversized_error (an error
    /// body of `bytes`, default 4 MiB), and four that spoil the middle record of a 200 JSON
    /// page and leave the rest as it was: missing_key (no `ID`), wrong_type (`property`,
    /// default Modified, of the wrong JSON type), lone_surrogate (a string member holding
    /// "Bad \ud800 text") and oversized_value (a string member of `bytes`, default 5 MiB);
    /// refuse_property (a 400 to a $select naming `property`) and response_cap (a 500 to an
    /// answer larger than `bytes`, default 9.5 MB).
    #[arg(long)]
    fault: Vec<String>,
    /// The secret the /_sim/ admin routes require in the X-Sim-Admin header (16 to 256 visible
    /// ASCII characters); default: a random one, printed at start.
    #[arg(long)]
    admin_secret: Option<String>,
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let args = Args::parse();
    let defaults = AppRegistration::default();
    let mut faults: Vec<FaultRule> = Vec::new();
    for text in &args.fault {
        faults.extend(exact_sim::faults::parse_rules(text).map_err(anyhow::Error::msg)?);
    }
    let cfg = SimConfig {
        seed: args.seed,
        divisions: args.divisions,
        items: args.items,
        accounts: args.accounts,
        contacts: args.contacts,
        addresses: args.addresses,
        documents: args.documents,
        attachments: args.attachments,
        prices: args.prices,
        orders: args.orders,
        picture_share: args.picture_share,
        app: AppRegistration {
            client_id: args.client_id.unwrap_or(defaults.client_id),
            client_secret: args.client_secret.unwrap_or(defaults.client_secret),
            redirect_uri: args.redirect_uri.unwrap_or(defaults.redirect_uri),
        },
        minutely_limit: args.minutely_limit,
        daily_limit: args.daily_limit,
        latency: Duration::from_millis(args.latency_ms),
        response_cap: args.response_cap,
        docs_counted: args.docs_counted,
        time_scale: args.time_scale,
        origin_ms: args.origin_ms,
        faults,
        admin_secret: args.admin_secret,
    };
    let app = cfg.app.clone();
    let sim = exact_sim::start_on(cfg, args.port)
        .await
        .context("starting exact-sim")?;
    announce(&sim, &app);
    wait_for_stop().await;
    sim.shutdown().await;
    Ok(())
}

#[allow(clippy::print_stdout)]
fn announce(sim: &exact_sim::Sim, app: &AppRegistration) {
    use std::io::Write;
    println!("exact-sim listening on {}", sim.base_url());
    println!("admin_secret: {}", sim.admin_secret());
    println!("client_id: {}", app.client_id);
    println!("client_secret: {}", app.client_secret);
    println!("redirect_uri: {}", app.redirect_uri);
    let codes: Vec<String> = sim.division_codes().iter().map(i32::to_string).collect();
    println!("divisions: {}", codes.join(","));
    let _ = std::io::stdout().flush();
}

async fn wait_for_stop() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        match signal(SignalKind::terminate()) {
            Ok(mut term) => {
                tokio::select! {
                    _ = term.recv() => {}
                    _ = tokio::signal::ctrl_c() => {}
                }
            }
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
            }
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

//! exact-sim: a simulated Exact Online that a client written against the real API can use unchanged.
//!
//! It speaks OAuth2 (codes, 600 s access tokens, refresh-token rotation, the 570 s refresh rule,
//! 30-day refresh expiry), the REST API under `/api/v1/` (sync, Deleted, regular, bulk and read
//! endpoints with Exact's paging, `$select`/`$filter` rules, JSON or Atom bodies), picture and
//! attachment downloads under `/docs/`, per-division rate limits, Exact's cap on the size of an
//! answer ([`response_cap`]; what Exact answers past it is a guess), and faults on demand. Admin
//! routes under `/_sim/` expose statistics, mutations, faults, dumps and the clock; they answer
//! only requests to a loopback host name that carry the admin secret ([`ADMIN_SECRET_HEADER`],
//! [`Sim::admin_secret`]).
//!
//! Invariants:
//! - every lifetime and window runs on the sim clock ([`clock::SimClock`]), never the wall clock;
//! - rows are generated lazily from the seed by [`data`]; only mutations are stored;
//! - each response body is built in memory and sent in one write; accepted sockets use TCP_NODELAY;
//! - the server only binds 127.0.0.1.

pub mod admin;
pub mod api;
pub mod bad_records;
pub mod catalog;
pub mod clock;
pub mod data;
pub mod docs;
pub mod envelope;
pub mod faults;
pub mod gateway;
pub mod hostile;
pub mod limits;
pub mod listing;
pub mod oauth;
pub mod odata;
pub mod response_cap;
pub mod stats;

use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::middleware;
use axum::routing::{get, post};
use axum::serve::ListenerExt;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::{FaultKind, FaultRule};
pub use oauth::AppRegistration;

/// The header every `/_sim/` request must carry (`X-Sim-Admin`), holding the simulator's admin
/// secret ([`Sim::admin_secret`]).
pub const ADMIN_SECRET_HEADER: &str = "x-sim-admin";

use crate::clock::SimClock;
use crate::data::{DataConfig, Dataset};
use crate::faults::Faults;
use crate::limits::Limits;
use crate::oauth::OAuth;
use crate::stats::Stats;

/// Everything that shapes one simulated Exact Online.
#[derive(Debug, Clone)]
pub struct SimConfig {
    /// Seed of all generated data, tokens and fault draws.
    pub seed: u64,
    /// Number of divisions (administrations).
    pub divisions: u32,
    /// Items per division.
    pub items: usize,
    /// Accounts per division.
    pub accounts: usize,
    /// Derived from items/accounts when `None`.
    pub contacts: Option<usize>,
    pub addresses: Option<usize>,
    pub documents: Option<usize>,
    pub attachments: Option<usize>,
    pub prices: Option<usize>,
    pub orders: Option<usize>,
    /// Share of items/accounts/contacts that have a real picture.
    pub picture_share: f64,
    /// The registered app (client id, secret, redirect URI).
    pub app: AppRegistration,
    /// Calls per division per calendar minute.
    pub minutely_limit: u32,
    /// Calls per division per UTC day.
    pub daily_limit: u32,
    /// Added before every `/api/v1` response.
    pub latency: Duration,
    /// The largest body (bytes, as serialized) of an `/api/v1` answer; a larger one is answered
    /// with a 500 instead (see [`response_cap`]). Exact caps answers at 38 MB in the
    /// Netherlands and Belgium and 9.5 MB elsewhere; the simulator does not know a company's
    /// country, so the default is the 38 MB of `start.exactonline.nl`. What Exact answers past the
    /// cap is not documented: the 500 is a GUESS.
    pub response_cap: u64,
    /// Picture and attachment downloads count against the division's limits and carry the
    /// rate-limit headers. Exact does not document whether they do; off by default.
    pub docs_counted: bool,
    /// Sim milliseconds per real millisecond.
    pub time_scale: f64,
    /// Sim clock at start (epoch ms); `None` = the real current time.
    pub origin_ms: Option<i64>,
    /// Fault rules active from the start.
    pub faults: Vec<FaultRule>,
    /// The secret the admin routes require in [`ADMIN_SECRET_HEADER`]; `None` = a random one
    /// per start. A chosen one must be 16 to 256 visible ASCII characters.
    pub admin_secret: Option<String>,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            seed: 42,
            divisions: 1,
            items: 2_500,
            accounts: 500,
            contacts: None,
            addresses: None,
            documents: None,
            attachments: None,
            prices: None,
            orders: None,
            picture_share: 0.5,
            app: AppRegistration::default(),
            minutely_limit: 60,
            daily_limit: 5_000,
            latency: Duration::ZERO,
            response_cap: response_cap::CAP_NL_BE,
            docs_counted: false,
            time_scale: 1.0,
            origin_ms: None,
            faults: Vec::new(),
            admin_secret: None,
        }
    }
}

/// Shared state of a running simulator.
#[derive(Debug)]
pub struct App {
    pub base_url: String,
    pub clock: SimClock,
    pub divisions: Vec<i32>,
    pub latency: Duration,
    /// See [`SimConfig::response_cap`].
    pub response_cap: u64,
    /// See [`SimConfig::docs_counted`].
    pub docs_counted: bool,
    data: RwLock<Dataset>,
    oauth: Mutex<OAuth>,
    limits: Mutex<Limits>,
    faults: Mutex<Faults>,
    stats: Mutex<Stats>,
    /// Pictures replaced in place, validators on or off ([`Sim::replace_picture`]).
    pub(crate) docs: docs::DocsState,
    /// Off: every connection except the admin routes is dropped unanswered, as when the
    /// network is gone (the demo's "offline" switch).
    pub network: std::sync::atomic::AtomicBool,
    /// What [`ADMIN_SECRET_HEADER`] must hold.
    pub(crate) admin_secret: String,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // A panic while holding a lock must not take the whole simulator down.
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl App {
    pub fn data(&self) -> RwLockReadGuard<'_, Dataset> {
        self.data.read().unwrap_or_else(|e| e.into_inner())
    }
    pub fn data_mut(&self) -> RwLockWriteGuard<'_, Dataset> {
        self.data.write().unwrap_or_else(|e| e.into_inner())
    }
    pub fn oauth(&self) -> MutexGuard<'_, OAuth> {
        lock(&self.oauth)
    }
    pub fn limits(&self) -> MutexGuard<'_, Limits> {
        lock(&self.limits)
    }
    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        lock(&self.faults)
    }
    pub fn stats(&self) -> MutexGuard<'_, Stats> {
        lock(&self.stats)
    }
    /// Current sim time, epoch ms.
    pub fn now_ms(&self) -> i64 {
        self.clock.now_ms()
    }
}

/// A running simulator. Dropping it aborts the server task; [`Sim::shutdown`] stops it gracefully.
#[derive(Debug)]
pub struct Sim {
    app: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<std::io::Result<()>>>,
}

impl Sim {
    /// `http://127.0.0.1:PORT`, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.app.base_url
    }
    /// The codes of the generated divisions.
    pub fn division_codes(&self) -> Vec<i32> {
        self.app.divisions.clone()
    }
    /// Current sim time, epoch ms.
    pub fn now_ms(&self) -> i64 {
        self.app.now_ms()
    }
    /// The secret every `/_sim/` request must carry in [`ADMIN_SECRET_HEADER`].
    pub fn admin_secret(&self) -> &str {
        &self.app.admin_secret
    }
    /// The registered app the simulator accepts.
    pub fn app_registration(&self) -> AppRegistration {
        self.app.oauth().app().clone()
    }
    /// Takes the simulated Exact Online off the network (`false`) or back (`true`).
    pub fn set_network(&self, online: bool) {
        self.app
            .network
            .store(online, std::sync::atomic::Ordering::Relaxed);
    }
    /// Gives the picture behind `url` (a `SysImage.aspx` URL of this simulator) other bytes at
    /// the same URL, modified now (see [`docs::replace_picture`]); false when it names no current
    /// picture.
    pub fn replace_picture(&self, url: &str) -> bool {
        docs::replace_picture(&self.app, url)
    }
    /// Whether picture and attachment answers carry `ETag`/`Last-Modified` and honour
    /// `If-None-Match`/`If-Modified-Since` (on by default; Exact does not document either).
    pub fn set_download_validators(&self, on: bool) {
        self.app.docs.set_validators(on);
    }
    /// Stops accepting connections, lets running requests finish (at most 5 s), then returns.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(Duration::from_secs(5), &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}

/// Starts a simulator on 127.0.0.1 with a free port, inside the caller's tokio runtime.
pub async fn start(cfg: SimConfig) -> anyhow::Result<Sim> {
    start_on(cfg, 0).await
}

/// Starts a simulator on 127.0.0.1:`port` (0 = any free port).
pub async fn start_on(cfg: SimConfig, port: u16) -> anyhow::Result<Sim> {
    let admin_secret = match &cfg.admin_secret {
        Some(chosen) => {
            let visible = chosen.bytes().all(|b| b.is_ascii_graphic());
            anyhow::ensure!(
                visible && (16..=256).contains(&chosen.len()),
                "the admin secret must be 16 to 256 visible ASCII characters"
            );
            chosen.clone()
        }
        None => random_secret(),
    };
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .with_context(|| format!("binding 127.0.0.1:{port}"))?;
    let addr = listener.local_addr().context("reading the bound address")?;
    let base_url = format!("http://127.0.0.1:{}", addr.port());
    let origin_ms = cfg.origin_ms.unwrap_or_else(clock::real_epoch_ms);
    let data_cfg = DataConfig {
        seed: cfg.seed,
        divisions: cfg.divisions,
        items: cfg.items,
        accounts: cfg.accounts,
        contacts: cfg.contacts,
        addresses: cfg.addresses,
        documents: cfg.documents,
        attachments: cfg.attachments,
        prices: cfg.prices,
        orders: cfg.orders,
        picture_share: cfg.picture_share,
        base_url: base_url.clone(),
        origin_ms,
    };
    let dataset = tokio::task::spawn_blocking(move || Dataset::new(data_cfg))
        .await
        .context("generating the data set")?;
    let divisions = dataset.division_codes();
    let app = Arc::new(App {
        base_url,
        clock: SimClock::new(origin_ms, cfg.time_scale),
        divisions,
        latency: cfg.latency,
        response_cap: cfg.response_cap,
        docs_counted: cfg.docs_counted,
        data: RwLock::new(dataset),
        oauth: Mutex::new(OAuth::new(cfg.app.clone(), cfg.seed)),
        limits: Mutex::new(Limits::new(cfg.minutely_limit, cfg.daily_limit)),
        faults: Mutex::new(Faults::new(cfg.seed, cfg.faults.clone())),
        stats: Mutex::new(Stats::default()),
        docs: docs::DocsState::default(),
        network: std::sync::atomic::AtomicBool::new(true),
        admin_secret,
    });
    let router = router(app.clone());
    let listener = listener.tap_io(|tcp| {
        // Nagle's algorithm would delay small responses and distort benchmarks.
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::warn!("TCP_NODELAY failed: {e}");
        }
    });
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(Sim {
        app,
        stop: Some(stop),
        task: Some(task),
    })
}

/// 32 hex digits from the thread RNG (a CSPRNG seeded by the OS), unlike the data, which follows
/// the seed: the secret must not be predictable from anything a user can see.
fn random_secret() -> String {
    rand::random::<[u8; 16]>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/_sim/stats", get(admin::stats))
        .route("/_sim/stats/reset", post(admin::reset_stats))
        .route("/_sim/mutate", post(admin::mutate))
        .route(
            "/_sim/faults",
            post(admin::set_faults).get(admin::get_faults),
        )
        .route("/_sim/dump", get(admin::dump))
        .route("/_sim/clock", get(admin::clock))
        .route("/_sim/clock/advance", post(admin::advance_clock))
        .route("/_sim/divisions/move", post(admin::move_division))
        // Every route above is an admin route: none answers without the guard's consent.
        .route_layer(middleware::from_fn_with_state(app.clone(), admin::guard))
        .fallback(gateway::dispatch)
        .with_state(app)
}

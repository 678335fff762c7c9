//! The built-in demo company: a simulated Exact Online started in-process on loopback, and a
//! client signed in to it through the same OAuth code flow a real account uses (authorize URL,
//! consent, redirect to the loopback listener, code exchange). Only the browser is replaced: the
//! demo consents automatically, so the redirect is followed here.

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use exact_api::{
    AppCredentials, ClientConfig, ExactClient, FileTokenStore, Loopback, ScaledClock, SharedClock,
    TokenStore,
};
use exact_sim::{AppRegistration, Sim, SimConfig};

/// Why the demo could not start.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("the demo company could not start: {0}")]
    Start(String),
    #[error(transparent)]
    Api(#[from] exact_api::Error),
}

/// A running demo company and a client signed in to it.
#[derive(Debug)]
pub struct Demo {
    pub sim: Sim,
    pub client: ExactClient,
    /// The client's clock, in step with the simulator's.
    pub clock: SharedClock,
    /// The app registration the client signed in with (its loopback redirect included).
    app: AppRegistration,
}

/// Fault rules for the demo company's simulator (its `--fault` JSON): how the app's own tests
/// show what it does with bad data from Exact. Rules that do not parse are ignored, with a
/// message on stderr.
pub const FAULTS_VARIABLE: &str = "EXACT_OFFLINE_DEMO_FAULTS";

/// The demo company's size: big enough to browse, quick to sync; with the faults
/// [`FAULTS_VARIABLE`] names, if any.
pub fn demo_company() -> SimConfig {
    let faults = std::env::var(FAULTS_VARIABLE)
        .ok()
        .filter(|text| !text.trim().is_empty())
        .and_then(|text| {
            exact_sim::faults::parse_rules(&text)
                .map_err(|e| eprintln!("{FAULTS_VARIABLE} is ignored: {e}"))
                .ok()
        })
        .unwrap_or_default();
    SimConfig {
        seed: 2026,
        divisions: 2,
        items: 2_500,
        accounts: 600,
        faults,
        ..SimConfig::default()
    }
}

/// Starts the simulator described by `config` and signs in, keeping tokens in `data_dir`.
pub async fn start(config: SimConfig, data_dir: &Path) -> Result<Demo, Error> {
    let start = |e: &dyn std::fmt::Display| Error::Start(e.to_string());
    let loopback = Loopback::bind("http://127.0.0.1:0/callback").await?;
    let port = loopback
        .port()
        .ok_or_else(|| Error::Start("no loopback port".into()))?;
    let redirect_uri = format!("http://127.0.0.1:{port}/callback");
    let app = AppRegistration {
        redirect_uri: redirect_uri.clone(),
        ..config.app.clone()
    };
    let sim = exact_sim::start(SimConfig {
        app: app.clone(),
        ..config
    })
    .await
    .map_err(|e| start(&e))?;

    let clock = sim_clock(&http()?, sim.base_url(), sim.admin_secret()).await?;
    let client = sign_in(&sim, &app, loopback, Arc::clone(&clock), data_dir).await?;
    Ok(Demo {
        sim,
        client,
        clock,
        app,
    })
}

impl Demo {
    /// Another desktop signing in to the same company with the same app registration, keeping
    /// its tokens in `data_dir`: a client of its own that shares the company's budgets.
    pub async fn sign_in_again(&self, data_dir: &Path) -> Result<ExactClient, Error> {
        let loopback = Loopback::bind(&self.app.redirect_uri).await?;
        sign_in(
            &self.sim,
            &self.app,
            loopback,
            Arc::clone(&self.clock),
            data_dir,
        )
        .await
    }
}

/// A client of `app`, signed in to `sim` through the code flow with `loopback` receiving the
/// redirect.
async fn sign_in(
    sim: &Sim,
    app: &AppRegistration,
    loopback: Loopback,
    clock: SharedClock,
    data_dir: &Path,
) -> Result<ExactClient, Error> {
    let start = |e: &dyn std::fmt::Display| Error::Start(e.to_string());
    let credentials = AppCredentials {
        client_id: app.client_id.clone(),
        client_secret: app.client_secret.clone(),
        redirect_uri: app.redirect_uri.clone(),
    };
    let mut client_config = ClientConfig::new(
        sim.base_url(),
        credentials,
        data_dir.join("tokens.lock"),
        clock,
    );
    client_config.pacing_margin_ms = 200;
    let store: Arc<dyn TokenStore> = Arc::new(FileTokenStore::new(data_dir.join("tokens.json")));
    let client = ExactClient::new(client_config, store)?;

    // Random, like every sign-in's: a local process must not be able to answer for it.
    let state = format!("{:032x}", rand::random::<u128>());
    let expected = state.clone();
    let waiting = tokio::spawn(async move { loopback.receive_code(&expected).await });
    let browser = http()?;
    let consent = browser
        .get(client.authorize_url(&state, false))
        .send()
        .await
        .map_err(|e| start(&e))?;
    let location = consent
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .ok_or_else(|| {
            Error::Start(format!(
                "the demo's authorize answered {}",
                consent.status()
            ))
        })?
        .to_owned();
    browser.get(location).send().await.map_err(|e| start(&e))?;
    let code = waiting.await.map_err(|e| start(&e))??;
    client.session().sign_in_with_code(&code).await?;
    Ok(client)
}

/// The demo's browser: it follows no redirect by itself, so each step is seen.
fn http() -> Result<reqwest::Client, Error> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .map_err(|e| Error::Start(e.to_string()))
}

/// A client clock anchored to the clock of the simulator at `base` (its `/_sim/clock`, asked
/// with the simulator's `admin_secret`); used by tests that drive the CLI against a time-scaled
/// simulator.
pub async fn anchored_clock(base: &str, admin_secret: &str) -> Result<SharedClock, Error> {
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(10))
        .build()
        .map_err(|e| Error::Start(e.to_string()))?;
    sim_clock(&http, base, admin_secret).await
}

/// A client clock anchored to the simulator's (read before asking, so it is never ahead).
async fn sim_clock(
    http: &reqwest::Client,
    base: &str,
    admin_secret: &str,
) -> Result<SharedClock, Error> {
    let sent = Instant::now();
    let body: serde_json::Value = http
        .get(format!("{base}/_sim/clock"))
        .header(exact_sim::ADMIN_SECRET_HEADER, admin_secret)
        .send()
        .await
        .map_err(|e| Error::Start(e.to_string()))?
        .error_for_status()
        .map_err(|e| Error::Start(format!("the simulator refused its clock: {e}")))?
        .json()
        .await
        .map_err(|e| Error::Start(e.to_string()))?;
    let now = body["now_ms"]
        .as_i64()
        .ok_or_else(|| Error::Start("the simulator has no clock".into()))?;
    let scale = body["time_scale"].as_f64().unwrap_or(1.0);
    Ok(Arc::new(ScaledClock::anchored(now, sent, scale)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn the_demo_signs_in_and_follows_the_simulators_clock_with_its_secret() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let demo = start(
            SimConfig {
                items: 10,
                accounts: 5,
                ..SimConfig::default()
            },
            dir.path(),
        )
        .await
        .expect("the demo starts, reading the simulator's clock with its admin secret");
        demo.client.me().await.expect("the demo is signed in");
        assert!(
            anchored_clock(demo.sim.base_url(), demo.sim.admin_secret())
                .await
                .is_ok(),
            "the clock answers with the secret"
        );
        assert!(
            matches!(
                anchored_clock(demo.sim.base_url(), "not-the-admin-secret").await,
                Err(Error::Start(_))
            ),
            "a wrong secret is refused, not read as a clock"
        );
    }
}

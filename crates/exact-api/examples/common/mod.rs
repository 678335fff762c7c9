//! Shared by the examples: start the simulator and sign in through the real OAuth code flow.

use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context, Result};
use exact_api::{
    AppCredentials, ClientConfig, ExactClient, FileTokenStore, Loopback, ScaledClock, TokenStore,
};
use exact_sim::{AppRegistration, Sim, SimConfig};

/// A simulator plus a client signed in to it through the loopback redirect, as a user would.
pub async fn start_and_sign_in(
    config: SimConfig,
    dir: &std::path::Path,
) -> Result<(Sim, ExactClient)> {
    let loopback = Loopback::bind("http://127.0.0.1:0/callback").await?;
    let redirect_uri = format!(
        "http://127.0.0.1:{}/callback",
        loopback.port().context("bound port")?
    );
    let app = AppRegistration {
        redirect_uri: redirect_uri.clone(),
        ..config.app.clone()
    };
    let sim = exact_sim::start(SimConfig {
        app: app.clone(),
        ..config
    })
    .await?;

    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let sent = Instant::now();
    let clock: serde_json::Value = browser
        .get(format!("{}/_sim/clock", sim.base_url()))
        .send()
        .await?
        .json()
        .await?;
    let clock = ScaledClock::anchored(
        clock["now_ms"].as_i64().context("clock")?,
        sent,
        clock["time_scale"].as_f64().context("scale")?,
    );
    let credentials = AppCredentials {
        client_id: app.client_id,
        client_secret: app.client_secret,
        redirect_uri,
    };
    let mut config = ClientConfig::new(
        sim.base_url(),
        credentials,
        dir.join("tokens.lock"),
        Arc::new(clock),
    );
    config.pacing_margin_ms = 200;
    let store: Arc<dyn TokenStore> = Arc::new(FileTokenStore::new(dir.join("tokens.json")));
    let client = ExactClient::new(config, store)?;

    // The demo company consents automatically; the "browser" follows Exact's redirect.
    let waiting = tokio::spawn(async move { loopback.receive_code("demo").await });
    let consent = browser
        .get(client.authorize_url("demo", false))
        .send()
        .await?;
    let location = consent
        .headers()
        .get("location")
        .context("authorize redirects")?
        .to_str()?
        .to_owned();
    browser.get(location).send().await?;
    let code = waiting.await??;
    client.session().sign_in_with_code(&code).await?;
    Ok((sim, client))
}

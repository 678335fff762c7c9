//! An endpoint Exact refused rests for an hour, and the rest is kept in the cache: a new engine
//! (a new process, as a sync started from cron is) does not ask it again before the hour ends.

use std::sync::Arc;

use crate::support::*;
use exact_api::{
    AppCredentials, ClientConfig, ExactClient, FileTokenStore, SharedClock, TokenStore,
};
use offline_sync::{CancellationToken, Engine, ErrorCode, Outcome, RunReport, ignore_progress};
use serde_json::{Value, json};

const CONTACTS_PATH: &str = "sync/CRM/Contacts";

/// The engine's rest after a refusal.
const HOUR_MS: i64 = 3_600_000;

/// Calls the simulator served to the division's Contacts sync endpoint so far.
async fn contacts_calls(h: &Harness) -> u64 {
    let url = format!("{}/_sim/stats", h.demo.sim.base_url());
    let stats: Value = h
        .http
        .get(url)
        .header(exact_sim::ADMIN_SECRET_HEADER, h.demo.sim.admin_secret())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let endpoint = format!("GET /api/v1/{}/{CONTACTS_PATH}", h.division());
    stats["calls"][endpoint.as_str()].as_u64().unwrap_or(0)
}

async fn run_with(h: &Harness, engine: &Engine) -> RunReport {
    engine
        .run(
            &h.options(),
            "test",
            ignore_progress(),
            CancellationToken::new(),
        )
        .await
}

fn contacts_resting_until(h: &Harness) -> Option<i64> {
    h.cache
        .status(crate::support::now())
        .unwrap()
        .into_iter()
        .find(|s| s.division == h.division() && s.entity == "Contacts")
        .expect("a status for Contacts")
        .resting_until_ms
}

/// A new process's client: the same sign-in (the token file the demo wrote), on a clock
/// anchored to the simulator's now.
async fn new_process(h: &Harness) -> (ExactClient, SharedClock) {
    let base = h.demo.sim.base_url();
    let clock = offline_demo::anchored_clock(base, h.demo.sim.admin_secret())
        .await
        .unwrap();
    let app = h.demo.sim.app_registration();
    let credentials = AppCredentials {
        client_id: app.client_id,
        client_secret: app.client_secret,
        redirect_uri: app.redirect_uri,
    };
    let mut config = ClientConfig::new(
        base,
        credentials,
        h._dir.path().join("tokens.lock"),
        Arc::clone(&clock),
    );
    config.pacing_margin_ms = 200;
    let store: Arc<dyn TokenStore> =
        Arc::new(FileTokenStore::new(h._dir.path().join("tokens.json")));
    (ExactClient::new(config, store).unwrap(), clock)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_endpoint_rests_across_engines_until_the_hour_ends() {
    let h = start(small()).await;
    h.admin(
        "faults",
        json!({"rules": [{"path": CONTACTS_PATH, "kind": "status", "status": 400, "count": 1}]}),
    )
    .await;
    let refused_at = h.demo.clock.now_ms();
    let first = h.run(&h.options()).await;
    assert_eq!(first.outcome, Outcome::Partial, "{first:#?}");
    let (code, exact_said) = outcome(&first, "Contacts").error.clone().unwrap();
    assert_eq!(code, ErrorCode::Refused);
    let asked = contacts_calls(&h).await;
    assert!(asked >= 1, "the first run asked Contacts");

    // The status shows the rest, an hour from the refusal by the engine's clock.
    let until = contacts_resting_until(&h).expect("Contacts rests after the refusal");
    assert!(
        (refused_at + HOUR_MS..=h.demo.clock.now_ms() + HOUR_MS).contains(&until),
        "the rest ends an hour after the refusal: {until}"
    );

    // Another process within the hour: a new engine over the same cache leaves Contacts alone.
    let engine = Engine::new(
        h.demo.client.clone(),
        Arc::clone(&h.cache),
        Arc::clone(&h.demo.clock),
    );
    let soon = run_with(&h, &engine).await;
    let resting = outcome(&soon, "Contacts");
    assert_eq!(resting.calls, 0, "the rest survives a new engine");
    assert_eq!(
        contacts_calls(&h).await,
        asked,
        "the simulator saw no call to Contacts within the hour"
    );
    let (code, message) = resting.error.clone().unwrap();
    assert_eq!(code, ErrorCode::Refused);
    assert!(
        message.starts_with("not asked again until ")
            && message.ends_with(&format!(", since Exact refused it: {exact_said}")),
        "the skipped entity says why and until when: {message}"
    );
    assert!(
        outcome(&soon, "Addresses").error.is_none(),
        "the other entities still sync"
    );
    assert_eq!(contacts_resting_until(&h), Some(until), "still resting");

    // Past the hour, on the simulator's clock: a new process asks again and catches up.
    h.admin("clock/advance", json!({ "ms": HOUR_MS + 60_000 }))
        .await;
    let (client, clock) = new_process(&h).await;
    assert!(clock.now_ms() > until, "the clock moved past the rest");
    let later = run_with(&h, &Engine::new(client, Arc::clone(&h.cache), clock)).await;
    assert_eq!(later.outcome, Outcome::Succeeded, "{later:#?}");
    let contacts = outcome(&later, "Contacts");
    assert!(contacts.error.is_none(), "{contacts:#?}");
    assert!(
        contacts.calls >= 1,
        "Contacts is asked again after the hour"
    );
    assert!(contacts_calls(&h).await > asked);
    assert_eq!(contacts_resting_until(&h), None, "a success ends the rest");
    h.assert_equal(h.division()).await;
}

//! Refused tokens against exact-sim: a 401 right after a token was issued is tried again once
//! after a short delay; a lasting one waits for Exact's 570 s refresh rule, visibly; downloads
//! never wait for that rule.
//!
//! Time is a [`StepClock`]: the simulator runs in real time, and every sleep of the client jumps
//! both clocks forward at once, so a token's age is exact and no test sleeps for real.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use exact_api::{
    AppCredentials, ClientConfig, Clock, Error, ExactClient, FileTokenStore, ScaledClock,
    TokenStore, WaitReason,
};
use exact_sim::{Sim, SimConfig};
use futures::future::BoxFuture;
use serde_json::{Value, json};
use tempfile::TempDir;
use tokio::sync::Semaphore;

use crate::support::{app, status_count};

const UNITS: &str = "logistics/Units";
/// A real-time bound on calls that must not wait: far less than a 570 s wait in real time.
const NO_WAIT: Duration = Duration::from_secs(60);

/// The client's clock: the simulator's (real time) plus the client's own sleeps, each of which
/// first jumps the simulator's clock by as much. Sleeps of `hold_from_ms` or more also wait for
/// [`StepClock::release`], so a test can look at a long wait while it lasts.
#[derive(Debug, Clone)]
struct StepClock {
    base: ScaledClock,
    offset: Arc<AtomicI64>,
    sleeps: Arc<Mutex<Vec<i64>>>,
    advance: String,
    secret: String,
    http: reqwest::Client,
    hold_from_ms: Option<i64>,
    gate: Arc<Semaphore>,
}

impl StepClock {
    fn sleeps(&self) -> Vec<i64> {
        self.sleeps.lock().unwrap().clone()
    }

    fn forget_sleeps(&self) {
        self.sleeps.lock().unwrap().clear();
    }

    fn release(&self) {
        self.gate.add_permits(1);
    }
}

impl Clock for StepClock {
    fn now_ms(&self) -> i64 {
        self.base.now_ms() + self.offset.load(Ordering::SeqCst)
    }

    fn sleep_ms(&self, ms: i64) -> BoxFuture<'static, ()> {
        let clock = self.clone();
        Box::pin(async move {
            clock.sleeps.lock().unwrap().push(ms);
            if clock.hold_from_ms.is_some_and(|hold| ms >= hold) {
                clock.gate.acquire().await.unwrap().forget();
            }
            // The simulator first, so the client's clock is never ahead of it.
            let r = clock
                .http
                .post(&clock.advance)
                .header(exact_sim::ADMIN_SECRET_HEADER, &clock.secret)
                .json(&json!({ "ms": ms.max(0) }))
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "the sim clock advances");
            clock.offset.fetch_add(ms.max(0), Ordering::SeqCst);
        })
    }
}

struct Harness {
    sim: Sim,
    client: ExactClient,
    clock: StepClock,
    dir: TempDir,
    http: reqwest::Client,
}

/// A simulator in real time, a client on a [`StepClock`] holding sleeps from `hold_from_ms`,
/// signed in through the code flow.
async fn start(hold_from_ms: Option<i64>) -> Harness {
    let sim = exact_sim::start(SimConfig {
        items: 20,
        accounts: 5,
        documents: Some(4),
        attachments: Some(4),
        picture_share: 1.0,
        app: app(),
        ..SimConfig::default()
    })
    .await
    .unwrap();
    let http = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let sent = Instant::now();
    let now: Value = http
        .get(format!("{}/_sim/clock", sim.base_url()))
        .header(exact_sim::ADMIN_SECRET_HEADER, sim.admin_secret())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let clock = StepClock {
        base: ScaledClock::anchored(now["now_ms"].as_i64().unwrap(), sent, 1.0),
        offset: Arc::new(AtomicI64::new(0)),
        sleeps: Arc::new(Mutex::new(Vec::new())),
        advance: format!("{}/_sim/clock/advance", sim.base_url()),
        secret: sim.admin_secret().to_owned(),
        http: http.clone(),
        hold_from_ms,
        gate: Arc::new(Semaphore::new(0)),
    };
    let dir = tempfile::tempdir().unwrap();
    let reg = app();
    let credentials = AppCredentials {
        client_id: reg.client_id,
        client_secret: reg.client_secret,
        redirect_uri: reg.redirect_uri,
    };
    let mut config = ClientConfig::new(
        sim.base_url(),
        credentials,
        dir.path().join("tokens.lock"),
        Arc::new(clock.clone()),
    );
    config.pacing_margin_ms = 200;
    let store: Arc<dyn TokenStore> = Arc::new(FileTokenStore::new(dir.path().join("tokens.json")));
    let client = ExactClient::new(config, store).unwrap();
    let consent = http
        .get(client.authorize_url("state", false))
        .send()
        .await
        .unwrap();
    let location = url::Url::parse(consent.headers()["location"].to_str().unwrap()).unwrap();
    let code = location
        .query_pairs()
        .find(|(k, _)| k == "code")
        .unwrap()
        .1
        .into_owned();
    client.session().sign_in_with_code(&code).await.unwrap();
    Harness {
        sim,
        client,
        clock,
        dir,
        http,
    }
}

impl Harness {
    fn division(&self) -> i32 {
        self.sim.division_codes()[0]
    }

    fn units_url(&self) -> String {
        self.client
            .api_url(Some(self.division()), UNITS, &[("$select", "ID,Code")])
    }

    async fn admin(&self, route: &str, body: Value) -> Value {
        let r = self
            .http
            .post(format!("{}/_sim/{route}", self.sim.base_url()))
            .header(exact_sim::ADMIN_SECRET_HEADER, self.sim.admin_secret())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success(), "{route} accepted");
        r.json().await.unwrap_or(Value::Null)
    }

    async fn faults(&self, rules: Value) {
        self.admin("faults", json!({ "rules": rules })).await;
    }

    async fn stats(&self) -> Value {
        self.http
            .get(format!("{}/_sim/stats", self.sim.base_url()))
            .header(exact_sim::ADMIN_SECRET_HEADER, self.sim.admin_secret())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn reset_stats(&self) {
        self.admin("stats/reset", json!({})).await;
    }

    fn stored_tokens(&self) -> exact_api::TokenSet {
        FileTokenStore::new(self.dir.path().join("tokens.json"))
            .load()
            .unwrap()
            .unwrap()
    }

    /// The first file URL (`/docs/Sys...`) in `property` of the records of a sync `path`.
    async fn file_url(&self, path: &str, property: &str) -> String {
        let mut pager = self
            .client
            .sync(self.division(), path, &format!("ID,{property}"), 1);
        let page = pager.next_page().await.unwrap().unwrap();
        page.records
            .iter()
            .find_map(|r| r.str(property).filter(|u| u.contains("/docs/Sys")))
            .unwrap()
            .to_owned()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_spurious_401_right_after_a_refresh_costs_one_short_retry_and_no_570_second_wait() {
    let h = start(None).await;
    let first = h.stored_tokens();
    // Into the last 30 s of the token's life: the next call refreshes first.
    h.clock
        .sleep_ms(first.expires_at_ms - 20_000 - h.clock.now_ms())
        .await;
    h.faults(json!([{ "path": UNITS, "kind": "spurious_401", "count": 1 }]))
        .await;
    h.reset_stats().await;
    h.clock.forget_sleeps();

    let units = h
        .client
        .collect(h.division(), &h.units_url())
        .await
        .unwrap();
    assert!(!units.is_empty());

    let refreshed = h.stored_tokens();
    assert!(
        refreshed.issued_at_ms >= first.issued_at_ms + 570_000,
        "the call refreshed the expiring token first"
    );
    let stats = h.stats().await;
    assert_eq!(
        status_count(&stats, "401"),
        1,
        "only the spurious refusal failed: {stats}"
    );
    assert_eq!(
        stats["token_requests"].as_u64(),
        Some(1),
        "one refresh (the due one), none for the 401: {stats}"
    );
    assert_eq!(
        h.clock.sleeps(),
        vec![2_000],
        "the refused fresh token costs one short delay, and no wait for the 570 s rule"
    );
    assert_eq!(
        h.stored_tokens(),
        refreshed,
        "the refused token was kept, not replaced"
    );
    assert_eq!(h.client.refresh_wait(), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lasting_401_is_tried_once_more_then_waits_visibly_for_the_570_second_rule() {
    let h = start(Some(60_000)).await;
    let picture = h.file_url("sync/Logistics/Items", "PictureUrl").await;
    let issued = h.stored_tokens().issued_at_ms;
    h.faults(json!([{ "path": UNITS, "kind": "revoke_access", "count": 1 }]))
        .await;
    h.reset_stats().await;
    h.clock.forget_sleeps();

    let call = tokio::spawn({
        let client = h.client.clone();
        let url = h.units_url();
        let division = h.division();
        async move { client.collect(division, &url).await }
    });
    let wait = tokio::time::timeout(NO_WAIT, async {
        loop {
            if let Some(wait) = h.client.refresh_wait() {
                return wait;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the call reaches the wait for Exact's rule");
    assert_eq!(wait.reason, WaitReason::RefreshRule);
    assert!(
        (issued + 570_000..issued + 575_000).contains(&wait.until_ms),
        "the wait ends when Exact's rule allows a refresh: {wait:?}, issued {issued}"
    );
    let until = exact_api::clock::to_utc(wait.until_ms).format("%H:%M:%S UTC");
    assert_eq!(
        wait.to_string(),
        format!("waiting for Exact's refresh rule until {until}")
    );
    let status = tokio::time::timeout(NO_WAIT, h.client.session().status())
        .await
        .expect("the status does not wait for the refresh")
        .unwrap()
        .unwrap();
    assert_eq!(
        status.refresh_wait,
        Some(wait),
        "the status tells about the wait"
    );
    let dest = h.dir.path().join("picture.bin");
    match tokio::time::timeout(
        NO_WAIT,
        h.client.download_to(None, &picture, &dest, 1 << 24),
    )
    .await
    .expect("a download does not wait for the refresh")
    {
        Err(Error::DownloadUnauthorized {
            retry_after: Some(after),
            ..
        }) => assert_eq!(after.timestamp_millis(), wait.until_ms),
        other => panic!("a download during the wait fails until its end, got {other:?}"),
    }

    h.clock.release();
    call.await.unwrap().unwrap();
    assert_eq!(h.client.refresh_wait(), None, "the wait is over");
    assert!(h.stored_tokens().issued_at_ms >= issued + 570_000);
    let stats = h.stats().await;
    assert_eq!(
        status_count(&stats, "401"),
        2,
        "the revoked call and its one retry: {stats}"
    );
    assert_eq!(
        status_count(&stats, "400"),
        0,
        "no refresh was tried too early: {stats}"
    );
    let sleeps = h.clock.sleeps();
    assert_eq!(sleeps[0], 2_000, "first the short retry: {sleeps:?}");
    assert!(
        sleeps[1] >= 570_000 - 2_000 - 60_000,
        "then the wait for the rule: {sleeps:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_download_fails_at_once_when_only_a_wait_would_help() {
    let h = start(Some(60_000)).await;
    let picture = h.file_url("sync/Logistics/Items", "PictureUrl").await;
    let attachment = h
        .file_url("sync/Documents/DocumentAttachments", "Url")
        .await;
    let issued = h.stored_tokens().issued_at_ms;
    let login_page = format!(
        "{}/docs/Login.aspx?ReturnUrl=%2fdocs%2fSysAttachment.aspx",
        h.sim.base_url()
    );
    // (fault rules, URL, what the reason names)
    let cases = [
        (
            json!([{ "path": "SysImage", "kind": "status", "status": 401 }]),
            picture.as_str(),
            "Unauthorized",
        ),
        (
            json!([{ "path": "SysAttachment", "kind": "spurious_401" }]),
            attachment.as_str(),
            "login page",
        ),
        (json!([]), login_page.as_str(), "HTML page"),
    ];
    for (rules, url, what) in cases {
        h.faults(rules).await;
        h.reset_stats().await;
        h.clock.forget_sleeps();
        let dest = h.dir.path().join("file.bin");
        let outcome =
            tokio::time::timeout(NO_WAIT, h.client.download_to(None, url, &dest, 1 << 24))
                .await
                .unwrap_or_else(|_| panic!("{what}: a download never waits for the 570 s rule"));
        match outcome {
            Err(Error::DownloadUnauthorized {
                reason,
                retry_after: Some(after),
            }) => {
                assert!(
                    reason.contains(what),
                    "{what}: the reason says what Exact sent: {reason}"
                );
                assert_eq!(
                    after.timestamp_millis(),
                    issued + 570_000,
                    "{what}: try again when a new token is allowed"
                );
            }
            other => panic!("{what}: expected a retryable refusal, got {other:?}"),
        }
        assert!(
            !dest.exists() && !dest.with_extension("part").exists(),
            "{what}: nothing is left behind"
        );
        assert_eq!(
            h.clock.sleeps(),
            vec![2_000],
            "{what}: one short retry of the fresh token, no wait"
        );
        let stats = h.stats().await;
        assert_eq!(
            stats["token_requests"].as_u64(),
            Some(0),
            "{what}: no refresh Exact would refuse: {stats}"
        );
    }
    h.faults(json!([])).await;
    assert_eq!(h.client.refresh_wait(), None);
    let dest = h.dir.path().join("picture.bin");
    h.client
        .download_to(None, &picture, &dest, 1 << 24)
        .await
        .expect("with the faults gone the same token downloads");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_download_refreshes_the_token_when_the_refresh_is_due() {
    let h = start(None).await;
    let picture = h.file_url("sync/Logistics/Items", "PictureUrl").await;
    // Exact announces the lifetime: with an hour, a token 580 s old is not yet refreshed for
    // its age, but a refusal may replace it at once.
    let mut tokens = h.stored_tokens();
    tokens.expires_at_ms = tokens.issued_at_ms + 3_600_000;
    FileTokenStore::new(h.dir.path().join("tokens.json"))
        .save(&tokens)
        .unwrap();
    let client = {
        let reg = app();
        let credentials = AppCredentials {
            client_id: reg.client_id,
            client_secret: reg.client_secret,
            redirect_uri: reg.redirect_uri,
        };
        let config = ClientConfig::new(
            h.sim.base_url(),
            credentials,
            h.dir.path().join("tokens.lock"),
            Arc::new(h.clock.clone()),
        );
        let store: Arc<dyn TokenStore> =
            Arc::new(FileTokenStore::new(h.dir.path().join("tokens.json")));
        ExactClient::new(config, store).unwrap()
    };
    h.clock
        .sleep_ms(tokens.issued_at_ms + 580_000 - h.clock.now_ms())
        .await;
    h.faults(json!([{ "path": "SysImage", "kind": "status", "status": 401, "count": 1 }]))
        .await;
    h.reset_stats().await;
    h.clock.forget_sleeps();

    let dest = h.dir.path().join("picture.bin");
    let download =
        tokio::time::timeout(NO_WAIT, client.download_to(None, &picture, &dest, 1 << 24))
            .await
            .expect("no wait")
            .expect("the refreshed token downloads the picture");
    let bytes = std::fs::read(&download.path).unwrap();
    assert_ne!(
        bytes,
        exact_sim::docs::WHITE_PIXEL_PNG,
        "the real picture, not the blank one"
    );
    let stats = h.stats().await;
    assert_eq!(stats["token_requests"].as_u64(), Some(1), "{stats}");
    assert!(h.stored_tokens().issued_at_ms >= tokens.issued_at_ms + 580_000);
    assert!(h.clock.sleeps().is_empty(), "no delay for a token this old");
}

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
//! exact-api against exact-sim on port 0: the OAuth code flow, token lifecycle, pacing, paging,
//! faults and downloads, each checked against the simulator's own statistics and dumps.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use exact_api::{
    AppCredentials, ClientConfig, Error, ExactClient, FileTokenStore, Loopback, Record,
    RequestOptions, ScaledClock, TokenStore,
};
use exact_sim::{AppRegistration, Sim, SimConfig};
use serde_json::{Value, json};
use tempfile::TempDir;

struct Harness {
    sim: Sim,
    client: ExactClient,
    dir: TempDir,
    clock: ScaledClock,
    http: reqwest::Client,
}

fn app() -> AppRegistration {
    AppRegistration {
        client_id: "test-client".into(),
        client_secret: "test-secret".into(),
        redirect_uri: "http://127.0.0.1:1/callback".into(),
    }
}

fn credentials(reg: &AppRegistration) -> AppCredentials {
    AppCredentials {
        client_id: reg.client_id.clone(),
        client_secret: reg.client_secret.clone(),
        redirect_uri: reg.redirect_uri.clone(),
    }
}

/// A client clock in step with the simulator's (read before the request, so never ahead of it).
async fn clock_of(http: &reqwest::Client, base: &str) -> ScaledClock {
    let sent = Instant::now();
    let clock: Value = http
        .get(format!("{base}/_sim/clock"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    ScaledClock::anchored(
        clock["now_ms"].as_i64().unwrap(),
        sent,
        clock["time_scale"].as_f64().unwrap(),
    )
}

fn client_for(
    base: &str,
    reg: &AppRegistration,
    dir: &TempDir,
    clock: &ScaledClock,
) -> ExactClient {
    let mut config = ClientConfig::new(
        base,
        credentials(reg),
        dir.path().join("tokens.lock"),
        Arc::new(clock.clone()),
    );
    config.pacing_margin_ms = 200;
    let store: Arc<dyn TokenStore> = Arc::new(FileTokenStore::new(dir.path().join("tokens.json")));
    ExactClient::new(config, store).unwrap()
}

/// Follows the authorize URL like a browser that is already signed in, and returns the code.
async fn authorize(http: &reqwest::Client, client: &ExactClient, state: &str) -> String {
    let response = http
        .get(client.authorize_url(state, false))
        .send()
        .await
        .unwrap();
    assert_eq!(
        response.status().as_u16(),
        302,
        "Exact answers an authorize request with a redirect"
    );
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    let url = url::Url::parse(&location).unwrap();
    let q: HashMap<_, _> = url.query_pairs().into_owned().collect();
    assert_eq!(
        q.get("state").map(String::as_str),
        Some(state),
        "state must be echoed"
    );
    q["code"].clone()
}

/// A "browser" that does not follow redirects and carries the simulator's admin secret (for its
/// `/_sim/` routes; the other routes ignore it).
fn http_for(sim: &Sim) -> reqwest::Client {
    let mut headers = reqwest::header::HeaderMap::new();
    headers.insert(
        exact_sim::ADMIN_SECRET_HEADER,
        sim.admin_secret().parse().unwrap(),
    );
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .build()
        .unwrap()
}

async fn start(config: SimConfig) -> Harness {
    let config = SimConfig {
        app: app(),
        ..config
    };
    let sim = exact_sim::start(config).await.unwrap();
    let http = http_for(&sim);
    let dir = tempfile::tempdir().unwrap();
    let clock = clock_of(&http, sim.base_url()).await;
    let client = client_for(sim.base_url(), &app(), &dir, &clock);
    let code = authorize(&http, &client, "state-1").await;
    client.session().sign_in_with_code(&code).await.unwrap();
    Harness {
        sim,
        client,
        dir,
        clock,
        http,
    }
}

impl Harness {
    fn division(&self) -> i32 {
        self.sim.division_codes()[0]
    }

    async fn stats(&self) -> Value {
        self.http
            .get(format!("{}/_sim/stats", self.sim.base_url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    async fn reset_stats(&self) {
        let r = self
            .http
            .post(format!("{}/_sim/stats/reset", self.sim.base_url()))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }

    async fn faults(&self, rules: Value) {
        let r = self
            .http
            .post(format!("{}/_sim/faults", self.sim.base_url()))
            .json(&json!({ "rules": rules }))
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success(),
            "fault rules accepted: {}",
            r.text().await.unwrap()
        );
    }

    async fn dump(&self, entity: &str) -> Vec<Value> {
        let url = format!(
            "{}/_sim/dump?division={}&entity={entity}",
            self.sim.base_url(),
            self.division()
        );
        self.http
            .get(url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    /// Pages a whole sync endpoint with a `$select` of every property.
    async fn sync_all(&self, entity: &str, path: &str) -> Result<Vec<Record>, Error> {
        let select = exact_fields::entity(entity).unwrap().select_all("sync");
        let mut pager = self.client.sync(self.division(), path, &select, 1);
        let mut all = Vec::new();
        while let Some(page) = pager.next_page().await? {
            all.extend(page.records);
        }
        Ok(all)
    }

    /// [`Harness::sync_all`] through raw pages (every property kept parsed), and the pages.
    async fn raw_all(&self, entity: &str, path: &str) -> Result<(Vec<Record>, u64), Error> {
        let select = exact_fields::entity(entity).unwrap().select_all("sync");
        let mut pager = self.client.sync(self.division(), path, &select, 1);
        let keep: exact_api::PropertyFilter = Arc::new(|_: &str| true);
        let mut all = Vec::new();
        while let Some(page) = pager.next_raw_page(&keep).await? {
            all.extend(page.records.into_iter().map(|r| r.fields));
        }
        Ok((all, pager.pages_fetched()))
    }

    fn stored_tokens(&self) -> exact_api::TokenSet {
        FileTokenStore::new(self.dir.path().join("tokens.json"))
            .load()
            .unwrap()
            .unwrap()
    }
}

/// Calls the simulator served on paths containing `path`.
fn calls_to(stats: &Value, path: &str) -> u64 {
    stats["calls"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.contains(path))
        .map(|(_, v)| v.as_u64().unwrap())
        .sum()
}

fn status_count(stats: &Value, status: &str) -> u64 {
    stats["by_status"][status].as_u64().unwrap_or(0)
}

/// Every record of the dump came back once, with every property the field list names.
fn assert_complete(records: &[Record], dump: &[Value], entity: &str) {
    let expected: HashSet<String> = exact_fields::entity(entity)
        .unwrap()
        .properties_for("sync")
        .iter()
        .filter(|p| p.is_plain())
        .map(|p| p.name.clone())
        .collect();
    let mut ids = HashSet::new();
    for r in records {
        let names: HashSet<String> = r.names().map(str::to_owned).collect();
        assert_eq!(
            names, expected,
            "a record must carry exactly the selected properties"
        );
        assert!(
            ids.insert(r.id().expect("every record has an ID")),
            "a record was delivered twice"
        );
    }
    let dumped: HashSet<String> = dump
        .iter()
        .map(|r| r["ID"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        ids, dumped,
        "paging must return exactly the simulator's current {entity}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_every_item_and_account_with_every_property() {
    let h = start(SimConfig {
        items: 10_500,
        accounts: 1_200,
        ..Default::default()
    })
    .await;
    let items = h.sync_all("Items", "sync/Logistics/Items").await.unwrap();
    assert_eq!(items.len(), 10_500);
    assert_complete(&items, &h.dump("Items").await, "Items");
    assert_eq!(
        calls_to(&h.stats().await, "sync/Logistics/Items"),
        11,
        "10 500 items at 1 000 a page take 11 calls"
    );

    let accounts = h.sync_all("Accounts", "sync/CRM/Accounts").await.unwrap();
    assert_complete(&accounts, &h.dump("Accounts").await, "Accounts");
    let first = &accounts[0];
    assert!(
        first.str("Code").is_some(),
        "account codes are read trimmed"
    );
    assert!(
        first.date("Created").is_some(),
        "dates parse from /Date(ms)/"
    );
    assert_eq!(status_count(&h.stats().await, "429"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refreshes_mid_stream_and_the_old_refresh_token_dies() {
    // 600 s of token life pass in 1.5 s of real time.
    let h = start(SimConfig {
        items: 3_000,
        time_scale: 400.0,
        ..Default::default()
    })
    .await;
    let before = h.stored_tokens();
    let select = exact_fields::entity("Items").unwrap().select_all("sync");
    let mut pager = h
        .client
        .sync(h.division(), "sync/Logistics/Items", &select, 1);
    let mut count = 0;
    while let Some(page) = pager.next_page().await.unwrap() {
        count += page.records.len();
        // Let the access token run out between pages.
        tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    }
    assert_eq!(count, 3_000);
    let after = h.stored_tokens();
    assert_ne!(
        before.refresh_token, after.refresh_token,
        "a refresh must have rotated the tokens"
    );
    let stats = h.stats().await;
    assert_eq!(
        status_count(&stats, "401"),
        0,
        "refreshing before expiry means no 401"
    );
    assert_eq!(
        status_count(&stats, "400"),
        0,
        "no refresh may be too early"
    );

    // The old refresh token is now refused with Exact's answer.
    let reg = app();
    let response = h
        .http
        .post(format!("{}/api/oauth2/token", h.sim.base_url()))
        .form(&[
            ("grant_type", "refresh_token"),
            ("refresh_token", before.refresh_token.as_str()),
            ("client_id", reg.client_id.as_str()),
            ("client_secret", reg.client_secret.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 401);
    assert!(
        response
            .text()
            .await
            .unwrap()
            .contains("Old refresh token used")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_premature_401_waits_for_the_570_second_rule() {
    let h = start(SimConfig {
        items: 1_200,
        time_scale: 600.0,
        ..Default::default()
    })
    .await;
    // Past the first minute, in which a 401 is first tried again with the same token (see
    // auth_retry.rs): here the revoked token goes straight to the refresh.
    exact_api::Clock::sleep_ms(&h.clock, 61_000).await;
    h.faults(json!([{ "path": "sync/Logistics/Items", "kind": "revoke_access", "count": 1 }]))
        .await;
    let issued = h.stored_tokens().issued_at_ms;
    let items = h.sync_all("Items", "sync/Logistics/Items").await.unwrap();
    assert_eq!(items.len(), 1_200);
    let after = h.stored_tokens();
    assert!(
        after.issued_at_ms >= issued + 570_000,
        "the refresh must wait for Exact's 570 s rule"
    );
    let stats = h.stats().await;
    assert_eq!(
        status_count(&stats, "401"),
        1,
        "exactly the revoked call failed"
    );
    assert_eq!(
        status_count(&stats, "400"),
        0,
        "no too-early refresh was attempted"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_refresh_once_and_keep_the_chain() {
    let h = start(SimConfig {
        items: 100,
        time_scale: 300.0,
        ..Default::default()
    })
    .await;
    // A second client with its own session (its own in-process lock), sharing the token file and
    // the lock file, as a second process would.
    let other = client_for(h.sim.base_url(), &app(), &h.dir, &h.clock);
    let tokens_before = h.stored_tokens();
    // Wait into the refresh window (the last 30 s of 600 s).
    let wait = tokens_before.expires_at_ms - 20_000 - h.clock_now();
    tokio::time::sleep(std::time::Duration::from_millis(wait.max(0) as u64 / 300)).await;
    h.reset_stats().await;
    let url = h.client.api_url(
        Some(h.division()),
        "logistics/Units",
        &[("$select", "ID,Code")],
    );
    let (a, b) = tokio::join!(
        h.client.collect(h.division(), &url),
        other.collect(h.division(), &url)
    );
    a.unwrap();
    b.unwrap();
    let stats = h.stats().await;
    assert_eq!(
        stats["token_requests"].as_u64(),
        Some(1),
        "one refresh for both: {stats}"
    );
    assert_eq!(status_count(&stats, "401"), 0);
    // A third session reads the stored set and works: the chain is intact.
    let third = client_for(h.sim.base_url(), &app(), &h.dir, &h.clock);
    third.collect(h.division(), &url).await.unwrap();
}

impl Harness {
    fn clock_now(&self) -> i64 {
        use exact_api::Clock;
        self.clock.now_ms()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pacing_keeps_a_60_per_minute_budget_without_a_single_429() {
    // One simulated minute per real second.
    let h = start(SimConfig {
        items: 10,
        minutely_limit: 60,
        time_scale: 60.0,
        ..Default::default()
    })
    .await;
    let url = h.client.api_url(
        Some(h.division()),
        "logistics/Units",
        &[("$select", "ID,Code")],
    );
    for _ in 0..150 {
        h.client.collect(h.division(), &url).await.unwrap();
    }
    let stats = h.stats().await;
    assert_eq!(
        stats["served_429"].as_u64(),
        Some(0),
        "the client must never cause a 429: {stats}"
    );
    assert!(
        status_count(&stats, "200") >= 150,
        "every call succeeded: {stats}"
    );
    let rate = h.client.rate(h.division());
    assert_eq!(
        rate.minutely_limit,
        Some(60),
        "the pacer learns the limit from the headers"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn daily_exhaustion_stops_with_the_reset_time() {
    let h = start(SimConfig {
        items: 10,
        daily_limit: 3,
        ..Default::default()
    })
    .await;
    let url = h
        .client
        .api_url(Some(h.division()), "logistics/Units", &[("$select", "ID")]);
    let mut outcome = Ok(Vec::new());
    for _ in 0..5 {
        outcome = h.client.collect(h.division(), &url).await;
        if outcome.is_err() {
            break;
        }
    }
    match outcome {
        Err(Error::DailyLimit { division, reset }) => {
            assert_eq!(division, h.division());
            assert!(
                reset.timestamp_millis() > h.clock_now(),
                "the reset lies ahead"
            );
        }
        other => panic!("expected DailyLimit after 3 calls, got {other:?}"),
    }
    assert_eq!(
        h.stats().await["served_429"].as_u64(),
        Some(0),
        "the pacer stops before Exact has to"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovers_from_every_transient_fault_kind() {
    let h = start(SimConfig {
        items: 2_600,
        time_scale: 100.0,
        ..Default::default()
    })
    .await;
    let expected = h.dump("Items").await;
    for rule in [
        json!({ "path": "sync/Logistics/Items", "kind": "status", "status": 503, "count": 3 }),
        json!({ "path": "sync/Logistics/Items", "kind": "status", "status": 500, "rate": 0.5, "count": 2 }),
        json!({ "path": "sync/Logistics/Items", "kind": "burst429", "count": 3 }),
        json!({ "path": "sync/Logistics/Items", "kind": "reset", "count": 2 }),
        json!({ "path": "sync/Logistics/Items", "kind": "truncate", "count": 2 }),
        json!({ "path": "sync/Logistics/Items", "kind": "malformed", "count": 2 }),
        json!({ "path": "sync/Logistics/Items", "kind": "latency", "latency_ms": 300, "count": 2 }),
        json!({ "path": "sync/Logistics/Items", "kind": "revoke_access", "count": 1 }),
    ] {
        h.reset_stats().await;
        h.faults(json!([rule.clone()])).await;
        let items = h
            .sync_all("Items", "sync/Logistics/Items")
            .await
            .unwrap_or_else(|e| panic!("{rule}: {e}"));
        assert_complete(&items, &expected, "Items");
        let stats = h.stats().await;
        assert!(
            stats["faults_injected"].as_u64().unwrap_or(0) >= 1,
            "the fault {rule} must have fired: {stats}"
        );
    }
}

/// Raw paging asks for the next page while it parses one: that costs no call beyond the pages,
/// and with each fault kind every record still arrives exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_paging_asks_early_and_loses_nothing_to_faults() {
    const ITEMS: &str = "sync/Logistics/Items";
    let h = start(SimConfig {
        items: 5_500,
        time_scale: 100.0,
        ..Default::default()
    })
    .await;
    let expected = h.dump("Items").await;
    h.reset_stats().await;
    let (items, pages) = h.raw_all("Items", ITEMS).await.unwrap();
    assert_complete(&items, &expected, "Items");
    assert_eq!(pages, 6);
    assert_eq!(
        calls_to(&h.stats().await, ITEMS),
        6,
        "no call beyond the pages"
    );
    for rule in [
        json!({ "path": ITEMS, "kind": "malformed", "count": 2 }),
        json!({ "path": ITEMS, "kind": "truncate", "count": 2 }),
        json!({ "path": ITEMS, "kind": "reset", "count": 2 }),
        json!({ "path": ITEMS, "kind": "status", "status": 503, "count": 2 }),
        json!({ "path": ITEMS, "kind": "burst429", "count": 2 }),
        json!({ "path": ITEMS, "kind": "revoke_access", "count": 1 }),
    ] {
        h.reset_stats().await;
        h.faults(json!([rule.clone()])).await;
        let (items, pages) = h
            .raw_all("Items", ITEMS)
            .await
            .unwrap_or_else(|e| panic!("{rule}: {e}"));
        assert_complete(&items, &expected, "Items");
        assert_eq!(pages, 6, "{rule}");
        let stats = h.stats().await;
        assert!(
            stats["faults_injected"].as_u64().unwrap_or(0) >= 1,
            "the fault {rule} must have fired: {stats}"
        );
    }

    // A pager dropped after its first page costs at most the one call it sent early.
    h.reset_stats().await;
    let select = exact_fields::entity("Items").unwrap().select_all("sync");
    let keep: exact_api::PropertyFilter = Arc::new(|_: &str| true);
    let mut pager = h.client.sync(h.division(), ITEMS, &select, 1);
    assert!(pager.next_raw_page(&keep).await.unwrap().is_some());
    drop(pager);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(calls_to(&h.stats().await, ITEMS) <= 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_revoked_grant_asks_to_sign_in_again() {
    let h = start(SimConfig {
        items: 50,
        time_scale: 1_000.0,
        ..Default::default()
    })
    .await;
    h.faults(json!([{ "path": "sync/Logistics/Items", "kind": "revoke_grant", "count": 1 }]))
        .await;
    match h.sync_all("Items", "sync/Logistics/Items").await {
        Err(Error::AuthRequired { .. }) => {}
        other => panic!("expected AuthRequired, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_requests_are_not_retried() {
    let h = start(SimConfig {
        items: 10,
        ..Default::default()
    })
    .await;
    h.reset_stats().await;
    let url = h.client.api_url(
        Some(h.division()),
        "sync/Logistics/Items",
        &[("$filter", "Timestamp gt 1L")],
    );
    match h
        .client
        .get_page(Some(h.division()), &url, &RequestOptions::default())
        .await
    {
        Err(Error::Api {
            status: 400,
            message,
        }) => {
            assert!(
                message.contains("$select"),
                "Exact's own message is kept: {message}"
            )
        }
        other => panic!("a sync call without $select must be refused, got {other:?}"),
    }
    assert_eq!(
        h.stats().await["total_calls"].as_u64(),
        Some(1),
        "a 4xx is never retried"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_entities_and_languages() {
    let h = start(SimConfig {
        items: 20,
        ..Default::default()
    })
    .await;
    let id = h.dump("Items").await[0]["ID"].as_str().unwrap().to_owned();
    let path = format!("logistics/Items(guid'{id}')");
    let url = h.client.api_url(
        Some(h.division()),
        &path,
        &[("$select", "ID,Code,Description")],
    );
    let nl = h
        .client
        .get_page(
            Some(h.division()),
            &url,
            &RequestOptions {
                language: Some("NL".into()),
                ..RequestOptions::default()
            },
        )
        .await
        .unwrap();
    let en = h
        .client
        .get_page(
            Some(h.division()),
            &url,
            &RequestOptions {
                language: Some("EN".into()),
                ..RequestOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(nl.records.len(), 1, "a key lookup answers one entity");
    assert_eq!(nl.records[0].id().as_deref(), Some(id.as_str()));
    assert_ne!(
        nl.records[0].str("Description"),
        en.records[0].str("Description"),
        "CustomDescriptionLanguage must be honoured"
    );
}

/// The first `n` picture URLs of the division's items.
async fn picture_urls(h: &Harness, n: usize) -> Vec<String> {
    let mut pager = h
        .client
        .sync(h.division(), "sync/Logistics/Items", "ID,PictureUrl", 1);
    let page = pager.next_page().await.unwrap().unwrap();
    let urls: Vec<String> = page
        .records
        .iter()
        .filter_map(|r| r.str("PictureUrl").filter(|u| u.contains("SysImage")))
        .map(str::to_owned)
        .take(n)
        .collect();
    assert_eq!(urls.len(), n, "the items have pictures");
    urls
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_are_paced_once_exact_counts_them_and_only_then() {
    for counted in [true, false] {
        // Five calls a minute; one simulated minute per real second.
        let h = start(SimConfig {
            items: 40,
            picture_share: 1.0,
            minutely_limit: 5,
            time_scale: 60.0,
            docs_counted: counted,
            ..Default::default()
        })
        .await;
        let urls = picture_urls(&h, 12).await;
        h.reset_stats().await;
        for (i, url) in urls.iter().enumerate() {
            let dest = h.dir.path().join(format!("p{i}.bin"));
            h.client
                .download_for(h.division(), url, &dest, 50_000_000)
                .await
                .unwrap();
        }
        let stats = h.stats().await;
        assert_eq!(
            stats["served_429"].as_u64(),
            Some(0),
            "counted: {counted}: the downloads never outrun the limit: {stats}"
        );
        let rate = h.client.rate(h.division());
        match counted {
            // Read from the downloads' own headers.
            true => assert_eq!(rate.minutely_limit, Some(5), "{rate:?}"),
            // Not charged: the budget the pacer knows is the sync call's only.
            false => assert_eq!(rate.minutely_remaining, Some(4), "{rate:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn downloads_pictures_with_the_token_and_a_cap() {
    let h = start(SimConfig {
        items: 40,
        picture_share: 1.0,
        ..Default::default()
    })
    .await;
    let select = "ID,PictureUrl,PictureName";
    let mut pager = h
        .client
        .sync(h.division(), "sync/Logistics/Items", select, 1);
    let page = pager.next_page().await.unwrap().unwrap();
    let url = page
        .records
        .iter()
        .find_map(|r| {
            r.str("PictureUrl")
                .filter(|u| u.contains("SysImage"))
                .map(str::to_owned)
        })
        .unwrap();
    let dest = h.dir.path().join("picture.bin");
    let download = h
        .client
        .download_to(None, &url, &dest, 50_000_000)
        .await
        .unwrap();
    let bytes = std::fs::read(&dest).unwrap();
    assert_eq!(download.bytes, bytes.len() as u64);
    let (width, height) = image_size(&bytes);
    assert!(
        width > 1 && height > 1,
        "with the token the real picture arrives, not the 1×1 placeholder"
    );
    assert!(
        !h.dir.path().join("picture.part").exists(),
        "no partial file is left behind"
    );

    match h
        .client
        .download_to(None, &url, &h.dir.path().join("small.bin"), 100)
        .await
    {
        Err(Error::Download(m)) => assert!(m.contains("cap"), "{m}"),
        other => panic!("a download over the cap must be refused, got {other:?}"),
    }
    assert!(!h.dir.path().join("small.bin").exists() && !h.dir.path().join("small.part").exists());
    match h
        .client
        .download_to(
            None,
            "https://elsewhere.example/x.png",
            &h.dir.path().join("x"),
            100,
        )
        .await
    {
        Err(Error::Download(m)) => assert!(m.contains("refusing"), "{m}"),
        other => panic!("the token must never go to another host, got {other:?}"),
    }
}

fn image_size(bytes: &[u8]) -> (u32, u32) {
    if bytes.starts_with(b"\x89PNG") {
        let w = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
        let h = u32::from_be_bytes(bytes[20..24].try_into().unwrap());
        return (w, h);
    }
    assert!(
        bytes.starts_with(&[0xFF, 0xD8]),
        "a picture is a PNG or a JPEG"
    );
    // Walk JPEG segments to the first SOFn marker.
    let mut i = 2;
    while i + 9 < bytes.len() {
        let marker = bytes[i + 1];
        let len = u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]) as usize;
        if (0xC0..=0xCF).contains(&marker) && ![0xC4, 0xC8, 0xCC].contains(&marker) {
            let h = u16::from_be_bytes([bytes[i + 5], bytes[i + 6]]) as u32;
            let w = u16::from_be_bytes([bytes[i + 7], bytes[i + 8]]) as u32;
            return (w, h);
        }
        i += 2 + len;
    }
    panic!("no JPEG frame header found");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_whole_sign_in_through_the_loopback_redirect() {
    let lb = Loopback::bind("http://127.0.0.1:0/callback").await.unwrap();
    let redirect = format!("http://127.0.0.1:{}/callback", lb.port().unwrap());
    let reg = AppRegistration {
        redirect_uri: redirect.clone(),
        ..app()
    };
    let sim = exact_sim::start(SimConfig {
        items: 10,
        app: reg.clone(),
        ..Default::default()
    })
    .await
    .unwrap();
    let http = http_for(&sim);
    let dir = tempfile::tempdir().unwrap();
    let clock = clock_of(&http, sim.base_url()).await;
    let client = client_for(sim.base_url(), &reg, &dir, &clock);
    let waiting = tokio::spawn(async move { lb.receive_code("xyz").await });
    // The "browser": Exact redirects to the loopback URI, which the browser then opens.
    let response = http
        .get(client.authorize_url("xyz", true))
        .send()
        .await
        .unwrap();
    let location = response.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with(&redirect),
        "Exact redirects to the registered URI: {location}"
    );
    let page = http
        .get(&location)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Signed in"));
    let code = waiting.await.unwrap().unwrap();
    let status = client.session().sign_in_with_code(&code).await.unwrap();
    assert!(status.refresh_expires_at_ms > status.access_expires_at_ms);
    let me = client.me().await.unwrap();
    assert!(
        me.i64("CurrentDivision").is_some(),
        "Me names the current division"
    );
    let divisions = client
        .divisions(me.i64("CurrentDivision").unwrap() as i32)
        .await
        .unwrap();
    assert_eq!(divisions.len(), sim.division_codes().len());
    // The two calls that start every run ask only for what the app uses.
    let names = |r: &Record| -> Vec<String> {
        let mut names: Vec<String> = r.names().map(str::to_owned).collect();
        names.sort();
        names
    };
    assert_eq!(names(&me).join(","), exact_api::ME_SELECT);
    assert_eq!(names(&divisions[0]).join(","), exact_api::DIVISIONS_SELECT);
    // The code is single use.
    assert!(
        client.session().sign_in_with_code(&code).await.is_err(),
        "a code works once"
    );

    // A wrong redirect URI is refused by the authorize endpoint.
    let wrong = AppCredentials {
        redirect_uri: "http://127.0.0.1:9/elsewhere".into(),
        ..credentials(&reg)
    };
    let store: Arc<dyn TokenStore> = Arc::new(FileTokenStore::new(dir.path().join("t2.json")));
    let bad = ExactClient::new(
        ClientConfig::new(
            sim.base_url(),
            wrong,
            dir.path().join("l2"),
            Arc::new(clock),
        ),
        store,
    )
    .unwrap();
    let refused = http
        .get(bad.authorize_url("s", false))
        .send()
        .await
        .unwrap();
    assert_eq!(
        refused.status().as_u16(),
        400,
        "a redirect URI that differs from the registered one is refused"
    );
}

/// Bytes of one page of `entity` with every property, fetched with the stored token.
async fn page_bytes(h: &Harness, entity: &str, path: &str) -> u64 {
    let select = exact_fields::entity(entity).unwrap().select_all("sync");
    let url = h.client.api_url(
        Some(h.division()),
        path,
        &[("$select", &select), ("$filter", "Timestamp gt 1L")],
    );
    let body = h
        .http
        .get(url)
        .bearer_auth(h.stored_tokens().access_token)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    body.len() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gzip_bomb_page_ends_at_the_cap_and_is_not_retried() {
    const ITEMS: &str = "sync/Logistics/Items";
    let h = start(SimConfig {
        items: 1_000,
        accounts: 1_000,
        ..Default::default()
    })
    .await;
    let full_page = page_bytes(&h, "Items", ITEMS).await;
    let accounts_page = page_bytes(&h, "Accounts", "sync/CRM/Accounts").await;
    println!(
        "a 1 000-record page with every property: items {full_page} bytes, accounts {accounts_page} bytes"
    );
    assert!(
        full_page.max(accounts_page) * 8 < exact_api::body::PAGE_CAP,
        "the page cap must leave real pages far below it: {full_page}, {accounts_page}"
    );

    // Unlimited: a retry would meet the bomb again, so the call count shows whether it retried.
    h.faults(json!([{ "path": ITEMS, "kind": "gzip_bomb" }]))
        .await;
    h.reset_stats().await;
    let select = exact_fields::entity("Items").unwrap().select_all("sync");
    let url = h.client.api_url(
        Some(h.division()),
        ITEMS,
        &[("$select", &select), ("$filter", "Timestamp gt 1L")],
    );
    match h
        .client
        .get_page(Some(h.division()), &url, &RequestOptions::default())
        .await
    {
        Err(Error::Protocol(message)) => assert!(
            message.contains("larger than 64 MiB"),
            "the cap is named: {message}"
        ),
        other => panic!("a bomb must end at the page cap, got {other:?}"),
    }
    assert_eq!(
        calls_to(&h.stats().await, ITEMS),
        1,
        "an answer over the cap is final, never retried"
    );
    match h.raw_all("Items", ITEMS).await {
        Err(Error::Protocol(message)) => assert!(message.contains("64 MiB"), "{message}"),
        other => panic!("raw paging must end at the cap too, got {other:?}"),
    }
    assert_eq!(
        calls_to(&h.stats().await, ITEMS),
        2,
        "raw paging tried the bomb once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_error_body_ends_as_a_normal_refusal() {
    const ITEMS: &str = "sync/Logistics/Items";
    let h = start(SimConfig {
        items: 10,
        ..Default::default()
    })
    .await;
    let select = exact_fields::entity("Items").unwrap().select_all("sync");
    let url = h.client.api_url(
        Some(h.division()),
        ITEMS,
        &[("$select", &select), ("$filter", "Timestamp gt 1L")],
    );
    let refusal = || async {
        match h
            .client
            .get_page(Some(h.division()), &url, &RequestOptions::default())
            .await
        {
            Err(Error::Api {
                status: 400,
                message,
            }) => message,
            other => panic!("an oversized 400 is still a refusal, got {other:?}"),
        }
    };

    // 4 MiB of error body: only the first 64 KiB are read, which is not a whole JSON body.
    h.faults(json!([{ "path": ITEMS, "kind": "oversized_error" }]))
        .await;
    h.reset_stats().await;
    let message = refusal().await;
    assert!(
        message.starts_with("Bad Request") && message.contains("larger than 64 KiB"),
        "the message says the body was cut: {message}"
    );
    assert!(message.len() < 200, "and nothing of the body: {message}");
    assert_eq!(
        calls_to(&h.stats().await, ITEMS),
        1,
        "a 4xx is never retried, whatever its size"
    );

    // A whole body with a huge message: the message is kept, cut short.
    h.faults(json!([{ "path": ITEMS, "kind": "oversized_error", "bytes": 32_768 }]))
        .await;
    let message = refusal().await;
    assert!(
        message.starts_with("Oversized error message (injected by exact-sim)."),
        "Exact's own message is kept: {}",
        &message[..80.min(message.len())]
    );
    assert!(
        message.ends_with('…') && message.chars().count() == 1_001,
        "and cut to 1 000 characters: {} characters",
        message.chars().count()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_token_answer_is_refused_and_not_retried() {
    // 600 s of token life pass in 0.6 s of real time.
    let h = start(SimConfig {
        items: 10,
        time_scale: 1_000.0,
        ..Default::default()
    })
    .await;
    // 1 MiB inflated: far over the 64 KiB cap of a token answer, quick to build.
    h.faults(json!([{ "path": "oauth2/token", "kind": "gzip_bomb", "bytes": 1_048_576 }]))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    h.reset_stats().await;
    let url = h
        .client
        .api_url(Some(h.division()), "logistics/Units", &[("$select", "ID")]);
    match h.client.collect(h.division(), &url).await {
        Err(Error::Protocol(message)) => assert!(
            message.contains("token answer") && message.contains("larger than 64 KiB"),
            "the refresh ends at the cap: {message}"
        ),
        other => panic!("an expired token and a bomb for an answer must fail, got {other:?}"),
    }
    assert_eq!(
        h.stats().await["token_requests"].as_u64(),
        Some(1),
        "an answer over the cap is final: the refresh is not retried"
    );

    // The same for the code exchange of a new sign-in.
    let dir = tempfile::tempdir().unwrap();
    let client = client_for(h.sim.base_url(), &app(), &dir, &h.clock);
    let code = authorize(&h.http, &client, "state-2").await;
    match client.session().sign_in_with_code(&code).await {
        Err(Error::Protocol(message)) => assert!(message.contains("64 KiB"), "{message}"),
        other => panic!("a bomb in answer to a code exchange must fail, got {other:?}"),
    }
}

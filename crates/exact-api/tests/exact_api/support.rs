//! What the modules against the simulator share: a simulator on port 0 (time-scaled when a test
//! asks), a client signed in through the code flow, and readers of the simulator's statistics.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;
use std::time::Instant;

use exact_api::{
    AppCredentials, ClientConfig, Error, ExactClient, FileTokenStore, Record, ScaledClock,
    TokenStore,
};
use exact_sim::{AppRegistration, Sim, SimConfig};
use serde_json::{Value, json};
use tempfile::TempDir;

pub struct Harness {
    pub sim: Sim,
    pub client: ExactClient,
    pub dir: TempDir,
    pub clock: ScaledClock,
    pub http: reqwest::Client,
}

pub fn app() -> AppRegistration {
    AppRegistration {
        client_id: "test-client".into(),
        client_secret: "test-secret".into(),
        redirect_uri: "http://127.0.0.1:1/callback".into(),
    }
}

pub fn credentials(reg: &AppRegistration) -> AppCredentials {
    AppCredentials {
        client_id: reg.client_id.clone(),
        client_secret: reg.client_secret.clone(),
        redirect_uri: reg.redirect_uri.clone(),
    }
}

/// A client clock in step with the simulator's (read before the request, so never ahead of it).
pub async fn clock_of(http: &reqwest::Client, base: &str) -> ScaledClock {
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

pub fn client_for(
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
pub async fn authorize(http: &reqwest::Client, client: &ExactClient, state: &str) -> String {
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
pub fn http_for(sim: &Sim) -> reqwest::Client {
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

pub async fn start(config: SimConfig) -> Harness {
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
    pub fn division(&self) -> i32 {
        self.sim.division_codes()[0]
    }

    pub async fn stats(&self) -> Value {
        self.http
            .get(format!("{}/_sim/stats", self.sim.base_url()))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap()
    }

    pub async fn reset_stats(&self) {
        let r = self
            .http
            .post(format!("{}/_sim/stats/reset", self.sim.base_url()))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success());
    }

    pub async fn faults(&self, rules: Value) {
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

    pub async fn dump(&self, entity: &str) -> Vec<Value> {
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
    pub async fn sync_all(&self, entity: &str, path: &str) -> Result<Vec<Record>, Error> {
        let select = exact_fields::entity(entity).unwrap().select_all("sync");
        let mut pager = self.client.sync(self.division(), path, &select, 1);
        let mut all = Vec::new();
        while let Some(page) = pager.next_page().await? {
            all.extend(page.records);
        }
        Ok(all)
    }

    /// [`Harness::sync_all`] through raw pages (every property kept parsed), and the pages.
    pub async fn raw_all(&self, entity: &str, path: &str) -> Result<(Vec<Record>, u64), Error> {
        let select = exact_fields::entity(entity).unwrap().select_all("sync");
        let mut pager = self.client.sync(self.division(), path, &select, 1);
        let keep: exact_api::PropertyFilter = Arc::new(|_: &str| true);
        let mut all = Vec::new();
        while let Some(page) = pager.next_raw_page(&keep).await? {
            all.extend(page.records.into_iter().map(|r| r.fields));
        }
        Ok((all, pager.pages_fetched()))
    }

    pub fn stored_tokens(&self) -> exact_api::TokenSet {
        FileTokenStore::new(self.dir.path().join("tokens.json"))
            .load()
            .unwrap()
            .unwrap()
    }
}

impl Harness {
    pub fn clock_now(&self) -> i64 {
        use exact_api::Clock;
        self.clock.now_ms()
    }
}

/// Calls the simulator served on paths containing `path`.
pub fn calls_to(stats: &Value, path: &str) -> u64 {
    stats["calls"]
        .as_object()
        .unwrap()
        .iter()
        .filter(|(k, _)| k.contains(path))
        .map(|(_, v)| v.as_u64().unwrap())
        .sum()
}

pub fn status_count(stats: &Value, status: &str) -> u64 {
    stats["by_status"][status].as_u64().unwrap_or(0)
}

/// Every record of the dump came back once, with every property the field list names.
pub fn assert_complete(records: &[Record], dump: &[Value], entity: &str) {
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

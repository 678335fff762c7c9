//! Integration tests: a real exact-sim on port 0, spoken to over HTTP like a real client would.

use std::collections::{BTreeMap, BTreeSet};
use std::time::{Duration, Instant};

use exact_sim::{ADMIN_SECRET_HEADER, Sim, SimConfig};
use reqwest::header::HeaderMap;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

const MINUTE: i64 = 60_000;

fn small() -> SimConfig {
    SimConfig {
        items: 2_500,
        accounts: 200,
        ..SimConfig::default()
    }
}

fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client builds")
}

fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

struct Tokens {
    access: String,
    refresh: String,
}

async fn authorize(sim: &Sim, c: &Client) -> String {
    let app = sim.app_registration();
    let resp = c
        .get(format!("{}/api/oauth2/auth", sim.base_url()))
        .query(&[
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", app.redirect_uri.as_str()),
            ("response_type", "code"),
            ("state", "s t&ate"),
        ])
        .send()
        .await
        .expect("authorize answers");
    assert_eq!(
        resp.status(),
        StatusCode::FOUND,
        "the registered app is redirected back with a code"
    );
    let location = header(resp.headers(), "location").expect("a redirect has a Location");
    let url = reqwest::Url::parse(&location).expect("Location is an absolute URL");
    assert!(
        location.starts_with(&app.redirect_uri),
        "redirect goes to the registered URI: {location}"
    );
    let pairs: BTreeMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(
        pairs.get("state").map(String::as_str),
        Some("s t&ate"),
        "state is echoed back intact"
    );
    pairs
        .get("code")
        .cloned()
        .expect("the redirect carries a code")
}

async fn token_call(sim: &Sim, c: &Client, form: &[(&str, &str)]) -> reqwest::Response {
    c.post(format!("{}/api/oauth2/token", sim.base_url()))
        .form(form)
        .send()
        .await
        .expect("token endpoint answers")
}

async fn exchange(sim: &Sim, c: &Client, code: &str) -> reqwest::Response {
    let app = sim.app_registration();
    token_call(
        sim,
        c,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", &app.redirect_uri),
            ("client_id", &app.client_id),
            ("client_secret", &app.client_secret),
        ],
    )
    .await
}

async fn refresh(sim: &Sim, c: &Client, refresh_token: &str) -> reqwest::Response {
    let app = sim.app_registration();
    token_call(
        sim,
        c,
        &[
            ("grant_type", "refresh_token"),
            ("refresh_token", refresh_token),
            ("client_id", &app.client_id),
            ("client_secret", &app.client_secret),
        ],
    )
    .await
}

async fn tokens_from(resp: reqwest::Response) -> Tokens {
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "token request should succeed"
    );
    let body: Value = resp.json().await.expect("token response is JSON");
    Tokens {
        access: body["access_token"]
            .as_str()
            .expect("access_token")
            .to_string(),
        refresh: body["refresh_token"]
            .as_str()
            .expect("refresh_token")
            .to_string(),
    }
}

async fn login(sim: &Sim, c: &Client) -> Tokens {
    let code = authorize(sim, c).await;
    tokens_from(exchange(sim, c, &code).await).await
}

async fn api(sim: &Sim, c: &Client, token: &str, path_and_query: &str) -> reqwest::Response {
    c.get(format!("{}{}", sim.base_url(), path_and_query))
        .bearer_auth(token)
        .header("Accept", "application/json")
        .send()
        .await
        .expect("API answers")
}

async fn error_text(resp: reqwest::Response) -> String {
    let body: Value = resp.json().await.expect("error body is JSON");
    body["error"]["message"]["value"]
        .as_str()
        .expect("Exact error shape")
        .to_string()
}

async fn admin(sim: &Sim, c: &Client, path: &str, body: Value) -> Value {
    let resp = c
        .post(format!("{}{}", sim.base_url(), path))
        .header(ADMIN_SECRET_HEADER, sim.admin_secret())
        .json(&body)
        .send()
        .await
        .expect("admin answers");
    assert!(
        resp.status().is_success(),
        "admin call {path} should succeed: {}",
        resp.status()
    );
    resp.json().await.expect("admin JSON")
}

async fn admin_get(sim: &Sim, c: &Client, path: &str) -> Value {
    c.get(format!("{}{}", sim.base_url(), path))
        .header(ADMIN_SECRET_HEADER, sim.admin_secret())
        .send()
        .await
        .expect("admin answers")
        .json()
        .await
        .expect("admin JSON")
}

fn select_all(entity: &str, label: &str) -> String {
    exact_fields::entity(entity)
        .expect("field list")
        .select_all(label)
}

/// Pages a sync or list URL to the end; returns all rows and the URLs fetched.
async fn page_all(sim: &Sim, c: &Client, token: &str, first: &str) -> (Vec<Value>, Vec<String>) {
    let mut rows = Vec::new();
    let mut urls = vec![format!("{}{}", sim.base_url(), first)];
    loop {
        let url = urls.last().expect("a URL").clone();
        let resp = c
            .get(&url)
            .bearer_auth(token)
            .header("Accept", "application/json")
            .send()
            .await
            .expect("page answers");
        assert_eq!(resp.status(), StatusCode::OK, "page {url} should load");
        let body: Value = resp.json().await.expect("page JSON");
        rows.extend(
            body["d"]["results"]
                .as_array()
                .expect("d.results array")
                .iter()
                .cloned(),
        );
        match body["d"]["__next"].as_str() {
            Some(next) => urls.push(next.to_string()),
            None => return (rows, urls),
        }
        assert!(urls.len() < 100, "paging must end");
    }
}

#[tokio::test]
async fn oauth_code_flow_refuses_strangers_and_codes_are_single_use() {
    let sim = exact_sim::start(small()).await.expect("sim starts");
    let c = client();
    let app = sim.app_registration();
    let auth = |client_id: &str, redirect: &str| {
        c.get(format!("{}/api/oauth2/auth", sim.base_url()))
            .query(&[
                ("client_id", client_id),
                ("redirect_uri", redirect),
                ("response_type", "code"),
            ])
            .send()
    };
    let stranger = auth("someone-else", &app.redirect_uri)
        .await
        .expect("answers");
    assert_eq!(
        stranger.status(),
        StatusCode::BAD_REQUEST,
        "an unknown client_id gets a 400 page"
    );
    assert!(
        stranger.headers().get("location").is_none(),
        "no redirect for an unknown client"
    );
    let wrong_uri = auth(&app.client_id, "http://127.0.0.1:1/evil")
        .await
        .expect("answers");
    assert_eq!(
        wrong_uri.status(),
        StatusCode::BAD_REQUEST,
        "a foreign redirect_uri gets a 400 page"
    );
    assert!(
        wrong_uri.headers().get("location").is_none(),
        "never redirect to an unregistered URI"
    );

    let code = authorize(&sim, &c).await;
    let bad_secret = token_call(
        &sim,
        &c,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &app.redirect_uri),
            ("client_id", &app.client_id),
            ("client_secret", "wrong"),
        ],
    )
    .await;
    assert_eq!(
        bad_secret.status(),
        StatusCode::UNAUTHORIZED,
        "a wrong secret is invalid_client"
    );
    let body: Value = bad_secret.json().await.expect("JSON");
    assert_eq!(body["error"], "invalid_client");

    let ok = exchange(&sim, &c, &code).await;
    assert_eq!(ok.status(), StatusCode::OK, "the code is exchanged once");
    let body: Value = ok.json().await.expect("JSON");
    assert_eq!(
        body["expires_in"],
        json!("600"),
        "expires_in is the string \"600\", as Exact sends it"
    );
    assert_eq!(body["token_type"], "bearer");
    assert!(body["refresh_token"].is_string() && body["access_token"].is_string());

    let again = exchange(&sim, &c, &code).await;
    assert_eq!(
        again.status(),
        StatusCode::BAD_REQUEST,
        "a code is single use"
    );
    let body: Value = again.json().await.expect("JSON");
    assert_eq!(body["error"], "invalid_grant");
    let base = sim.base_url().to_string();
    sim.shutdown().await;
    let after = client().get(format!("{base}/_sim/clock")).send().await;
    assert!(after.is_err(), "after shutdown nothing listens any more");
}

#[tokio::test]
async fn binary_prints_the_listening_line_first() {
    use tokio::io::AsyncBufReadExt;
    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_exact-sim"))
        .args([
            "--port",
            "0",
            "--items",
            "50",
            "--accounts",
            "10",
            "--fault",
            r#"{"path":"x","kind":"reset"}"#,
        ])
        .stdout(std::process::Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("the binary starts");
    let stdout = child.stdout.take().expect("piped stdout");
    let mut lines = tokio::io::BufReader::new(stdout).lines();
    let first = lines
        .next_line()
        .await
        .expect("readable")
        .expect("a first line");
    let url = first
        .strip_prefix("exact-sim listening on http://127.0.0.1:")
        .map(|port| {
            assert!(
                port.parse::<u16>().is_ok_and(|p| p > 0),
                "the line ends in the real port: {first}"
            );
            format!("http://127.0.0.1:{port}")
        });
    let url = url.unwrap_or_else(|| panic!("first line must announce the URL exactly: {first}"));
    let second = lines
        .next_line()
        .await
        .expect("readable")
        .expect("a second line");
    let secret = second
        .strip_prefix("admin_secret: ")
        .unwrap_or_else(|| panic!("the second line gives the admin secret: {second}"));
    assert!(
        secret.len() >= 32 && secret.bytes().all(|b| b.is_ascii_hexdigit()),
        "a random secret of 32 hex digits or more: {secret}"
    );
    let clock: Value = client()
        .get(format!("{url}/_sim/clock"))
        .header(ADMIN_SECRET_HEADER, secret)
        .send()
        .await
        .expect("the announced URL answers")
        .json()
        .await
        .expect("clock JSON");
    assert!(
        clock["now_ms"].as_i64().is_some(),
        "the running binary serves the admin routes with the printed secret"
    );
    let mut rest = Vec::new();
    while let Ok(Some(line)) = lines.next_line().await {
        rest.push(line);
        if rest.len() == 4 {
            break;
        }
    }
    assert!(
        rest.iter().any(|l| l.starts_with("client_id: ")),
        "app registration is printed: {rest:?}"
    );
    child.kill().await.expect("the child we started stops");
}

#[tokio::test]
async fn codes_expire_after_three_sim_minutes() {
    // 3 sim minutes = 0.9 real seconds.
    let sim = exact_sim::start(SimConfig {
        time_scale: 200.0,
        ..small()
    })
    .await
    .expect("sim starts");
    let c = client();
    let code = authorize(&sim, &c).await;
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    let late = exchange(&sim, &c, &code).await;
    assert_eq!(
        late.status(),
        StatusCode::BAD_REQUEST,
        "a code older than 3 minutes is refused"
    );
    let body: Value = late.json().await.expect("JSON");
    assert_eq!(body["error"], "invalid_grant");
}

#[tokio::test]
async fn refresh_rotates_refuses_old_tokens_and_too_early_refreshes() {
    let sim = exact_sim::start(small()).await.expect("sim starts");
    let c = client();
    let first = login(&sim, &c).await;

    let early = refresh(&sim, &c, &first.refresh).await;
    assert_eq!(
        early.status(),
        StatusCode::BAD_REQUEST,
        "a refresh within 570 s is refused"
    );
    let reason = header(early.headers(), "Reason").unwrap_or_default();
    assert!(
        reason.starts_with("TooEarlyToRefreshTokens"),
        "Reason header names the rule: {reason}"
    );
    let body: Value = early.json().await.expect("JSON");
    assert_eq!(body["error"], "access_denied");
    assert_eq!(
        body["error_description"],
        "Rate limit exceeded: access_token not expired"
    );

    admin(&sim, &c, "/_sim/clock/advance", json!({"ms": 571_000})).await;
    let second = tokens_from(refresh(&sim, &c, &first.refresh).await).await;
    assert_ne!(
        second.refresh, first.refresh,
        "every refresh hands out a new refresh token"
    );
    assert_ne!(second.access, first.access);

    admin(&sim, &c, "/_sim/clock/advance", json!({"ms": 571_000})).await;
    let old = refresh(&sim, &c, &first.refresh).await;
    assert_eq!(
        old.status(),
        StatusCode::UNAUTHORIZED,
        "the rotated-out refresh token is refused"
    );
    let body: Value = old.json().await.expect("JSON");
    assert_eq!(body["error"], "invalid_grant");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap_or_default()
            .contains("Old refresh token used"),
        "Exact's wording, which clients match on: {body}"
    );
    admin(&sim, &c, "/_sim/clock/advance", json!({"ms": 40_000})).await;
    let me = api(
        &sim,
        &c,
        &second.access,
        "/api/v1/current/Me?$select=CurrentDivision",
    )
    .await;
    assert_eq!(
        me.status(),
        StatusCode::UNAUTHORIZED,
        "the second access token is 611 s old: expired"
    );
    let challenge = header(me.headers(), "WWW-Authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer") && challenge.contains("expired"),
        "401 names the expiry: {challenge}"
    );
    let third = tokens_from(refresh(&sim, &c, &second.refresh).await).await;
    let me = api(
        &sim,
        &c,
        &third.access,
        "/api/v1/current/Me?$select=CurrentDivision",
    )
    .await;
    assert_eq!(me.status(), StatusCode::OK, "the newest access token works");
    assert!(
        me.headers().get("X-RateLimit-Minutely-Remaining").is_none(),
        "current/Me is not rate limited"
    );
    let body: Value = me.json().await.expect("JSON");
    assert_eq!(
        body["d"]["results"][0]["CurrentDivision"],
        json!(sim.division_codes()[0]),
        "Me is a one-row collection with the current division"
    );
}

#[tokio::test]
async fn refresh_tokens_die_after_thirty_idle_days() {
    // A time scale fast enough for 30 days would expire the 3-minute code before it can be
    // exchanged, so the clock is jumped instead.
    let sim = exact_sim::start(small()).await.expect("sim starts");
    let c = client();
    let tokens = login(&sim, &c).await;
    admin(
        &sim,
        &c,
        "/_sim/clock/advance",
        json!({"ms": 29 * 86_400_000_i64}),
    )
    .await;
    let still = refresh(&sim, &c, &tokens.refresh).await;
    let tokens = tokens_from(still).await;
    admin(
        &sim,
        &c,
        "/_sim/clock/advance",
        json!({"ms": 30 * 86_400_000_i64 + 1_000}),
    )
    .await;
    let resp = refresh(&sim, &c, &tokens.refresh).await;
    assert_eq!(
        resp.status(),
        StatusCode::BAD_REQUEST,
        "an unused 30-day-old refresh token is dead"
    );
    let body: Value = resp.json().await.expect("JSON");
    assert_eq!(body["error"], "invalid_request");
    let text = body["error_description"].as_str().unwrap_or_default();
    assert!(
        text.starts_with("The refresh token expired at ") && text.contains(" and it is now "),
        "{text}"
    );
}

#[tokio::test]
async fn sync_paging_returns_every_row_once_with_every_property_and_matches_dump() {
    let sim = exact_sim::start(small()).await.expect("sim starts");
    let c = client();
    let t = login(&sim, &c).await;
    let division = sim.division_codes()[0];
    let select = select_all("Items", "sync");
    let first =
        format!("/api/v1/{division}/sync/Logistics/Items?$select={select}&$filter=Timestamp gt 1L");
    let (rows, urls) = page_all(&sim, &c, &t.access, &first).await;
    assert_eq!(urls.len(), 3, "2 500 rows at 1 000 a page are three pages");
    for next in &urls[1..] {
        assert!(
            next.starts_with(sim.base_url()),
            "__next is absolute: {next}"
        );
        assert!(
            next.contains("$skiptoken=") && next.ends_with('L'),
            "sync skiptoken is <ts>L: {next}"
        );
        assert!(
            next.contains("$select=Timestamp,") && next.contains("$filter="),
            "select/filter kept: {next}"
        );
    }
    let names: Vec<&str> = select.split(',').collect();
    let mut ids = BTreeSet::new();
    let mut last_ts = i64::MIN;
    for row in &rows {
        let obj = row.as_object().expect("rows are objects");
        let keys: Vec<&str> = obj
            .keys()
            .map(String::as_str)
            .filter(|k| *k != "__metadata")
            .collect();
        let mut expected = names.clone();
        expected.sort_unstable();
        let mut got = keys.clone();
        got.sort_unstable();
        assert_eq!(
            got, expected,
            "a row carries exactly the selected properties"
        );
        assert!(obj["__metadata"]["uri"].is_string() && obj["__metadata"]["type"].is_string());
        let ts = obj["Timestamp"].as_i64().expect("Timestamp is a number");
        assert!(ts > last_ts, "rows ascend by Timestamp");
        last_ts = ts;
        assert!(
            ids.insert(obj["ID"].as_str().expect("ID").to_string()),
            "no row appears twice"
        );
    }
    assert_eq!(rows.len(), 2_500, "every generated item is delivered");

    let dump = admin_get(
        &sim,
        &c,
        &format!("/_sim/dump?division={division}&entity=Items"),
    )
    .await;
    let dump = dump.as_array().expect("dump is an array");
    assert_eq!(dump.len(), rows.len(), "dump and paging see the same rows");
    let by_id: BTreeMap<&str, &Value> = rows
        .iter()
        .map(|r| (r["ID"].as_str().expect("ID"), r))
        .collect();
    for record in dump {
        let id = record["ID"].as_str().expect("dump ID");
        let row = by_id
            .get(id)
            .unwrap_or_else(|| panic!("dumped item {id} must be paged"));
        for name in &names {
            assert_eq!(
                record.get(*name).unwrap_or(&Value::Null),
                &row[*name],
                "{id}.{name} differs"
            );
        }
    }

    let key = format!(
        "/api/v1/{division}/logistics/Items(guid'{}')?$select=ID,Code",
        rows[0]["ID"].as_str().expect("ID")
    );
    let one: Value = api(&sim, &c, &t.access, &key)
        .await
        .json()
        .await
        .expect("entity JSON");
    assert_eq!(
        one["d"]["ID"], rows[0]["ID"],
        "key access returns {{\"d\":{{..}}}} of that item"
    );
}

#[tokio::test]
async fn select_and_filter_rules_are_enforced() {
    let sim = exact_sim::start(small()).await.expect("sim starts");
    let c = client();
    let t = login(&sim, &c).await;
    let d = sim.division_codes()[0];
    let cases = [
        (
            format!("/api/v1/{d}/sync/Logistics/Items"),
            "Please add a $select",
        ),
        (
            format!("/api/v1/{d}/sync/Logistics/Items?$select=*"),
            "$select=* is not allowed",
        ),
        (
            format!("/api/v1/{d}/sync/Logistics/Items?$select=ID,Bogus"),
            "Could not find a property named 'Bogus'",
        ),
        (
            format!("/api/v1/{d}/sync/CRM/Accounts?$select=ID,BankAccounts"),
            "'BankAccounts' on type 'Exact.Web.Api.Models.Sync.CRM.Account' cannot be selected",
        ),
        (
            format!("/api/v1/{d}/system/Divisions?$select=Code,Class_01"),
            "'Class_01' on type",
        ),
        (
            format!("/api/v1/{d}/sync/Logistics/Items?$select=ID&$filter=Code eq 'A'"),
            "Timestamp gt",
        ),
        (
            format!("/api/v1/{d}/crm/Accounts?$select=ID"),
            "mandatory filtering",
        ),
        (
            format!("/api/v1/{d}/bulk/CRM/Accounts"),
            "Please add a $select",
        ),
        (
            format!("/api/v1/{d}/logistics/SalesItemPrices"),
            "Please add a $select",
        ),
        (
            format!("/api/v1/{d}/crm/Contacts?$filter=substringof('a',Name)"),
            "not supported",
        ),
        (
            format!("/api/v1/{d}/sync/Logistics/Items?$select=ID&$orderby=Code"),
            "not supported",
        ),
    ];
    for (url, expected) in cases {
        let resp = api(&sim, &c, &t.access, &url).await;
        assert_eq!(
            resp.status(),
            StatusCode::BAD_REQUEST,
            "{url} must be refused"
        );
        let text = error_text(resp).await;
        assert!(
            text.contains(expected),
            "{url}: expected '{expected}' in '{text}'"
        );
    }
    let deleted = api(&sim, &c, &t.access, &format!("/api/v1/{d}/sync/Deleted?$select=ID,EntityKey&$filter=Timestamp gt 1L and EntityType eq 9")).await;
    assert_eq!(
        deleted.status(),
        StatusCode::OK,
        "Deleted accepts an EntityType clause"
    );
    let filtered = api(&sim, &c, &t.access, &format!("/api/v1/{d}/crm/Accounts?$select=ID,Name&$filter=Modified ge datetime'2000-01-01T00:00:00'")).await;
    assert_eq!(
        filtered.status(),
        StatusCode::OK,
        "crm/Accounts with a Modified filter is allowed"
    );
    let body: Value = filtered.json().await.expect("JSON");
    let page = body["d"]["results"].as_array().expect("results").len();
    assert_eq!(
        page, 60,
        "regular endpoints page at 60 rows (200 accounts exist)"
    );
    let next = body["d"]["__next"]
        .as_str()
        .expect("more accounts than one page");
    assert!(
        next.contains("$skiptoken=guid'") && next.contains("$filter="),
        "regular skiptoken: {next}"
    );
}

#[tokio::test]
async fn without_accept_json_the_answer_is_atom_xml() {
    let sim = exact_sim::start(small()).await.expect("sim starts");
    let c = client();
    let t = login(&sim, &c).await;
    let d = sim.division_codes()[0];
    let resp = c
        .get(format!("{}/api/v1/{d}/logistics/Units", sim.base_url()))
        .bearer_auth(&t.access)
        .send()
        .await
        .expect("answers");
    assert_eq!(resp.status(), StatusCode::OK);
    let ct = header(resp.headers(), "content-type").unwrap_or_default();
    assert!(
        ct.starts_with("application/atom+xml"),
        "Exact's default format is Atom: {ct}"
    );
    let text = resp.text().await.expect("body");
    assert!(
        text.starts_with("<?xml") && text.contains("<feed") && text.contains("<m:properties>"),
        "{text}"
    );
}

#[tokio::test]
async fn minutely_limit_answers_bare_429_then_recovers_next_minute() {
    // The clock starts 1 s into a minute and runs 20× fast: a sim minute is 3 real seconds.
    let origin = (exact_sim::clock::real_epoch_ms() / MINUTE) * MINUTE + 1_000;
    let cfg = SimConfig {
        minutely_limit: 3,
        time_scale: 20.0,
        origin_ms: Some(origin),
        ..small()
    };
    let sim = exact_sim::start(cfg).await.expect("sim starts");
    let c = client();
    let t = login(&sim, &c).await;
    let url = format!(
        "/api/v1/{}/logistics/Units?$select=ID",
        sim.division_codes()[0]
    );
    for expected_left in ["2", "1", "0"] {
        let resp = api(&sim, &c, &t.access, &url).await;
        assert_eq!(resp.status(), StatusCode::OK, "within the minute budget");
        let h = resp.headers();
        assert_eq!(
            header(h, "X-RateLimit-Minutely-Remaining").as_deref(),
            Some(expected_left)
        );
        assert_eq!(
            header(h, "X-RateLimit-Minutely-Limit").as_deref(),
            Some("3")
        );
        assert_eq!(
            header(h, "X-RateLimit-Limit").as_deref(),
            Some("5000"),
            "daily headers on success"
        );
        assert!(
            header(h, "X-RateLimit-Remaining").is_some()
                && header(h, "X-RateLimit-Reset").is_some()
        );
    }
    let refused = api(&sim, &c, &t.access, &url).await;
    assert_eq!(
        refused.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the fourth call in a minute is refused"
    );
    let h = refused.headers().clone();
    assert!(
        header(&h, "X-RateLimit-Limit").is_none(),
        "a minutely 429 has no daily headers"
    );
    assert!(
        header(&h, "X-RateLimit-Remaining").is_none() && header(&h, "X-RateLimit-Reset").is_none()
    );
    assert_eq!(
        header(&h, "content-length").as_deref(),
        Some("0"),
        "a minutely 429 has an empty body"
    );
    let reset: i64 = header(&h, "X-RateLimit-Minutely-Reset")
        .expect("reset header")
        .parse()
        .expect("ms");
    assert_eq!(
        reset % MINUTE,
        0,
        "the minute window ends on a calendar minute"
    );
    assert!(refused.bytes().await.expect("body").is_empty());
    while sim.now_ms() < reset {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let again = api(&sim, &c, &t.access, &url).await;
    assert_eq!(
        again.status(),
        StatusCode::OK,
        "a new minute brings a new budget"
    );
    let stats = admin_get(&sim, &c, "/_sim/stats").await;
    assert_eq!(
        stats["served_429"], 1,
        "stats count the 429 served: {stats}"
    );
}

#[tokio::test]
async fn daily_limit_refuses_with_daily_headers_and_error_body() {
    let cfg = SimConfig {
        daily_limit: 3,
        minutely_limit: 100,
        ..small()
    };
    let sim = exact_sim::start(cfg).await.expect("sim starts");
    let c = client();
    let t = login(&sim, &c).await;
    let url = format!(
        "/api/v1/{}/logistics/Units?$select=ID",
        sim.division_codes()[0]
    );
    for _ in 0..3 {
        assert_eq!(
            api(&sim, &c, &t.access, &url).await.status(),
            StatusCode::OK
        );
    }
    let refused = api(&sim, &c, &t.access, &url).await;
    assert_eq!(
        refused.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "the day budget is spent"
    );
    let h = refused.headers().clone();
    assert_eq!(header(&h, "X-RateLimit-Remaining").as_deref(), Some("0"));
    let reset: i64 = header(&h, "X-RateLimit-Reset")
        .expect("daily reset")
        .parse()
        .expect("ms");
    assert_eq!(reset % 86_400_000, 0, "the day ends at UTC midnight");
    assert!(reset > sim.now_ms() && reset - sim.now_ms() <= 86_400_000);
    let text = error_text(refused).await;
    assert!(
        !text.is_empty(),
        "a daily 429 explains itself in an Exact error body"
    );
    let me = api(&sim, &c, &t.access, "/api/v1/current/Me?$select=UserID").await;
    assert_eq!(
        me.status(),
        StatusCode::OK,
        "current/Me has no division and no budget"
    );
}

async fn set_faults(sim: &Sim, c: &Client, rules: Value) {
    admin(sim, c, "/_sim/faults", json!({ "rules": rules })).await;
}

#[tokio::test]
async fn every_fault_kind_is_observable() {
    let sim = exact_sim::start(small()).await.expect("sim starts");
    let c = client();
    let t = login(&sim, &c).await;
    let url = format!(
        "/api/v1/{}/logistics/Units?$select=ID,Code",
        sim.division_codes()[0]
    );
    let one = |kind: &str| json!([{"path": "logistics/Units", "kind": kind, "count": 1}]);

    set_faults(
        &sim,
        &c,
        json!([{"path": "Units", "kind": "status", "status": 503, "count": 1}]),
    )
    .await;
    let resp = api(&sim, &c, &t.access, &url).await;
    assert_eq!(
        resp.status(),
        StatusCode::SERVICE_UNAVAILABLE,
        "status fault answers its status"
    );
    assert!(
        !error_text(resp).await.is_empty(),
        "with Exact's error body"
    );
    assert_eq!(
        api(&sim, &c, &t.access, &url).await.status(),
        StatusCode::OK,
        "count 1: next call is normal"
    );

    set_faults(&sim, &c, one("burst429")).await;
    let resp = api(&sim, &c, &t.access, &url).await;
    assert_eq!(
        resp.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "burst429 looks like a minutely 429"
    );
    assert!(header(resp.headers(), "X-RateLimit-Minutely-Reset").is_some());
    assert!(header(resp.headers(), "X-RateLimit-Limit").is_none());
    assert!(
        resp.bytes().await.expect("body").is_empty(),
        "with an empty body"
    );

    set_faults(
        &sim,
        &c,
        json!([{"path": "*", "kind": "latency", "latency_ms": 400, "count": 1}]),
    )
    .await;
    let started = Instant::now();
    assert_eq!(
        api(&sim, &c, &t.access, &url).await.status(),
        StatusCode::OK
    );
    assert!(
        started.elapsed() >= Duration::from_millis(400),
        "latency fault delays the answer"
    );

    set_faults(&sim, &c, one("reset")).await;
    let err = c
        .get(format!("{}{url}", sim.base_url()))
        .bearer_auth(&t.access)
        .send()
        .await;
    assert!(
        err.is_err(),
        "reset closes the connection without a response: {err:?}"
    );

    set_faults(&sim, &c, one("truncate")).await;
    let resp = api(&sim, &c, &t.access, &url).await;
    assert_eq!(
        resp.status(),
        StatusCode::OK,
        "truncate sends the real status line"
    );
    assert!(
        resp.bytes().await.is_err(),
        "but the body ends before Content-Length"
    );

    set_faults(&sim, &c, one("malformed")).await;
    let resp = api(&sim, &c, &t.access, &url).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let text = resp.text().await.expect("complete body");
    assert!(
        serde_json::from_str::<Value>(&text).is_err(),
        "malformed body is not JSON: {text}"
    );

    set_faults(&sim, &c, one("revoke_access")).await;
    assert_eq!(
        api(&sim, &c, &t.access, &url).await.status(),
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        api(&sim, &c, &t.access, &url).await.status(),
        StatusCode::UNAUTHORIZED,
        "the revoked access token stays dead after the fault is used up"
    );
    admin(&sim, &c, "/_sim/clock/advance", json!({"ms": 571_000})).await;
    let fresh = tokens_from(refresh(&sim, &c, &t.refresh).await).await;
    assert_eq!(
        api(&sim, &c, &fresh.access, &url).await.status(),
        StatusCode::OK,
        "refresh recovers"
    );

    set_faults(&sim, &c, one("revoke_grant")).await;
    assert_eq!(
        api(&sim, &c, &fresh.access, &url).await.status(),
        StatusCode::UNAUTHORIZED
    );
    admin(&sim, &c, "/_sim/clock/advance", json!({"ms": 571_000})).await;
    let dead = refresh(&sim, &c, &fresh.refresh).await;
    let body: Value = dead.json().await.expect("JSON");
    assert_eq!(
        body["error"], "invalid_grant",
        "a revoked grant cannot be refreshed: {body}"
    );

    let stats = admin_get(&sim, &c, "/_sim/stats").await;
    assert_eq!(
        stats["faults_injected"], 8,
        "each fired rule is counted: {stats}"
    );
    assert_eq!(
        stats["by_status"]["reset"], 1,
        "the dropped call is counted as reset"
    );
}

#[tokio::test]
async fn mutations_show_up_in_sync_and_deleted() {
    let sim = exact_sim::start(small()).await.expect("sim starts");
    let c = client();
    let t = login(&sim, &c).await;
    let d = sim.division_codes()[0];
    let first = format!("/api/v1/{d}/sync/Logistics/Items?$select=ID,Timestamp,Description");
    let (before, _) = page_all(&sim, &c, &t.access, &first).await;
    let max_ts = before
        .iter()
        .filter_map(|r| r["Timestamp"].as_i64())
        .max()
        .expect("rows");

    let result = admin(
        &sim,
        &c,
        "/_sim/mutate",
        json!({"division": d, "entity": "Items", "insert": 2, "update": 3, "delete": 1}),
    )
    .await;
    let ids = |k: &str| -> BTreeSet<String> {
        result[k]
            .as_array()
            .expect("id list")
            .iter()
            .map(|v| v.as_str().expect("id").to_string())
            .collect()
    };
    let (inserted, updated, deleted) = (ids("inserted"), ids("updated"), ids("deleted"));
    assert_eq!(
        (inserted.len(), updated.len(), deleted.len()),
        (2, 3, 1),
        "{result}"
    );

    let since = format!(
        "/api/v1/{d}/sync/Logistics/Items?$select=ID,Timestamp&$filter=Timestamp gt {max_ts}L"
    );
    let (changed, _) = page_all(&sim, &c, &t.access, &since).await;
    let changed: BTreeSet<String> = changed
        .iter()
        .map(|r| r["ID"].as_str().expect("ID").to_string())
        .collect();
    let expected: BTreeSet<String> = inserted.union(&updated).cloned().collect();
    let expected: BTreeSet<String> = expected.difference(&deleted).cloned().collect();
    assert_eq!(
        changed, expected,
        "a sync since the old max Timestamp returns exactly the inserted and updated rows"
    );

    let del = format!(
        "/api/v1/{d}/sync/Deleted?$select=EntityKey,EntityType,Timestamp&$filter=Timestamp gt 1L and EntityType eq 9"
    );
    let (log, _) = page_all(&sim, &c, &t.access, &del).await;
    let keys: BTreeSet<String> = log
        .iter()
        .map(|r| r["EntityKey"].as_str().expect("EntityKey").to_string())
        .collect();
    assert!(
        deleted.is_subset(&keys),
        "the deleted item is in sync/Deleted: {keys:?}"
    );
    assert!(
        log.iter().all(|r| r["EntityType"] == 9),
        "EntityType filter applies"
    );
}

#[tokio::test]
async fn pictures_need_the_token_and_placeholders_do_not() {
    let sim = exact_sim::start(small()).await.expect("sim starts");
    let c = client();
    let t = login(&sim, &c).await;
    let d = sim.division_codes()[0];
    let (rows, _) = page_all(
        &sim,
        &c,
        &t.access,
        &format!("/api/v1/{d}/sync/Logistics/Items?$select=ID,PictureUrl"),
    )
    .await;
    let urls: Vec<&str> = rows
        .iter()
        .filter_map(|r| r["PictureUrl"].as_str())
        .collect();
    let real = urls
        .iter()
        .find(|u| u.contains("SysImage.aspx"))
        .expect("some items have pictures");
    let placeholder = urls
        .iter()
        .find(|u| u.contains("placeholder"))
        .expect("some items have none");
    assert!(
        placeholder.contains("//docs/images/"),
        "placeholders keep Exact's double slash: {placeholder}"
    );

    let anonymous = c.get(*real).send().await.expect("answers");
    assert_eq!(
        anonymous.status(),
        StatusCode::OK,
        "no token still answers 200"
    );
    let blank = anonymous.bytes().await.expect("bytes");
    let img = image::load_from_memory(&blank).expect("the blank answer is an image");
    assert_eq!(
        (img.width(), img.height()),
        (1, 1),
        "without a token Exact sends a 1×1 image"
    );

    let with_token = c
        .get(*real)
        .bearer_auth(&t.access)
        .send()
        .await
        .expect("answers");
    assert_eq!(with_token.status(), StatusCode::OK);
    let bytes = with_token.bytes().await.expect("bytes");
    let img = image::load_from_memory(&bytes).expect("the real picture decodes");
    assert!(
        img.width() > 1 && img.height() > 1,
        "with the token the real picture comes back"
    );

    let ph = c.get(*placeholder).send().await.expect("answers");
    assert_eq!(ph.status(), StatusCode::OK, "placeholders need no token");
    image::load_from_memory(&ph.bytes().await.expect("bytes"))
        .expect("the placeholder is an image");

    let stats = admin_get(&sim, &c, "/_sim/stats").await;
    assert_eq!(
        stats["downloads"], 2,
        "picture downloads are counted: {stats}"
    );
}

/// What an admin request got: its status and the `error` of its JSON body.
async fn refused(request: reqwest::RequestBuilder) -> (StatusCode, String) {
    let response = request.send().await.expect("the simulator answers");
    let status = response.status();
    let body: Value = response.json().await.expect("a refusal has a JSON body");
    (
        status,
        body["error"].as_str().unwrap_or_default().to_owned(),
    )
}

#[tokio::test]
async fn admin_routes_need_the_secret_a_loopback_host_and_json() {
    let sim = exact_sim::start(SimConfig {
        items: 10,
        accounts: 5,
        ..SimConfig::default()
    })
    .await
    .expect("sim starts");
    let c = client();
    let base = sim.base_url();
    let port = base.rsplit(':').next().expect("the URL has a port");
    let secret = sim.admin_secret();
    let stats = format!("{base}/_sim/stats");
    let faults = format!("{base}/_sim/faults");
    let rule = json!({"rules": [{"path": "*", "kind": "reset"}]});

    let attempts = [
        ("no secret", c.get(&stats)),
        (
            "a wrong secret of the same length",
            c.get(&stats)
                .header(ADMIN_SECRET_HEADER, "0".repeat(secret.len())),
        ),
        (
            "the secret with a suffix",
            c.get(&stats)
                .header(ADMIN_SECRET_HEADER, format!("{secret}0")),
        ),
        (
            "a foreign Host (DNS rebinding) with the right secret",
            c.get(&stats)
                .header(ADMIN_SECRET_HEADER, secret)
                .header(reqwest::header::HOST, format!("evil.example:{port}")),
        ),
        (
            "a foreign Host without a port",
            c.get(&stats)
                .header(ADMIN_SECRET_HEADER, secret)
                .header(reqwest::header::HOST, "evil.example"),
        ),
        (
            "a JSON POST without the secret",
            c.post(&faults).json(&rule),
        ),
        (
            "a mutation without the secret",
            c.post(format!("{base}/_sim/mutate")).json(&json!({})),
        ),
        (
            "a clock move without the secret",
            c.post(format!("{base}/_sim/clock/advance"))
                .json(&json!({"ms": 1})),
        ),
    ];
    for (what, request) in attempts {
        let (status, error) = refused(request).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{what} must be refused");
        assert!(!error.is_empty(), "{what}: the refusal says why");
        assert!(
            !error.contains(secret),
            "{what}: a refusal never shows the secret"
        );
    }

    let (status, _) = refused(
        c.post(&faults)
            .header(ADMIN_SECRET_HEADER, secret)
            .header(reqwest::header::CONTENT_TYPE, "text/plain")
            .body(rule.to_string()),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "a 'simple' cross-origin POST (text/plain) is refused even with the secret"
    );
    let (status, _) = refused(
        c.post(&faults)
            .header(ADMIN_SECRET_HEADER, secret)
            .body(rule.to_string()),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "a body without a content type is refused"
    );
    let current = admin_get(&sim, &c, "/_sim/faults").await;
    assert_eq!(
        current["rules"].as_array().map(Vec::len),
        Some(0),
        "no refused request changed the rules: {current}"
    );

    for host in [
        format!("127.0.0.1:{port}"),
        format!("localhost:{port}"),
        format!("[::1]:{port}"),
        "localhost".to_owned(),
    ] {
        let response = c
            .get(&stats)
            .header(ADMIN_SECRET_HEADER, secret)
            .header(reqwest::header::HOST, &host)
            .send()
            .await
            .expect("answers");
        assert_eq!(response.status(), StatusCode::OK, "Host {host} is loopback");
    }
    let set = c
        .post(&faults)
        .header(ADMIN_SECRET_HEADER, secret)
        .header(
            reqwest::header::CONTENT_TYPE,
            "application/json; charset=utf-8",
        )
        .body(json!({"rules": [{"path": "nothing-matches", "kind": "reset"}]}).to_string())
        .send()
        .await
        .expect("answers");
    assert_eq!(
        set.status(),
        StatusCode::OK,
        "JSON with the secret is accepted"
    );
    let current = admin_get(&sim, &c, "/_sim/faults").await;
    assert_eq!(
        current["rules"].as_array().map(Vec::len),
        Some(1),
        "{current}"
    );
}

#[tokio::test]
async fn the_admin_secret_is_random_per_start_or_chosen() {
    let one = exact_sim::start(SimConfig {
        items: 1,
        accounts: 1,
        ..SimConfig::default()
    })
    .await
    .expect("sim starts");
    let two = exact_sim::start(SimConfig {
        items: 1,
        accounts: 1,
        ..SimConfig::default()
    })
    .await
    .expect("sim starts");
    assert!(
        one.admin_secret().len() >= 32 && one.admin_secret().bytes().all(|b| b.is_ascii_hexdigit()),
        "32 hex digits or more: {}",
        one.admin_secret()
    );
    assert_ne!(
        one.admin_secret(),
        two.admin_secret(),
        "the secret does not follow the seed"
    );
    let chosen = exact_sim::start(SimConfig {
        items: 1,
        accounts: 1,
        admin_secret: Some("a-chosen-admin-secret".into()),
        ..SimConfig::default()
    })
    .await
    .expect("sim starts");
    assert_eq!(chosen.admin_secret(), "a-chosen-admin-secret");
    assert!(
        exact_sim::start(SimConfig {
            admin_secret: Some("short".into()),
            ..SimConfig::default()
        })
        .await
        .is_err(),
        "a guessable secret is refused"
    );
}

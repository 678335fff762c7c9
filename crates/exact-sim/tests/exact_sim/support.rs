//! What the simulator's HTTP tests share: a client that does not follow redirects, tokens
//! through the code flow, and readers of the API and the admin routes.

use std::collections::BTreeMap;

use exact_sim::{ADMIN_SECRET_HEADER, Sim, SimConfig};
use reqwest::header::HeaderMap;
use reqwest::{Client, StatusCode};
use serde_json::Value;

pub const MINUTE: i64 = 60_000;

pub fn small() -> SimConfig {
    SimConfig {
        items: 2_500,
        accounts: 200,
        ..SimConfig::default()
    }
}

pub fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client builds")
}

pub fn header(h: &HeaderMap, name: &str) -> Option<String> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string)
}

pub struct Tokens {
    pub access: String,
    pub refresh: String,
}

pub async fn authorize(sim: &Sim, c: &Client) -> String {
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

pub async fn token_call(sim: &Sim, c: &Client, form: &[(&str, &str)]) -> reqwest::Response {
    c.post(format!("{}/api/oauth2/token", sim.base_url()))
        .form(form)
        .send()
        .await
        .expect("token endpoint answers")
}

pub async fn exchange(sim: &Sim, c: &Client, code: &str) -> reqwest::Response {
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

pub async fn refresh(sim: &Sim, c: &Client, refresh_token: &str) -> reqwest::Response {
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

pub async fn tokens_from(resp: reqwest::Response) -> Tokens {
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

pub async fn login(sim: &Sim, c: &Client) -> Tokens {
    let code = authorize(sim, c).await;
    tokens_from(exchange(sim, c, &code).await).await
}

pub async fn api(sim: &Sim, c: &Client, token: &str, path_and_query: &str) -> reqwest::Response {
    c.get(format!("{}{}", sim.base_url(), path_and_query))
        .bearer_auth(token)
        .header("Accept", "application/json")
        .send()
        .await
        .expect("API answers")
}

pub async fn error_text(resp: reqwest::Response) -> String {
    let body: Value = resp.json().await.expect("error body is JSON");
    body["error"]["message"]["value"]
        .as_str()
        .expect("Exact error shape")
        .to_string()
}

pub async fn admin(sim: &Sim, c: &Client, path: &str, body: Value) -> Value {
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

pub async fn admin_get(sim: &Sim, c: &Client, path: &str) -> Value {
    c.get(format!("{}{}", sim.base_url(), path))
        .header(ADMIN_SECRET_HEADER, sim.admin_secret())
        .send()
        .await
        .expect("admin answers")
        .json()
        .await
        .expect("admin JSON")
}

pub fn select_all(entity: &str, label: &str) -> String {
    exact_fields::entity(entity)
        .expect("field list")
        .select_all(label)
}

/// Pages a sync or list URL to the end; returns all rows and the URLs fetched.
pub async fn page_all(
    sim: &Sim,
    c: &Client,
    token: &str,
    first: &str,
) -> (Vec<Value>, Vec<String>) {
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

//! What the simulator's HTTP tests share: a client that does not follow redirects, and tokens
//! through the code flow.
#![allow(dead_code)] // each test file uses part of it

use exact_sim::Sim;
use reqwest::Client;
use reqwest::header::LOCATION;
use serde_json::Value;

pub fn client() -> Client {
    Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("reqwest client builds")
}

/// An access and a refresh token through the code flow.
pub async fn login(sim: &Sim, c: &Client) -> (String, String) {
    let app = sim.app_registration();
    let consent = c
        .get(format!("{}/api/oauth2/auth", sim.base_url()))
        .query(&[
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", app.redirect_uri.as_str()),
            ("response_type", "code"),
        ])
        .send()
        .await
        .expect("authorize answers");
    let location = consent.headers()[LOCATION]
        .to_str()
        .expect("ASCII")
        .to_owned();
    let url = reqwest::Url::parse(&location).expect("an absolute redirect");
    let code = url
        .query_pairs()
        .find(|(k, _)| k == "code")
        .expect("a code")
        .1
        .into_owned();
    token(
        sim,
        c,
        &[
            ("grant_type", "authorization_code"),
            ("code", &code),
            ("redirect_uri", &app.redirect_uri),
        ],
    )
    .await
}

pub async fn token(sim: &Sim, c: &Client, grant: &[(&str, &str)]) -> (String, String) {
    let app = sim.app_registration();
    let mut form = vec![
        ("client_id", app.client_id.as_str()),
        ("client_secret", app.client_secret.as_str()),
    ];
    form.extend_from_slice(grant);
    let body: Value = c
        .post(format!("{}/api/oauth2/token", sim.base_url()))
        .form(&form)
        .send()
        .await
        .expect("token endpoint answers")
        .json()
        .await
        .expect("a JSON token answer");
    let field = |name: &str| body[name].as_str().expect("a token").to_owned();
    (field("access_token"), field("refresh_token"))
}

//! OAuth: the code flow, single-use and expiring codes, rotating refresh tokens, Exact's
//! 570 s rule and refresh tokens that die after thirty idle days.

use std::time::Duration;

use exact_sim::SimConfig;
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{
    admin, api, authorize, client, exchange, header, login, refresh, small, token_call, tokens_from,
};

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

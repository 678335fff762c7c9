//! Fault rules: every kind can be seen from the client's side.

use std::time::{Duration, Instant};

use exact_sim::Sim;
use reqwest::{Client, StatusCode};
use serde_json::{Value, json};

use crate::support::{
    admin, admin_get, api, client, error_text, header, login, refresh, small, tokens_from,
};

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

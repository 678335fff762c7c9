//! The `/_sim/` admin routes: the secret, a loopback Host and JSON are required.

use exact_sim::{ADMIN_SECRET_HEADER, SimConfig};
use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::support::{admin_get, client};

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

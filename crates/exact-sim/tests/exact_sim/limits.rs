//! Rate limits: the minutely and daily budgets, their headers and their 429s.

use std::time::Duration;

use exact_sim::SimConfig;
use reqwest::StatusCode;

use crate::support::{MINUTE, admin_get, api, client, error_text, header, login, small};

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

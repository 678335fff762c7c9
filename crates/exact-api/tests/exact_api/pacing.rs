//! Pacing from Exact's rate-limit headers: no 429 of our making, and a daily limit that stops
//! with its reset time.

use exact_api::Error;
use exact_sim::SimConfig;

use crate::support::{start, status_count};

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

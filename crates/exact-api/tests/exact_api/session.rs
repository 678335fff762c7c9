//! The token lifecycle: refreshes mid-stream, the 570 s rule, two processes sharing one chain,
//! and a revoked grant.

use exact_api::Error;
use exact_sim::SimConfig;
use serde_json::json;

use crate::support::{app, client_for, start, status_count};

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
    // renewal.rs): here the revoked token goes straight to the refresh.
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

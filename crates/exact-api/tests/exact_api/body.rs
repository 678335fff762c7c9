//! Bodies read with a cap: a gzip bomb page, an oversized error body, an oversized token answer.

use exact_api::{Error, RequestOptions};
use exact_sim::SimConfig;
use serde_json::json;

use crate::support::{Harness, app, authorize, calls_to, client_for, start};

/// Bytes of one page of `entity` with every property, fetched with the stored token.
async fn page_bytes(h: &Harness, entity: &str, path: &str) -> u64 {
    let select = exact_fields::entity(entity).unwrap().select_all("sync");
    let url = h.client.api_url(
        Some(h.division()),
        path,
        &[("$select", &select), ("$filter", "Timestamp gt 1L")],
    );
    let body = h
        .http
        .get(url)
        .bearer_auth(h.stored_tokens().access_token)
        .header("Accept", "application/json")
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    body.len() as u64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_gzip_bomb_page_ends_at_the_cap_and_is_not_retried() {
    const ITEMS: &str = "sync/Logistics/Items";
    let h = start(SimConfig {
        items: 1_000,
        accounts: 1_000,
        ..Default::default()
    })
    .await;
    let full_page = page_bytes(&h, "Items", ITEMS).await;
    let accounts_page = page_bytes(&h, "Accounts", "sync/CRM/Accounts").await;
    println!(
        "a 1 000-record page with every property: items {full_page} bytes, accounts {accounts_page} bytes"
    );
    assert!(
        full_page.max(accounts_page) * 8 < exact_api::body::PAGE_CAP,
        "the page cap must leave real pages far below it: {full_page}, {accounts_page}"
    );

    // Unlimited: a retry would meet the bomb again, so the call count shows whether it retried.
    h.faults(json!([{ "path": ITEMS, "kind": "gzip_bomb" }]))
        .await;
    h.reset_stats().await;
    let select = exact_fields::entity("Items").unwrap().select_all("sync");
    let url = h.client.api_url(
        Some(h.division()),
        ITEMS,
        &[("$select", &select), ("$filter", "Timestamp gt 1L")],
    );
    match h
        .client
        .get_page(Some(h.division()), &url, &RequestOptions::default())
        .await
    {
        Err(Error::Protocol(message)) => assert!(
            message.contains("larger than 64 MiB"),
            "the cap is named: {message}"
        ),
        other => panic!("a bomb must end at the page cap, got {other:?}"),
    }
    assert_eq!(
        calls_to(&h.stats().await, ITEMS),
        1,
        "an answer over the cap is final, never retried"
    );
    match h.raw_all("Items", ITEMS).await {
        Err(Error::Protocol(message)) => assert!(message.contains("64 MiB"), "{message}"),
        other => panic!("raw paging must end at the cap too, got {other:?}"),
    }
    assert_eq!(
        calls_to(&h.stats().await, ITEMS),
        2,
        "raw paging tried the bomb once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_error_body_ends_as_a_normal_refusal() {
    const ITEMS: &str = "sync/Logistics/Items";
    let h = start(SimConfig {
        items: 10,
        ..Default::default()
    })
    .await;
    let select = exact_fields::entity("Items").unwrap().select_all("sync");
    let url = h.client.api_url(
        Some(h.division()),
        ITEMS,
        &[("$select", &select), ("$filter", "Timestamp gt 1L")],
    );
    let refusal = || async {
        match h
            .client
            .get_page(Some(h.division()), &url, &RequestOptions::default())
            .await
        {
            Err(Error::Api {
                status: 400,
                message,
            }) => message,
            other => panic!("an oversized 400 is still a refusal, got {other:?}"),
        }
    };

    // 4 MiB of error body: only the first 64 KiB are read, which is not a whole JSON body.
    h.faults(json!([{ "path": ITEMS, "kind": "oversized_error" }]))
        .await;
    h.reset_stats().await;
    let message = refusal().await;
    assert!(
        message.starts_with("Bad Request") && message.contains("larger than 64 KiB"),
        "the message says the body was cut: {message}"
    );
    assert!(message.len() < 200, "and nothing of the body: {message}");
    assert_eq!(
        calls_to(&h.stats().await, ITEMS),
        1,
        "a 4xx is never retried, whatever its size"
    );

    // A whole body with a huge message: the message is kept, cut short.
    h.faults(json!([{ "path": ITEMS, "kind": "oversized_error", "bytes": 32_768 }]))
        .await;
    let message = refusal().await;
    assert!(
        message.starts_with("Oversized error message (injected by exact-sim)."),
        "Exact's own message is kept: {}",
        &message[..80.min(message.len())]
    );
    assert!(
        message.ends_with('…') && message.chars().count() == 1_001,
        "and cut to 1 000 characters: {} characters",
        message.chars().count()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_oversized_token_answer_is_refused_and_not_retried() {
    // 600 s of token life pass in 0.6 s of real time.
    let h = start(SimConfig {
        items: 10,
        time_scale: 1_000.0,
        ..Default::default()
    })
    .await;
    // 1 MiB inflated: far over the 64 KiB cap of a token answer, quick to build.
    h.faults(json!([{ "path": "oauth2/token", "kind": "gzip_bomb", "bytes": 1_048_576 }]))
        .await;
    tokio::time::sleep(std::time::Duration::from_millis(700)).await;
    h.reset_stats().await;
    let url = h
        .client
        .api_url(Some(h.division()), "logistics/Units", &[("$select", "ID")]);
    match h.client.collect(h.division(), &url).await {
        Err(Error::Protocol(message)) => assert!(
            message.contains("token answer") && message.contains("larger than 64 KiB"),
            "the refresh ends at the cap: {message}"
        ),
        other => panic!("an expired token and a bomb for an answer must fail, got {other:?}"),
    }
    assert_eq!(
        h.stats().await["token_requests"].as_u64(),
        Some(1),
        "an answer over the cap is final: the refresh is not retried"
    );

    // The same for the code exchange of a new sign-in.
    let dir = tempfile::tempdir().unwrap();
    let client = client_for(h.sim.base_url(), &app(), &dir, &h.clock);
    let code = authorize(&h.http, &client, "state-2").await;
    match client.session().sign_in_with_code(&code).await {
        Err(Error::Protocol(message)) => assert!(message.contains("64 KiB"), "{message}"),
        other => panic!("a bomb in answer to a code exchange must fail, got {other:?}"),
    }
}

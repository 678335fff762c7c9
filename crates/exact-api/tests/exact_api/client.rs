//! The request loop: transient faults retried, refusals not, single entities and languages.

use exact_api::{Error, RequestOptions};
use exact_sim::SimConfig;
use serde_json::json;

use crate::support::{assert_complete, start};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recovers_from_every_transient_fault_kind() {
    let h = start(SimConfig {
        items: 2_600,
        time_scale: 100.0,
        ..Default::default()
    })
    .await;
    let expected = h.dump("Items").await;
    for rule in [
        json!({ "path": "sync/Logistics/Items", "kind": "status", "status": 503, "count": 3 }),
        json!({ "path": "sync/Logistics/Items", "kind": "status", "status": 500, "rate": 0.5, "count": 2 }),
        json!({ "path": "sync/Logistics/Items", "kind": "burst429", "count": 3 }),
        json!({ "path": "sync/Logistics/Items", "kind": "reset", "count": 2 }),
        json!({ "path": "sync/Logistics/Items", "kind": "truncate", "count": 2 }),
        json!({ "path": "sync/Logistics/Items", "kind": "malformed", "count": 2 }),
        json!({ "path": "sync/Logistics/Items", "kind": "latency", "latency_ms": 300, "count": 2 }),
        json!({ "path": "sync/Logistics/Items", "kind": "revoke_access", "count": 1 }),
    ] {
        h.reset_stats().await;
        h.faults(json!([rule.clone()])).await;
        let items = h
            .sync_all("Items", "sync/Logistics/Items")
            .await
            .unwrap_or_else(|e| panic!("{rule}: {e}"));
        assert_complete(&items, &expected, "Items");
        let stats = h.stats().await;
        assert!(
            stats["faults_injected"].as_u64().unwrap_or(0) >= 1,
            "the fault {rule} must have fired: {stats}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_requests_are_not_retried() {
    let h = start(SimConfig {
        items: 10,
        ..Default::default()
    })
    .await;
    h.reset_stats().await;
    let url = h.client.api_url(
        Some(h.division()),
        "sync/Logistics/Items",
        &[("$filter", "Timestamp gt 1L")],
    );
    match h
        .client
        .get_page(Some(h.division()), &url, &RequestOptions::default())
        .await
    {
        Err(Error::Api {
            status: 400,
            message,
        }) => {
            assert!(
                message.contains("$select"),
                "Exact's own message is kept: {message}"
            )
        }
        other => panic!("a sync call without $select must be refused, got {other:?}"),
    }
    assert_eq!(
        h.stats().await["total_calls"].as_u64(),
        Some(1),
        "a 4xx is never retried"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn single_entities_and_languages() {
    let h = start(SimConfig {
        items: 20,
        ..Default::default()
    })
    .await;
    let id = h.dump("Items").await[0]["ID"].as_str().unwrap().to_owned();
    let path = format!("logistics/Items(guid'{id}')");
    let url = h.client.api_url(
        Some(h.division()),
        &path,
        &[("$select", "ID,Code,Description")],
    );
    let nl = h
        .client
        .get_page(
            Some(h.division()),
            &url,
            &RequestOptions {
                language: Some("NL".into()),
                ..RequestOptions::default()
            },
        )
        .await
        .unwrap();
    let en = h
        .client
        .get_page(
            Some(h.division()),
            &url,
            &RequestOptions {
                language: Some("EN".into()),
                ..RequestOptions::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(nl.records.len(), 1, "a key lookup answers one entity");
    assert_eq!(nl.records[0].id().as_deref(), Some(id.as_str()));
    assert_ne!(
        nl.records[0].str("Description"),
        en.records[0].str("Description"),
        "CustomDescriptionLanguage must be honoured"
    );
}

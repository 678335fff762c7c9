//! Paging against the simulator: every record once with every property, and raw paging
//! that asks for the next page early without losing a record to faults.

use std::sync::Arc;

use exact_sim::SimConfig;
use serde_json::json;

use crate::support::{assert_complete, calls_to, start, status_count};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pages_every_item_and_account_with_every_property() {
    let h = start(SimConfig {
        items: 10_500,
        accounts: 1_200,
        ..Default::default()
    })
    .await;
    let items = h.sync_all("Items", "sync/Logistics/Items").await.unwrap();
    assert_eq!(items.len(), 10_500);
    assert_complete(&items, &h.dump("Items").await, "Items");
    assert_eq!(
        calls_to(&h.stats().await, "sync/Logistics/Items"),
        11,
        "10 500 items at 1 000 a page take 11 calls"
    );

    let accounts = h.sync_all("Accounts", "sync/CRM/Accounts").await.unwrap();
    assert_complete(&accounts, &h.dump("Accounts").await, "Accounts");
    let first = &accounts[0];
    assert!(
        first.str("Code").is_some(),
        "account codes are read trimmed"
    );
    assert!(
        first.date("Created").is_some(),
        "dates parse from /Date(ms)/"
    );
    assert_eq!(status_count(&h.stats().await, "429"), 0);
}

/// Raw paging asks for the next page while it parses one: that costs no call beyond the pages,
/// and with each fault kind every record still arrives exactly once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_paging_asks_early_and_loses_nothing_to_faults() {
    const ITEMS: &str = "sync/Logistics/Items";
    let h = start(SimConfig {
        items: 5_500,
        time_scale: 100.0,
        ..Default::default()
    })
    .await;
    let expected = h.dump("Items").await;
    h.reset_stats().await;
    let (items, pages) = h.raw_all("Items", ITEMS).await.unwrap();
    assert_complete(&items, &expected, "Items");
    assert_eq!(pages, 6);
    assert_eq!(
        calls_to(&h.stats().await, ITEMS),
        6,
        "no call beyond the pages"
    );
    for rule in [
        json!({ "path": ITEMS, "kind": "malformed", "count": 2 }),
        json!({ "path": ITEMS, "kind": "truncate", "count": 2 }),
        json!({ "path": ITEMS, "kind": "reset", "count": 2 }),
        json!({ "path": ITEMS, "kind": "status", "status": 503, "count": 2 }),
        json!({ "path": ITEMS, "kind": "burst429", "count": 2 }),
        json!({ "path": ITEMS, "kind": "revoke_access", "count": 1 }),
    ] {
        h.reset_stats().await;
        h.faults(json!([rule.clone()])).await;
        let (items, pages) = h
            .raw_all("Items", ITEMS)
            .await
            .unwrap_or_else(|e| panic!("{rule}: {e}"));
        assert_complete(&items, &expected, "Items");
        assert_eq!(pages, 6, "{rule}");
        let stats = h.stats().await;
        assert!(
            stats["faults_injected"].as_u64().unwrap_or(0) >= 1,
            "the fault {rule} must have fired: {stats}"
        );
    }

    // A pager dropped after its first page costs at most the one call it sent early.
    h.reset_stats().await;
    let select = exact_fields::entity("Items").unwrap().select_all("sync");
    let keep: exact_api::PropertyFilter = Arc::new(|_: &str| true);
    let mut pager = h.client.sync(h.division(), ITEMS, &select, 1);
    assert!(pager.next_raw_page(&keep).await.unwrap().is_some());
    drop(pager);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(calls_to(&h.stats().await, ITEMS) <= 2);
}

//! The item descriptions in other languages, read page by page with their own cursors.

use std::collections::BTreeMap;

use offline_cache::Entity;
use offline_sync::{Outcome, SyncOptions};
use serde_json::json;

use crate::support::*;

/// Every item's description as the simulator gives it in `language`.
async fn descriptions_from_exact(h: &Harness, language: &str) -> BTreeMap<String, Option<String>> {
    let url = h.demo.client.api_url(
        Some(h.division()),
        "sync/Logistics/Items",
        &[
            ("$select", "ID,Timestamp,Description"),
            ("$filter", "Timestamp gt 1L"),
        ],
    );
    let mut pager = h.demo.client.pages(
        h.division(),
        url,
        exact_api::RequestOptions {
            language: Some(language.to_owned()),
            ..exact_api::RequestOptions::default()
        },
    );
    let mut out = BTreeMap::new();
    while let Some(page) = pager.next_page().await.unwrap() {
        for r in page.records {
            out.insert(r.id().unwrap(), r.str("Description").map(str::to_owned));
        }
    }
    out
}

/// The descriptions the cache holds in `language`, for every item it holds.
fn cached_descriptions(h: &Harness, language: &str) -> BTreeMap<String, Option<String>> {
    let d = h.division();
    h.cached(d, Entity::Items)
        .keys()
        .map(|id| {
            let detail = h.cache.item(d, id, crate::support::now()).unwrap().unwrap();
            let found = detail
                .descriptions
                .into_iter()
                .find(|t| t.language == language)
                .unwrap_or_else(|| panic!("item {id} has no {language} description"));
            (id.clone(), found.description)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn item_descriptions_are_synced_per_language_and_follow_their_items() {
    let h = start(small()).await;
    let options = SyncOptions {
        languages: vec!["EN".into(), "de".into()],
        ..h.options()
    };
    let report = h.run(&options).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    for language in ["EN", "DE"] {
        let e = outcome(&report, &format!("Items ({language})"));
        assert_eq!((e.rows_upserted, e.calls), (2_300, 3), "{language}");
        assert_eq!(
            cached_descriptions(&h, language),
            descriptions_from_exact(&h, language).await,
            "{language} descriptions equal Exact's"
        );
    }
    let nl = descriptions_from_exact(&h, "NL").await;
    let en = descriptions_from_exact(&h, "EN").await;
    assert!(
        nl.iter().filter(|(id, d)| en[*id] != **d).count() > 2_000,
        "the languages differ"
    );

    // Updated items bring their translations again; deleted ones take them along.
    let d = h.division();
    h.admin(
        "mutate",
        json!({"division": d, "entity": "Items", "update": 4, "delete": 2}),
    )
    .await;
    let report = h.run(&options).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    let e = outcome(&report, "Items (EN)");
    assert_eq!((e.rows_upserted, e.calls), (4, 1));
    for language in ["EN", "DE"] {
        assert_eq!(
            cached_descriptions(&h, language),
            descriptions_from_exact(&h, language).await,
            "{language} after changes"
        );
    }
    let rows: i64 = rusqlite_count(&h, "SELECT count(*) FROM item_descriptions");
    assert_eq!(
        rows,
        2 * 2_298,
        "two deleted items left no translation behind"
    );
}

fn rusqlite_count(h: &Harness, sql: &str) -> i64 {
    let path = h._dir.path().join("cache.sqlite");
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.query_row(sql, [], |r| r.get(0)).unwrap()
}

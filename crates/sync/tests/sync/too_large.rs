//! A page Exact cannot serve (over its response cap) does not block its entity: the read is
//! tried once more without the entity's large text properties, that exclusion is remembered
//! with its cause, shown, and asked again by a full resync. A failure that stays without them
//! fails that entity alone.

use crate::support::*;
use exact_sim::SimConfig;
use offline_cache::{Entity, ExclusionCause, describe_without};
use offline_sync::{ErrorCode, Outcome, SyncOptions};
use serde_json::json;

const DOCUMENTS: &str = "sync/Documents/Documents";

/// Bytes of each large body: under the engine's 4 MiB per record, far over anything else.
const BODY_BYTES: usize = 1_000_000;

/// Documents given a large body.
const LARGE_BODIES: usize = 4;

/// The cap the `response_cap` fault sets on Documents pages: above a page of 1 000 documents
/// without large bodies (about 1.5 MB), below the page that holds the four bodies of 1 MB.
const CAP: u64 = 3_000_000;

fn config() -> SimConfig {
    SimConfig {
        documents: Some(1_500),
        // Fast retries (the client backs off on the sim clock's scale).
        time_scale: 50.0,
        ..small()
    }
}

/// Gives `LARGE_BODIES` documents a large body; they move to the last page (the newest
/// Timestamps). Returns their IDs.
async fn give_large_bodies(h: &Harness) -> Vec<String> {
    let d = h.division();
    let ids: Vec<String> = h
        .dump(d, Entity::Documents)
        .await
        .into_keys()
        .take(LARGE_BODIES)
        .collect();
    // One at a time: the admin routes take bodies of up to 2 MB.
    for (i, id) in ids.iter().enumerate() {
        let letter = char::from(b'a' + i as u8).to_string();
        let body = format!("<p>{}</p>", letter.repeat(BODY_BYTES));
        let row = json!({"ID": id, "Body": body, "HasEmptyBody": false});
        let result = h
            .admin(
                "mutate",
                json!({"division": d, "entity": "Documents", "update": [row]}),
            )
            .await;
        assert_eq!(
            result["updated"],
            json!([id]),
            "the simulator took the body"
        );
    }
    ids
}

async fn cap_documents(h: &Harness) {
    h.admin(
        "faults",
        json!({"rules": [{"path": DOCUMENTS, "kind": "response_cap", "bytes": CAP}]}),
    )
    .await;
}

fn documents_status(h: &Harness) -> offline_cache::EntityStatus {
    h.cache
        .status(crate::support::now())
        .unwrap()
        .into_iter()
        .find(|s| s.division == h.division() && s.entity == "Documents")
        .unwrap()
}

/// The documents are stored without Body: the large ones are there, with everything else but
/// the body, and the cursor moved past the page that could not be served.
async fn assert_stored_without_body(h: &Harness, large: &[String]) {
    let d = h.division();
    let cached = h.cached(d, Entity::Documents);
    let source = h.dump(d, Entity::Documents).await;
    for id in large {
        let mine = &cached[id];
        assert!(mine.get("Body").is_none(), "{id} is stored without Body");
        assert_eq!(
            mine["Subject"], source[id]["Subject"],
            "{id} has its other properties"
        );
    }
    let newest = source
        .values()
        .filter_map(|r| r["Timestamp"].as_i64())
        .max()
        .unwrap();
    assert_eq!(h.cache.cursor(d, "Documents").unwrap(), Some(newest));
}

/// The exclusion of Body is kept with its cause, and status and the run history say why.
fn assert_exclusion_kept_and_said(h: &Harness) {
    let kept = h.cache.all_excluded_properties().unwrap();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!(
        (
            kept[0].entity.as_str(),
            kept[0].property.as_str(),
            kept[0].cause
        ),
        ("Documents", "Body", ExclusionCause::TooLarge)
    );
    let status = documents_status(h);
    assert_eq!(status.excluded, ["Body"]);
    assert_eq!(status.too_large, ["Body"]);
    assert_eq!(
        describe_without(&status.excluded, &status.too_large),
        "without Body (the page was too large for Exact to serve)"
    );
    let runs = h.cache.runs(1).unwrap();
    let recorded = runs[0]
        .entities
        .iter()
        .find(|e| e.entity == "Documents")
        .unwrap();
    assert_eq!(
        (recorded.without.clone(), recorded.too_large.clone()),
        (vec!["Body".to_owned()], vec!["Body".to_owned()])
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_too_large_to_serve_is_read_without_body_until_a_full_resync() {
    let h = start(config()).await;
    let d = h.division();
    let large = give_large_bodies(&h).await;
    cap_documents(&h).await;

    let report = h.run(&h.options()).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    let documents = outcome(&report, "Documents");
    assert_eq!(documents.error, None);
    assert_eq!(documents.without, ["Body"]);
    assert_eq!(documents.too_large, ["Body"], "left out for its size");
    assert_eq!(documents.rows_upserted, 1_500, "every document is stored");
    assert!(
        report
            .entities
            .iter()
            .all(|e| e.entity == "Documents" || e.without.is_empty()),
        "only Documents is read without it"
    );

    assert_stored_without_body(&h, &large).await;
    assert_exclusion_kept_and_said(&h);

    // The next run does not ask for Body: one call, no failure, still said.
    h.admin(
        "mutate",
        json!({"division": d, "entity": "Documents", "update": [{"ID": large[0], "Subject": "Changed"}]}),
    )
    .await;
    let again = h.run(&h.options()).await;
    assert_eq!(again.outcome, Outcome::Succeeded, "{again:#?}");
    let documents = outcome(&again, "Documents");
    assert_eq!((documents.calls, documents.rows_upserted), (1, 1));
    assert_eq!(documents.too_large, ["Body"]);
    assert_eq!(
        h.cached(d, Entity::Documents)[&large[0]]["Subject"],
        "Changed"
    );

    // A full resync asks for Body again; Exact still cannot serve that page, so it is left out
    // again.
    let full = SyncOptions {
        full: true,
        ..h.options()
    };
    let report = h.run(&full).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    let documents = outcome(&report, "Documents");
    assert_eq!(documents.too_large, ["Body"]);
    assert!(
        documents.calls >= 3,
        "two pages and the failed one: {}",
        documents.calls
    );

    // The cap is lifted: the next full resync stores Body, and the copy is whole again.
    h.admin("faults", json!({"rules": []})).await;
    let report = h.run(&full).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    let documents = outcome(&report, "Documents");
    assert!(documents.without.is_empty() && documents.too_large.is_empty());
    assert!(h.cache.all_excluded_properties().unwrap().is_empty());
    assert!(documents_status(&h).too_large.is_empty());
    let cached = h.cached(d, Entity::Documents);
    for id in &large[1..] {
        assert_eq!(
            cached[id]["Body"].as_str().map(str::len),
            Some(BODY_BYTES + "<p></p>".len()),
            "{id} has its body now"
        );
    }
    h.assert_equal(d).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_entity_that_fails_without_its_large_text_too_fails_alone() {
    let h = start(config()).await;
    let d = h.division();
    h.admin(
        "faults",
        json!({"rules": [{"path": DOCUMENTS, "kind": "status", "status": 500}]}),
    )
    .await;
    let report = h.run(&h.options()).await;
    assert_eq!(report.outcome, Outcome::Partial, "{report:#?}");
    let documents = outcome(&report, "Documents");
    let (code, message) = documents.error.clone().unwrap();
    assert_eq!(code, ErrorCode::Server);
    assert!(
        message.contains("(500)") && message.contains("also when read without Body"),
        "the error says that it was tried without Body: {message}"
    );
    assert!(
        documents.without.is_empty() && documents.too_large.is_empty(),
        "not the size, so Body is not left out"
    );
    assert!(
        h.cache
            .excluded_properties(d, "Documents")
            .unwrap()
            .is_empty()
    );
    for e in report.entities.iter().filter(|e| e.entity != "Documents") {
        assert_eq!(e.error, None, "{} syncs all the same", e.entity);
    }
    assert!(outcome(&report, "DocumentAttachments").rows_upserted > 0);
    assert!(outcome(&report, "SalesOrderLines").rows_upserted > 0);

    // Exact recovers: the next run reads Documents whole, with Body.
    h.admin("faults", json!({"rules": []})).await;
    let report = h.run(&h.options()).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    assert!(outcome(&report, "Documents").without.is_empty());
    h.assert_equal(d).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_body_cut_off_on_every_try_is_read_again_without_large_text() {
    let h = start(config()).await;
    let tries = exact_api::RetryPolicy::default().max_attempts;
    h.admin(
        "faults",
        json!({"rules": [{"path": DOCUMENTS, "kind": "truncate", "count": tries}]}),
    )
    .await;
    let report = h.run(&h.options()).await;
    assert_eq!(report.outcome, Outcome::Succeeded, "{report:#?}");
    let documents = outcome(&report, "Documents");
    assert_eq!(documents.too_large, ["Body"], "{documents:#?}");
    assert_eq!(documents.rows_upserted, 1_500);
}

//! Downloads Exact does not take as signed in: its blank 1×1 picture, a redirect to its login
//! page, a 401. Each is a retryable failure of that asset (never "no picture"), fails without
//! waiting for Exact's 570 s token rule, and is downloaded on the next run.

use std::time::Duration;

use offline_assets::{
    AssetConfig, AssetEntity, AssetJob, AssetState, AttachmentPolicy, Outcome, Rendition,
};
use serde_json::json;

use crate::support::{is_picture, start};

/// Far less than the 570 s a wait for Exact's token rule takes (the demo runs in real time).
const NO_WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refused_sign_ins_and_blank_pictures_are_tried_again_on_the_next_run() {
    let h = start().await;
    let assets = h.assets(
        "store",
        AssetConfig {
            attachments: AttachmentPolicy::All { max_bytes: 1 << 20 },
            ..AssetConfig::default()
        },
    );
    let pictures: Vec<AssetJob> = h
        .jobs(&[AssetEntity::Items])
        .await
        .into_iter()
        .filter(is_picture)
        .collect();
    let attachment = h.jobs(&[AssetEntity::DocumentAttachments]).await[0].clone();
    // (fault rules, job, what the recorded error says)
    let cases = [
        (
            json!([{"path": "SysImage", "kind": "spurious_401"}]),
            &pictures[0],
            "1×1",
        ),
        (
            json!([{"path": "SysAttachment", "kind": "spurious_401"}]),
            &attachment,
            "login page",
        ),
        (
            json!([{"path": "SysImage", "kind": "status", "status": 401}]),
            &pictures[1],
            "did not accept the sign-in",
        ),
    ];
    for (rules, job, what) in &cases {
        h.admin("faults", json!({ "rules": rules })).await;
        let summary = tokio::time::timeout(NO_WAIT, assets.process_all(vec![(*job).clone()], 1))
            .await
            .unwrap_or_else(|_| panic!("{what}: a refused download never waits"));
        assert_eq!(
            (summary.failed, summary.no_image),
            (1, 0),
            "{what}: {summary:?}"
        );
        let state = assets.store().read_ref(&job.key).unwrap().state;
        let AssetState::Failed { error, retryable } = state else {
            panic!("{what}: {state:?} should be a failure, not \"no picture\"");
        };
        assert!(retryable, "{what}: tried again on the next run: {error}");
        assert!(error.contains(what), "{what}: {error}");
    }

    h.admin("faults", json!({ "rules": [] })).await;
    let jobs: Vec<AssetJob> = cases.iter().map(|(_, job, _)| (*job).clone()).collect();
    let next = assets.process_all(jobs.clone(), 2).await;
    assert_eq!(
        (next.stored, next.downloads, next.failed),
        (3, 3, 0),
        "the next run downloads them: {next:?}"
    );
    for job in &jobs[..1] {
        assert!(
            assets.lookup(&job.key, Rendition::Small).is_some(),
            "the picture has its thumbnails"
        );
    }

    // A blank answer later, for a picture already stored: the stored one stays.
    let mut changed = pictures[0].clone();
    changed.fingerprint.push_str("-edited");
    h.admin(
        "faults",
        json!({"rules": [{"path": "SysImage", "kind": "spurious_401"}]}),
    )
    .await;
    let outcome = assets.process_all(vec![changed.clone()], 1).await;
    assert_eq!(outcome.failed, 1, "{outcome:?}");
    assert!(
        assets.lookup(&changed.key, Rendition::Small).is_some(),
        "a blank answer does not replace the stored picture"
    );
    h.admin("faults", json!({ "rules": [] })).await;
    // The picture itself did not change: Exact answers the conditional request with a 304.
    assert_eq!(assets.fetch_on_demand(&changed).await, Outcome::Unchanged);
    assert_eq!(
        assets.store().read_ref(&changed.key).unwrap().fingerprint,
        changed.fingerprint,
        "the edit is recorded"
    );
}

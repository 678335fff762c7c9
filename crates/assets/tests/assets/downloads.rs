//! The runner against exact-sim: pictures stored once, changed pictures fetched again, bad
//! downloads recorded per asset. `auth` and `conditional` hold the runner's answers to refused
//! sign-ins and its conditional re-downloads.

mod auth;
mod conditional;

use std::sync::{Arc, Mutex};

use offline_assets::{
    AssetConfig, AssetEntity, AssetEvent, AssetJob, AssetSource, AssetState, Assets, Rendition,
};
use serde_json::json;

use crate::support::{PICTURES, is_picture, start};

#[tokio::test]
async fn pictures_are_stored_once_placeholders_never_and_a_second_run_downloads_nothing() {
    let h = start().await;
    let events = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&events);
    let assets = Assets::open(
        h.demo.client.clone(),
        h.dir.path().join("store"),
        AssetConfig::default(),
        Some(Arc::new(move |e: &AssetEvent| {
            sink.lock().unwrap().push(e.clone())
        })),
    )
    .unwrap();
    let jobs = h.jobs(&PICTURES).await;
    let pictures = jobs.iter().filter(|j| is_picture(j)).count() as u64;
    let placeholders = jobs.len() as u64 - pictures;
    assert!(
        pictures > 5 && placeholders > 5,
        "the sim mixes pictures and placeholders"
    );

    let before = h.sim_downloads().await;
    let first = assets.process_all(jobs.clone(), 4).await;
    assert_eq!(first.failed, 0, "{first:?}");
    assert_eq!(first.stored, pictures);
    assert_eq!(first.no_image, placeholders);
    assert_eq!(
        first.downloads, pictures,
        "placeholder URLs are never downloaded"
    );
    assert_eq!(h.sim_downloads().await - before, pictures);
    assert_eq!(
        events.lock().unwrap().len(),
        2 * jobs.len(),
        "queued + done per job"
    );

    for job in &jobs {
        let small = assets.lookup(&job.key, Rendition::Small);
        if !is_picture(job) {
            assert!(small.is_none(), "no image has no thumbnail");
            assert_eq!(
                assets.store().read_ref(&job.key).unwrap().state,
                AssetState::NoImage
            );
            continue;
        }
        for (rendition, side) in [(Rendition::Small, 64), (Rendition::Large, 320)] {
            let file = assets.lookup(&job.key, rendition).unwrap();
            assert!(file.path.starts_with(assets.store().root()));
            let img = image::open(&file.path).unwrap();
            assert!(
                img.width().max(img.height()) <= side,
                "{rendition:?} fits {side}"
            );
            let png = file.content_type == "image/png";
            assert_eq!(png, img.color().has_alpha(), "PNG exactly when transparent");
        }
        let original = assets.lookup(&job.key, Rendition::Original).unwrap();
        assert!(original.content_type.starts_with("image/"));
    }

    let second = assets.process_all(jobs.clone(), 4).await;
    assert_eq!(second.downloads, 0, "{second:?}");
    assert_eq!(second.unchanged, jobs.len() as u64);
    assert_eq!(
        h.sim_downloads().await - before,
        pictures,
        "the sim saw no new download"
    );
}

#[tokio::test]
async fn a_changed_picture_is_downloaded_again_and_only_that_one() {
    let h = start().await;
    let assets = h.assets("store", AssetConfig::default());
    let jobs = h.jobs(&[AssetEntity::Items]).await;
    assets.process_all(jobs.clone(), 4).await;
    let with_picture: Vec<&AssetJob> = jobs.iter().filter(|j| is_picture(j)).collect();
    let (changed, removed) = (with_picture[0], with_picture[1]);
    h.admin(
        "mutate",
        json!({"division": h.division(), "entity": "Items", "update": [
            {"ID": changed.key.record_id, "_picture": "change"},
            {"ID": removed.key.record_id, "_picture": "remove"}]}),
    )
    .await;
    let old = assets.lookup(&changed.key, Rendition::Original).unwrap();

    let again = h.jobs(&[AssetEntity::Items]).await;
    let summary = assets.process_all(again, 4).await;
    assert_eq!(
        summary.downloads, 1,
        "only the changed picture: {summary:?}"
    );
    assert_eq!(summary.stored, 1);
    assert_eq!(summary.no_image, 1, "the removed picture becomes no image");
    assert_eq!(summary.unchanged, jobs.len() as u64 - 2);
    let new = assets.lookup(&changed.key, Rendition::Original).unwrap();
    assert_ne!(old.path, new.path, "new bytes, new hash");
    assert!(assets.lookup(&removed.key, Rendition::Large).is_none());

    let collected = assets.collect_garbage().await.unwrap();
    assert_eq!(
        collected.removed_files, 6,
        "two old originals and their thumbnails"
    );
    assert!(!old.path.exists());
    assert!(new.path.exists());
    assert!(collected.usage.total_bytes() > 0);
}

#[tokio::test]
async fn bad_downloads_are_recorded_per_asset_and_the_run_moves_on() {
    let h = start().await;
    let assets = h.assets("store", AssetConfig::default());
    let mut jobs: Vec<AssetJob> = h
        .jobs(&[AssetEntity::Items])
        .await
        .into_iter()
        .filter(is_picture)
        .collect();
    jobs.sort_by(|a, b| a.key.cmp(&b.key)); // process_all works in key order
    // Every picture download answers 200 with a body that is not a picture, twice.
    h.admin(
        "faults",
        json!({"rules": [{"path": "SysImage", "kind": "malformed", "count": 2}]}),
    )
    .await;
    let mut foreign = jobs[2].clone();
    foreign.source = AssetSource::Picture {
        url: "https://evil.example/steal.jpg".into(),
    };
    let mut batch = vec![jobs[0].clone(), jobs[1].clone(), foreign.clone()];
    batch.extend(jobs[3..].iter().cloned());
    let summary = assets.process_all(batch, 1).await;
    assert_eq!(summary.failed, 3, "{summary:?}");
    assert_eq!(
        summary.stored,
        jobs.len() as u64 - 3,
        "the others are stored"
    );
    for job in [&jobs[0], &jobs[1], &foreign] {
        let state = assets.store().read_ref(&job.key).unwrap().state;
        let AssetState::Failed { error, retryable } = state else {
            panic!("{state:?} should be a failure");
        };
        assert!(
            !retryable,
            "a bad file stays bad until the record changes: {error}"
        );
        assert!(
            error.contains("not a picture") || error.contains("refusing"),
            "{error}"
        );
    }
    let again = assets.process_all(vec![jobs[0].clone()], 1).await;
    assert_eq!(
        again.downloads, 0,
        "a permanent failure is not retried: {again:?}"
    );
}

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
//! offline-assets against exact-sim (real downloads of real JPEG/PNG/GIF bytes, signed in
//! through the demo's OAuth flow) and hostile bytes fed to the decoder directly (`hostile`).

mod attachments;
mod auth;
mod conditional;
mod fuzz_regressions;
mod hostile;

use std::sync::{Arc, Mutex};

use exact_api::Record;
use exact_sim::SimConfig;
use offline_assets::{
    AssetConfig, AssetEntity, AssetEvent, AssetJob, AssetSource, AssetState, Assets, Rendition,
    job_for,
};
use offline_demo::Demo;
use serde_json::{Value, json};
use tempfile::TempDir;

struct Harness {
    demo: Demo,
    dir: TempDir,
    http: reqwest::Client,
}

async fn start() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let config = SimConfig {
        seed: 11,
        items: 30,
        accounts: 12,
        documents: Some(10),
        attachments: Some(12),
        picture_share: 0.6,
        ..SimConfig::default()
    };
    let demo = offline_demo::start(config, dir.path()).await.unwrap();
    Harness {
        demo,
        dir,
        http: reqwest::Client::new(),
    }
}

const SOURCES: [(AssetEntity, &str, &str); 4] = [
    (
        AssetEntity::Items,
        "sync/Logistics/Items",
        "ID,Timestamp,PictureUrl,PictureName,Modified",
    ),
    (
        AssetEntity::Accounts,
        "sync/CRM/Accounts",
        "ID,Timestamp,LogoUrl,LogoFileName,Modified",
    ),
    (
        AssetEntity::Contacts,
        "sync/CRM/Contacts",
        "ID,Timestamp,PictureUrl,PictureName,Modified",
    ),
    (
        AssetEntity::DocumentAttachments,
        "sync/Documents/DocumentAttachments",
        "ID,Timestamp,Url,FileName,FileSize",
    ),
];

impl Harness {
    fn division(&self) -> i32 {
        self.demo.sim.division_codes()[0]
    }

    fn assets(&self, folder: &str, config: AssetConfig) -> Assets {
        Assets::open(
            self.demo.client.clone(),
            self.dir.path().join(folder),
            config,
            None,
        )
        .unwrap()
    }

    async fn records(&self, path: &str, select: &str) -> Vec<Record> {
        let mut pager = self.demo.client.sync(self.division(), path, select, 0);
        let mut all = Vec::new();
        while let Some(page) = pager.next_page().await.unwrap() {
            all.extend(page.records);
        }
        all
    }

    /// Jobs of every record of `entities`, as the engine would derive them.
    async fn jobs(&self, entities: &[AssetEntity]) -> Vec<AssetJob> {
        let mut jobs = Vec::new();
        for (entity, path, select) in SOURCES {
            if entities.contains(&entity) {
                for record in self.records(path, select).await {
                    jobs.push(job_for(entity, self.division(), &record).unwrap());
                }
            }
        }
        jobs
    }

    async fn sim_downloads(&self) -> u64 {
        let stats: Value = self
            .http
            .get(format!("{}/_sim/stats", self.demo.sim.base_url()))
            .header(exact_sim::ADMIN_SECRET_HEADER, self.demo.sim.admin_secret())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        stats["downloads"].as_u64().unwrap()
    }

    async fn admin(&self, route: &str, body: Value) {
        let response = self
            .http
            .post(format!("{}/_sim/{route}", self.demo.sim.base_url()))
            .header(exact_sim::ADMIN_SECRET_HEADER, self.demo.sim.admin_secret())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{route}: {}",
            response.text().await.unwrap()
        );
    }
}

const PICTURES: [AssetEntity; 3] = [
    AssetEntity::Items,
    AssetEntity::Accounts,
    AssetEntity::Contacts,
];

fn is_picture(job: &AssetJob) -> bool {
    matches!(job.source, AssetSource::Picture { .. })
}

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
async fn clearing_the_cache_leaves_everything_working() {
    let h = start().await;
    let assets = h.assets("store", AssetConfig::default());
    let jobs = h.jobs(&[AssetEntity::Accounts]).await;
    let first = assets.process_all(jobs.clone(), 2).await;
    assert!(assets.usage().await.unwrap().total_bytes() > 0);
    assets.clear().await.unwrap();
    assert_eq!(assets.usage().await.unwrap().total_bytes(), 0);
    assert!(
        jobs.iter()
            .all(|j| assets.lookup(&j.key, Rendition::Small).is_none())
    );
    // Jobs handed over a channel, as the engine does.
    let (tx, rx) = tokio::sync::mpsc::channel(4);
    let runner = tokio::spawn({
        let assets = assets.clone();
        async move { assets.run(rx, 2).await }
    });
    for job in &jobs {
        tx.send(job.clone()).await.unwrap();
    }
    drop(tx);
    let again = runner.await.unwrap();
    assert_eq!(
        again.downloads, first.downloads,
        "everything is fetched again"
    );
    assert_eq!(again.stored, first.stored);
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

//! Conditional re-downloads against exact-sim: a record edited in Exact whose file did not change
//! is answered `304 Not Modified` and nothing on disk is touched; a file replaced at the same URL
//! comes in full; without validators from the server every download is in full, as before; a
//! 304 for a stored copy that is gone or damaged is followed by one full download.

use std::path::PathBuf;
use std::time::SystemTime;

use offline_assets::{AssetConfig, AssetJob, AssetRef, AssetSource, Assets, Rendition};
use serde_json::{Value, json};

use crate::support::{Harness, is_picture, start};
use offline_assets::AssetEntity;

/// The item jobs that have a picture to download.
async fn pictures(h: &Harness) -> Vec<AssetJob> {
    let jobs: Vec<AssetJob> = h
        .jobs(&[AssetEntity::Items])
        .await
        .into_iter()
        .filter(is_picture)
        .collect();
    assert!(jobs.len() >= 3, "the simulator gives items pictures");
    jobs
}

/// Edits the records of `jobs` in the simulator (a new description, so a new `Modified` and a new
/// fingerprint; the picture and its URL stay) and returns their jobs as the engine now derives
/// them.
async fn edit(h: &Harness, jobs: &[AssetJob], round: u32) -> Vec<AssetJob> {
    let updates: Vec<Value> = jobs
        .iter()
        .map(|j| json!({"ID": j.key.record_id, "Description": format!("Edited {round}")}))
        .collect();
    h.admin(
        "mutate",
        json!({"division": h.division(), "entity": "Items", "update": updates}),
    )
    .await;
    let now = h.jobs(&[AssetEntity::Items]).await;
    jobs.iter()
        .map(|before| {
            let after = now
                .iter()
                .find(|j| j.key == before.key)
                .expect("the record is still there")
                .clone();
            assert_ne!(before.fingerprint, after.fingerprint, "an edit is a change");
            assert_eq!(before.source, after.source, "the picture URL stays");
            after
        })
        .collect()
}

async fn sim_stats(h: &Harness) -> Value {
    h.http
        .get(format!("{}/_sim/stats", h.demo.sim.base_url()))
        .header(exact_sim::ADMIN_SECRET_HEADER, h.demo.sim.admin_secret())
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

/// `after - before` of a counter in the simulator's statistics.
fn grew(before: &Value, after: &Value, path: &[&str]) -> u64 {
    let read = |v: &Value| path.iter().fold(v, |v, k| &v[*k]).as_u64().unwrap_or(0);
    read(after) - read(before)
}

/// What a rewrite of a file would change.
#[derive(Debug, PartialEq)]
struct OnDisk {
    path: PathBuf,
    len: u64,
    modified: SystemTime,
    #[cfg(unix)]
    inode: u64,
}

/// The original and both thumbnails of `job`, as they are on disk.
fn on_disk(assets: &Assets, job: &AssetJob) -> Vec<OnDisk> {
    [Rendition::Original, Rendition::Small, Rendition::Large]
        .into_iter()
        .map(|rendition| {
            let file = assets
                .lookup(&job.key, rendition)
                .unwrap_or_else(|| panic!("{rendition:?} of {:?} is stored", job.key));
            let meta = std::fs::metadata(&file.path).unwrap();
            OnDisk {
                len: meta.len(),
                modified: meta.modified().unwrap(),
                #[cfg(unix)]
                inode: std::os::unix::fs::MetadataExt::ino(&meta),
                path: file.path,
            }
        })
        .collect()
}

fn stored_ref(assets: &Assets, job: &AssetJob) -> AssetRef {
    assets.store().read_ref(&job.key).unwrap()
}

#[tokio::test]
async fn an_edited_record_whose_picture_did_not_change_is_answered_304_and_nothing_is_touched() {
    let h = start().await;
    let assets = h.assets("store", AssetConfig::default());
    let jobs = pictures(&h).await;
    let n = jobs.len() as u64;
    let first = assets.process_all(jobs.clone(), 4).await;
    assert_eq!((first.stored, first.failed), (n, 0), "{first:?}");
    let files: Vec<Vec<OnDisk>> = jobs.iter().map(|j| on_disk(&assets, j)).collect();
    let refs: Vec<AssetRef> = jobs.iter().map(|j| stored_ref(&assets, j)).collect();
    for r in &refs {
        let kept = r.validators.as_ref().expect("the simulator's ETag is kept");
        assert!(
            kept.etag.is_some() && kept.url.contains("SysImage.aspx"),
            "{kept:?}"
        );
    }

    let edited = edit(&h, &jobs, 1).await;
    let before = sim_stats(&h).await;
    let second = assets.process_all(edited.clone(), 4).await;
    let after = sim_stats(&h).await;
    assert_eq!(
        (
            second.unchanged,
            second.not_modified,
            second.stored,
            second.failed
        ),
        (n, n, 0, 0),
        "every edited record's picture is unchanged: {second:?}"
    );
    assert_eq!(
        (second.downloads, second.bytes),
        (n, 0),
        "one request each, no bytes"
    );
    assert_eq!(grew(&before, &after, &["downloads"]), n);
    assert_eq!(grew(&before, &after, &["by_status", "304"]), n);
    assert_eq!(
        grew(&before, &after, &["download_bytes"]),
        0,
        "the simulator served no body"
    );
    for ((job, files), old) in edited.iter().zip(&files).zip(&refs) {
        assert_eq!(
            &on_disk(&assets, job),
            files,
            "the original and the thumbnails are left as they were"
        );
        let now = stored_ref(&assets, job);
        assert_eq!(now.fingerprint, job.fingerprint, "the edit is recorded");
        assert_eq!((&now.state, &now.validators), (&old.state, &old.validators));
    }

    let third = assets.process_all(edited, 4).await;
    assert_eq!(
        (third.downloads, third.unchanged, third.not_modified),
        (0, n, 0),
        "recorded: the next run asks nothing: {third:?}"
    );
}

#[tokio::test]
async fn a_picture_replaced_at_its_url_is_downloaded_in_full_and_stored() {
    let h = start().await;
    let assets = h.assets("store", AssetConfig::default());
    let jobs = pictures(&h).await;
    assets.process_all(jobs.clone(), 4).await;
    let (replaced, kept) = (&jobs[0], &jobs[1]);
    let AssetSource::Picture { url } = &replaced.source else {
        unreachable!("a picture job")
    };
    let old_file = assets.lookup(&replaced.key, Rendition::Original).unwrap();
    let old_bytes = std::fs::read(&old_file.path).unwrap();
    let old_ref = stored_ref(&assets, replaced);

    // Exact: the picture replaced (same URL), which edits the record.
    assert!(h.demo.sim.replace_picture(url));
    let edited = edit(&h, &[replaced.clone(), kept.clone()], 1).await;
    let before = sim_stats(&h).await;
    let summary = assets.process_all(edited.clone(), 2).await;
    let after = sim_stats(&h).await;
    assert_eq!(
        (
            summary.stored,
            summary.not_modified,
            summary.downloads,
            summary.failed
        ),
        (1, 1, 2, 0),
        "the replaced picture comes in full, the other is answered 304: {summary:?}"
    );
    assert!(summary.bytes > 0);
    assert_eq!(grew(&before, &after, &["by_status", "304"]), 1);
    assert_eq!(grew(&before, &after, &["download_bytes"]), summary.bytes);

    let new_file = assets.lookup(&replaced.key, Rendition::Original).unwrap();
    assert_ne!(new_file.path, old_file.path, "new bytes, new hash");
    assert_ne!(std::fs::read(&new_file.path).unwrap(), old_bytes);
    for rendition in [Rendition::Small, Rendition::Large] {
        let thumb = assets.lookup(&replaced.key, rendition).unwrap();
        let hash = new_file.path.file_name().unwrap().to_str().unwrap();
        assert!(
            thumb.path.to_str().unwrap().contains(hash),
            "{rendition:?} thumbnail of the new picture"
        );
    }
    let new_ref = stored_ref(&assets, replaced);
    let (old_v, new_v) = (
        old_ref.validators.unwrap(),
        new_ref.validators.clone().unwrap(),
    );
    assert_ne!(new_v.etag, old_v.etag, "the new file's ETag is kept");
    assert!(
        new_v.last_modified.is_some(),
        "the simulator dates a replaced picture: {new_v:?}"
    );

    // The next edit sends both new validators back and is answered 304.
    let again = edit(&h, &edited[..1], 2).await;
    let summary = assets.process_all(again, 1).await;
    assert_eq!((summary.not_modified, summary.bytes), (1, 0), "{summary:?}");
    assert_eq!(
        assets.lookup(&replaced.key, Rendition::Original).unwrap(),
        new_file
    );
}

#[tokio::test]
async fn without_validators_from_exact_every_download_is_made_in_full() {
    let h = start().await;
    h.demo.sim.set_download_validators(false);
    let assets = h.assets("store", AssetConfig::default());
    let jobs = pictures(&h).await;
    let n = jobs.len() as u64;
    let first = assets.process_all(jobs.clone(), 4).await;
    assert_eq!((first.stored, first.failed), (n, 0), "{first:?}");
    assert!(
        jobs.iter()
            .all(|j| stored_ref(&assets, j).validators.is_none()),
        "nothing to keep"
    );

    let edited = edit(&h, &jobs, 1).await;
    let before = sim_stats(&h).await;
    let second = assets.process_all(edited, 4).await;
    let after = sim_stats(&h).await;
    assert_eq!(
        (second.stored, second.not_modified, second.downloads),
        (n, 0, n),
        "as before: each edited record's picture is downloaded again: {second:?}"
    );
    assert_eq!(second.bytes, first.bytes);
    assert_eq!(grew(&before, &after, &["by_status", "304"]), 0);
    assert_eq!(grew(&before, &after, &["download_bytes"]), first.bytes);

    // Validators that appear later are kept from the next full download on ...
    h.demo.sim.set_download_validators(true);
    let edited = edit(&h, &jobs, 2).await;
    let third = assets.process_all(edited, 4).await;
    assert_eq!((third.stored, third.not_modified), (n, 0), "{third:?}");
    let edited = edit(&h, &jobs, 3).await;
    let fourth = assets.process_all(edited, 4).await;
    assert_eq!((fourth.not_modified, fourth.bytes), (n, 0), "{fourth:?}");
    // ... and a server that stops honouring them sends the file, whose answer has none.
    h.demo.sim.set_download_validators(false);
    let edited = edit(&h, &jobs, 4).await;
    let fifth = assets.process_all(edited, 4).await;
    assert_eq!((fifth.stored, fifth.not_modified), (n, 0), "{fifth:?}");
    assert!(
        jobs.iter()
            .all(|j| stored_ref(&assets, j).validators.is_none())
    );
}

#[tokio::test]
async fn a_304_for_a_stored_copy_that_is_gone_or_damaged_is_followed_by_one_full_download() {
    let h = start().await;
    let assets = h.assets("store", AssetConfig::default());
    let jobs = pictures(&h).await;
    assets.process_all(jobs.clone(), 4).await;
    let damaged = &jobs[..3];
    let originals: Vec<Vec<u8>> = damaged
        .iter()
        .map(|j| std::fs::read(assets.lookup(&j.key, Rendition::Original).unwrap().path).unwrap())
        .collect();
    // The original deleted; the original cut short; a thumbnail deleted.
    let original = |j: &AssetJob| assets.lookup(&j.key, Rendition::Original).unwrap().path;
    std::fs::remove_file(original(&damaged[0])).unwrap();
    std::fs::write(
        original(&damaged[1]),
        &originals[1][..originals[1].len() / 2],
    )
    .unwrap();
    let small = assets.lookup(&damaged[2].key, Rendition::Small).unwrap();
    std::fs::remove_file(small.path).unwrap();

    let edited = edit(&h, damaged, 1).await;
    let before = sim_stats(&h).await;
    let summary = assets.process_all(edited.clone(), 3).await;
    let after = sim_stats(&h).await;
    assert_eq!(
        (summary.stored, summary.not_modified, summary.failed),
        (3, 0, 0),
        "{summary:?}"
    );
    assert_eq!(summary.downloads, 6, "a 304, then one full download each");
    assert_eq!(grew(&before, &after, &["by_status", "304"]), 3);
    assert_eq!(grew(&before, &after, &["download_bytes"]), summary.bytes);
    for (job, bytes) in edited.iter().zip(&originals) {
        let restored = assets.lookup(&job.key, Rendition::Original).unwrap();
        let now = std::fs::read(&restored.path).unwrap();
        assert!(
            now == *bytes,
            "restored: {} bytes where {} were stored",
            now.len(),
            bytes.len()
        );
        assert!(assets.lookup(&job.key, Rendition::Small).is_some());
        assert!(assets.lookup(&job.key, Rendition::Large).is_some());
    }

    let again = edit(&h, damaged, 2).await;
    let summary = assets.process_all(again, 3).await;
    assert_eq!(
        (summary.not_modified, summary.downloads),
        (3, 3),
        "whole again: {summary:?}"
    );
}

//! What the store keeps: clearing it leaves every asset to be fetched again, and nothing breaks.

use offline_assets::{AssetConfig, AssetEntity, Rendition};

use crate::support::start;

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

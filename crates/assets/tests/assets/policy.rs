//! Document attachments: the download setting, caps, and saving under sanitised names.

use offline_assets::{AssetConfig, AssetEntity, AssetSource, AttachmentPolicy, Outcome, Rendition};

use crate::support::start;

#[tokio::test]
async fn attachments_follow_the_setting_and_are_saved_under_safe_names() {
    let h = start().await;
    let jobs = h.jobs(&[AssetEntity::DocumentAttachments]).await;
    assert!(!jobs.is_empty());

    let lazy = h.assets("lazy", AssetConfig::default());
    let summary = lazy.process_all(jobs.clone(), 2).await;
    assert_eq!(
        summary.skipped,
        jobs.len() as u64,
        "on demand: nothing during sync"
    );
    assert_eq!(summary.downloads, 0);

    let out = h.dir.path().join("saved");
    std::fs::create_dir_all(&out).unwrap();
    let hostile = [
        "../../x",
        "CON",
        "rapport\u{7}\u{1b}[31m\r\n.pdf",
        &"a".repeat(300),
    ];
    for (job, name) in jobs.iter().zip(hostile) {
        let mut job = job.clone();
        if let AssetSource::Attachment { file_name, .. } = &mut job.source {
            *file_name = name.to_owned();
        }
        let outcome = lazy.fetch_on_demand(&job).await;
        assert!(matches!(outcome, Outcome::Stored { .. }), "{outcome:?}");
        let saved = lazy.save_attachment(&job.key, &out).unwrap();
        assert_eq!(saved.parent().unwrap(), out, "{name:?} stays in the folder");
        let written = saved.file_name().unwrap().to_str().unwrap();
        assert_eq!(written, offline_assets::safe_file_name(name));
        assert!(written.len() <= 150 && !written.chars().any(char::is_control));
    }
    let twice = lazy.save_attachment(&jobs[0].key, &out).unwrap();
    assert_ne!(
        twice.file_name().unwrap(),
        "x",
        "an existing file is never overwritten"
    );

    let eager = h.assets(
        "eager",
        AssetConfig {
            attachments: AttachmentPolicy::All {
                max_bytes: 64 * 1024,
            },
            ..AssetConfig::default()
        },
    );
    let summary = eager.process_all(jobs.clone(), 2).await;
    assert_eq!(summary.failed, 0, "{summary:?}");
    assert_eq!(summary.stored + summary.skipped, jobs.len() as u64);
    assert!(
        summary.stored > 0,
        "small files are downloaded: {summary:?}"
    );
    for job in &jobs {
        let Some(file) = eager.lookup(&job.key, Rendition::Original) else {
            continue;
        };
        assert_ne!(file.content_type, "text/html");
        assert!(
            eager.lookup(&job.key, Rendition::Small).is_none(),
            "attachments have no thumbs"
        );
    }
    let off = h.assets(
        "off",
        AssetConfig {
            attachments: AttachmentPolicy::None,
            ..AssetConfig::default()
        },
    );
    assert!(matches!(
        off.fetch_on_demand(&jobs[0]).await,
        Outcome::Skipped { .. }
    ));
}

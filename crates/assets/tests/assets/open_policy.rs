//! Whether a saved attachment may be opened without asking: from its name and its bytes.

use offline_assets::{
    AssetConfig, AssetEntity, AssetSource, OpenKind, OpenPolicy, Outcome, Rendition,
};

use crate::support::start;

/// The shell opens a saved attachment only when [`OpenPolicy::Open`] says so; a PDF from the
/// simulator renamed by a hostile sender must come back as "ask first", naming what it really is.
#[tokio::test]
async fn saved_attachments_say_whether_they_may_be_opened_directly() {
    let h = start().await;
    let jobs = h.jobs(&[AssetEntity::DocumentAttachments]).await;
    let assets = h.assets("open", AssetConfig::default());
    let mut pdf = None;
    for job in &jobs {
        assets.fetch_on_demand(job).await;
        let file = assets.lookup(&job.key, Rendition::Original);
        if file.is_some_and(|f| f.content_type == "application/pdf") {
            pdf = Some(job.clone());
            break;
        }
    }
    let pdf = pdf.expect("the simulator serves PDF attachments");
    let out = h.dir.path().join("opened");
    std::fs::create_dir_all(&out).unwrap();
    let cases = [
        ("factuur.pdf", "factuur.pdf", true),
        ("Factuur\u{202E}fdp.exe", "Factuurfdp.exe", false),
        ("factuur.html", "factuur.html", false),
        ("factuur.pdf.lnk", "factuur.pdf.lnk", false),
        ("factuur", "factuur", false),
    ];
    for (i, (name, saved_as, opens)) in cases.into_iter().enumerate() {
        let mut job = pdf.clone();
        if let AssetSource::Attachment { file_name, .. } = &mut job.source {
            *file_name = name.to_owned();
        }
        // A renamed file is a changed record: a new fingerprint, so the new name is recorded;
        // its bytes are the same, so Exact's answer is a 304 and the stored file is kept.
        job.fingerprint = format!("{}-{i}", pdf.fingerprint);
        let outcome = assets.fetch_on_demand(&job).await;
        assert_eq!(outcome, Outcome::Unchanged);
        let saved = assets.save_attachment_to_open(&job.key, &out).unwrap();
        assert_eq!(
            saved.path.file_name().unwrap().to_str().unwrap(),
            saved_as,
            "{name:?} is saved without invisible characters"
        );
        match saved.policy {
            OpenPolicy::Open { kind } => {
                assert!(opens, "{name:?} must not open without asking");
                assert_eq!(kind, OpenKind::Pdf);
            }
            OpenPolicy::Confirm { real_type, reason } => {
                assert!(!opens, "{name:?} is a real PDF and opens: {reason}");
                assert_eq!(real_type, "a PDF document", "{name:?}: {reason}");
            }
        }
    }
}

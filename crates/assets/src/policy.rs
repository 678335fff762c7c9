//! Settings: which files are downloaded, with which caps, and the plan for one job.
//!
//! Invariant: a job's plan depends only on the job and the settings (pure), so the decision
//! "download, skip or record no image" is tested without a network.

use crate::job::{AssetJob, AssetSource};
use crate::picture::DecodeLimits;

/// Which attachment files are downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentPolicy {
    /// Never: only the metadata is kept.
    None,
    /// When the user opens one ([`Assets::fetch_on_demand`]).
    OnDemand,
    /// Every attachment up to `max_bytes` during sync; larger ones on demand.
    All { max_bytes: u64 },
}

/// Settings of the runner.
#[derive(Debug, Clone)]
pub struct AssetConfig {
    pub attachments: AttachmentPolicy,
    /// Largest picture or logo downloaded.
    pub max_picture_bytes: u64,
    /// Largest attachment downloaded on demand.
    pub max_attachment_bytes: u64,
    /// Downloads in flight per division (1–2 is polite).
    pub per_division: usize,
    /// Charge downloads to the division's API budget (see the module notes).
    pub paced: bool,
    pub limits: DecodeLimits,
    /// Decodes at once; defaults to the number of cores.
    pub decode_threads: usize,
}

impl Default for AssetConfig {
    fn default() -> Self {
        AssetConfig {
            attachments: AttachmentPolicy::OnDemand,
            max_picture_bytes: 25 * 1024 * 1024,
            max_attachment_bytes: 100 * 1024 * 1024,
            per_division: 2,
            paced: false,
            limits: DecodeLimits::default(),
            decode_threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// What to do with one job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Plan {
    NoImage,
    Skip(String),
    Download {
        url: String,
        cap: u64,
        file_name: Option<String>,
    },
}

/// The plan for `job` under `config`; `on_demand` is the user opening an attachment.
pub(crate) fn plan(config: &AssetConfig, job: &AssetJob, on_demand: bool) -> Plan {
    match &job.source {
        AssetSource::NoImage => Plan::NoImage,
        AssetSource::Picture { url } => Plan::Download {
            url: url.clone(),
            cap: config.max_picture_bytes,
            file_name: None,
        },
        AssetSource::Attachment {
            url,
            file_name,
            size,
        } => {
            let limit = match (config.attachments, on_demand) {
                (AttachmentPolicy::None, _) => {
                    return Plan::Skip("attachments are not downloaded (setting)".into());
                }
                (_, true) => config.max_attachment_bytes,
                (AttachmentPolicy::OnDemand, false) => {
                    return Plan::Skip("downloaded when opened (setting)".into());
                }
                (AttachmentPolicy::All { max_bytes }, false) => max_bytes,
            };
            if size.is_some_and(|s| s > limit) {
                return Plan::Skip(format!("larger than the {limit}-byte cap"));
            }
            Plan::Download {
                url: url.clone(),
                cap: limit,
                file_name: Some(file_name.clone()),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{AssetEntity, AssetKey};

    fn attachment(size: u64) -> AssetJob {
        AssetJob {
            key: AssetKey::new(
                1,
                AssetEntity::DocumentAttachments,
                "0b3a45c1-9c3e-4d2f-8a51-2f1d7f0e6a11",
            )
            .expect("a GUID"),
            source: AssetSource::Attachment {
                url: "https://h/docs/SysAttachment.aspx?ID=x&Download=1".into(),
                file_name: "a.pdf".into(),
                size: Some(size),
            },
            fingerprint: "f".into(),
        }
    }

    fn config(attachments: AttachmentPolicy) -> AssetConfig {
        AssetConfig {
            attachments,
            max_attachment_bytes: 1_000,
            ..AssetConfig::default()
        }
    }

    #[test]
    fn attachments_follow_the_setting_and_the_caps() {
        let small = attachment(500);
        let big = attachment(5_000);
        let all = config(AttachmentPolicy::All { max_bytes: 600 });
        assert!(matches!(
            plan(&all, &small, false),
            Plan::Download { cap: 600, .. }
        ));
        assert!(
            matches!(plan(&all, &big, false), Plan::Skip(_)),
            "over the sync cap"
        );
        let lazy = config(AttachmentPolicy::OnDemand);
        assert!(
            matches!(plan(&lazy, &small, false), Plan::Skip(_)),
            "not during sync"
        );
        assert!(matches!(
            plan(&lazy, &small, true),
            Plan::Download { cap: 1_000, .. }
        ));
        assert!(
            matches!(plan(&lazy, &big, true), Plan::Skip(_)),
            "over the on-demand cap"
        );
        let off = config(AttachmentPolicy::None);
        assert!(matches!(plan(&off, &small, true), Plan::Skip(_)), "never");
    }

    #[test]
    fn pictures_always_download_within_their_cap() {
        let mut job = attachment(1);
        job.source = AssetSource::Picture {
            url: "https://h/p".into(),
        };
        let c = config(AttachmentPolicy::None);
        assert!(
            matches!(plan(&c, &job, false), Plan::Download { cap, .. } if cap == c.max_picture_bytes)
        );
        job.source = AssetSource::NoImage;
        assert_eq!(plan(&c, &job, false), Plan::NoImage);
    }
}

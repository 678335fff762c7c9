//! Jobs: what to fetch for one record, derived by a pure function from the record as synced.
//!
//! Invariants:
//! - a job's key only holds values we control or validated (division number, our entity enum,
//!   a lowercase GUID), so it can name a file; nothing Exact sends becomes a path;
//! - the fingerprint changes exactly when the asset may have changed (picture name + URL +
//!   record `Modified`; attachment ID + `FileSize`), so an unchanged fingerprint means no download;
//! - Exact's placeholder URLs (`/docs/images/placeholder_...`, also written `//docs/...`) and
//!   missing URLs become [`AssetSource::NoImage`]: never downloaded.

use exact_api::Record;
use serde::{Deserialize, Serialize};

/// The entities that carry an asset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AssetEntity {
    /// Item pictures (`PictureUrl`).
    Items,
    /// Account logos (`LogoUrl`).
    Accounts,
    /// Contact pictures (`PictureUrl`).
    Contacts,
    /// Document attachment files (`Url` + `&Download=1`).
    DocumentAttachments,
}

/// What kind of file an asset is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum AssetKind {
    Picture,
    Logo,
    Attachment,
}

impl AssetEntity {
    pub const ALL: [AssetEntity; 4] = [
        AssetEntity::Items,
        AssetEntity::Accounts,
        AssetEntity::Contacts,
        AssetEntity::DocumentAttachments,
    ];

    /// Stable folder name in the store.
    pub fn as_str(self) -> &'static str {
        match self {
            AssetEntity::Items => "items",
            AssetEntity::Accounts => "accounts",
            AssetEntity::Contacts => "contacts",
            AssetEntity::DocumentAttachments => "attachments",
        }
    }

    /// Inverse of [`AssetEntity::as_str`].
    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|e| e.as_str() == text)
    }

    /// The kind of asset a record of this entity has.
    pub fn kind(self) -> AssetKind {
        match self {
            AssetEntity::Items | AssetEntity::Contacts => AssetKind::Picture,
            AssetEntity::Accounts => AssetKind::Logo,
            AssetEntity::DocumentAttachments => AssetKind::Attachment,
        }
    }
}

/// Which asset: (division, entity, record ID). The kind follows from the entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AssetKey {
    pub division: i32,
    pub entity: AssetEntity,
    /// Lowercase GUID (validated when the key is made from a record).
    pub record_id: String,
}

impl AssetKey {
    /// A key, or `None` when `record_id` is not a GUID (it would not be safe as a file name).
    pub fn new(division: i32, entity: AssetEntity, record_id: &str) -> Option<Self> {
        let id = record_id
            .trim()
            .trim_start_matches('{')
            .trim_end_matches('}');
        exact_api::record::is_guid(id).then(|| AssetKey {
            division,
            entity,
            record_id: id.to_ascii_lowercase(),
        })
    }

    pub fn kind(&self) -> AssetKind {
        self.entity.kind()
    }
}

/// Where the bytes of an asset come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum AssetSource {
    /// No picture: a placeholder URL, or none at all. Stored as "no image", never downloaded.
    NoImage,
    /// A picture or logo to download (Exact's `PictureUrl` / `LogoUrl`, used verbatim).
    Picture { url: String },
    /// A document attachment: its download URL, the name Exact gives it (data, never a path)
    /// and the size Exact reports.
    Attachment {
        url: String,
        file_name: String,
        size: Option<u64>,
    },
}

/// One asset to bring up to date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetJob {
    pub key: AssetKey,
    pub source: AssetSource,
    /// Changes exactly when the asset may have changed; compared with the stored one.
    pub fingerprint: String,
}

/// Derives the asset job of a synced record; `None` when the record has no usable ID.
///
/// Pure: the engine calls it after a batch commits and hands the jobs over a channel.
pub fn job_for(entity: AssetEntity, division: i32, record: &Record) -> Option<AssetJob> {
    let key = AssetKey::new(division, entity, record.str("ID")?)?;
    let field = |name: &str| record.str(name).unwrap_or("");
    let (source, fingerprint) = match entity {
        AssetEntity::Items | AssetEntity::Contacts => picture_job(
            record.str("PictureUrl"),
            field("PictureName"),
            field("Modified"),
        ),
        AssetEntity::Accounts => picture_job(
            record.str("LogoUrl"),
            field("LogoFileName"),
            field("Modified"),
        ),
        AssetEntity::DocumentAttachments => {
            let size = record
                .f64("FileSize")
                .filter(|s| *s >= 0.0)
                .map(|s| s as u64);
            let fingerprint = format!(
                "attachment\n{}\n{}",
                key.record_id,
                size.map_or_else(String::new, |s| s.to_string())
            );
            match record.str("Url") {
                Some(url) => (
                    AssetSource::Attachment {
                        url: download_url(url),
                        file_name: record
                            .get("FileName")
                            .and_then(|v| v.as_str())
                            .unwrap_or("")
                            .to_owned(),
                        size,
                    },
                    fingerprint,
                ),
                None => (AssetSource::NoImage, fingerprint),
            }
        }
    };
    Some(AssetJob {
        key,
        source,
        fingerprint,
    })
}

fn picture_job(url: Option<&str>, name: &str, modified: &str) -> (AssetSource, String) {
    match url {
        Some(url) if !is_placeholder(url) => (
            AssetSource::Picture {
                url: url.to_owned(),
            },
            format!("picture\n{name}\n{}\n{modified}", without_origin(url)),
        ),
        // Modified is left out: an edit of a record without a picture changes nothing here.
        _ => (AssetSource::NoImage, "no image".to_owned()),
    }
}

/// The URL without scheme and host: the same picture behind another host name (a region alias,
/// the demo company's port changing between runs) is the same picture.
pub(crate) fn without_origin(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(parsed) => match parsed.query() {
            Some(q) => format!("{}?{q}", parsed.path()),
            None => parsed.path().to_owned(),
        },
        Err(_) => url.to_owned(),
    }
}

/// True for Exact's "no picture" placeholders: any URL whose path (with repeated slashes
/// collapsed, case ignored) starts with `/docs/images/placeholder`.
pub fn is_placeholder(url: &str) -> bool {
    let path = match url::Url::parse(url) {
        Ok(parsed) => parsed.path().to_owned(),
        // Relative or odd forms: look at the text itself.
        Err(_) => url.split(['?', '#']).next().unwrap_or("").to_owned(),
    };
    let mut collapsed = String::with_capacity(path.len());
    for c in path.chars() {
        if !(c == '/' && collapsed.ends_with('/')) {
            collapsed.push(c.to_ascii_lowercase());
        }
    }
    collapsed.contains("/docs/images/placeholder")
}

/// Exact serves the original file of an attachment when `Download=1` is in the query.
fn download_url(url: &str) -> String {
    let has_download = url
        .split_once('?')
        .is_some_and(|(_, q)| q.split('&').any(|p| p.eq_ignore_ascii_case("download=1")));
    if has_download {
        url.to_owned()
    } else if url.contains('?') {
        format!("{url}&Download=1")
    } else {
        format!("{url}?Download=1")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const ID: &str = "0b3a45c1-9c3e-4d2f-8a51-2f1d7f0e6a11";

    fn record(value: serde_json::Value) -> Record {
        serde_json::from_value(value).expect("a JSON object is a record")
    }

    #[test]
    fn placeholders_are_recognised_in_every_form() {
        for url in [
            "https://start.exactonline.nl//docs/images/placeholder_account_myeol.png",
            "https://start.exactonline.nl/docs/images/placeholder_item.png",
            "http://127.0.0.1:4000//Docs/Images/Placeholder_contact_myeol.png",
            "//docs/images/placeholder_item.png",
        ] {
            assert!(is_placeholder(url), "{url} is a placeholder");
        }
        assert!(!is_placeholder(
            "https://start.exactonline.nl/docs/SysImage.aspx?Table=Items&ID=x&ThumbSize=500"
        ));
    }

    #[test]
    fn picture_jobs_carry_url_and_a_fingerprint_of_name_url_and_modified() {
        let url = "https://x/docs/SysImage.aspx?Table=Items&ID=1&ThumbSize=500";
        let a = record(
            json!({"ID": ID, "PictureUrl": url, "PictureName": "a.jpg", "Modified": "/Date(1)/"}),
        );
        let job = job_for(AssetEntity::Items, 7, &a).expect("a record with an ID has a job");
        assert_eq!(job.source, AssetSource::Picture { url: url.into() });
        assert_eq!(job.key.record_id, ID);
        let b = record(
            json!({"ID": ID, "PictureUrl": url, "PictureName": "a.jpg", "Modified": "/Date(2)/"}),
        );
        let later = job_for(AssetEntity::Items, 7, &b).expect("job");
        assert_ne!(
            job.fingerprint, later.fingerprint,
            "a newer Modified must refetch"
        );
        assert_eq!(
            job,
            job_for(AssetEntity::Items, 7, &a).expect("job"),
            "pure"
        );
        let moved = record(
            json!({"ID": ID, "PictureUrl": url.replace("https://x", "http://127.0.0.1:9"),
            "PictureName": "a.jpg", "Modified": "/Date(1)/"}),
        );
        let moved = job_for(AssetEntity::Items, 7, &moved).expect("job");
        assert_eq!(
            job.fingerprint, moved.fingerprint,
            "another host for the same picture is the same picture"
        );
    }

    #[test]
    fn placeholder_and_missing_urls_are_no_image() {
        let p = record(
            json!({"ID": ID, "LogoUrl": "https://h//docs/images/placeholder_account_myeol.png"}),
        );
        let job = job_for(AssetEntity::Accounts, 1, &p).expect("job");
        assert_eq!(job.source, AssetSource::NoImage);
        let none = record(json!({"ID": ID, "PictureUrl": null}));
        assert_eq!(
            job_for(AssetEntity::Contacts, 1, &none)
                .expect("job")
                .source,
            AssetSource::NoImage
        );
    }

    #[test]
    fn attachments_use_the_download_url_and_size() {
        let a = record(
            json!({"ID": ID, "Url": "https://h/docs/SysAttachment.aspx?ID=x&_Division_=1",
            "FileName": "../../x.pdf", "FileSize": 1234.0}),
        );
        let job = job_for(AssetEntity::DocumentAttachments, 1, &a).expect("job");
        assert_eq!(
            job.source,
            AssetSource::Attachment {
                url: "https://h/docs/SysAttachment.aspx?ID=x&_Division_=1&Download=1".into(),
                file_name: "../../x.pdf".into(),
                size: Some(1234)
            }
        );
        assert!(job.fingerprint.contains("1234"));
    }

    #[test]
    fn records_without_a_guid_id_have_no_job() {
        for id in [json!(null), json!("../../etc"), json!("")] {
            let r = record(json!({"ID": id, "PictureUrl": "https://h/x"}));
            assert!(
                job_for(AssetEntity::Items, 1, &r).is_none(),
                "{id} is not a key"
            );
        }
    }
}

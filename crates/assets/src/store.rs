//! The content-addressed store on disk.
//!
//! Layout under the root folder (every name is ours; nothing Exact sends becomes a path):
//! ```text
//! originals/ab/<sha256>            the file as downloaded, named by the hash of its bytes
//! thumbs/ab/<sha256>-64.jpg|png    list thumbnail of that original
//! thumbs/ab/<sha256>-320.jpg|png   card/detail thumbnail
//! refs/<division>/<entity>/<record guid>.json   what the record's asset is: fingerprint + state
//!                                               (+ the validators Exact sent with its file)
//! tmp/                             downloads and writes in progress (emptied at open)
//! ```
//! Invariants:
//! - files are written to `tmp/` and renamed into place, refs last (and fsynced), so a crash
//!   leaves at worst an unreferenced file (removed by garbage collection), never a ref that
//!   names a half-written file;
//! - a ref that names content which is gone (cache cleared) reads as "not downloaded";
//! - identical bytes are stored once, whatever records share them.

use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::job::{AssetEntity, AssetKey};
use crate::thumbnail::{LARGE_SIDE, SMALL_SIDE, ThumbFormat, Thumbnails};

/// What is known about one record's asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AssetRef {
    /// The job fingerprint this state was derived from.
    pub fingerprint: String,
    pub state: AssetState,
    /// The attachment's name as Exact sent it (data only; see `safe_file_name`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// What Exact's answer said about the stored file (only with [`AssetState::Stored`]), to make
    /// the next download of the same URL conditional. `None` when Exact sent no `ETag` nor
    /// `Last-Modified`, and in refs written before validators were kept.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validators: Option<StoredValidators>,
}

/// The `ETag` and `Last-Modified` of a stored file, with the URL they came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredValidators {
    /// The URL without scheme and host (as in the job fingerprint): validators are sent back
    /// only to the same URL; a record pointing elsewhere gets its file in full.
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub etag: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<String>,
}

impl StoredValidators {
    /// Validators Exact sent for `url`; `None` when it sent none.
    pub fn new(url: &str, sent: exact_api::Validators) -> Option<StoredValidators> {
        (!sent.is_empty()).then(|| StoredValidators {
            url: crate::job::without_origin(url),
            etag: sent.etag,
            last_modified: sent.last_modified,
        })
    }

    /// Whether these are the validators of `url`.
    pub fn belong_to(&self, url: &str) -> bool {
        self.url == crate::job::without_origin(url)
    }

    /// What to send back.
    pub fn to_request(&self) -> exact_api::Validators {
        exact_api::Validators {
            etag: self.etag.clone(),
            last_modified: self.last_modified.clone(),
        }
    }

    /// These, with whatever a `304 Not Modified` repeated in their place.
    pub fn updated_by(self, answer: exact_api::Validators) -> StoredValidators {
        let updated = self.to_request().updated_by(answer);
        StoredValidators {
            url: self.url,
            etag: updated.etag,
            last_modified: updated.last_modified,
        }
    }
}

/// The state of one asset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssetState {
    /// The record has no picture (a placeholder URL or none). Exact's blank 1×1 image in place
    /// of a named picture is a retryable failure instead.
    NoImage,
    /// Downloaded and stored.
    Stored {
        hash: String,
        content_type: String,
        bytes: u64,
        /// Thumbnail encoding; `None` for attachments and files that are not pictures.
        thumbs: Option<ThumbFormat>,
    },
    /// Not downloaded by choice (attachment setting or size cap); fetched on demand.
    Skipped { reason: String },
    /// The last attempt failed; `retryable` failures are tried again on the next run, the
    /// others only when the record's fingerprint changes.
    Failed { error: String, retryable: bool },
}

/// Which rendition of an asset the shell wants.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Rendition {
    /// ~64 px, for lists.
    Small,
    /// ~320 px, for cards and details.
    Large,
    /// The file as downloaded.
    Original,
}

/// A file the shell can serve (for example from a custom URI scheme).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetFile {
    pub path: PathBuf,
    /// Sniffed from the bytes; only image types, PDF or `application/octet-stream`.
    pub content_type: String,
}

/// The store rooted at one folder.
#[derive(Debug)]
pub struct Store {
    root: PathBuf,
    counter: AtomicU64,
}

impl Store {
    /// Opens (creating) the store at `root` and empties its `tmp/` folder.
    pub fn open(root: impl Into<PathBuf>) -> Result<Store> {
        let root = root.into();
        let tmp = root.join("tmp");
        if tmp.exists() {
            fs::remove_dir_all(&tmp).map_err(Error::io(&tmp))?;
        }
        for dir in ["originals", "thumbs", "refs", "tmp"] {
            let path = root.join(dir);
            fs::create_dir_all(&path).map_err(Error::io(&path))?;
        }
        Ok(Store {
            root,
            counter: AtomicU64::new(0),
        })
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    /// A fresh path in `tmp/` for a download or a write in progress.
    pub fn temp_path(&self, what: &str) -> PathBuf {
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        self.root
            .join("tmp")
            .join(format!("{what}-{}-{n}", std::process::id()))
    }

    pub(crate) fn refs_dir(&self) -> PathBuf {
        self.root.join("refs")
    }

    fn ref_path(&self, key: &AssetKey) -> PathBuf {
        self.refs_dir()
            .join(key.division.to_string())
            .join(key.entity.as_str())
            .join(format!("{}.json", key.record_id))
    }

    pub fn original_path(&self, hash: &str) -> PathBuf {
        self.root.join("originals").join(shard(hash)).join(hash)
    }

    pub fn thumb_path(&self, hash: &str, side: u32, format: ThumbFormat) -> PathBuf {
        self.root
            .join("thumbs")
            .join(shard(hash))
            .join(format!("{hash}-{side}.{}", format.extension()))
    }

    /// The ref of `key`; `None` when absent or unreadable (an unreadable ref is logged and
    /// treated as "not downloaded", so the asset is fetched again).
    pub fn read_ref(&self, key: &AssetKey) -> Option<AssetRef> {
        let path = self.ref_path(key);
        let bytes = fs::read(&path).ok()?;
        match serde_json::from_slice(&bytes) {
            Ok(r) => Some(r),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "damaged asset ref; refetching");
                None
            }
        }
    }

    /// Writes the ref of `key` durably (temp file, fsync, rename).
    pub fn write_ref(&self, key: &AssetKey, value: &AssetRef) -> Result<()> {
        let json = serde_json::to_vec_pretty(value).map_err(|e| Error::Manifest {
            path: self.ref_path(key),
            message: e.to_string(),
        })?;
        self.write_file(&self.ref_path(key), &json, true)
    }

    /// Drops the ref of a deleted record; its files go at the next garbage collection.
    pub fn forget(&self, key: &AssetKey) -> Result<()> {
        let path = self.ref_path(key);
        match fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(Error::io(path)(e)),
            _ => Ok(()),
        }
    }

    /// Every stored ref with its key.
    pub fn refs(&self) -> Result<Vec<(AssetKey, AssetRef)>> {
        let mut out = Vec::new();
        let root = self.refs_dir();
        for division in read_dir(&root)? {
            let Some(code) = file_name(&division).and_then(|n| n.parse::<i32>().ok()) else {
                continue;
            };
            for entity_dir in read_dir(&division)? {
                let Some(entity) = file_name(&entity_dir).and_then(AssetEntity::parse) else {
                    continue;
                };
                for file in read_dir(&entity_dir)? {
                    let Some(id) = file_name(&file).and_then(|n| n.strip_suffix(".json")) else {
                        continue;
                    };
                    if let Some(key) = AssetKey::new(code, entity, id)
                        && let Some(value) = self.read_ref(&key)
                    {
                        out.push((key, value));
                    }
                }
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(out)
    }

    /// Moves a finished download into `originals/` under its hash (or drops it when the same
    /// bytes are already there; a file of that name but another size is damaged, and replaced).
    pub fn adopt_original(&self, temp: &Path, hash: &str) -> Result<PathBuf> {
        let dest = self.original_path(hash);
        if let Ok(existing) = fs::metadata(&dest) {
            let size = fs::metadata(temp).map_err(Error::io(temp))?.len();
            if existing.is_file() && existing.len() == size {
                fs::remove_file(temp).map_err(Error::io(temp))?;
                return Ok(dest);
            }
        }
        if let Some(dir) = dest.parent() {
            fs::create_dir_all(dir).map_err(Error::io(dir))?;
        }
        fs::rename(temp, &dest).map_err(Error::io(&dest))?;
        Ok(dest)
    }

    /// Whether both thumbnails of `hash` exist in `format`.
    pub fn has_thumbnails(&self, hash: &str, format: ThumbFormat) -> bool {
        [SMALL_SIDE, LARGE_SIDE]
            .iter()
            .all(|side| self.thumb_path(hash, *side, format).is_file())
    }

    /// Writes both thumbnails of `hash`.
    pub fn put_thumbnails(&self, hash: &str, thumbs: &Thumbnails) -> Result<()> {
        self.write_file(
            &self.thumb_path(hash, SMALL_SIDE, thumbs.format),
            &thumbs.small,
            false,
        )?;
        self.write_file(
            &self.thumb_path(hash, LARGE_SIDE, thumbs.format),
            &thumbs.large,
            false,
        )
    }

    /// The file to show for `key` at `rendition`; `None` when there is none (no image, not
    /// downloaded, failed, or the cache was cleared).
    pub fn lookup(&self, key: &AssetKey, rendition: Rendition) -> Option<AssetFile> {
        let AssetState::Stored {
            hash,
            content_type,
            thumbs,
            ..
        } = self.read_ref(key)?.state
        else {
            return None;
        };
        let file = match (rendition, thumbs) {
            (Rendition::Original, _) => AssetFile {
                path: self.original_path(&hash),
                content_type,
            },
            (Rendition::Small | Rendition::Large, Some(format)) => {
                let side = if rendition == Rendition::Small {
                    SMALL_SIDE
                } else {
                    LARGE_SIDE
                };
                AssetFile {
                    path: self.thumb_path(&hash, side, format),
                    content_type: format.content_type().to_owned(),
                }
            }
            (_, None) => return None,
        };
        file.path.is_file().then_some(file)
    }

    /// Writes `bytes` to `path` through a temp file and a rename.
    fn write_file(&self, path: &Path, bytes: &[u8], durable: bool) -> Result<()> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(Error::io(dir))?;
        }
        let temp = self.temp_path("write");
        let mut file = fs::File::create(&temp).map_err(Error::io(&temp))?;
        file.write_all(bytes).map_err(Error::io(&temp))?;
        if durable {
            file.sync_all().map_err(Error::io(&temp))?;
        }
        drop(file);
        fs::rename(&temp, path).map_err(Error::io(path))
    }
}

/// SHA-256 of a file, streamed, as lowercase hex.
pub fn hash_file(path: &Path) -> Result<String> {
    let mut file = fs::File::open(path).map_err(Error::io(path))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(Error::io(path))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(to_hex(&hasher.finalize()))
}

/// SHA-256 of bytes as lowercase hex.
pub fn hash_bytes(bytes: &[u8]) -> String {
    to_hex(&Sha256::digest(bytes))
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn shard(hash: &str) -> &str {
    hash.get(..2).unwrap_or("00")
}

pub(crate) fn read_dir(dir: &Path) -> Result<Vec<PathBuf>> {
    match fs::read_dir(dir) {
        Ok(entries) => Ok(entries.filter_map(|e| e.ok().map(|e| e.path())).collect()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Vec::new()),
        Err(e) => Err(Error::io(dir)(e)),
    }
}

pub(crate) fn file_name(path: &Path) -> Option<&str> {
    path.file_name().and_then(|n| n.to_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> AssetKey {
        AssetKey::new(
            7,
            AssetEntity::Items,
            "0b3a45c1-9c3e-4d2f-8a51-2f1d7f0e6a11",
        )
        .expect("a key")
    }

    #[test]
    fn refs_written_before_validators_were_kept_still_read() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = Store::open(dir.path()).expect("store");
        let old = r#"{
  "fingerprint": "picture\na.jpg\n/docs/SysImage.aspx?ID=x\n/Date(1)/",
  "state": {
    "stored": {
      "hash": "ab12",
      "content_type": "image/jpeg",
      "bytes": 1234,
      "thumbs": "jpeg"
    }
  }
}"#;
        let path = store.ref_path(&key());
        fs::create_dir_all(path.parent().expect("a folder")).expect("folders");
        fs::write(&path, old).expect("written");
        let read = store.read_ref(&key()).expect("an old ref reads");
        assert_eq!(read.validators, None);
        assert_eq!(read.file_name, None);
        assert!(matches!(read.state, AssetState::Stored { bytes: 1234, .. }));

        // Written back with validators, read back the same; without them, no trace in the file.
        let kept = AssetRef {
            validators: StoredValidators::new(
                "http://127.0.0.1:9/docs/SysImage.aspx?ID=x",
                exact_api::Validators {
                    etag: Some("\"e\"".into()),
                    last_modified: None,
                },
            ),
            ..read.clone()
        };
        store.write_ref(&key(), &kept).expect("written");
        assert_eq!(store.read_ref(&key()), Some(kept.clone()));
        let validators = kept.validators.expect("validators");
        assert!(validators.belong_to("https://start.exactonline.nl/docs/SysImage.aspx?ID=x"));
        assert!(!validators.belong_to("http://127.0.0.1:9/docs/SysImage.aspx?ID=y"));
        store.write_ref(&key(), &read).expect("written");
        let text = fs::read_to_string(&path).expect("readable");
        assert!(!text.contains("validators"), "{text}");
        assert!(
            StoredValidators::new("http://h/x", exact_api::Validators::default()).is_none(),
            "no validators sent, none kept"
        );
    }
}

//! What the store keeps: size on disk, garbage collection, clearing the cache.
//!
//! Invariants:
//! - garbage collection removes exactly the originals and thumbnails that no ref names (by
//!   content hash), plus leftovers in `tmp/`; it never touches refs;
//! - clearing removes every downloaded file and every ref, so each asset reads as "not
//!   downloaded" and is fetched again on the next run or on demand; nothing else breaks.
//!
//! Run both while no job is processing (the `Assets` runner takes care of that).

use std::collections::HashSet;
use std::fs;
use std::path::Path;

use serde::Serialize;

use crate::error::{Error, Result};
use crate::store::{AssetState, Store, file_name, read_dir};

/// Bytes and files on disk.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Usage {
    pub original_files: u64,
    pub original_bytes: u64,
    pub thumbnail_files: u64,
    pub thumbnail_bytes: u64,
}

impl Usage {
    pub fn total_bytes(&self) -> u64 {
        self.original_bytes + self.thumbnail_bytes
    }
}

/// What a garbage collection removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Collected {
    pub removed_files: u64,
    pub freed_bytes: u64,
    /// What is left.
    pub usage: Usage,
}

impl Store {
    /// Size of the stored originals and thumbnails.
    pub fn usage(&self) -> Result<Usage> {
        let mut usage = Usage::default();
        for (_, bytes) in content_files(&self.root().join("originals"))? {
            usage.original_files += 1;
            usage.original_bytes += bytes;
        }
        for (_, bytes) in content_files(&self.root().join("thumbs"))? {
            usage.thumbnail_files += 1;
            usage.thumbnail_bytes += bytes;
        }
        Ok(usage)
    }

    /// Removes content no ref names any more.
    pub fn collect_garbage(&self) -> Result<Collected> {
        let live: HashSet<String> = self
            .refs()?
            .into_iter()
            .filter_map(|(_, r)| match r.state {
                AssetState::Stored { hash, .. } => Some(hash),
                _ => None,
            })
            .collect();
        let mut collected = Collected::default();
        for folder in ["originals", "thumbs", "tmp"] {
            let all_dead = folder == "tmp";
            for (path, bytes) in content_files(&self.root().join(folder))? {
                let hash = file_name(&path)
                    .map(|n| n.split(['-', '.']).next().unwrap_or(n))
                    .unwrap_or("");
                if all_dead || !live.contains(hash) {
                    fs::remove_file(&path).map_err(Error::io(&path))?;
                    collected.removed_files += 1;
                    collected.freed_bytes += bytes;
                }
            }
        }
        collected.usage = self.usage()?;
        Ok(collected)
    }

    /// Removes every downloaded file and every ref ("clear the image cache").
    pub fn clear(&self) -> Result<()> {
        for folder in ["refs", "originals", "thumbs", "tmp"] {
            let path = self.root().join(folder);
            match fs::remove_dir_all(&path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(Error::io(path)(e));
                }
                _ => {}
            }
            fs::create_dir_all(&path).map_err(Error::io(&path))?;
        }
        Ok(())
    }
}

/// Files (with sizes) one or two levels below `dir` (the store shards by two hex digits).
fn content_files(dir: &Path) -> Result<Vec<(std::path::PathBuf, u64)>> {
    let mut out = Vec::new();
    for entry in read_dir(dir)? {
        let meta = fs::symlink_metadata(&entry).map_err(Error::io(&entry))?;
        if meta.is_dir() {
            for inner in read_dir(&entry)? {
                let meta = fs::symlink_metadata(&inner).map_err(Error::io(&inner))?;
                if meta.is_file() {
                    out.push((inner, meta.len()));
                }
            }
        } else if meta.is_file() {
            out.push((entry, meta.len()));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job::{AssetEntity, AssetKey};
    use crate::store::{AssetRef, Rendition, hash_bytes};
    use crate::thumbnail::{ThumbFormat, Thumbnails};

    const ID: &str = "0b3a45c1-9c3e-4d2f-8a51-2f1d7f0e6a11";

    fn stored(store: &Store, key: &AssetKey, bytes: &[u8]) -> String {
        let hash = hash_bytes(bytes);
        let temp = store.temp_path("test");
        fs::write(&temp, bytes).expect("write temp");
        store.adopt_original(&temp, &hash).expect("adopt");
        let thumbs = Thumbnails {
            format: ThumbFormat::Jpeg,
            small: vec![1; 10],
            large: vec![2; 20],
            full_size: (1, 1),
        };
        store.put_thumbnails(&hash, &thumbs).expect("thumbs");
        let value = AssetRef {
            fingerprint: "f".into(),
            state: AssetState::Stored {
                hash: hash.clone(),
                content_type: "image/jpeg".into(),
                bytes: bytes.len() as u64,
                thumbs: Some(ThumbFormat::Jpeg),
            },
            file_name: None,
            validators: None,
        };
        store.write_ref(key, &value).expect("ref");
        hash
    }

    #[test]
    fn garbage_collection_keeps_referenced_content_only() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        let a = AssetKey::new(1, AssetEntity::Items, ID).expect("key");
        let b = AssetKey::new(2, AssetEntity::Accounts, ID).expect("key");
        stored(&store, &a, b"first picture");
        stored(&store, &b, b"second picture");
        assert_eq!(store.usage().expect("usage").original_files, 2);
        store.forget(&b).expect("forget");
        let collected = store.collect_garbage().expect("gc");
        assert_eq!(
            collected.removed_files, 3,
            "one original and its two thumbnails"
        );
        assert_eq!(collected.usage.original_files, 1);
        assert_eq!(collected.usage.thumbnail_files, 2);
        assert!(
            store.lookup(&a, Rendition::Small).is_some(),
            "a is still referenced"
        );
        assert_eq!(
            store.collect_garbage().expect("gc").removed_files,
            0,
            "idempotent"
        );
    }

    #[test]
    fn identical_bytes_are_stored_once_and_clear_empties_everything() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        let a = AssetKey::new(1, AssetEntity::Items, ID).expect("key");
        let b = AssetKey::new(1, AssetEntity::Contacts, ID).expect("key");
        stored(&store, &a, b"same");
        stored(&store, &b, b"same");
        assert_eq!(store.usage().expect("usage").original_files, 1);
        store.clear().expect("clear");
        assert_eq!(store.usage().expect("usage"), Usage::default());
        assert!(store.read_ref(&a).is_none() && store.lookup(&a, Rendition::Large).is_none());
    }

    #[test]
    fn a_ref_whose_content_is_gone_reads_as_missing() {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("open");
        let a = AssetKey::new(1, AssetEntity::Items, ID).expect("key");
        let hash = stored(&store, &a, b"bytes");
        fs::remove_file(store.original_path(&hash)).expect("remove");
        assert!(store.lookup(&a, Rendition::Original).is_none());
        assert!(
            store.lookup(&a, Rendition::Small).is_some(),
            "thumbnails are separate files"
        );
    }
}

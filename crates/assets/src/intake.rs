//! Intake: a finished download becomes stored content.
//!
//! Invariants: the original is hashed as downloaded and moved into the store only after its
//! thumbnails are written (pictures), so a ref never names content without thumbnails; a
//! picture's content type is sniffed from its bytes; known content is not decoded again; a
//! download only happens for a record that names a real picture (placeholders never download),
//! so Exact's blank 1×1 image in its place is [`Error::BlankPicture`], never "no picture".

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::picture::{DecodeLimits, sniff_content_type};
use crate::store::{AssetState, Store, hash_file};
use crate::thumbnail::{ThumbFormat, render_thumbnails};

/// Hashes a finished download, makes thumbnails (pictures), and moves it into the store.
/// Returns [`AssetState::Stored`].
pub(crate) fn ingest(
    store: &Store,
    limits: &DecodeLimits,
    path: &Path,
    is_picture: bool,
) -> Result<AssetState> {
    let hash = hash_file(path)?;
    let size = std::fs::metadata(path).map_err(Error::io(path))?.len();
    let mut thumbs = None;
    let content_type = if is_picture {
        let bytes = std::fs::read(path).map_err(Error::io(path))?;
        let known = [ThumbFormat::Jpeg, ThumbFormat::Png]
            .into_iter()
            .find(|f| store.has_thumbnails(&hash, *f));
        thumbs = match known {
            Some(format) => Some(format),
            None => match render_thumbnails(&bytes, limits)? {
                None => return Err(Error::BlankPicture),
                Some(rendered) => {
                    store.put_thumbnails(&hash, &rendered)?;
                    Some(rendered.format)
                }
            },
        };
        sniff_content_type(&bytes)
    } else {
        let mut head = [0u8; 64];
        let n = std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
            .map_err(Error::io(path))?;
        sniff_content_type(&head[..n])
    };
    store.adopt_original(path, &hash)?;
    Ok(AssetState::Stored {
        hash,
        content_type: content_type.to_owned(),
        bytes: size,
        thumbs,
    })
}

/// `dir/name`, or `dir/stem (2).ext` and so on when taken.
pub(crate) fn free_name(dir: &Path, name: &str) -> PathBuf {
    let first = dir.join(name);
    if !first.exists() {
        return first;
    }
    let (stem, ext) = match name.rfind('.') {
        Some(i) if i > 0 => (&name[..i], &name[i..]),
        _ => (name, ""),
    };
    (2..)
        .map(|n| dir.join(format!("{stem} ({n}){ext}")))
        .find(|p| !p.exists())
        .unwrap_or(first)
}

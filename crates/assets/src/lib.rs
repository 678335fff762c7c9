//! offline-assets: item pictures, account logos, contact pictures and document attachments,
//! kept offline next to the synced records.
//!
//! Role: the engine derives an [`AssetJob`] from each committed record with the pure
//! [`job_for`] and hands jobs to an [`Assets`] runner over a channel; the runner downloads what
//! changed through the authenticated [`exact_api::ExactClient`], stores files by the hash of
//! their bytes, renders two thumbnails, and records the result per record in a small ref file.
//! The shell asks [`Assets::lookup`] for a file to show, [`Assets::save_attachment`] to save
//! one and [`Assets::save_attachment_to_open`] to open one (with its [`OpenPolicy`]), and shows
//! attachment names through [`display_file_name`]. No database: bookkeeping is one JSON ref per
//! asset (see [`store`]).
//!
//! Invariants:
//! - nothing Exact sends becomes a path: store names are hashes, division numbers, our entity
//!   names and validated GUIDs; attachment names go through [`safe_file_name`], which also drops
//!   invisible characters that could disguise an extension;
//! - an attachment is opened without asking only when its name and its first bytes agree on a
//!   document type that runs no code ([`open_policy`]);
//! - all picture decodes of the process share one memory budget ([`DecodeBudget`]), reserved
//!   from the header before pixels are allocated; a picture over the whole budget is refused;
//! - a download happens only when a record's fingerprint changed; placeholders never download;
//!   a re-download sends back the `ETag`/`Last-Modified` Exact gave with the stored file, if
//!   any, and a `304 Not Modified` keeps the stored file untouched (counted as unchanged);
//! - "no picture" comes only from the record (a placeholder URL or none): Exact's blank 1×1 image
//!   and a refused sign-in (a 401, a redirect to its login page, an HTML page) are retryable
//!   failures, tried again on the next run, and a download never waits for Exact's 570 s token
//!   rule;
//! - hostile files (bombs, corrupt, truncated, empty, HTML/SVG posing as pictures) end as a
//!   recorded error for that asset, never a panic, and the run moves on;
//! - files appear by rename, refs last, so a crash never leaves a ref naming a partial file;
//! - this crate never depends on offline-cache or offline-sync.

pub mod budget;
pub mod downloads;
pub mod error;
pub mod file_name;
mod intake;
pub mod job;
pub mod open_policy;
pub mod picture;
pub mod policy;
pub mod progress;
pub mod retention;
mod sniff;
pub mod store;
pub mod thumbnail;

pub use budget::{DECODE_BUDGET_BYTES, DecodeBudget, Reservation};
pub use downloads::{Assets, SavedAttachment};
pub use error::{Error, ErrorKind, PictureError, Result};
pub use file_name::{display_file_name, is_invisible, safe_file_name};
pub use job::{AssetEntity, AssetJob, AssetKey, AssetKind, AssetSource, is_placeholder, job_for};
pub use open_policy::{OpenKind, OpenPolicy, open_policy, open_policy_for_file};
pub use picture::{DecodeLimits, sniff_content_type};
pub use policy::{AssetConfig, AttachmentPolicy};
pub use progress::{AssetEvent, EventSink, Outcome, Summary};
pub use retention::{Collected, Usage};
pub use sniff::SNIFF_BYTES;
pub use store::{AssetFile, AssetRef, AssetState, Rendition, Store, StoredValidators};
pub use thumbnail::{
    LARGE_SIDE, SMALL_SIDE, ThumbFormat, Thumbnails, render_thumbnails, render_thumbnails_within,
};

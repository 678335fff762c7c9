//! The `document_attachments` table: the files of documents (downloaded by offline-assets).

use exact_record::Record;
use rusqlite::{Connection, Row, Statement, params};
use serde::Serialize;

use crate::columns::{guid, text};
use crate::error::{Context, Result};

pub(crate) const UPSERT: &str = "
INSERT INTO document_attachments (division, id, document, file_name, file_size, url, timestamp,
    attributes, seen_generation)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)
ON CONFLICT (division, id) DO UPDATE SET
    document = excluded.document, file_name = excluded.file_name,
    file_size = excluded.file_size, url = excluded.url, timestamp = excluded.timestamp,
    attributes = excluded.attributes,
    seen_generation = coalesce(excluded.seen_generation, document_attachments.seen_generation)";

pub(crate) fn bind(
    stmt: &mut Statement<'_>,
    division: i32,
    id: &str,
    r: &Record,
    attributes: &[u8],
    generation: Option<i64>,
) -> rusqlite::Result<usize> {
    stmt.execute(params![
        division,
        id,
        guid(r, "Document"),
        text(r, "FileName"),
        r.f64("FileSize"),
        text(r, "Url"),
        r.timestamp(),
        attributes,
        generation,
    ])
}

/// A file attached to a document.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct AttachmentRow {
    pub id: String,
    pub document: Option<String>,
    pub file_name: Option<String>,
    pub file_size: Option<f64>,
    /// Exact's download URL (add `&Download=1`, send the bearer token).
    pub url: Option<String>,
}

fn row(r: &Row<'_>) -> rusqlite::Result<AttachmentRow> {
    Ok(AttachmentRow {
        id: r.get(0)?,
        document: r.get(1)?,
        file_name: r.get(2)?,
        file_size: r.get(3)?,
        url: r.get(4)?,
    })
}

pub(crate) fn for_document(
    conn: &Connection,
    division: i32,
    document: &str,
) -> Result<Vec<AttachmentRow>> {
    conn.prepare_cached(
        "SELECT id, document, file_name, file_size, url FROM document_attachments
         WHERE division = ?1 AND document = ?2 ORDER BY file_name COLLATE NOCASE, id",
    )
    .context("preparing the attachments of a document")?
    .query_map(params![division, document], row)
    .context("reading attachments")?
    .collect::<rusqlite::Result<Vec<_>>>()
    .context("reading attachments")
}

//! The `documents` table: documents linked to an account and/or an item.

use exact_record::Record;
use rusqlite::{Connection, Row, Statement, params};
use serde::Serialize;

use crate::attachments::{self, AttachmentRow};
use crate::columns::{date_ms, guid, text};
use crate::error::{Context, Result};

pub(crate) const UPSERT: &str = "
INSERT INTO documents (division, id, account, item, subject, type, type_description, date_ms,
    modified_ms, timestamp, attributes, seen_generation)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)
ON CONFLICT (division, id) DO UPDATE SET
    account = excluded.account, item = excluded.item, subject = excluded.subject,
    type = excluded.type, type_description = excluded.type_description,
    date_ms = excluded.date_ms, modified_ms = excluded.modified_ms,
    timestamp = excluded.timestamp, attributes = excluded.attributes,
    seen_generation = coalesce(excluded.seen_generation, documents.seen_generation)";

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
        guid(r, "Account"),
        guid(r, "Item"),
        text(r, "Subject"),
        r.i64("Type"),
        text(r, "TypeDescription"),
        date_ms(r, "DocumentDate"),
        date_ms(r, "Modified"),
        r.timestamp(),
        attributes,
        generation,
    ])
}

/// A document with its attachments.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct DocumentRow {
    pub id: String,
    pub account: Option<String>,
    pub item: Option<String>,
    pub subject: Option<String>,
    pub document_type: Option<i64>,
    pub type_description: Option<String>,
    /// `DocumentDate` as UTC epoch ms.
    pub date_ms: Option<i64>,
    pub attachments: Vec<AttachmentRow>,
}

fn row(r: &Row<'_>) -> rusqlite::Result<DocumentRow> {
    Ok(DocumentRow {
        id: r.get(0)?,
        account: r.get(1)?,
        item: r.get(2)?,
        subject: r.get(3)?,
        document_type: r.get(4)?,
        type_description: r.get(5)?,
        date_ms: r.get(6)?,
        attachments: Vec::new(),
    })
}

const COLUMNS: &str = "id, account, item, subject, type, type_description, date_ms";

pub(crate) fn for_item(conn: &Connection, division: i32, item: &str) -> Result<Vec<DocumentRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM documents WHERE division = ?1 AND item = ?2
         ORDER BY date_ms DESC, id"
    );
    linked(conn, &sql, division, item)
}

pub(crate) fn for_account(
    conn: &Connection,
    division: i32,
    account: &str,
) -> Result<Vec<DocumentRow>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM documents WHERE division = ?1 AND account = ?2
         ORDER BY date_ms DESC, id"
    );
    linked(conn, &sql, division, account)
}

fn linked(conn: &Connection, sql: &str, division: i32, key: &str) -> Result<Vec<DocumentRow>> {
    let mut docs = conn
        .prepare_cached(sql)
        .context("preparing linked documents")?
        .query_map(params![division, key], row)
        .context("reading documents")?
        .collect::<rusqlite::Result<Vec<_>>>()
        .context("reading documents")?;
    for doc in &mut docs {
        doc.attachments = attachments::for_document(conn, division, &doc.id)?;
    }
    Ok(docs)
}

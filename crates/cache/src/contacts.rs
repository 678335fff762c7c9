//! The `contacts` table. Contacts' full names are indexed for the account search in
//! `contacts_fts` (see [`crate::account_index`]), written by the caller after the batch's rows.

use exact_record::Record;

use rusqlite::{Connection, OptionalExtension, Row, Statement, Transaction, params};
use serde::Serialize;

use crate::columns::{date_ms, flag, guid, is_real_picture, text};
use crate::error::{Context, Result};

pub(crate) const UPSERT: &str = "
INSERT INTO contacts (division, id, account, full_name, email, phone, mobile, is_main,
    picture_url, has_picture, modified_ms, timestamp, attributes, seen_generation)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)
ON CONFLICT (division, id) DO UPDATE SET
    account = excluded.account, full_name = excluded.full_name, email = excluded.email,
    phone = excluded.phone, mobile = excluded.mobile, is_main = excluded.is_main,
    picture_url = excluded.picture_url, has_picture = excluded.has_picture,
    modified_ms = excluded.modified_ms, timestamp = excluded.timestamp,
    attributes = excluded.attributes,
    seen_generation = coalesce(excluded.seen_generation, contacts.seen_generation)";

pub(crate) fn bind(
    stmt: &mut Statement<'_>,
    division: i32,
    id: &str,
    r: &Record,
    attributes: &[u8],
    generation: Option<i64>,
) -> rusqlite::Result<usize> {
    let picture_url = text(r, "PictureUrl");
    stmt.execute(params![
        division,
        id,
        guid(r, "Account"),
        text(r, "FullName"),
        text(r, "Email").or_else(|| text(r, "BusinessEmail")),
        text(r, "Phone").or_else(|| text(r, "BusinessPhone")),
        text(r, "Mobile").or_else(|| text(r, "BusinessMobile")),
        flag(r, "IsMainContact"),
        picture_url,
        is_real_picture(picture_url),
        date_ms(r, "Modified"),
        r.timestamp(),
        attributes,
        generation,
    ])
}

/// A contact person of an account.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ContactRow {
    pub id: String,
    pub account: Option<String>,
    pub full_name: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub mobile: Option<String>,
    pub is_main: bool,
    pub picture_url: Option<String>,
    /// A real picture, not Exact's placeholder.
    pub has_picture: bool,
}

fn row(r: &Row<'_>) -> rusqlite::Result<ContactRow> {
    Ok(ContactRow {
        id: r.get(0)?,
        account: r.get(1)?,
        full_name: r.get(2)?,
        email: r.get(3)?,
        phone: r.get(4)?,
        mobile: r.get(5)?,
        is_main: r.get(6)?,
        picture_url: r.get(7)?,
        has_picture: r.get(8)?,
    })
}

pub(crate) fn for_account(
    conn: &Connection,
    division: i32,
    account: &str,
) -> Result<Vec<ContactRow>> {
    conn.prepare_cached(
        "SELECT id, account, full_name, email, phone, mobile, is_main, picture_url, has_picture
         FROM contacts WHERE division = ?1 AND account = ?2
         ORDER BY is_main DESC, full_name COLLATE NOCASE, id",
    )
    .context("preparing the contacts of an account")?
    .query_map(params![division, account], row)
    .context("reading contacts")?
    .collect::<rusqlite::Result<Vec<_>>>()
    .context("reading contacts")
}

/// A contact's indexed text (its full name), as stored from this record.
pub(crate) fn index_text(r: &Record) -> IndexText {
    (text(r, "FullName").map(str::to_string), guid(r, "Account"))
}

/// What the contact index holds of a contact: its full name and its account's ID.
pub(crate) type IndexText = (Option<String>, Option<String>);

/// The stored contact's rowid and indexed text, `None` when it is not stored yet.
pub(crate) fn stored_index_text(
    tx: &Transaction<'_>,
    division: i32,
    id: &str,
) -> Result<Option<(i64, IndexText)>> {
    tx.prepare_cached(
        "SELECT rowid, full_name, account FROM contacts WHERE division = ?1 AND id = ?2",
    )
    .context("preparing a contact lookup")?
    .query_row(params![division, id], |r| {
        Ok((r.get(0)?, (r.get(1)?, r.get(2)?)))
    })
    .optional()
    .context("reading a contact")
}

//! The accounts full-text index (`accounts_fts`, contentless): name, code, city, email, phone
//! and the full names of the account's contacts.
//!
//! The contact names are not stored in the account row (migration 6): whenever an account or
//! one of its contacts changes, the account's index row is rebuilt from the account's columns
//! and the names read through `contacts_by_account`. Index rows are written after every row
//! write of the batch, so that FTS5 flushes its pending terms once (migration 5).

use std::collections::BTreeSet;

use exact_api::Record;
use rusqlite::{OptionalExtension, Transaction, params};

use crate::columns::text;
use crate::error::{Context, Result};

/// The indexed texts of an account taken from a record: name, code, city, email, phone.
pub(crate) type IndexText = [Option<String>; 5];

pub(crate) fn index_text(r: &Record) -> IndexText {
    let t = |name| text(r, name).map(str::to_string);
    [t("Name"), t("Code"), t("City"), t("Email"), t("Phone")]
}

/// The stored account's indexed texts, `None` when it is not stored yet.
pub(crate) fn stored_index_text(
    tx: &Transaction<'_>,
    division: i32,
    id: &str,
) -> Result<Option<IndexText>> {
    tx.prepare_cached(
        "SELECT name, code, city, email, phone FROM accounts WHERE division = ?1 AND id = ?2",
    )
    .context("preparing an index text read")?
    .query_row(params![division, id], |r| {
        Ok([r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?])
    })
    .optional()
    .context("reading an account's index text")
}

/// The full names of the account's contacts, as the index holds them.
const CONTACT_NAMES: &str = "(SELECT group_concat(c.full_name, ' ') FROM contacts c
    WHERE c.division = a.division AND c.account = a.id)";

/// Writes the index rows of upserted accounts: (rowid, texts, whether an older row must be
/// removed first). Contacts may arrive before their account, so their names are looked up.
pub(crate) fn index(tx: &Transaction<'_>, rows: &[(i64, IndexText, bool)]) -> Result<()> {
    let mut names = tx
        .prepare_cached(&format!(
            "SELECT {CONTACT_NAMES} FROM accounts a WHERE a.rowid = ?1"
        ))
        .context("preparing a contact names read")?;
    let mut out = Vec::with_capacity(rows.len());
    for (rowid, texts, replace) in rows {
        let contact_names: Option<String> = names
            .query_row([rowid], |row| row.get(0))
            .context("reading contact names")?;
        out.push((*rowid, *replace, texts.clone(), contact_names));
    }
    drop(names);
    write(tx, &mut out)
}

/// Rebuilds the index rows of the given accounts after their contacts changed (accounts not
/// stored yet are skipped: their row is indexed when they arrive).
pub(crate) fn refresh_contact_names(
    tx: &Transaction<'_>,
    division: i32,
    accounts: &BTreeSet<String>,
) -> Result<()> {
    if accounts.is_empty() {
        return Ok(());
    }
    let mut read = tx
        .prepare_cached(&format!(
            "SELECT a.rowid, a.name, a.code, a.city, a.email, a.phone, {CONTACT_NAMES}
             FROM accounts a WHERE a.division = ?1 AND a.id = ?2"
        ))
        .context("preparing an account index read")?;
    let mut out = Vec::with_capacity(accounts.len());
    for account in accounts {
        let row = read
            .query_row(params![division, account], |r| {
                let texts = [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?];
                Ok((r.get(0)?, true, texts, r.get(6)?))
            })
            .optional()
            .context("reading an account's index text")?;
        out.extend(row);
    }
    drop(read);
    write(tx, &mut out)
}

/// Replaces index rows: (rowid, whether an older row must be removed first, texts, contact
/// names). FTS5 keeps pending terms in memory only while rowids ascend: a smaller rowid flushes
/// them as a new segment (and may start a merge), so rows are written in rowid order.
fn write(tx: &Transaction<'_>, rows: &mut [(i64, bool, IndexText, Option<String>)]) -> Result<()> {
    rows.sort_unstable_by_key(|r| r.0);
    let mut delete = tx
        .prepare_cached("DELETE FROM accounts_fts WHERE rowid = ?1")
        .context("preparing an index delete")?;
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO accounts_fts (rowid, name, code, city, email, phone, contact_names)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .context("preparing an index insert")?;
    for (rowid, replace, [name, code, city, email, phone], contact_names) in &*rows {
        if *replace {
            delete
                .execute([rowid])
                .context("updating the account index")?;
        }
        insert
            .execute(params![
                rowid,
                name,
                code,
                city,
                email,
                phone,
                contact_names
            ])
            .context("updating the account index")?;
    }
    Ok(())
}

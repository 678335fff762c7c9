//! The accounts full-text indexes (contentless): `accounts_fts` holds an account's name, code,
//! city, email and phone; `contacts_fts` the full name of each contact (migration 9). A search
//! term matches an account through either (see [`TERM_MATCHES`]). Index rows are written after
//! every row write of the batch, so that FTS5 flushes its pending terms once (migration 5).

use exact_record::Record;
use rusqlite::{OptionalExtension, Transaction, params};

use crate::columns::text;
use crate::error::{Context, Result};

/// The indexed texts of an account taken from a record: name, code, city, email, phone.
pub(crate) type IndexText = [Option<String>; 5];

pub(crate) fn index_text(r: &Record) -> IndexText {
    let t = |name| text(r, name).map(str::to_string);
    [t("Name"), t("Code"), t("City"), t("Email"), t("Phone")]
}

/// The stored account's rowid and indexed texts, `None` when it is not stored yet.
pub(crate) fn stored_index_text(
    tx: &Transaction<'_>,
    division: i32,
    id: &str,
) -> Result<Option<(i64, IndexText)>> {
    tx.prepare_cached(
        "SELECT rowid, name, code, city, email, phone FROM accounts
         WHERE division = ?1 AND id = ?2",
    )
    .context("preparing an index text read")?
    .query_row(params![division, id], |r| {
        Ok((
            r.get(0)?,
            [r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?],
        ))
    })
    .optional()
    .context("reading an account's index text")
}

/// Writes the index rows of upserted accounts: (rowid, texts, whether an older row must be
/// removed first). FTS5 keeps pending terms in memory only while rowids ascend: a smaller rowid
/// flushes them as a new segment (and may start a merge), so rows are written in rowid order.
pub(crate) fn index(
    tx: &Transaction<'_>,
    division: i32,
    rows: &mut [(i64, IndexText, bool)],
) -> Result<()> {
    rows.sort_unstable_by_key(|r| r.0);
    let mut delete = tx
        .prepare_cached("DELETE FROM accounts_fts WHERE rowid = ?1")
        .context("preparing an index delete")?;
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO accounts_fts (rowid, name, code, city, email, phone, division)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
        )
        .context("preparing an index insert")?;
    for (rowid, [name, code, city, email, phone], replace) in &*rows {
        if *replace {
            delete
                .execute([rowid])
                .context("updating the account index")?;
        }
        insert
            .execute(params![rowid, name, code, city, email, phone, division])
            .context("updating the account index")?;
    }
    // Contacts stored before their account was (or before it was re-created) point at no
    // account in the contact index: link them now.
    let new_accounts: Vec<i64> = rows.iter().filter(|r| !r.2).map(|r| r.0).collect();
    if !new_accounts.is_empty() {
        let mut waiting = tx
            .prepare_cached(
                "SELECT c.rowid, c.full_name, c.account FROM accounts a
                 JOIN contacts c ON c.division = a.division AND c.account = a.id
                 WHERE a.rowid = ?1",
            )
            .context("preparing a contact lookup")?;
        let mut contacts = Vec::new();
        for account in new_accounts {
            let found = waiting
                .query_map([account], |r| Ok((r.get(0)?, (r.get(1)?, r.get(2)?), true)))
                .context("reading an account's contacts")?;
            for contact in found {
                contacts.push(contact.context("reading an account's contacts")?);
            }
        }
        drop(waiting);
        index_contacts(tx, division, &mut contacts)?;
    }
    Ok(())
}

/// Writes the name index rows of upserted contacts (`contacts_fts`, migration 9): (rowid,
/// full name, whether an older row must be removed first), in rowid order as above.
pub(crate) fn index_contacts(
    tx: &Transaction<'_>,
    division: i32,
    rows: &mut [(i64, crate::contacts::IndexText, bool)],
) -> Result<()> {
    rows.sort_unstable_by_key(|r| r.0);
    let mut delete = tx
        .prepare_cached("DELETE FROM contacts_fts WHERE rowid = ?1")
        .context("preparing an index delete")?;
    let mut insert = tx
        .prepare_cached(
            "INSERT INTO contacts_fts (rowid, full_name, division, account_rowid)
             VALUES (?1, ?2, ?3,
                 (SELECT rowid FROM accounts WHERE division = ?3 AND id = ?4))",
        )
        .context("preparing an index insert")?;
    for (rowid, (name, account), replace) in &*rows {
        if *replace {
            delete
                .execute([rowid])
                .context("updating the contact index")?;
        }
        if name.is_some() {
            insert
                .execute(params![rowid, name, division, account])
                .context("updating the contact index")?;
        }
    }
    Ok(())
}

/// The rowids of the division's accounts matching one search term (an FTS5 query) in their own
/// columns or in the full name of one of their contacts; placeholders: ?1 term, ?2 division,
/// ?3 term.
/// The division and a contact's account (its rowid) come from the indexes themselves (migration
/// 11), so neither table's rows are read and the matches are exactly the division's.
pub(crate) const TERM_MATCHES: &str = "SELECT rowid FROM accounts_fts
        WHERE accounts_fts MATCH ?1 AND division = ?2
    UNION SELECT account_rowid FROM contacts_fts
        WHERE contacts_fts MATCH ?3 AND division = ?2 AND account_rowid IS NOT NULL";

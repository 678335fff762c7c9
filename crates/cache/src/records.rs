//! Operations common to every entity table: batch upserts (dispatched to the entity's module
//! for its typed columns), deletion by id, mark-and-sweep, replace, count and export.

use exact_record::{RawRecord, Record};
use rusqlite::{Connection, Statement, Transaction, params};
use serde::Serialize;

use crate::columns;
use crate::entity::Entity;
use crate::error::{Context, Error, Result};
use crate::{
    account_index, accounts, addresses, attachments, contacts, documents, extra_fields,
    item_groups, items, orders, prices, stock, units,
};

/// One page of a list query and the total number of matching rows.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct ListPage<T> {
    pub rows: Vec<T>,
    /// Rows matching the query across all pages.
    pub total: u64,
    pub offset: u64,
    pub limit: u64,
}

/// A record ready to be stored: its attribute JSON already compressed, and the properties the
/// typed columns read ([`Entity::column_properties`]). Preparing is pure CPU work, so the sync
/// engine does it while the writer stores the previous page.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedRecord {
    fields: Record,
    attributes: Vec<u8>,
}

impl PreparedRecord {
    /// From the JSON text as received; `fields` must hold the entity's
    /// [`Entity::column_properties`] that the record has (more are harmless).
    pub fn from_raw(raw: RawRecord) -> PreparedRecord {
        let mut attributes = Vec::new();
        columns::compress_attributes(&raw.json, &mut attributes);
        PreparedRecord {
            fields: raw.fields,
            attributes,
        }
    }

    /// The parsed properties (at least the entity's column properties).
    pub fn fields(&self) -> &Record {
        &self.fields
    }
}

/// What an upsert stores: a record's properties and its compressed attribute JSON.
pub(crate) trait Upsert {
    fn record(&self) -> &Record;
    /// The stored `attributes` value, using the buffers when it must be built.
    fn stored<'b>(&'b self, json: &'b mut Vec<u8>, lz4: &'b mut Vec<u8>) -> Result<&'b [u8]>;
}

impl Upsert for Record {
    fn record(&self) -> &Record {
        self
    }

    fn stored<'b>(&'b self, json: &'b mut Vec<u8>, lz4: &'b mut Vec<u8>) -> Result<&'b [u8]> {
        let json = columns::attributes(self, json)?;
        Ok(columns::compress_attributes(json, lz4))
    }
}

impl Upsert for PreparedRecord {
    fn record(&self) -> &Record {
        &self.fields
    }

    fn stored<'b>(&'b self, _: &'b mut Vec<u8>, _: &'b mut Vec<u8>) -> Result<&'b [u8]> {
        Ok(&self.attributes)
    }
}

/// Binds one record (with its compressed attribute JSON) to its entity's prepared upsert and
/// runs it.
type Bind =
    fn(&mut Statement<'_>, i32, &str, &Record, &[u8], Option<i64>) -> rusqlite::Result<usize>;

fn upsert_sql(entity: Entity) -> (&'static str, Bind) {
    match entity {
        Entity::Items => (items::UPSERT, items::bind),
        Entity::ItemGroups => (item_groups::UPSERT, item_groups::bind),
        Entity::Units => (units::UPSERT, units::bind),
        Entity::Accounts => (accounts::UPSERT, accounts::bind),
        Entity::Contacts => (contacts::UPSERT, contacts::bind),
        Entity::Addresses => (addresses::UPSERT, addresses::bind),
        Entity::Documents => (documents::UPSERT, documents::bind),
        Entity::DocumentAttachments => (attachments::UPSERT, attachments::bind),
        Entity::SalesItemPrices => (prices::UPSERT, prices::bind),
        Entity::StockPositions => (stock::UPSERT, stock::bind),
        Entity::SalesOrderHeaders => (orders::UPSERT_HEADER, orders::bind_header),
        Entity::SalesOrderLines => (orders::UPSERT_LINE, orders::bind_line),
        Entity::ItemExtraFields => (extra_fields::UPSERT, extra_fields::bind),
    }
}

/// The stored key of a record: its `ID`, or for extra fields their item and number.
pub(crate) fn key(entity: Entity, record: &Record) -> Option<String> {
    match entity {
        Entity::ItemExtraFields => extra_fields::key(record),
        _ => columns::id(record),
    }
}

/// Upserts every record (a repeated ID simply overwrites); a record without an ID fails the
/// whole batch. `generation`, when given, marks the rows as seen in that full pass.
pub(crate) fn upsert<R: Upsert>(
    tx: &Transaction<'_>,
    division: i32,
    entity: Entity,
    records: &[R],
    generation: Option<i64>,
) -> Result<usize> {
    let (sql, bind) = upsert_sql(entity);
    let mut stmt = tx.prepare_cached(sql).context("preparing an upsert")?;
    let mut account_rows = Vec::new();
    let mut item_rows = Vec::new();
    let mut contact_rows = Vec::new();
    let mut json_buf = Vec::with_capacity(8 * 1024);
    let mut lz4_buf = Vec::with_capacity(8 * 1024);
    for (index, row) in records.iter().enumerate() {
        let record = row.record();
        let id = key(entity, record).ok_or(Error::MissingId {
            entity: entity.as_str(),
            index,
        })?;
        // What the full-text pass needs to know about the row before it changes: its rowid
        // when stored (an upsert that updates keeps it) and whether its indexed text changes.
        let mut item_text = None;
        let mut account_text = None;
        let mut contact_text = None;
        let mut stored_rowid = None;
        match entity {
            Entity::Accounts => {
                let new = account_index::index_text(record);
                let old = account_index::stored_index_text(tx, division, &id)?;
                stored_rowid = old.as_ref().map(|o| o.0);
                if old.as_ref().map(|o| &o.1) != Some(&new) {
                    account_text = Some((new, old.is_some()));
                }
            }
            Entity::Items => {
                let new = items::index_text(record);
                let old = items::stored_index_text(tx, division, &id)?;
                stored_rowid = old.as_ref().map(|o| o.0);
                if old.as_ref().map(|o| &o.1) != Some(&new) {
                    item_text = Some((new, old.is_some()));
                }
            }
            Entity::Contacts => {
                let new = contacts::index_text(record);
                let old = contacts::stored_index_text(tx, division, &id)?;
                stored_rowid = old.as_ref().map(|o| o.0);
                if old.as_ref().map(|o| &o.1) != Some(&new) {
                    contact_text = Some((new, old.is_some()));
                }
            }
            _ => {}
        }
        let stored = row.stored(&mut json_buf, &mut lz4_buf)?;
        bind(&mut stmt, division, &id, record, stored, generation).context("upserting a row")?;
        // Not `RETURNING rowid`: SQLite runs RETURNING as a trigger, which makes every upsert
        // keep a statement journal (a copy of each page it touches, one allocation each): a
        // quarter of the item writer's instructions. A new row's rowid is the last insert rowid.
        let rowid = || stored_rowid.unwrap_or_else(|| tx.last_insert_rowid());
        if let Some((text, replace)) = item_text {
            item_rows.push((rowid(), text, replace));
        }
        if let Some((text, replace)) = account_text {
            account_rows.push((rowid(), text, replace));
        }
        if let Some((text, replace)) = contact_text {
            contact_rows.push((rowid(), text, replace));
        }
    }
    drop(stmt);
    // Full-text writes come after every row write of the batch (see migration 5).
    match entity {
        Entity::Items => items::index(tx, division, &mut item_rows)?,
        Entity::Accounts => account_index::index(tx, division, &mut account_rows)?,
        Entity::Contacts => account_index::index_contacts(tx, division, &mut contact_rows)?,
        _ => {}
    }
    Ok(records.len())
}

/// Deletes one row by id; returns whether it existed.
pub(crate) fn delete(
    tx: &Transaction<'_>,
    division: i32,
    entity: Entity,
    id: &str,
) -> Result<bool> {
    let sql = format!(
        "DELETE FROM {} WHERE division = ?1 AND id = ?2",
        entity.table()
    );
    let id = columns::normalise_id(id);
    let mut stmt = tx.prepare_cached(&sql).context("preparing a delete")?;
    let n = stmt
        .execute(params![division, id])
        .context("deleting a row")?;
    crate::set_aside::clear_keys(tx, division, entity, [id.clone()])?;
    if entity == Entity::Items {
        // Extra fields and translations are not in Exact's Deleted log: they go with their item.
        for sql in [
            "DELETE FROM item_extra_fields WHERE division = ?1 AND item = ?2",
            "DELETE FROM item_descriptions WHERE division = ?1 AND item = ?2",
        ] {
            tx.prepare_cached(sql)
                .context("preparing an item's dependents delete")?
                .execute(params![division, id])
                .context("deleting an item's extra fields and translations")?;
        }
    }
    Ok(n > 0)
}

/// Deletes every row of the division and entity.
pub(crate) fn delete_all(tx: &Transaction<'_>, division: i32, entity: Entity) -> Result<usize> {
    let sql = format!("DELETE FROM {} WHERE division = ?1", entity.table());
    let n = tx
        .execute(&sql, params![division])
        .context("deleting all rows")?;
    Ok(n)
}

/// Deletes the rows not marked with `generation` (never seen in the last full pass).
pub(crate) fn sweep(
    tx: &Transaction<'_>,
    division: i32,
    entity: Entity,
    generation: i64,
) -> Result<usize> {
    let sql = format!(
        "DELETE FROM {} WHERE division = ?1 AND seen_generation IS NOT ?2",
        entity.table()
    );
    let n = tx
        .execute(&sql, params![division, generation])
        .context("sweeping unseen rows")?;
    if entity == Entity::Items && n > 0 {
        tx.execute(
            "DELETE FROM item_descriptions WHERE division = ?1
             AND item NOT IN (SELECT id FROM items WHERE division = ?1)",
            params![division],
        )
        .context("sweeping translations of vanished items")?;
    }
    Ok(n)
}

/// Number of rows of the division and entity.
pub(crate) fn count(conn: &Connection, division: i32, entity: Entity) -> Result<u64> {
    let sql = format!(
        "SELECT count(*) FROM {} WHERE division = ?1",
        entity.table()
    );
    let n: i64 = conn
        .prepare_cached(&sql)
        .context("preparing a count")?
        .query_row(params![division], |r| r.get(0))
        .context("counting rows")?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// Streams the attribute JSON of every row (decompressed, exactly as stored), ordered by id.
pub(crate) fn export(
    conn: &Connection,
    division: i32,
    entity: Entity,
    each: &mut dyn FnMut(&str) -> Result<()>,
) -> Result<u64> {
    let sql = format!(
        "SELECT attributes FROM {} WHERE division = ?1 ORDER BY id",
        entity.table()
    );
    stream_attributes(conn, &sql, params![division], each)
}

/// Runs `sql` (whose only column is `attributes`) and hands each row's JSON text to `each`.
pub(crate) fn stream_attributes(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    each: &mut dyn FnMut(&str) -> Result<()>,
) -> Result<u64> {
    let mut stmt = conn.prepare(sql).context("preparing an export")?;
    let mut rows = stmt.query(params).context("exporting rows")?;
    let (mut n, mut buf) = (0, Vec::with_capacity(8 * 1024));
    while let Some(row) = rows.next().context("exporting rows")? {
        let json = row.get_ref(0).context("reading attributes")?;
        let text = columns::stored_attributes(json, &mut buf).map_err(|e| Error::Sqlite {
            context: "reading attributes",
            source: e.into(),
        })?;
        each(text)?;
        n += 1;
    }
    Ok(n)
}

pub(crate) fn attributes_of(
    conn: &Connection,
    division: i32,
    entity: Entity,
    id: &str,
) -> Result<Option<String>> {
    let sql = format!(
        "SELECT attributes FROM {} WHERE division = ?1 AND id = ?2",
        entity.table()
    );
    let mut stmt = conn.prepare_cached(&sql).context("preparing a row read")?;
    let mut rows = stmt.query(params![division, id]).context("reading a row")?;
    let Some(row) = rows.next().context("reading a row")? else {
        return Ok(None);
    };
    let json = row.get_ref(0).context("reading attributes")?;
    let mut buf = Vec::new();
    let text = columns::stored_attributes(json, &mut buf).map_err(|e| Error::Sqlite {
        context: "reading attributes",
        source: e.into(),
    })?;
    Ok(Some(text.to_owned()))
}

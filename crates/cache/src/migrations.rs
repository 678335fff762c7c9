//! Append-only, numbered, embedded schema migrations.
//!
//! `PRAGMA user_version` holds the number of migrations applied. Each migration runs in its own
//! transaction together with the version bump, so a failure leaves the previous version intact.
//! Never edit a published migration: add the next number (a new table is one migration plus one
//! module). A step that needs Rust (migration 7 compresses stored JSON) calls an SQL function
//! registered here on the migrating connection, so every migration stays one SQL text.

use std::path::Path;

use rusqlite::Connection;
use rusqlite::functions::FunctionFlags;
use rusqlite::types::{Value, ValueRef};

use crate::error::{Context, Error, Result};

/// The migrations in order; index + 1 is the schema version after applying one.
pub const MIGRATIONS: [&str; 18] = [
    include_str!("migrations/0001_core.sql"),
    include_str!("migrations/0002_items.sql"),
    include_str!("migrations/0003_accounts.sql"),
    include_str!("migrations/0004_documents.sql"),
    include_str!("migrations/0005_fts_batched.sql"),
    include_str!("migrations/0006_contact_names_unstored.sql"),
    include_str!("migrations/0007_attributes_lz4.sql"),
    include_str!("migrations/0008_full_resyncs.sql"),
    include_str!("migrations/0009_contact_names_indexed.sql"),
    include_str!("migrations/0010_items_fts_division.sql"),
    include_str!("migrations/0011_contacts_fts_account.sql"),
    include_str!("migrations/0012_prices_stock_orders.sql"),
    include_str!("migrations/0013_item_descriptions.sql"),
    include_str!("migrations/0014_full_resync_generation.sql"),
    include_str!("migrations/0015_set_aside.sql"),
    include_str!("migrations/0016_refusals.sql"),
    include_str!("migrations/0017_excluded_properties.sql"),
    include_str!("migrations/0018_exclusion_causes.sql"),
];

/// Brings the database at `path` to schema version `version` (at most [`MIGRATIONS`]`.len()`),
/// without opening a [`crate::Cache`]. Tests use it to build a database of an older version.
pub fn migrate_to(path: &Path, version: usize) -> Result<()> {
    let mut conn = Connection::open(path).context("opening the cache file")?;
    migrate(&mut conn, path, version.min(MIGRATIONS.len()))
}

/// Applies the migrations after the current version up to `target`.
pub(crate) fn migrate(conn: &mut Connection, path: &Path, target: usize) -> Result<()> {
    let current = version(conn)?;
    if current > MIGRATIONS.len() {
        return Err(Error::TooNew {
            path: path.to_path_buf(),
            found: current,
            known: MIGRATIONS.len(),
        });
    }
    register_functions(conn).context("registering the migration functions")?;
    for (index, sql) in MIGRATIONS.iter().enumerate().take(target).skip(current) {
        let number = index + 1;
        let failed = |source| Error::Migration {
            version: number,
            source,
        };
        let tx = conn.transaction().map_err(failed)?;
        tx.execute_batch(sql).map_err(failed)?;
        tx.pragma_update(None, "user_version", number as i64)
            .map_err(failed)?;
        tx.commit().map_err(failed)?;
    }
    Ok(())
}

fn version(conn: &Connection) -> Result<usize> {
    let v: i64 = conn
        .pragma_query_value(None, "user_version", |row| row.get(0))
        .context("reading the schema version")?;
    Ok(usize::try_from(v).unwrap_or(0))
}

/// SQL functions the migrations use: `attributes_lz4(value)` compresses attribute JSON TEXT as
/// [`crate::columns::compress_attributes`] does; anything else (NULL, an already compressed
/// BLOB) is returned unchanged.
fn register_functions(conn: &Connection) -> rusqlite::Result<()> {
    conn.create_scalar_function(
        "attributes_lz4",
        1,
        FunctionFlags::SQLITE_UTF8 | FunctionFlags::SQLITE_DETERMINISTIC,
        |ctx| {
            Ok(match ctx.get_raw(0) {
                ValueRef::Text(text) => {
                    let json = std::str::from_utf8(text)
                        .map_err(|e| rusqlite::Error::UserFunctionError(e.into()))?;
                    let mut buf = Vec::new();
                    crate::columns::compress_attributes(json, &mut buf);
                    Value::Blob(buf)
                }
                other => Value::from(other),
            })
        },
    )
}

//! [`Cache`]: the public handle. Sync-side methods write through the single writer in one
//! transaction each; app-side methods read from the reader pool.

use std::path::Path;
use std::sync::Arc;

use exact_record::Record;

use crate::accounts::{self, AccountDetail, AccountQuery, AccountSummary};
use crate::cursors::{self, DELETED_CURSOR};
use crate::database::Database;
use crate::divisions::{self, DivisionRow};
use crate::entity::Entity;
use crate::error::Result;
use crate::exclusions::{self, ExcludedProperty, ExclusionCause};
use crate::item_groups::{self, ItemGroupRow};
use crate::items::{self, ItemDetail, ItemQuery, ItemSummary};
use crate::records::{self, ListPage, PreparedRecord, Upsert};
use crate::refusals;
use crate::runs::{self, EntityResult, RunSummary};
use crate::set_aside::{self, NewSetAside, SetAsideRow, SetAsideSummary};
use crate::status::{self, EntityStatus};
use crate::units::{self, UnitRow};

/// The offline cache. Cheap to clone (an `Arc` inside), `Send + Sync`; all methods block, so
/// async callers use `spawn_blocking`.
#[derive(Debug, Clone)]
pub struct Cache {
    db: Arc<Database>,
}

impl Cache {
    /// Opens the cache file at `path`, creating its folder and the file if needed, and migrates
    /// it to the newest schema.
    pub fn open(path: &Path) -> Result<Cache> {
        Ok(Cache {
            db: Arc::new(Database::open(path)?),
        })
    }

    // ----- sync side -----

    /// The committed cursor of `key` (an entity name or [`DELETED_CURSOR`]).
    pub fn cursor(&self, division: i32, key: &str) -> Result<Option<i64>> {
        self.db.read(|c| cursors::get(c, division, key))
    }

    /// Every cursor of the division: (key, timestamp, when it last moved in epoch ms).
    pub fn cursors(&self, division: i32) -> Result<Vec<(String, i64, i64)>> {
        self.db.read(|c| cursors::all(c, division))
    }

    /// In one transaction: upserts every record (a repeated ID overwrites; deduplication is the
    /// caller's job), keeps the full-text index in step, marks rows with `generation` when given,
    /// and moves the entity's cursor to `max(old, cursor)` when given. A record without an ID
    /// fails the batch and nothing is committed. Returns the number of records applied. `now`
    /// (epoch ms, the caller's clock) stamps the cursor's move.
    pub fn apply_upserts(
        &self,
        division: i32,
        entity: Entity,
        records: &[Record],
        cursor: Option<i64>,
        generation: Option<i64>,
        now: i64,
    ) -> Result<usize> {
        self.apply(division, entity, records, cursor, generation, now)
    }

    /// [`Cache::apply_upserts`] for records prepared off the writer (compressed, with the
    /// properties the typed columns read): the writer's transaction only binds and stores.
    pub fn apply_prepared(
        &self,
        division: i32,
        entity: Entity,
        records: &[PreparedRecord],
        cursor: Option<i64>,
        generation: Option<i64>,
        now: i64,
    ) -> Result<usize> {
        self.apply(division, entity, records, cursor, generation, now)
    }

    fn apply<R: Upsert>(
        &self,
        division: i32,
        entity: Entity,
        records: &[R],
        cursor: Option<i64>,
        generation: Option<i64>,
        now: i64,
    ) -> Result<usize> {
        self.db.write(|tx| {
            let n = records::upsert(tx, division, entity, records, generation)?;
            let keys = records
                .iter()
                .filter_map(|r| records::key(entity, r.record()));
            set_aside::clear_keys(tx, division, entity, keys)?;
            if let Some(c) = cursor {
                cursors::advance(tx, division, entity.as_str(), c, now)?;
            }
            Ok(n)
        })
    }

    /// In one transaction: stores item descriptions in `language` (records with `ID`,
    /// `Description`, `ExtraDescription`) and moves that language's cursor to `max(old, cursor)`
    /// (stamped `now`, as [`Cache::apply_upserts`]).
    pub fn apply_descriptions(
        &self,
        division: i32,
        language: &str,
        records: &[Record],
        cursor: Option<i64>,
        now: i64,
    ) -> Result<usize> {
        let key = crate::descriptions::cursor_key(language);
        self.db.write(|tx| {
            let n = crate::descriptions::upsert(tx, division, language, records)?;
            if let Some(c) = cursor {
                cursors::advance(tx, division, &key, c, now)?;
            }
            Ok(n)
        })
    }

    /// In one transaction: deletes the listed rows (unknown ids are fine) and moves the
    /// Deleted cursor to `max(old, cursor)` (stamped `now`). Returns the number of rows that
    /// existed.
    pub fn apply_deletions(
        &self,
        division: i32,
        deletions: &[(Entity, String)],
        cursor: i64,
        now: i64,
    ) -> Result<usize> {
        self.db.write(|tx| {
            let mut n = 0;
            for (entity, id) in deletions {
                n += usize::from(records::delete(tx, division, *entity, id)?);
            }
            cursors::advance(tx, division, DELETED_CURSOR, cursor, now)?;
            Ok(n)
        })
    }

    /// In one transaction: replaces every row of the entity in the division by `records`
    /// (for masters without a sync endpoint: ItemGroups, Units).
    pub fn replace_all(&self, division: i32, entity: Entity, records: &[Record]) -> Result<usize> {
        self.db.write(|tx| {
            records::delete_all(tx, division, entity)?;
            let n = records::upsert(tx, division, entity, records, None)?;
            let keys = records.iter().filter_map(|r| records::key(entity, r));
            set_aside::clear_keys(tx, division, entity, keys)?;
            Ok(n)
        })
    }

    /// Deletes the rows not marked with `generation` by a full pass, and the set-aside records
    /// that pass did not see again; returns how many rows.
    pub fn sweep(&self, division: i32, entity: Entity, generation: i64) -> Result<usize> {
        self.db.write(|tx| {
            set_aside::sweep(tx, division, entity, generation)?;
            records::sweep(tx, division, entity, generation)
        })
    }

    /// Keeps records that could not be stored as they are, seen by `run` (see
    /// [`crate::SetAsideReason`]), `now`. A record already set aside is refreshed.
    pub fn set_aside(
        &self,
        division: i32,
        entity: Entity,
        run: i64,
        records: &[NewSetAside],
        now: i64,
    ) -> Result<()> {
        self.db
            .write(|tx| set_aside::put(tx, division, entity, run, now, records))
    }

    /// Clears the set-aside records of the entity that a full read begun by `generation` did
    /// not see again (the masters read whole; [`Cache::sweep`] does it for the others).
    pub fn sweep_set_aside(&self, division: i32, entity: Entity, generation: i64) -> Result<()> {
        self.db
            .write(|tx| set_aside::sweep(tx, division, entity, generation).map(drop))
    }

    /// Leaves `property` out of the entity's reads in the division, for `cause` (with Exact's
    /// message, `reason`), from `now`. Until the division's next full resync.
    pub fn exclude_property(
        &self,
        division: i32,
        entity: &str,
        property: &str,
        cause: ExclusionCause,
        reason: &str,
        now: i64,
    ) -> Result<()> {
        self.db
            .write(|tx| exclusions::exclude(tx, division, entity, property, cause, reason, now))
    }

    /// The properties left out of the entity's reads in the division (an entity name, or
    /// `Deleted` for the Deleted log's filter).
    pub fn excluded_properties(&self, division: i32, entity: &str) -> Result<Vec<String>> {
        self.db.read(|c| exclusions::of(c, division, entity))
    }

    /// [`Cache::excluded_properties`] with the cause of each.
    pub fn exclusion_causes(
        &self,
        division: i32,
        entity: &str,
    ) -> Result<Vec<(String, ExclusionCause)>> {
        self.db.read(|c| exclusions::causes_of(c, division, entity))
    }

    /// Every property left out of some entity's reads.
    pub fn all_excluded_properties(&self) -> Result<Vec<ExcludedProperty>> {
        self.db.read(exclusions::all)
    }

    /// Set-aside records, newest first, of one division and entity or of all.
    pub fn set_aside_records(
        &self,
        division: Option<i32>,
        entity: Option<Entity>,
        limit: usize,
    ) -> Result<Vec<SetAsideRow>> {
        self.db
            .read(|c| set_aside::list(c, division, entity, limit))
    }

    /// How many records each entity of each division has set aside, by reason.
    pub fn set_aside_summary(&self) -> Result<Vec<SetAsideSummary>> {
        self.db.read(set_aside::summary)
    }

    /// Rests the entity of the division until `until_ms` (epoch ms): Exact refused it for
    /// `reason`, and asking again too soon would get the app blocked. Replaces any rest it had.
    pub fn rest(&self, division: i32, entity: &str, until_ms: i64, reason: &str) -> Result<()> {
        self.db
            .write(|tx| refusals::put(tx, division, entity, until_ms, reason))
    }

    /// The entity's rest if it lasts past `now_ms`: until when (epoch ms), and Exact's reason.
    pub fn resting(
        &self,
        division: i32,
        entity: &str,
        now_ms: i64,
    ) -> Result<Option<(i64, String)>> {
        self.db.read(|c| refusals::get(c, division, entity, now_ms))
    }

    /// Ends the entity's rest, if it has one: it synced again.
    pub fn end_rest(&self, division: i32, entity: &str) -> Result<()> {
        self.db.write(|tx| refusals::remove(tx, division, entity))
    }

    /// Forgets every cursor of the division (full resync, for example after a division move).
    pub fn reset_cursors(&self, division: i32) -> Result<()> {
        self.db.write(|tx| cursors::reset(tx, division))
    }

    /// Starts a full resync of the division: forgets its cursors and remembers, in the same
    /// transaction, that the resync is under way (its rows marked with `generation`) until
    /// [`Cache::finish_full_resync`]. An interrupted one is continued from its cursors.
    pub fn begin_full_resync(&self, division: i32, now_ms: i64, generation: i64) -> Result<()> {
        self.db.write(|tx| {
            cursors::reset(tx, division)?;
            // A full resync asks for every property again.
            exclusions::clear(tx, division)?;
            cursors::mark_full_resync(tx, division, now_ms, generation)
        })
    }

    /// The generation of a begun, unfinished full resync that can be continued from its
    /// cursors (see [`Cache::begin_full_resync`]).
    pub fn full_resync_generation(&self, division: i32) -> Result<Option<i64>> {
        self.db
            .read(|c| cursors::full_resync_generation(c, division))
    }

    /// Whether a full resync of the division was begun and not finished.
    pub fn full_resync_pending(&self, division: i32) -> Result<bool> {
        self.db.read(|c| cursors::full_resync_pending(c, division))
    }

    /// The division's full resync completed (every entity read and swept).
    pub fn finish_full_resync(&self, division: i32) -> Result<()> {
        self.db.write(|tx| cursors::clear_full_resync(tx, division))
    }

    /// Stores system/Divisions rows by their `Code`.
    pub fn upsert_divisions(&self, divisions: &[Record]) -> Result<()> {
        self.db
            .write(|tx| divisions::upsert(tx, divisions).map(|_| ()))
    }

    /// The raw `DivisionMoveDate` the engine last acted on (see [`Cache::set_division_move_date`]).
    pub fn division_move_date(&self, division: i32) -> Result<Option<String>> {
        self.db.read(|c| divisions::move_date(c, division))
    }

    /// Remembers the raw `DivisionMoveDate` acted on, to detect the next move.
    pub fn set_division_move_date(&self, division: i32, value: Option<&str>) -> Result<()> {
        self.db
            .write(|tx| divisions::set_move_date(tx, division, value))
    }

    /// Records the start of a sync run; returns its id.
    pub fn start_run(&self, trigger: &str, started_ms: i64) -> Result<i64> {
        self.db.write(|tx| runs::start(tx, trigger, started_ms))
    }

    /// Records (or replaces) one entity's result in a run.
    pub fn record_entity_result(&self, run: i64, result: &EntityResult) -> Result<()> {
        self.db.write(|tx| runs::record(tx, run, result))
    }

    /// Records the end of a run and its outcome (`"ok"`, `"failed"`, `"cancelled"` ...).
    pub fn finish_run(&self, run: i64, finished_ms: i64, outcome: &str) -> Result<()> {
        self.db
            .write(|tx| runs::finish(tx, run, finished_ms, outcome))
    }

    // ----- app and CLI side -----

    /// Per synced division and entity (plus the Deleted log): rows, cursor, last result, and
    /// a rest after a refusal that lasts past `now` (epoch ms).
    pub fn status(&self, now: i64) -> Result<Vec<EntityStatus>> {
        self.db.read(|c| status::all(c, now))
    }

    /// The newest `limit` runs with their entity results.
    pub fn runs(&self, limit: usize) -> Result<Vec<RunSummary>> {
        self.db.read(|c| runs::recent(c, limit))
    }

    /// Rows stored for the entity in the division.
    pub fn count(&self, division: i32, entity: Entity) -> Result<u64> {
        self.db.read(|c| records::count(c, division, entity))
    }

    /// Streams every row's attribute JSON (exactly as received), ordered by id; returns the
    /// number of rows. An error from `each` stops the export and is returned.
    pub fn export(
        &self,
        division: i32,
        entity: Entity,
        each: &mut dyn FnMut(&str) -> Result<()>,
    ) -> Result<u64> {
        self.db.read(|c| records::export(c, division, entity, each))
    }

    /// One page of items matching the query, with the total.
    pub fn items(&self, q: &ItemQuery) -> Result<ListPage<ItemSummary>> {
        self.db.read(|c| items::list(c, q))
    }

    /// An item with its unit, group, documents (with attachments), prices (those valid at `now`,
    /// epoch ms, marked), stock, recent orders, extra fields and attributes.
    pub fn item(&self, division: i32, id: &str, now: i64) -> Result<Option<ItemDetail>> {
        self.db.read(|c| items::detail(c, division, id, now))
    }

    /// Streams the attribute JSON of every item matching `q` in the list's order (offset and
    /// limit ignored); `each` gets the number of matches and one item's JSON.
    pub fn export_items(
        &self,
        q: &ItemQuery,
        each: &mut dyn FnMut(u64, &str) -> Result<()>,
    ) -> Result<u64> {
        self.db.read(|c| items::export(c, q, each))
    }

    /// [`Cache::export_items`] for accounts.
    pub fn export_accounts(
        &self,
        q: &AccountQuery,
        each: &mut dyn FnMut(u64, &str) -> Result<()>,
    ) -> Result<u64> {
        self.db.read(|c| accounts::export(c, q, each))
    }

    /// One page of accounts matching the query, with the total.
    pub fn accounts(&self, q: &AccountQuery) -> Result<ListPage<AccountSummary>> {
        self.db.read(|c| accounts::list(c, q))
    }

    /// An account with its contacts, addresses, documents (with attachments), price
    /// agreements (those valid at `now` marked), recent orders (with lines) and attributes.
    pub fn account(&self, division: i32, id: &str, now: i64) -> Result<Option<AccountDetail>> {
        self.db.read(|c| accounts::detail(c, division, id, now))
    }

    /// The divisions stored by the last sync that listed them, by code.
    pub fn divisions(&self) -> Result<Vec<DivisionRow>> {
        self.db.read(divisions::list)
    }

    /// A division's item groups, by code.
    pub fn item_groups(&self, division: i32) -> Result<Vec<ItemGroupRow>> {
        self.db.read(|c| item_groups::list(c, division))
    }

    /// A division's units of measure, by code.
    pub fn units(&self, division: i32) -> Result<Vec<UnitRow>> {
        self.db.read(|c| units::list(c, division))
    }

    /// The distinct countries of a division's accounts, sorted.
    pub fn account_countries(&self, division: i32) -> Result<Vec<String>> {
        self.db.read(|c| accounts::countries(c, division))
    }

    /// One row's attribute JSON exactly as received, by ID (any entity).
    pub fn attributes(&self, division: i32, entity: Entity, id: &str) -> Result<Option<String>> {
        self.db
            .read(|c| records::attributes_of(c, division, entity, id))
    }

    /// Bytes used by the database file and its WAL and shared-memory files.
    pub fn size_on_disk(&self) -> Result<u64> {
        let path = self.db.path();
        let mut total = 0;
        for suffix in ["", "-wal", "-shm"] {
            let mut name = path.as_os_str().to_owned();
            name.push(suffix);
            if let Ok(meta) = std::fs::metadata(Path::new(&name)) {
                total += meta.len();
            }
        }
        Ok(total)
    }
}

//! Deterministic, lazily generated Exact Online data: the seam between the simulator's
//! HTTP server and its data.
//!
//! Role: produce the records of every simulated entity exactly as Exact Online would send them
//! (every property of the field lists in `exact-fields`, Exact's conventions for dates, codes,
//! GUIDs and nulls), and apply mutations requested through the admin API.
//!
//! Invariants:
//! - Deterministic: the same [`DataConfig`] and the same sequence of mutations give the same data.
//! - Lazy: base rows are computed from the seed and their slot index on demand; only mutations
//!   are stored, so 100 000 items per division cost no per-row memory.
//! - Timestamps are a per-division rowversion: unique across all entities of the division,
//!   and every change takes a Timestamp above every existing one. A changed row is returned at
//!   its new Timestamp only; a deleted row disappears everywhere and leaves a sync/Deleted row.
//! - Paging is seekable: base Timestamps and IDs follow from slot arithmetic, so
//!   [`Dataset::sync_after`] and [`Dataset::list_after`] never generate rows they skip.
//! - One generator, two shapes: generators write through `row::Sink`, into a [`Record`] map
//!   (dumps, tests, Atom and the regular endpoints) or into a reused [`CompactRecord`]
//!   ([`Dataset::visit_sync`], the server's JSON sync pages: no map and no key allocation per
//!   row). Both give the same properties and values; `tests_compact` holds them equal.

mod accounts;
mod addresses;
mod attachments;
mod catalog;
mod clock_dates;
mod compact;
mod contacts;
mod divisions;
mod documents;
mod entity;
mod fields;
mod id_order;
mod images;
mod items;
mod layout;
mod mutate;
mod orders;
mod row;
mod seeds;
mod stock;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_compact;
#[cfg(test)]
mod tests_mutations;
mod timeline;
mod vocabulary;

use serde::{Deserialize, Serialize};

pub use clock_dates::{cet_wall_ms, exact_date};
pub use compact::CompactRecord;
pub use entity::{Entity, Variant};
use timeline::DivisionData;

/// API property names → JSON values, without `__metadata`.
pub type Record = serde_json::Map<String, serde_json::Value>;

/// What to generate.
#[derive(Debug, Clone)]
pub struct DataConfig {
    pub seed: u64,
    pub divisions: u32,
    pub items: usize,
    pub accounts: usize,
    pub contacts: Option<usize>,
    pub addresses: Option<usize>,
    pub documents: Option<usize>,
    pub attachments: Option<usize>,
    pub prices: Option<usize>,
    pub orders: Option<usize>,
    pub picture_share: f64,
    pub base_url: String,
    pub origin_ms: i64,
}

/// The filters regular endpoints support.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListFilter {
    None,
    IdEq(String),
    CodeEq(String),
    ModifiedGe(i64),
    ItemIdEq(String),
}

/// One page of a regular, bulk or read listing ([`Dataset::list_after`]): rows of `variant` whose
/// ID sorts after `after_id`, at most `limit`, narrowed by `filter`; `lang` is the
/// CustomDescriptionLanguage header value (None → division default language).
#[derive(Debug, Clone, Copy)]
pub struct ListPage<'a> {
    pub variant: Variant,
    pub after_id: Option<&'a str>,
    pub limit: usize,
    pub filter: &'a ListFilter,
    pub lang: Option<&'a str>,
}

impl ListPage<'_> {
    /// The first `limit` rows of `variant`: unfiltered, in the division's default language.
    pub fn first(variant: Variant, limit: usize) -> Self {
        ListPage {
            variant,
            after_id: None,
            limit,
            filter: &ListFilter::None,
            lang: None,
        }
    }
}

/// Body of POST /_sim/mutate minus division/entity.
#[derive(Debug, Clone, Deserialize, Default)]
pub struct Mutation {
    #[serde(default)]
    pub insert: usize,
    #[serde(default)]
    pub update: UpdateSpec,
    #[serde(default)]
    pub delete: DeleteSpec,
}

/// Rows to update: a count of random existing rows, or explicit rows with `ID` and overrides.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum UpdateSpec {
    Count(usize),
    Rows(Vec<Record>),
}

impl Default for UpdateSpec {
    fn default() -> Self {
        UpdateSpec::Count(0)
    }
}

/// Rows to delete: a count of random existing rows, or explicit IDs.
#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum DeleteSpec {
    Count(usize),
    Ids(Vec<String>),
}

impl Default for DeleteSpec {
    fn default() -> Self {
        DeleteSpec::Count(0)
    }
}

/// IDs touched by a mutation.
#[derive(Debug, Clone, Serialize, Default)]
pub struct MutationResult {
    pub inserted: Vec<String>,
    pub updated: Vec<String>,
    pub deleted: Vec<String>,
}

/// A deterministic picture; [`ImageSpec::encode`] renders it (see `images.rs`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageSpec {
    pub seed: u64,
    pub width: u32,
    pub height: u32,
    pub png: bool,
    pub alpha: bool,
}

/// A downloadable document attachment.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub file_name: String,
    pub content_type: &'static str,
    pub bytes: Vec<u8>,
}

/// The whole simulated data set. `Send + Sync`; the server keeps it behind an `RwLock`.
#[derive(Debug)]
pub struct Dataset {
    divisions: Vec<DivisionData>,
}

impl Dataset {
    pub fn new(cfg: DataConfig) -> Dataset {
        Dataset {
            divisions: divisions::build(&cfg)
                .into_iter()
                .map(DivisionData::new)
                .collect(),
        }
    }

    fn division(&self, code: i32) -> Option<&DivisionData> {
        self.divisions.iter().find(|d| d.div.code == code)
    }

    /// Division codes; the first is the user's current division.
    pub fn division_codes(&self) -> Vec<i32> {
        self.divisions.iter().map(|d| d.div.code).collect()
    }

    /// Every property of system/Divisions.
    pub fn division_record(&self, code: i32) -> Option<Record> {
        let first = self.divisions.first().map(|d| d.div.code);
        self.division(code).map(|d| {
            let mut record = divisions::record(&d.div, Some(code) == first);
            if let Some(moved) = d.moved_ms {
                record.insert("DivisionMoveDate".into(), exact_date(moved));
            }
            record
        })
    }

    /// Marks the division as moved to another database at `now_ms` (sim clock, UTC): its
    /// `DivisionMoveDate` changes, which tells a client to resync it in full. Timestamps are not
    /// renumbered. Returns false for an unknown division.
    pub fn move_division(&mut self, code: i32, now_ms: i64) -> bool {
        match self.divisions.iter_mut().find(|d| d.div.code == code) {
            Some(d) => {
                d.moved_ms = Some(now_ms);
                true
            }
            None => false,
        }
    }

    /// Every property of current/Me.
    pub fn me_record(&self, current_division: i32) -> Record {
        let Some(first) = self.divisions.first() else {
            return Record::new();
        };
        let current = self.division(current_division).unwrap_or(first);
        divisions::me(&first.div, &current.div, first.div.origin_ms)
    }

    /// Sync variant records with Timestamp > after_ts, ascending by Timestamp, at most `limit`.
    /// `lang` = CustomDescriptionLanguage header value (None → division default language).
    pub fn sync_after(
        &self,
        division: i32,
        entity: Entity,
        after_ts: i64,
        limit: usize,
        lang: Option<&str>,
    ) -> Vec<Record> {
        match self.division(division) {
            Some(d) if entity.has_sync() => d.sync_after(entity, after_ts, limit, lang),
            _ => Vec::new(),
        }
    }

    /// The serving hot path of [`Dataset::sync_after`]: hands the same records, in the same
    /// order, one at a time to `visit` as a reused [`CompactRecord`] instead of returning maps.
    /// Returns the number of records visited and whether more follow after them.
    pub fn visit_sync(
        &self,
        division: i32,
        entity: Entity,
        after_ts: i64,
        limit: usize,
        lang: Option<&str>,
        mut visit: impl FnMut(&CompactRecord),
    ) -> (usize, bool) {
        let Some(d) = self.division(division).filter(|_| entity.has_sync()) else {
            return (0, false);
        };
        let mut rec = CompactRecord::new(entity, Variant::Sync);
        let mut visited = 0;
        for slot in d.sync_slots(entity, after_ts, limit.saturating_add(1)) {
            if visited == limit {
                if d.live(entity, slot) {
                    return (visited, true);
                }
            } else if d.render_compact(entity, slot, lang, &mut rec) {
                visit(&rec);
                visited += 1;
            }
        }
        (visited, false)
    }

    /// sync/Deleted rows (Timestamp, DeletedBy, DeletedDate, Division, EntityKey, EntityType, ID) ascending by Timestamp.
    pub fn deleted_after(
        &self,
        division: i32,
        after_ts: i64,
        entity_types: Option<&[i32]>,
        limit: usize,
    ) -> Vec<Record> {
        let Some(d) = self.division(division) else {
            return Vec::new();
        };
        d.deleted
            .range(after_ts.saturating_add(1)..)
            .map(|(_, r)| r)
            .filter(|r| {
                entity_types.is_none_or(|types| {
                    r.get("EntityType")
                        .and_then(serde_json::Value::as_i64)
                        .is_some_and(|t| types.iter().any(|k| i64::from(*k) == t))
                })
            })
            .take(limit)
            .cloned()
            .collect()
    }

    /// Regular/bulk listing ordered by ID (ascending string order of the lowercase GUID), rows with
    /// ID > `page.after_id`.
    pub fn list_after(&self, division: i32, entity: Entity, page: &ListPage<'_>) -> Vec<Record> {
        self.division(division).map_or_else(Vec::new, |d| {
            d.list_after(
                entity,
                page.variant,
                page.after_id,
                page.limit,
                page.filter,
                page.lang,
            )
        })
    }

    /// One record by ID.
    pub fn get(
        &self,
        division: i32,
        entity: Entity,
        variant: Variant,
        id: &str,
        lang: Option<&str>,
    ) -> Option<Record> {
        let d = self.division(division)?;
        d.render(entity, d.locate(entity, id)?, variant, lang)
    }

    /// Every current record of the entity (sync variant where one exists, else regular), for /_sim/dump.
    pub fn dump(&self, division: i32, entity: Entity) -> Vec<Record> {
        self.division(division)
            .map_or_else(Vec::new, |d| d.dump(entity))
    }

    /// Applies a mutation; `now_ms` (sim clock, UTC) becomes Created/Modified of changed rows.
    pub fn mutate(
        &mut self,
        division: i32,
        entity: Entity,
        m: &Mutation,
        now_ms: i64,
    ) -> Result<MutationResult, String> {
        let d = self
            .divisions
            .iter_mut()
            .find(|d| d.div.code == division)
            .ok_or_else(|| format!("unknown division {division}"))?;
        d.mutate(entity, m, now_ms)
    }

    /// Picture by the ID in a SysImage URL (Table=Items|Accounts|Contacts). None → unknown picture.
    pub fn image(&self, division: i32, table: &str, picture_id: &str) -> Option<ImageSpec> {
        let d = self.division(division)?;
        let entity = match table.to_ascii_lowercase().as_str() {
            "items" => Entity::Items,
            "accounts" => Entity::Accounts,
            "contacts" => Entity::Contacts,
            _ => return None,
        };
        let id = picture_id
            .trim()
            .trim_start_matches('{')
            .trim_end_matches('}')
            .to_ascii_lowercase();
        let base = seeds::spread_index(&id, d.div.slots(entity), d.div.salt(entity) ^ 0x9_1C);
        let slot = base.or_else(|| {
            d.pictures
                .get(&id)
                .filter(|(e, _)| *e == entity)
                .map(|(_, s)| *s)
        })?;
        let (_, _, pic) = d.meta(entity, slot);
        let current =
            d.live(entity, slot) && pic.has && row::picture_id(&d.div, entity, slot, pic) == id;
        current.then(|| images::spec_for(&id))
    }

    /// The placeholder images Exact links for records without a picture (`placeholder_item.png` etc.).
    pub fn placeholder_png(name: &str) -> Option<Vec<u8>> {
        images::placeholder_png(name)
    }

    /// A document attachment's file by attachment ID.
    pub fn attachment(&self, division: i32, id: &str) -> Option<Attachment> {
        let d = self.division(division)?;
        let slot = d.locate(Entity::DocumentAttachments, id)?;
        let mut a = attachments::content(&d.div, slot);
        if let Some(c) = d
            .state(Entity::DocumentAttachments)
            .and_then(|s| s.changes.get(&slot))
            && let Some(name) = c
                .overrides
                .get("FileName")
                .and_then(serde_json::Value::as_str)
        {
            a.file_name = name.to_string();
        }
        Some(a)
    }
}

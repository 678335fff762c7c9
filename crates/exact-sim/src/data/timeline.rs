//! One division's rows over time: generated base rows plus the stored mutations.
//!
//! Base rows are never materialised; a slot's Timestamp, ID and Modified come from
//! [`Div`] arithmetic. A mutated slot gets a [`Change`] with a fresh Timestamp above every
//! existing one; the base position of that slot is then skipped, so each row appears once.

use std::collections::{BTreeMap, HashMap};

use super::clock_dates::exact_date;
use super::compact::CompactRecord;
use super::layout::Div;
use super::row::{Pic, Row, Sink, base_pic};
use super::vocabulary::lang_index;
use super::{Entity, Record, Variant};
use super::{
    accounts, addresses, attachments, catalog, contacts, documents, fields, items, orders, stock,
};

/// A stored change of one slot.
#[derive(Debug, Clone)]
pub struct Change {
    pub ts: i64,
    pub deleted: bool,
    pub created: i64,
    pub modified: i64,
    pub overrides: Record,
    pub pic: Pic,
}

/// Mutations of one entity.
#[derive(Debug, Default)]
pub struct EntityState {
    pub changes: HashMap<u64, Change>,
    /// Live changed slots by their current Timestamp.
    pub by_ts: BTreeMap<i64, u64>,
    /// Live inserted slots by ID.
    pub inserted: BTreeMap<String, u64>,
    pub next_slot: Option<u64>,
}

/// One division: its generation context and its mutations.
#[derive(Debug)]
pub struct DivisionData {
    pub div: Div,
    pub entities: BTreeMap<Entity, EntityState>,
    pub next_ts: i64,
    /// sync/Deleted rows by Timestamp.
    pub deleted: BTreeMap<i64, Record>,
    /// Pictures of changed rows: picture ID → (entity, slot).
    pub pictures: HashMap<String, (Entity, u64)>,
    /// When the division was last moved to another database (`DivisionMoveDate`), UTC ms.
    pub moved_ms: Option<i64>,
}

fn generate(row: &Row, rec: &mut impl Sink) {
    match row.entity {
        Entity::Items => items::record(row, rec),
        Entity::ItemGroups => catalog::item_group(row, rec),
        Entity::Units => catalog::unit_record(row, rec),
        Entity::Warehouses => catalog::warehouse_record(row, rec),
        Entity::ItemExtraFields => catalog::extra_field(row, rec),
        Entity::Accounts => accounts::record(row, rec),
        Entity::Contacts => contacts::record(row, rec),
        Entity::Addresses => addresses::record(row, rec),
        Entity::Documents => documents::record(row, rec),
        Entity::DocumentAttachments => attachments::record(row, rec),
        Entity::SalesItemPrices => stock::price_record(row, rec),
        Entity::StockPositions => stock::position_record(row, rec),
        Entity::SalesOrderHeaders => orders::header(row, rec),
        Entity::SalesOrderLines => orders::line(row, rec),
    }
}

impl DivisionData {
    pub fn new(div: Div) -> DivisionData {
        let next_ts = div.first_free_ts();
        DivisionData {
            div,
            entities: BTreeMap::new(),
            next_ts,
            deleted: BTreeMap::new(),
            pictures: HashMap::new(),
            moved_ms: None,
        }
    }

    pub fn state(&self, e: Entity) -> Option<&EntityState> {
        self.entities.get(&e)
    }

    fn change(&self, e: Entity, slot: u64) -> Option<&Change> {
        self.state(e).and_then(|s| s.changes.get(&slot))
    }

    /// Whether a slot currently holds a row.
    pub fn live(&self, e: Entity, slot: u64) -> bool {
        match self.change(e, slot) {
            Some(c) => !c.deleted,
            // An item's extra fields are part of the item: deleting it removes them (they have
            // no entry of their own in the Deleted log).
            None if e == Entity::ItemExtraFields => {
                self.div.exists(e, slot)
                    && self.live(Entity::Items, slot / super::layout::EXTRA_PER_ITEM)
            }
            None => self.div.exists(e, slot),
        }
    }

    /// Slot of a live row by ID.
    pub fn locate(&self, e: Entity, id: &str) -> Option<u64> {
        let id = id
            .trim()
            .trim_start_matches("guid'")
            .trim_end_matches('\'')
            .to_ascii_lowercase();
        let slot = self
            .div
            .base_slot(e, &id)
            .or_else(|| self.state(e).and_then(|s| s.inserted.get(&id).copied()))?;
        self.live(e, slot).then_some(slot)
    }

    /// Current (created, modified, picture) of a slot.
    pub fn meta(&self, e: Entity, slot: u64) -> (i64, i64, Pic) {
        match self.change(e, slot) {
            Some(c) => (c.created, c.modified, c.pic),
            None => {
                let modified = self.div.modified_of_rank(e, self.div.perm(e).forward(slot));
                (
                    self.div.created_of(e, slot, modified),
                    modified,
                    base_pic(&self.div, e, slot),
                )
            }
        }
    }

    /// The record of a live slot on an endpoint family.
    pub fn render(
        &self,
        e: Entity,
        slot: u64,
        variant: Variant,
        lang: Option<&str>,
    ) -> Option<Record> {
        let mut rec = self.render_raw(e, slot, variant, lang)?;
        fields::project(e, variant, &mut rec);
        Some(rec)
    }

    /// The generated record before projection onto the endpoint's property set.
    pub fn render_raw(
        &self,
        e: Entity,
        slot: u64,
        variant: Variant,
        lang: Option<&str>,
    ) -> Option<Record> {
        let row = self.row(e, slot, variant, lang)?;
        let mut rec = Record::new();
        generate(&row, &mut rec);
        if let Some(c) = self.change(e, slot) {
            for (k, v) in &c.overrides {
                rec.insert(k.clone(), v.clone());
            }
            if rec.contains_key("Modified") {
                rec.insert("Modified".into(), exact_date(c.modified));
            }
        }
        Some(rec)
    }

    /// Like [`DivisionData::render`], into a reused [`CompactRecord`] of `out.variant()`;
    /// false (and `out` cleared) when the slot holds no row.
    pub fn render_compact(
        &self,
        e: Entity,
        slot: u64,
        lang: Option<&str>,
        out: &mut CompactRecord,
    ) -> bool {
        out.clear();
        let Some(row) = self.row(e, slot, out.variant(), lang) else {
            return false;
        };
        generate(&row, out);
        if let Some(c) = self.change(e, slot) {
            for (k, v) in &c.overrides {
                out.set(k, v.clone());
            }
            if out.has("Modified") {
                out.set("Modified", exact_date(c.modified));
            }
        }
        true
    }

    /// The generation context of a live slot.
    fn row(&self, e: Entity, slot: u64, variant: Variant, lang: Option<&str>) -> Option<Row<'_>> {
        // live(), meta() and the Timestamp in one: the permutation is walked once.
        let (ts, created, modified, pic) = match self.change(e, slot) {
            Some(c) if c.deleted => return None,
            Some(c) => (c.ts, c.created, c.modified, c.pic),
            None if !self.div.exists(e, slot) => return None,
            None => {
                let rank = self.div.perm(e).forward(slot);
                let modified = self.div.modified_of_rank(e, rank);
                (
                    self.div.ts_of_rank(e, rank),
                    self.div.created_of(e, slot, modified),
                    modified,
                    base_pic(&self.div, e, slot),
                )
            }
        };
        Some(Row {
            div: &self.div,
            entity: e,
            slot,
            id: self.div.id(e, slot),
            ts,
            created,
            modified,
            pic,
            variant,
            lang: lang_index(lang.unwrap_or(self.div.lang)),
        })
    }

    /// Sync rows with Timestamp > `after`, ascending, at most `limit`.
    pub fn sync_after(
        &self,
        e: Entity,
        after: i64,
        limit: usize,
        lang: Option<&str>,
    ) -> Vec<Record> {
        let slots = self.sync_slots(e, after, limit);
        let mut out = Vec::with_capacity(slots.len());
        out.extend(
            slots
                .into_iter()
                .filter_map(|slot| self.render(e, slot, Variant::Sync, lang)),
        );
        out
    }

    /// Slots of the next sync page, without generating skipped rows.
    pub fn sync_slots(&self, e: Entity, after: i64, limit: usize) -> Vec<u64> {
        let div = &self.div;
        let perm = div.perm(e);
        let n = div.slots(e);
        let state = self.state(e);
        let mut base = (div.first_rank_after(e, after)..n)
            .map(|r| (div.ts_of_rank(e, r), perm.backward(r)))
            .filter(|&(_, slot)| {
                div.exists(e, slot) && state.is_none_or(|s| !s.changes.contains_key(&slot))
            })
            .peekable();
        let mut moved = state
            .map(|s| s.by_ts.range(after.saturating_add(1)..))
            .into_iter()
            .flatten()
            .map(|(ts, slot)| (*ts, *slot))
            .peekable();
        let mut out = Vec::with_capacity(limit.min(4096));
        while out.len() < limit {
            let next = match (base.peek(), moved.peek()) {
                (Some(b), Some(m)) => {
                    if b.0 < m.0 {
                        base.next()
                    } else {
                        moved.next()
                    }
                }
                (Some(_), None) => base.next(),
                (None, Some(_)) => moved.next(),
                (None, None) => break,
            };
            if let Some((_, slot)) = next {
                out.push(slot);
            }
        }
        out
    }
}

//! Where every generated row lives: per division and entity a range of *slots* (row indexes),
//! a cheap existence test per slot, the slot's ID (GUIDs sorted in slot order), its base
//! Timestamp (a keyed permutation of the slots, interleaved across entities so every Timestamp
//! of a division is unique) and its base Modified time (increasing with the Timestamp).

use super::Entity;
use super::clock_dates::DAY_MS;
use super::seeds::{Permutation, Rng, guid_of, hash, spread_guid, spread_index};

/// Timestamp step between consecutive base rows of one entity; entity `e` uses offset `e`.
pub const STRIDE: i64 = 16;
/// Lines slots per sales order, stock slots per warehouse, extra-field slots per item.
pub const LINES_PER_ORDER: u64 = 6;
pub const EXTRA_PER_ITEM: u64 = 4;
/// How far back base Modified times reach.
const HISTORY_MS: i64 = 3 * 365 * DAY_MS;

/// Row counts of one division.
#[derive(Debug, Clone)]
pub struct Counts {
    pub items: u64,
    pub groups: u64,
    pub units: u64,
    pub warehouses: u64,
    pub accounts: u64,
    pub contacts: u64,
    pub addresses: u64,
    pub documents: u64,
    pub attachments: u64,
    pub prices: u64,
    pub orders: u64,
}

/// One division's generation context.
#[derive(Debug, Clone)]
pub struct Div {
    pub code: i32,
    pub index: usize,
    pub seed: u64,
    pub name: String,
    pub lang: &'static str,
    pub country: &'static str,
    pub counts: Counts,
    pub base_url: String,
    pub origin_ms: i64,
    pub picture_share: f64,
    pub ts0: i64,
    /// The division's few users: (ID, full name).
    pub users: Vec<(String, String)>,
}

impl Div {
    pub fn salt(&self, e: Entity) -> u64 {
        hash(&[self.seed, e as u64 + 1])
    }

    /// Number of base slots (some may not exist, see [`Div::exists`]).
    pub fn slots(&self, e: Entity) -> u64 {
        let c = &self.counts;
        match e {
            Entity::Items => c.items,
            Entity::ItemGroups => c.groups,
            Entity::Units => c.units,
            Entity::Warehouses => c.warehouses,
            Entity::Accounts => c.accounts,
            Entity::Contacts => c.contacts,
            Entity::Addresses => c.addresses,
            Entity::Documents => c.documents,
            Entity::DocumentAttachments => c.attachments,
            Entity::SalesItemPrices => c.prices,
            Entity::StockPositions => c.items * c.warehouses,
            Entity::SalesOrderHeaders => c.orders,
            Entity::SalesOrderLines => c.orders * LINES_PER_ORDER,
            Entity::ItemExtraFields => c.items * EXTRA_PER_ITEM,
        }
    }

    /// Whether a base slot holds a row (cheap: no generation).
    pub fn exists(&self, e: Entity, slot: u64) -> bool {
        if slot >= self.slots(e) {
            return false;
        }
        match e {
            Entity::StockPositions => {
                let item = slot / self.counts.warehouses;
                let w = slot % self.counts.warehouses;
                self.item_is_stock(item) && w < self.item_warehouses(item)
            }
            Entity::SalesOrderLines => {
                slot % LINES_PER_ORDER < self.order_lines(slot / LINES_PER_ORDER)
            }
            Entity::ItemExtraFields => {
                slot % EXTRA_PER_ITEM < self.item_extra_fields(slot / EXTRA_PER_ITEM)
            }
            _ => true,
        }
    }

    pub fn item_is_stock(&self, item: u64) -> bool {
        hash(&[self.seed, 0x570C, item]) % 10 < 7
    }

    pub fn item_warehouses(&self, item: u64) -> u64 {
        1 + hash(&[self.seed, 0x3A4E, item]) % self.counts.warehouses.max(1)
    }

    pub fn order_lines(&self, order: u64) -> u64 {
        1 + hash(&[self.seed, 0x11E5, order]) % 5
    }

    pub fn item_extra_fields(&self, item: u64) -> u64 {
        let h = hash(&[self.seed, 0xE7A, item]);
        if h.is_multiple_of(5) {
            1 + (h >> 8) % EXTRA_PER_ITEM
        } else {
            0
        }
    }

    /// The ID of a slot: base slots get index-ordered GUIDs, inserted slots random ones.
    pub fn id(&self, e: Entity, slot: u64) -> String {
        let n = self.slots(e);
        if slot < n {
            spread_guid(slot, n, self.salt(e))
        } else {
            guid_of(&[self.salt(e), slot, 0x1A5E])
        }
    }

    /// The base slot of an ID, if it is one.
    pub fn base_slot(&self, e: Entity, id: &str) -> Option<u64> {
        spread_index(id, self.slots(e), self.salt(e)).filter(|&s| self.exists(e, s))
    }

    pub fn perm(&self, e: Entity) -> Permutation {
        Permutation::new(self.slots(e), self.salt(e) ^ 0x7157)
    }

    pub fn ts_of_rank(&self, e: Entity, rank: u64) -> i64 {
        self.ts0 + rank as i64 * STRIDE + e as i64
    }

    /// First rank whose base Timestamp is greater than `after`.
    pub fn first_rank_after(&self, e: Entity, after: i64) -> u64 {
        let first = self.ts0 + e as i64;
        if after < first {
            0
        } else {
            ((after - first) / STRIDE + 1) as u64
        }
    }

    /// Timestamps above every base Timestamp of the division: where mutations start.
    pub fn first_free_ts(&self) -> i64 {
        let max = Entity::ALL
            .iter()
            .map(|&e| self.slots(e))
            .max()
            .unwrap_or(0);
        self.ts0 + (max as i64 + 1) * STRIDE
    }

    /// Base Modified (UTC ms) of a rank: rises with the Timestamp across the history window.
    pub fn modified_of_rank(&self, e: Entity, rank: u64) -> i64 {
        let n = self.slots(e).max(1) as i64;
        let start = self.origin_ms - HISTORY_MS;
        let jitter = (hash(&[self.seed, 0x30D, e as u64, rank]) % 3_600_000) as i64;
        start + (rank as i64 * HISTORY_MS) / n + jitter - 3_700_000
    }

    /// Base Created (UTC ms): some time before Modified.
    pub fn created_of(&self, e: Entity, slot: u64, modified: i64) -> i64 {
        let back = (hash(&[self.seed, 0xC7E, e as u64, slot]) % (2 * 365 * DAY_MS as u64)) as i64;
        if hash(&[self.seed, 0xC7F, e as u64, slot]).is_multiple_of(4) {
            modified
        } else {
            modified - back
        }
    }

    /// Row generator for a slot.
    pub fn rng(&self, e: Entity, slot: u64) -> Rng {
        Rng::new(&[self.seed, e as u64 + 100, slot])
    }

    /// One of the division's few users: (ID, full name).
    pub fn user(&self, n: u64) -> (&str, &str) {
        let (id, name) = &self.users[(n % self.users.len().max(1) as u64) as usize];
        (id, name)
    }

    /// The users of a division with this seed.
    pub fn users_of(seed: u64) -> Vec<(String, String)> {
        [
            "Marieke de Vries",
            "Jan Bakker",
            "Sanne Visser",
            "Pieter van Dijk",
            "Automatische import",
        ]
        .iter()
        .enumerate()
        .map(|(i, n)| (guid_of(&[seed, 0x05E4, i as u64]), (*n).to_string()))
        .collect()
    }
}

/// Base slots of an entity that belong to one item, where that is computable.
pub fn item_slots(div: &Div, e: Entity, item: u64) -> Option<Vec<u64>> {
    if item >= div.counts.items {
        return Some(Vec::new());
    }
    match e {
        Entity::ItemExtraFields => {
            Some((item * EXTRA_PER_ITEM..(item + 1) * EXTRA_PER_ITEM).collect())
        }
        Entity::StockPositions => {
            let w = div.counts.warehouses;
            Some((item * w..(item + 1) * w).collect())
        }
        Entity::SalesItemPrices => {
            let (ni, np) = (div.counts.items.max(1), div.counts.prices);
            Some(((item * np).div_ceil(ni)..((item + 1) * np).div_ceil(ni)).collect())
        }
        _ => None,
    }
}

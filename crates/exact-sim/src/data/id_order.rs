//! Regular and bulk listings: rows in ID order (base IDs ascend with the slot, inserted rows
//! are merged in from their ordered index), the filters regular endpoints support, and dumps.

use std::collections::BTreeMap;

use serde_json::Value;

use super::timeline::DivisionData;
use super::{Entity, ListFilter, Record, Variant};
use super::{accounts, items};

impl DivisionData {
    /// Live slots in ID order after `after_id`, passing `keep`, at most `limit`.
    pub fn id_slots(
        &self,
        e: Entity,
        after_id: Option<&str>,
        limit: usize,
        keep: &dyn Fn(u64) -> bool,
    ) -> Vec<u64> {
        let div = &self.div;
        let n = div.slots(e);
        let after = after_id.map(|a| a.trim().to_ascii_lowercase());
        let start = match &after {
            Some(a) => {
                let lb = super::seeds::spread_lower_bound(a, n, div.salt(e));
                if lb < n && div.id(e, lb) == *a {
                    lb + 1
                } else {
                    lb
                }
            }
            None => 0,
        };
        let mut base = (start..n)
            .filter(|&s| self.live(e, s) && keep(s))
            .map(|s| (div.id(e, s), s))
            .peekable();
        let empty = BTreeMap::new();
        let inserted = self.state(e).map_or(&empty, |s| &s.inserted);
        let mut ins = match &after {
            Some(a) => inserted
                .range::<String, _>((std::ops::Bound::Excluded(a), std::ops::Bound::Unbounded)),
            None => inserted.range::<String, _>(..),
        }
        .filter(|(_, s)| keep(**s))
        .map(|(id, s)| (id.clone(), *s))
        .peekable();
        let mut out = Vec::new();
        while out.len() < limit {
            let next = match (base.peek(), ins.peek()) {
                (Some(b), Some(i)) => {
                    if b.0 < i.0 {
                        base.next()
                    } else {
                        ins.next()
                    }
                }
                (Some(_), None) => base.next(),
                (None, Some(_)) => ins.next(),
                (None, None) => break,
            };
            if let Some((_, s)) = next {
                out.push(s);
            }
        }
        out
    }

    /// Regular/bulk listing ordered by ID.
    pub fn list_after(
        &self,
        e: Entity,
        variant: Variant,
        after_id: Option<&str>,
        limit: usize,
        filter: &ListFilter,
        lang: Option<&str>,
    ) -> Vec<Record> {
        let render = |slots: Vec<u64>| {
            slots
                .into_iter()
                .filter_map(|s| self.render(e, s, variant, lang))
                .collect()
        };
        match filter {
            ListFilter::None => render(self.id_slots(e, after_id, limit, &|_| true)),
            ListFilter::IdEq(id) => {
                let past = |s: u64| after_id.is_none_or(|a| self.div.id(e, s).as_str() > a);
                render(
                    self.locate(e, id)
                        .filter(|&s| past(s))
                        .into_iter()
                        .collect(),
                )
            }
            ListFilter::ModifiedGe(ms) => {
                render(self.id_slots(e, after_id, limit, &|s| self.meta(e, s).1 >= *ms))
            }
            ListFilter::CodeEq(code) => {
                let wanted = code.trim().to_string();
                let mut cands: Vec<u64> = match e {
                    Entity::Items => items::slot_of_code(&self.div, &wanted)
                        .into_iter()
                        .collect(),
                    Entity::Accounts => accounts::slot_of_code(&wanted).into_iter().collect(),
                    _ if self.div.slots(e) <= 1000 => (0..self.div.slots(e)).collect(),
                    _ => Vec::new(),
                };
                if let Some(st) = self.state(e) {
                    cands.extend(st.changes.keys().copied());
                }
                cands.sort_unstable();
                cands.dedup();
                let matches = |s: u64| {
                    self.render(e, s, variant, lang)
                        .and_then(|r| {
                            r.get("Code")
                                .and_then(Value::as_str)
                                .map(|c| c.trim() == wanted)
                        })
                        .unwrap_or(false)
                };
                let hits: Vec<u64> = cands.into_iter().filter(|&s| matches(s)).collect();
                render(
                    self.id_slots(e, after_id, limit, &|s| hits.contains(&s))
                        .into_iter()
                        .collect(),
                )
            }
            ListFilter::ItemIdEq(item) => {
                let Some(item_slot) = self.locate(Entity::Items, item) else {
                    return Vec::new();
                };
                let item_id = self.div.id(Entity::Items, item_slot);
                let key = if e == Entity::StockPositions {
                    "ItemId"
                } else if e == Entity::ItemExtraFields {
                    "ItemID"
                } else {
                    "Item"
                };
                let keep = |s: u64| {
                    self.render(e, s, Variant::Regular, None).is_some_and(|r| {
                        r.get(key).and_then(Value::as_str) == Some(item_id.as_str())
                    })
                };
                let cands = super::layout::item_slots(&self.div, e, item_slot);
                match cands {
                    Some(c) => render(
                        c.into_iter()
                            .filter(|&s| self.live(e, s) && keep(s))
                            .take(limit)
                            .collect(),
                    ),
                    None => render(self.id_slots(e, after_id, limit, &keep)),
                }
            }
        }
    }

    /// Every current record: sync order where a sync endpoint exists, else ID order.
    pub fn dump(&self, e: Entity) -> Vec<Record> {
        if e.has_sync() {
            self.sync_after(e, i64::MIN, usize::MAX, None)
        } else {
            self.list_after(
                e,
                Variant::Regular,
                None,
                usize::MAX,
                &ListFilter::None,
                None,
            )
        }
    }
}

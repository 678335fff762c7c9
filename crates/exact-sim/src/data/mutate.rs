//! Mutations (POST /_sim/mutate): inserts, updates and deletes take fresh Timestamps above
//! every existing one; deletes of entities with a Deleted code leave a sync/Deleted row.

use std::collections::HashSet;

use serde_json::Value;

use super::clock_dates::{exact_date, iso};
use super::row::{Pic, base_pic, num, picture_id, s};
use super::seeds::{Rng, guid_of};
use super::timeline::{Change, DivisionData};
use super::{DeleteSpec, Entity, Mutation, MutationResult, Record, UpdateSpec, Variant};

enum PictureOp {
    Keep,
    Change,
    Remove,
}

fn picture_op(v: Option<&Value>) -> Result<PictureOp, String> {
    match v.map(|v| v.as_str().unwrap_or("")) {
        None => Ok(PictureOp::Keep),
        Some("change" | "add") => Ok(PictureOp::Change),
        Some("remove") => Ok(PictureOp::Remove),
        Some(other) => Err(format!(
            "_picture must be change, remove or add, not {other:?}"
        )),
    }
}

fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

/// Overrides a "random update" applies, so the change is visible in the data.
fn touch(e: Entity, current: &Record, rng: &mut Rng, now_ms: i64) -> Record {
    let f = |k: &str| current.get(k).and_then(Value::as_f64).unwrap_or(0.0);
    let mut o = Record::new();
    match e {
        Entity::Items => {
            o.insert(
                "CostPriceStandard".into(),
                num(round2(f("CostPriceStandard") * 1.02 + 0.01)),
            );
            o.insert("Notes".into(), s(format!("Bijgewerkt {}", iso(now_ms))));
        }
        Entity::Accounts => {
            o.insert(
                "Phone".into(),
                s(format!(
                    "0{}-{}",
                    rng.range(10, 79),
                    rng.range(1_000_000, 9_999_999)
                )),
            );
        }
        Entity::Contacts => {
            o.insert(
                "Mobile".into(),
                s(format!("06-{}", rng.range(10_000_000, 99_999_999))),
            );
        }
        Entity::Addresses => {
            o.insert(
                "AddressLine2".into(),
                s(format!("Unit {}", rng.range(1, 40))),
            );
        }
        Entity::SalesItemPrices => {
            o.insert("Price".into(), num(round2(f("Price") * 1.03 + 0.01)));
        }
        Entity::StockPositions => {
            let delta = rng.range(1, 50) as f64;
            for k in ["CurrentStock", "FreeStock", "ProjectedStock"] {
                o.insert(k.into(), num(f(k) + delta));
            }
        }
        Entity::SalesOrderHeaders | Entity::SalesOrderLines => {
            o.insert("Notes".into(), s(format!("Gewijzigd {}", iso(now_ms))));
        }
        Entity::Documents => {
            let subject = current.get("Subject").and_then(Value::as_str).unwrap_or("");
            let base = subject.split(" (bijgewerkt").next().unwrap_or(subject);
            o.insert(
                "Subject".into(),
                s(format!("{base} (bijgewerkt {})", iso(now_ms))),
            );
        }
        Entity::Warehouses => {
            o.insert(
                "EMail".into(),
                s(format!("magazijn{}@example.nl", rng.range(1, 99))),
            );
        }
        _ => {}
    }
    o
}

impl DivisionData {
    fn take_ts(&mut self) -> i64 {
        let ts = self.next_ts;
        self.next_ts += 1;
        ts
    }

    fn register_picture(&mut self, e: Entity, slot: u64, pic: Pic) {
        if pic.has && matches!(e, Entity::Items | Entity::Accounts | Entity::Contacts) {
            self.pictures
                .insert(picture_id(&self.div, e, slot, pic), (e, slot));
        }
    }

    fn random_live(
        &self,
        e: Entity,
        rng: &mut Rng,
        count: usize,
        avoid: &HashSet<u64>,
    ) -> Vec<u64> {
        let total = self
            .state(e)
            .and_then(|s| s.next_slot)
            .unwrap_or(self.div.slots(e));
        let mut out = Vec::new();
        let mut seen = avoid.clone();
        let mut attempts = 0;
        while out.len() < count && attempts < count * 50 + 200 {
            attempts += 1;
            let slot = rng.below(total);
            if self.live(e, slot) && seen.insert(slot) {
                out.push(slot);
            }
        }
        out
    }

    fn update_slot(
        &mut self,
        e: Entity,
        slot: u64,
        overrides: Record,
        pic_op: &PictureOp,
        now_ms: i64,
    ) {
        let (created, _, pic) = self.meta(e, slot);
        let ts = self.take_ts();
        let state = self.entities.entry(e).or_default();
        let mut change = state.changes.remove(&slot).unwrap_or(Change {
            ts,
            deleted: false,
            created,
            modified: now_ms,
            overrides: Record::new(),
            pic,
        });
        state.by_ts.remove(&change.ts);
        change.ts = ts;
        change.modified = now_ms;
        change.overrides.extend(overrides);
        match pic_op {
            PictureOp::Keep => {}
            PictureOp::Change => {
                change.pic = Pic {
                    has: true,
                    version: change.pic.version + 1,
                }
            }
            PictureOp::Remove => change.pic.has = false,
        }
        let pic = change.pic;
        state.by_ts.insert(ts, slot);
        state.changes.insert(slot, change);
        self.register_picture(e, slot, pic);
    }

    fn delete_slot(&mut self, e: Entity, slot: u64, now_ms: i64) -> String {
        let id = self.div.id(e, slot);
        let (created, modified, pic) = self.meta(e, slot);
        let ts = self.take_ts();
        let state = self.entities.entry(e).or_default();
        let mut change = state.changes.remove(&slot).unwrap_or(Change {
            ts,
            deleted: true,
            created,
            modified,
            overrides: Record::new(),
            pic,
        });
        state.by_ts.remove(&change.ts);
        state.inserted.remove(&id);
        change.deleted = true;
        change.ts = ts;
        state.changes.insert(slot, change);
        if let Some(code) = e.deleted_code() {
            let mut rec = Record::new();
            rec.insert("Timestamp".into(), Value::from(ts));
            rec.insert("DeletedBy".into(), s(self.div.user(0).0));
            rec.insert("DeletedDate".into(), exact_date(now_ms));
            rec.insert("Division".into(), Value::from(self.div.code));
            rec.insert("EntityKey".into(), s(id.clone()));
            rec.insert("EntityType".into(), Value::from(code));
            rec.insert("ID".into(), s(guid_of(&[self.div.seed, 0xDE1, ts as u64])));
            self.deleted.insert(ts, rec);
        }
        id
    }

    /// Applies a mutation; nothing changes when it is invalid.
    pub fn mutate(
        &mut self,
        e: Entity,
        m: &Mutation,
        now_ms: i64,
    ) -> Result<MutationResult, String> {
        if e == Entity::ItemExtraFields {
            return Err("ItemExtraFields cannot be mutated; mutate Items instead".into());
        }
        let missing = |id: &str| {
            format!(
                "{}: no row with ID {id} in division {}",
                e.name(),
                self.div.code
            )
        };
        let mut explicit = Vec::new();
        if let UpdateSpec::Rows(rows) = &m.update {
            for row in rows {
                let id = row
                    .get("ID")
                    .and_then(Value::as_str)
                    .ok_or("every update row needs an \"ID\"")?;
                let slot = self.locate(e, id).ok_or_else(|| missing(id))?;
                let op = picture_op(row.get("_picture"))?;
                let overrides: Record = row
                    .iter()
                    .filter(|(k, _)| !matches!(k.as_str(), "ID" | "_picture" | "Timestamp"))
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect();
                explicit.push((slot, overrides, op));
            }
        }
        let mut delete_slots = Vec::new();
        if let DeleteSpec::Ids(ids) = &m.delete {
            for id in ids {
                delete_slots.push(self.locate(e, id).ok_or_else(|| missing(id))?);
            }
        }
        let mut rng = Rng::new(&[self.div.seed, 0x3E7, e as u64, self.next_ts as u64]);
        let mut result = MutationResult::default();
        for _ in 0..m.insert {
            let slot = {
                let base = self.div.slots(e);
                let state = self.entities.entry(e).or_default();
                let slot = state.next_slot.unwrap_or(base);
                state.next_slot = Some(slot + 1);
                slot
            };
            let pic = base_pic(&self.div, e, slot);
            let id = self.div.id(e, slot);
            let ts = self.take_ts();
            let state = self.entities.entry(e).or_default();
            state.changes.insert(
                slot,
                Change {
                    ts,
                    deleted: false,
                    created: now_ms,
                    modified: now_ms,
                    overrides: Record::new(),
                    pic,
                },
            );
            state.by_ts.insert(ts, slot);
            state.inserted.insert(id.clone(), slot);
            self.register_picture(e, slot, pic);
            result.inserted.push(id);
        }
        if let UpdateSpec::Count(n) = m.update {
            let variant = if e.has_sync() {
                Variant::Sync
            } else {
                Variant::Regular
            };
            for slot in self.random_live(e, &mut rng, n, &HashSet::new()) {
                let current = self.render(e, slot, variant, None).unwrap_or_default();
                let overrides = touch(e, &current, &mut rng, now_ms);
                self.update_slot(e, slot, overrides, &PictureOp::Keep, now_ms);
                result.updated.push(self.div.id(e, slot));
            }
        }
        for (slot, overrides, op) in explicit {
            self.update_slot(e, slot, overrides, &op, now_ms);
            result.updated.push(self.div.id(e, slot));
        }
        if let DeleteSpec::Count(n) = m.delete {
            delete_slots.extend(self.random_live(
                e,
                &mut rng,
                n,
                &delete_slots.iter().copied().collect(),
            ));
        }
        for slot in delete_slots {
            if self.live(e, slot) {
                result.deleted.push(self.delete_slot(e, slot, now_ms));
            }
        }
        Ok(result)
    }
}

//! A compact, reusable form of one record for the serving hot path.
//!
//! A [`Record`] costs an allocated key and a B-tree insert per property (115–165 per row). A
//! [`CompactRecord`] keeps one value slot per property of the endpoint family instead, in the
//! sorted order of [`fields::names`], and is reused from row to row.
//!
//! Generators write properties in the same order for almost every row, so the record learns
//! that order from the first row (key → slot) and later writes only compare the key with the
//! learned one; a key out of the learned order falls back to a binary search. Either way the
//! result equals the [`Record`] path after projection: the last write of a key wins, keys outside
//! the family are dropped, and properties never written read as null.

use serde_json::Value;

use super::row::Sink;
use super::{Entity, Record, Variant, fields};

/// Slot of a key that is not a property of the endpoint family.
const DROP: u32 = u32::MAX;

static NULL: Value = Value::Null;

/// One record projected onto the properties of an endpoint family; see the module docs.
#[derive(Debug, Clone)]
pub struct CompactRecord {
    entity: Entity,
    variant: Variant,
    names: &'static [&'static str],
    extras: &'static [&'static str],
    /// One per name; `None` = not written (reads as null).
    values: Vec<Option<Value>>,
    /// The learned write order: (key, slot).
    plan: Vec<(&'static str, u32)>,
    /// Position of the next write in the plan.
    pos: usize,
}

impl CompactRecord {
    /// An empty record for an entity on an endpoint family.
    pub fn new(entity: Entity, variant: Variant) -> CompactRecord {
        let names = fields::names(entity, variant);
        CompactRecord {
            entity,
            variant,
            names,
            extras: fields::extras(entity, variant),
            values: vec![None; names.len()],
            plan: Vec::with_capacity(names.len() + 16),
            pos: 0,
        }
    }

    pub fn entity(&self) -> Entity {
        self.entity
    }

    pub fn variant(&self) -> Variant {
        self.variant
    }

    /// The property names, sorted; [`CompactRecord::value`] takes an index into this list.
    pub fn names(&self) -> &'static [&'static str] {
        self.names
    }

    /// Index of a property in [`CompactRecord::names`].
    pub fn index(&self, name: &str) -> Option<usize> {
        self.names.binary_search(&name).ok()
    }

    /// The value of the property at `index` (null when not written or out of range).
    pub fn value(&self, index: usize) -> &Value {
        self.values
            .get(index)
            .and_then(Option::as_ref)
            .unwrap_or(&NULL)
    }

    /// Like `Record::get` on the projected record: `None` only for names outside the family.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.index(name).map(|i| self.value(i))
    }

    /// The same record as a map, exactly as the [`Record`] path renders it.
    pub fn to_record(&self) -> Record {
        self.names
            .iter()
            .enumerate()
            .map(|(i, n)| ((*n).to_string(), self.value(i).clone()))
            .collect()
    }

    /// Forgets the current row; keeps the learned write order and the allocations.
    pub(super) fn clear(&mut self) {
        self.values.iter_mut().for_each(|v| *v = None);
        self.pos = 0;
    }

    /// Whether the generator (or an override) wrote this property.
    pub(super) fn has(&self, name: &str) -> bool {
        self.index(name)
            .is_some_and(|i| self.values.get(i).is_some_and(Option::is_some))
    }

    /// Writes a property outside the learned order (mutation overrides).
    pub(super) fn set(&mut self, name: &str, v: Value) {
        if let Some(i) = self.index(name) {
            self.values[i] = Some(v);
        }
    }

    /// (static key, slot) of a key, by binary search.
    fn lookup(&self, k: &str) -> (&'static str, u32) {
        if let Ok(i) = self.names.binary_search(&k) {
            return (self.names[i], i as u32);
        }
        match self.extras.binary_search(&k) {
            Ok(i) => (self.extras[i], DROP),
            // Not a property of any family: never matches the plan, always dropped.
            Err(_) => ("", DROP),
        }
    }
}

/// `a == b` for short keys without a call into libc's memcmp (once per property per row).
#[inline]
fn same_key(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    if n < 8 {
        return a.iter().zip(b).all(|(x, y)| x == y);
    }
    let word = |s: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_ne_bytes(w)
    };
    // Whole words, then the last (possibly overlapping) word.
    (0..n / 8).all(|i| word(a, i * 8) == word(b, i * 8)) && word(a, n - 8) == word(b, n - 8)
}

impl Sink for CompactRecord {
    #[inline]
    fn put(&mut self, k: &str, v: Value) {
        let pos = self.pos;
        self.pos += 1;
        let slot = match self.plan.get(pos) {
            Some(&(key, slot)) if same_key(key, k) => slot,
            _ => self.miss(pos, k),
        };
        // DROP is out of range: the value is dropped.
        if let Some(value) = self.values.get_mut(slot as usize) {
            *value = Some(v);
        }
    }
}

impl CompactRecord {
    /// A write out of the learned order: binary search, and learn it when the plan ends here.
    #[cold]
    #[inline(never)]
    fn miss(&mut self, pos: usize, k: &str) -> u32 {
        let (key, slot) = self.lookup(k);
        if pos == self.plan.len() {
            self.plan.push((key, slot));
        }
        slot
    }
}

#[cfg(test)]
mod tests {
    use super::same_key;

    #[test]
    fn same_key_is_string_equality() {
        let keys = [
            "",
            "I",
            "ID",
            "Code",
            "Created",
            "Modified",
            "Modifier",
            "ModifierFullName",
            "ModifierFullNamf",
            "FreeTextField_01",
            "FreeTextField_02",
            "FreeTextField_0",
        ];
        for a in keys {
            for b in keys {
                assert_eq!(same_key(a, b), a == b, "{a:?} vs {b:?}");
            }
        }
    }
}

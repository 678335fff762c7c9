//! Which records the cache can store as they are. A record that fails is set aside (kept as
//! sent, with the reason: see [`offline_cache::SetAsideReason`]) and the rest of its page is
//! stored as usual; the cursor moves past it as if it had been read.
//!
//! The checks are what storing needs: the record's key, and for each property a typed column
//! reads, a value of the type Exact documents for it (a GUID, a number, a flag, a
//! `/Date(..)/`); a value the column could not read would otherwise be stored as empty without
//! a word. Text that cannot be read at all comes from the page's salvage
//! ([`exact_api::salvage`]) and is set aside here too.

use exact_api::{RawRecord, Record, Unreadable};
use offline_cache::{Entity, NewSetAside, PreparedRecord, SetAsideCounts, SetAsideReason};
use serde_json::Value;

use crate::plan::Plan;

/// A record larger than this is set aside: no record a person reads comes near it (an item
/// with every property is about 4 KB), and each stored record is read back whole.
pub const MAX_RECORD_BYTES: usize = 4 * 1024 * 1024;

/// The type a typed column needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Guid,
    Date,
    Number,
    Flag,
}

impl Kind {
    fn of(edm: &str) -> Option<Kind> {
        match edm {
            "Guid" => Some(Kind::Guid),
            "DateTime" => Some(Kind::Date),
            "Byte" | "Int16" | "Int32" | "Int64" | "Double" | "Decimal" | "Single" => {
                Some(Kind::Number)
            }
            "Boolean" => Some(Kind::Flag),
            _ => None,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            Kind::Guid => "a GUID",
            Kind::Date => "a date",
            Kind::Number => "a number",
            Kind::Flag => "true or false",
        }
    }

    /// Whether `record`'s `name` can be read as this kind (absent, null and blank text can).
    fn reads(self, record: &Record, name: &str) -> bool {
        match record.get(name) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) if s.trim().is_empty() => true,
            Some(_) => match self {
                Kind::Guid => record.guid(name).is_some(),
                Kind::Date => record.date(name).is_some(),
                Kind::Number => record.f64(name).is_some(),
                Kind::Flag => record.bool(name).is_some(),
            },
        }
    }
}

/// The checks for one plan's records.
#[derive(Debug, Clone)]
pub(crate) struct Checks {
    entity: Entity,
    typed: Vec<(&'static str, Kind)>,
}

impl Checks {
    pub(crate) fn for_plan(plan: &Plan) -> Checks {
        let documented = exact_fields::entity(plan.fields.0)
            .map(|e| e.properties_for(plan.fields.1))
            .unwrap_or_default();
        let typed = plan
            .entity
            .column_properties()
            .iter()
            .filter_map(|name| {
                let property = documented.iter().find(|p| p.name == *name)?;
                Some((*name, Kind::of(property.kind())?))
            })
            .collect();
        Checks {
            entity: plan.entity,
            typed,
        }
    }

    /// Why `fields` (with the record's whole JSON `len` bytes long) cannot be stored, if so.
    pub(crate) fn check(&self, fields: &Record, len: usize) -> Option<(SetAsideReason, String)> {
        if len > MAX_RECORD_BYTES {
            return Some((
                SetAsideReason::TooLarge,
                format!(
                    "{:.1} MiB, more than the {} MiB a record may have",
                    len as f64 / (1024.0 * 1024.0),
                    MAX_RECORD_BYTES / (1024 * 1024)
                ),
            ));
        }
        if self.entity.key(fields).is_none() {
            let key = match self.entity {
                Entity::ItemExtraFields => "ItemID and Number",
                _ => "ID",
            };
            let detail = match fields.get(key) {
                None | Some(Value::Null) => format!("no {key}"),
                Some(value) => format!("{key} is not a GUID: {}", excerpt(value)),
            };
            return Some((SetAsideReason::MissingKey, detail));
        }
        self.typed
            .iter()
            .find(|(name, kind)| !kind.reads(fields, name))
            .map(|(name, kind)| {
                let value = fields.get(name).map(excerpt).unwrap_or_default();
                (
                    SetAsideReason::WrongType,
                    format!("{name} should be {}, Exact sent {value}", kind.noun()),
                )
            })
    }

    /// Splits a page into records to store and records to set aside; with the highest
    /// `Timestamp` of those set aside, so that the cursor moves past them too.
    pub(crate) fn sort(&self, page: Vec<RawRecord>, unreadable: Vec<Unreadable>) -> Sorted {
        let mut sorted = Sorted::default();
        for raw in page {
            match self.check(&raw.fields, raw.json.len()) {
                None => sorted.good.push(PreparedRecord::from_raw(raw)),
                Some((reason, detail)) => {
                    sorted.seen(raw.fields.timestamp());
                    sorted.set_aside(NewSetAside {
                        key: self.entity.key(&raw.fields),
                        reason,
                        detail,
                        raw: raw.json,
                    });
                }
            }
        }
        for bad in unreadable {
            sorted.seen(timestamp_in(&bad.text));
            sorted.set_aside(NewSetAside {
                // So that a readable version of the record, when it comes, clears this one.
                key: match self.entity {
                    Entity::ItemExtraFields => None,
                    _ => id_in(&bad.text),
                },
                reason: SetAsideReason::Unreadable,
                detail: bad.error,
                raw: bad.text,
            });
        }
        sorted
    }

    /// [`Self::sort`] for whole records (the small masters read in full).
    pub(crate) fn sort_records(&self, records: Vec<Record>) -> (Vec<Record>, Vec<NewSetAside>) {
        let mut good = Vec::with_capacity(records.len());
        let mut bad = Vec::new();
        for record in records {
            let json = serde_json::to_string(&record.0).unwrap_or_default();
            match self.check(&record, json.len()) {
                None => good.push(record),
                Some((reason, detail)) => bad.push(NewSetAside {
                    key: self.entity.key(&record),
                    reason,
                    detail,
                    raw: json,
                }),
            }
        }
        (good, bad)
    }
}

/// A page sorted by [`Checks::sort`].
#[derive(Debug, Default)]
pub(crate) struct Sorted {
    pub(crate) good: Vec<PreparedRecord>,
    pub(crate) set_aside: Vec<NewSetAside>,
    pub(crate) counts: SetAsideCounts,
    /// The highest `Timestamp` among the records set aside.
    pub(crate) seen_max: Option<i64>,
}

impl Sorted {
    fn seen(&mut self, timestamp: Option<i64>) {
        self.seen_max = self.seen_max.max(timestamp);
    }

    fn set_aside(&mut self, record: NewSetAside) {
        self.counts.add(record.reason, 1);
        self.set_aside.push(record);
    }
}

/// The start of a value for a message: at most 40 characters of its JSON.
fn excerpt(value: &Value) -> String {
    let text = value.to_string();
    match text.char_indices().nth(40) {
        Some((at, _)) => format!("{}…", &text[..at]),
        None => text,
    }
}

/// The text after `"name":` in a record that could not be parsed, wherever it appears first.
fn after_member<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    let key = format!("\"{name}\"");
    text.match_indices(&key).find_map(|(at, _)| {
        let rest = text[at + key.len()..].trim_start().strip_prefix(':')?;
        Some(rest.trim_start())
    })
}

/// The `Timestamp` of a record that could not be parsed, read from its text (Exact writes it
/// as a number).
fn timestamp_in(text: &str) -> Option<i64> {
    let rest = after_member(text, "Timestamp")?;
    let digits = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    rest[..digits].parse().ok()
}

/// The `ID` of a record that could not be parsed, read from its text: a GUID in quotes.
fn id_in(text: &str) -> Option<String> {
    let guid = after_member(text, "ID")?.strip_prefix('"')?.get(..36)?;
    exact_api::record::is_guid(guid).then(|| guid.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::PLANS;
    use serde_json::json;

    fn checks(entity: Entity) -> Checks {
        Checks::for_plan(PLANS.iter().find(|p| p.entity == entity).expect("a plan"))
    }

    fn record(value: Value) -> Record {
        match value {
            Value::Object(map) => Record(map),
            _ => unreachable!("an object"),
        }
    }

    const ID: &str = "71b961de-b9f3-49fe-883d-0f46c7e0e89b";

    #[test]
    fn every_typed_column_of_every_entity_is_checked_by_its_documented_type() {
        for plan in PLANS {
            let checks = Checks::for_plan(&plan);
            assert!(
                checks.typed.len() >= 2,
                "{} checks more than its key: {:?}",
                plan.entity,
                checks.typed
            );
        }
        let items = checks(Entity::Items);
        assert!(items.typed.contains(&("Modified", Kind::Date)));
        assert!(items.typed.contains(&("ItemGroup", Kind::Guid)));
        assert!(items.typed.contains(&("Timestamp", Kind::Number)));
    }

    #[test]
    fn good_records_pass_and_each_fault_has_its_reason() {
        let items = checks(Entity::Items);
        let good = record(json!({
            "ID": ID, "Timestamp": 5, "Modified": "/Date(1700000000000)/", "ItemGroup": "",
            "Code": "  A1", "IsSalesItem": true, "CostPriceStandard": null
        }));
        assert_eq!(items.check(&good, 200), None);
        let missing = record(json!({"Timestamp": 5}));
        assert_eq!(
            items.check(&missing, 20),
            Some((SetAsideReason::MissingKey, "no ID".into()))
        );
        let not_guid = record(json!({"ID": 42}));
        assert_eq!(
            items.check(&not_guid, 20),
            Some((SetAsideReason::MissingKey, "ID is not a GUID: 42".into()))
        );
        let wrong = record(json!({"ID": ID, "Modified": 12345}));
        assert_eq!(
            items.check(&wrong, 20),
            Some((
                SetAsideReason::WrongType,
                "Modified should be a date, Exact sent 12345".into()
            ))
        );
        let big = items.check(&good, MAX_RECORD_BYTES + 1).expect("too large");
        assert_eq!(big.0, SetAsideReason::TooLarge);
        let extra = checks(Entity::ItemExtraFields);
        assert_eq!(
            extra.check(&record(json!({"Number": 1})), 20).map(|r| r.1),
            Some("no ItemID and Number".into())
        );
    }

    #[test]
    fn sorting_keeps_the_good_and_notes_the_set_asides_timestamp() {
        let items = checks(Entity::Items);
        let keep = |_: &str| true;
        let raw = |v: Value| RawRecord::from_record(record(v), &keep);
        let page = vec![
            raw(json!({"ID": ID, "Timestamp": 5})),
            raw(json!({"Timestamp": 9, "Code": "no id"})),
        ];
        let unreadable = vec![Unreadable {
            text: r#"{"ID":"x","Timestamp": 12,"Description":"\ud800"}"#.into(),
            error: "unexpected end of hex escape".into(),
        }];
        let sorted = items.sort(page, unreadable);
        assert_eq!(sorted.good.len(), 1);
        assert_eq!(sorted.set_aside.len(), 2);
        assert_eq!(sorted.seen_max, Some(12));
        assert_eq!(
            sorted.counts.to_string(),
            "2 records set aside: 1 without ID, 1 unreadable text"
        );
        let kept: Value = serde_json::from_str(&sorted.set_aside[0].raw).expect("JSON");
        assert_eq!(kept, json!({"Timestamp": 9, "Code": "no id"}));
    }

    #[test]
    fn a_timestamp_is_found_in_text_that_does_not_parse() {
        assert_eq!(timestamp_in(r#"{"Timestamp" : 77,"X":"\ud800"}"#), Some(77));
        assert_eq!(timestamp_in(r#"{"X":"\ud800"}"#), None);
        assert_eq!(timestamp_in(r#"{"Timestamp":"a"}"#), None);
        assert_eq!(
            id_in(r#"{"X":"\ud800", "ID" : "71B961DE-B9F3-49FE-883D-0F46C7E0E89B","#).as_deref(),
            Some(ID)
        );
        assert_eq!(id_in(r#"{"ID":"71b961de"}"#), None);
        assert_eq!(id_in(r#"{"ItemID":"x"}"#), None);
    }
}

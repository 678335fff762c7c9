//! The context a record generator gets for one row, and small helpers to fill records.

use serde_json::Value;

use super::clock_dates::exact_date;
use super::layout::Div;
use super::seeds::{guid_of, hash, spread_guid};
use super::{Entity, Record, Variant};

/// Picture state of a row: whether it has one, and which version (0 = generated).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pic {
    pub has: bool,
    pub version: u32,
}

/// One row to generate.
#[derive(Debug)]
pub struct Row<'a> {
    pub div: &'a Div,
    pub entity: Entity,
    pub slot: u64,
    pub id: String,
    pub ts: i64,
    pub created: i64,
    pub modified: i64,
    pub pic: Pic,
    pub variant: Variant,
    /// Language index (NL 0, EN 1, DE 2, FR 3) for language-sensitive descriptions.
    pub lang: usize,
}

/// Base picture state of a slot.
pub fn base_pic(div: &Div, e: Entity, slot: u64) -> Pic {
    let has = (hash(&[div.seed, 0x91C, e as u64, slot]) >> 11) as f64 / (1u64 << 53) as f64;
    Pic {
        has: has < div.picture_share,
        version: 0,
    }
}

/// The picture GUID of a row (meaningful only when it has a picture).
pub fn picture_id(div: &Div, e: Entity, slot: u64, pic: Pic) -> String {
    let n = div.slots(e);
    if pic.version == 0 && slot < n {
        spread_guid(slot, n, div.salt(e) ^ 0x9_1C)
    } else {
        guid_of(&[div.salt(e), slot, u64::from(pic.version), 0x9_1D])
    }
}

/// The SysImage table name of an entity with pictures.
pub fn picture_table(e: Entity) -> &'static str {
    match e {
        Entity::Accounts => "Accounts",
        Entity::Contacts => "Contacts",
        _ => "Items",
    }
}

/// (PictureUrl, PictureThumbnailUrl) of a row; the placeholders when it has no picture.
pub fn picture_urls(row: &Row, placeholder: &str) -> (Value, Value) {
    let base = &row.div.base_url;
    if !row.pic.has {
        let p = Value::String(format!("{base}//docs/images/{placeholder}"));
        return (p.clone(), p);
    }
    let id = picture_id(row.div, row.entity, row.slot, row.pic);
    let url = |size: u32| {
        Value::String(format!(
            "{base}/docs/SysImage.aspx?Table={}&ID={id}&ThumbSize={size}&NoCache=1&OptimizeForWeb=1&_Division_={}",
            picture_table(row.entity),
            row.div.code
        ))
    };
    (url(500), url(100))
}

/// File extension of a picture ("jpg"/"png"), matching what [`super::images`] encodes.
pub fn picture_ext(picture_id: &str) -> &'static str {
    if super::images::spec_for(picture_id).png {
        "png"
    } else {
        "jpg"
    }
}

pub fn s(v: impl Into<String>) -> Value {
    Value::String(v.into())
}

/// A string, or null when empty (Exact's JSON sends null for empty strings here).
pub fn ns(v: &str) -> Value {
    if v.is_empty() {
        Value::Null
    } else {
        Value::String(v.to_string())
    }
}

/// A Double as Exact's .NET serializer writes it: whole values without a fraction (`12`, not `12.0`).
pub fn num(v: f64) -> Value {
    if v.fract() == 0.0 && v.abs() < 9.0e15 {
        Value::from(v as i64)
    } else {
        serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number)
    }
}

pub fn int(v: i64) -> Value {
    Value::from(v)
}

/// Where a generator writes a record's properties: a [`Record`] map, or the serving hot path's
/// [`super::CompactRecord`]. Writing a property again replaces its value.
pub trait Sink {
    fn put(&mut self, k: &str, v: Value);
}

impl Sink for Record {
    fn put(&mut self, k: &str, v: Value) {
        self.insert(k.to_string(), v);
    }
}

pub fn put(rec: &mut impl Sink, k: &str, v: Value) {
    rec.put(k, v);
}

/// Writes several null properties.
pub fn nulls(rec: &mut impl Sink, keys: &[&str]) {
    for k in keys {
        rec.put(k, Value::Null);
    }
}

/// ID, Timestamp, Division and the audit columns every entity carries.
pub fn audit(rec: &mut impl Sink, row: &Row) {
    let (creator, creator_name) = row.div.user(hash(&[row.slot, 1]) % 4);
    let (modifier, modifier_name) = row.div.user(hash(&[row.slot, row.ts as u64]) % 5);
    put(rec, "ID", s(row.id.clone()));
    put(rec, "Timestamp", int(row.ts));
    put(rec, "Division", int(i64::from(row.div.code)));
    put(rec, "Created", exact_date(row.created));
    put(rec, "Creator", s(creator));
    put(rec, "CreatorFullName", s(creator_name));
    put(rec, "Modified", exact_date(row.modified));
    put(rec, "Modifier", s(modifier));
    put(rec, "ModifierFullName", s(modifier_name));
}

/// A navigation property that was not expanded.
pub fn deferred(row: &Row, path: &str) -> Value {
    serde_json::json!({"__deferred": {"uri": format!("{}/api/v1/{}/{path}", row.div.base_url, row.div.code)}})
}

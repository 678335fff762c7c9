//! OData v2 "verbose JSON" envelopes as Exact sends them, parsed tolerantly.
//!
//! Collections arrive as `{"d": {"results": [...], "__next": "<url>"}}`, a single entity as
//! `{"d": {...}}`, and some endpoints answer `{"d": [...]}`; all three are accepted. Each record
//! loses its `__metadata` (a per-row URL and type name, not data); `__deferred` navigation links
//! are kept as values so that the attribute map stays complete.

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

pub use exact_record::RawRecord;

use crate::record::Record;

/// One page of a collection.
#[derive(Debug, Clone, Default)]
pub struct Page {
    pub records: Vec<Record>,
    /// The absolute URL of the next page, to be called verbatim; `None` on the last page.
    pub next: Option<String>,
}

/// Why a body is not a usable envelope.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnvelopeError {
    #[error("the response is not valid JSON: {0}")]
    Json(String),
    #[error("the response has no `d` member: {0}")]
    NoData(String),
    #[error("record {index} is not a JSON object")]
    NotAnObject { index: usize },
}

/// Parses a response body into a page of records.
pub fn parse_page(body: &[u8]) -> Result<Page, EnvelopeError> {
    let root: Value =
        serde_json::from_slice(body).map_err(|e| EnvelopeError::Json(e.to_string()))?;
    let Value::Object(mut root) = root else {
        return Err(EnvelopeError::NoData(
            "the body is not a JSON object".into(),
        ));
    };
    let d = root.remove("d").ok_or_else(|| {
        let keys: Vec<&str> = root.keys().map(String::as_str).take(5).collect();
        EnvelopeError::NoData(format!("top-level members are {keys:?}"))
    })?;
    match d {
        Value::Array(rows) => Ok(Page {
            records: records(rows)?,
            next: None,
        }),
        Value::Object(mut d) => match d.remove("results") {
            Some(Value::Array(rows)) => {
                let next = match d.remove("__next") {
                    Some(Value::String(url)) if !url.trim().is_empty() => Some(url),
                    _ => None,
                };
                Ok(Page {
                    records: records(rows)?,
                    next,
                })
            }
            Some(other) => {
                // A single entity that happens to have a `results` property: put it back.
                d.insert("results".into(), other);
                Ok(Page {
                    records: vec![record(d)],
                    next: None,
                })
            }
            None => Ok(Page {
                records: vec![record(d)],
                next: None,
            }),
        },
        Value::Null => Ok(Page::default()),
        other => Err(EnvelopeError::NoData(format!("`d` is {}", kind(&other)))),
    }
}

fn records(rows: Vec<Value>) -> Result<Vec<Record>, EnvelopeError> {
    rows.into_iter()
        .enumerate()
        .map(|(index, row)| match row {
            Value::Object(map) => Ok(record(map)),
            _ => Err(EnvelopeError::NotAnObject { index }),
        })
        .collect()
}

pub(crate) fn record(mut map: Map<String, Value>) -> Record {
    map.remove("__metadata");
    Record(map)
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Which properties of a [`RawRecord`] are parsed into its `fields`.
pub type PropertyFilter = std::sync::Arc<dyn Fn(&str) -> bool + Send + Sync>;

/// One page of a collection as [`RawRecord`]s.
#[derive(Debug, Clone, Default)]
pub struct RawPage {
    pub records: Vec<RawRecord>,
    /// Records that could not be read, from a page read by [`crate::salvage::salvage_raw_page`];
    /// always empty from [`parse_raw_page`].
    pub unreadable: Vec<crate::salvage::Unreadable>,
    /// The absolute URL of the next page, to be called verbatim; `None` on the last page.
    pub next: Option<String>,
}

/// Parses a response body into records kept as their JSON text (see [`RawRecord`]), with the
/// properties for which `keep` answers true parsed into `fields`. Accepts and refuses exactly
/// what [`parse_page`] does; a collection envelope takes the fast path, other shapes are parsed
/// whole and written back.
pub fn parse_raw_page(body: &[u8], keep: &dyn Fn(&str) -> bool) -> Result<RawPage, EnvelopeError> {
    if let Some(page) = fast_raw_page(body, keep) {
        return Ok(page);
    }
    let page = parse_page(body)?;
    Ok(RawPage {
        records: page
            .records
            .into_iter()
            .map(|r| RawRecord::from_record(r, keep))
            .collect(),
        next: page.next,
        unreadable: Vec::new(),
    })
}

/// The `__next` link of a collection body read from its end, without parsing the records, so
/// that the next page can be requested while this one is parsed. Only the envelope's own last
/// member counts: the body must end with `"__next": "<url>"}}` (whitespace allowed). A record
/// cannot end a body that way, because the results array closes first. The caller still
/// compares the link with the one the full parse finds.
pub fn trailing_next(body: &[u8]) -> Option<String> {
    const KEY: &[u8] = b"\"__next\"";
    // Exact's links are a few hundred bytes; a longer tail is not worth scanning.
    let tail = &body[body.len().saturating_sub(8192)..];
    let at = tail.windows(KEY.len()).rposition(|w| w == KEY)?;
    let rest = std::str::from_utf8(&tail[at + KEY.len()..]).ok()?;
    let rest = rest.trim_start().strip_prefix(':')?;
    let mut values = serde_json::Deserializer::from_str(rest).into_iter::<String>();
    let url = values.next()?.ok()?;
    let after = rest[values.byte_offset()..].trim_start();
    let after = after.strip_prefix('}')?.trim_start().strip_prefix('}')?;
    (after.trim().is_empty() && !url.trim().is_empty()).then_some(url)
}

/// `{"d": {"results": [ {...}, ... ], "__next": "..."}}` in one pass that keeps each record's
/// text, then one pass per record for the kept properties; `None` for any other shape.
///
/// It must refuse whatever [`parse_page`] refuses, although the first pass only matches
/// brackets: both levels must be objects ([`Object`]), other members go to the full parse
/// (`deny_unknown_fields`), and each record is checked as strictly by [`raw_record`].
fn fast_raw_page(body: &[u8], keep: &dyn Fn(&str) -> bool) -> Option<RawPage> {
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Envelope<'a> {
        #[serde(borrow)]
        d: Object<Collection<'a>>,
    }
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Collection<'a> {
        #[serde(borrow)]
        results: Vec<&'a RawValue>,
        #[serde(default, rename = "__next")]
        next: Option<String>,
    }
    let text = std::str::from_utf8(body).ok()?;
    let Object(envelope) = serde_json::from_str::<Object<Envelope<'_>>>(text).ok()?;
    let Object(d) = envelope.d;
    let records = d
        .results
        .into_iter()
        .map(|row| raw_record(row.get(), keep))
        .collect::<Option<Vec<_>>>()?;
    Some(RawPage {
        records,
        next: d.next.filter(|url| !url.trim().is_empty()),
        unreadable: Vec::new(),
    })
}

/// A derived struct read from a JSON object only: derived structs also accept an array of
/// their fields in order (`[[[]]]` would be an empty page), which [`parse_page`] refuses.
struct Object<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Object<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = T;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
            }
        }
        deserializer
            .deserialize_map(ObjectVisitor(std::marker::PhantomData))
            .map(Object)
    }
}

/// Brackets a record may hold and still be parsed alone: serde_json's recursion limit (128)
/// counts from the body's root, three levels above a record, but from the record's own start
/// when it is parsed alone; with fewer brackets than that no nesting can reach the limit.
const MAX_RECORD_BRACKETS: usize = 100;

/// The `{` and `[` in `text`, counted in runs of 255 bytes into a `u8` so that the loop
/// vectorises: a plain filter-and-count adds 14 % to the instructions of an item page's skim,
/// this one 2 %.
fn brackets(text: &str) -> usize {
    text.as_bytes()
        .chunks(255)
        .map(|run| {
            // `[` (0x5B) and `{` (0x7B) are the only bytes that are `{` with bit 0x20 set.
            let n: u8 = run.iter().map(|&b| u8::from(b | 0x20 == b'{')).sum();
            usize::from(n)
        })
        .sum()
}

/// One record's text: the kept properties parsed, `__metadata` cut out of the text.
pub(crate) fn raw_record(text: &str, keep: &dyn Fn(&str) -> bool) -> Option<RawRecord> {
    if brackets(text) >= MAX_RECORD_BRACKETS {
        // Possibly nested beyond what the full parse accepts: let the full parse decide.
        return None;
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let (fields, metadata) = SparseRecord { text, keep }.deserialize(&mut de).ok()?;
    let json = match metadata {
        None => text.to_owned(),
        Some((start, end)) => match without_member(text, start, end) {
            Some(json) => json,
            // An unusual spelling of the member: write the record from a full parse instead.
            None => {
                let mut map: Map<String, Value> = serde_json::from_str(text).ok()?;
                map.remove("__metadata");
                serde_json::to_string(&map).ok()?
            }
        },
    };
    Some(RawRecord {
        json,
        fields: Record(fields),
    })
}

/// `text` without the member whose value spans `value_start..value_end`, if that member is
/// spelled `"__metadata"` (the form Exact writes); `None` otherwise.
fn without_member(text: &str, value_start: usize, value_end: usize) -> Option<String> {
    const KEY: &str = "\"__metadata\"";
    let before = text[..value_start].trim_end();
    let key_start = before
        .strip_suffix(':')?
        .trim_end()
        .strip_suffix(KEY)?
        .len();
    let preceding = text[..key_start].trim_end();
    let (cut_start, cut_end) = if preceding.ends_with('{') {
        // The first member: remove it with the comma after it, if any.
        let after = &text[value_end..];
        let rest = after.trim_start();
        match rest.strip_prefix(',') {
            Some(more) => (key_start, text.len() - more.trim_start().len()),
            None => (key_start, text.len() - rest.len()),
        }
    } else {
        // A later member: remove it with the comma before it.
        (preceding.strip_suffix(',')?.len(), value_end)
    };
    let mut json = String::with_capacity(text.len() - (cut_end - cut_start));
    json.push_str(&text[..cut_start]);
    json.push_str(&text[cut_end..]);
    Some(json)
}

/// Reads one JSON object: the kept members into a map, the span of `__metadata`'s value.
struct SparseRecord<'t, 'k> {
    text: &'t str,
    keep: &'k dyn Fn(&str) -> bool,
}

type Sparse = (Map<String, Value>, Option<(usize, usize)>);

impl<'de, 't, 'k> DeserializeSeed<'de> for SparseRecord<'t, 'k> {
    type Value = Sparse;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Sparse, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de, 't, 'k> Visitor<'de> for SparseRecord<'t, 'k> {
    type Value = Sparse;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Sparse, A::Error> {
        let mut map = Map::new();
        let mut metadata = None;
        while let Some(Key(name)) = access.next_key::<Key<'de>>()? {
            if name == "__metadata" {
                if metadata.is_some() {
                    // Only one span can be cut out: the full parse drops every copy.
                    return Err(de::Error::custom("__metadata appears twice"));
                }
                let value: &'de RawValue = access.next_value()?;
                Checked::deserialize(&mut serde_json::Deserializer::from_str(value.get()))
                    .map_err(de::Error::custom)?;
                let start = (value.get().as_ptr() as usize)
                    .checked_sub(self.text.as_ptr() as usize)
                    .filter(|s| s + value.get().len() <= self.text.len())
                    .ok_or_else(|| de::Error::custom("metadata outside the record"))?;
                metadata = Some((start, start + value.get().len()));
            } else if (self.keep)(&name) {
                let value: Value = access.next_value()?;
                map.insert(name.into_owned(), value);
            } else {
                access.next_value::<Checked>()?;
            }
        }
        Ok((map, metadata))
    }
}

/// A value read and dropped, checked as strictly as a parse into a [`Value`] checks it
/// (numbers in range, no lone UTF-16 surrogates, nesting within the limit). serde's
/// `IgnoredAny` only matches brackets and quotes, so a record that [`parse_page`] refuses would
/// be stored as text that no later reader (CSV export, the details view) can parse.
struct Checked;

impl<'de> Deserialize<'de> for Checked {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Checked)
    }
}

impl<'de> Visitor<'de> for Checked {
    type Value = Checked;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Checked, E> {
        Ok(Checked)
    }
    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Checked, A::Error> {
        while seq.next_element::<Checked>()?.is_some() {}
        Ok(Checked)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Checked, A::Error> {
        while map.next_entry::<Checked, Checked>()?.is_some() {}
        Ok(Checked)
    }
}

/// A member name, borrowed from the text when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a member name")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Extracts the human message from an Exact error body.
///
/// REST errors are `{"error":{"code":"","message":{"lang":"","value":"text"}}}`; OAuth errors
/// are `{"error":"code","error_description":"text"}`; XML errors carry `<message>text</message>`.
pub fn error_message(body: &[u8]) -> Option<String> {
    if let Ok(Value::Object(root)) = serde_json::from_slice::<Value>(body) {
        return match root.get("error") {
            Some(Value::Object(err)) => match err.get("message") {
                Some(Value::Object(m)) => m.get("value").and_then(Value::as_str).map(str::to_owned),
                Some(Value::String(m)) => Some(m.clone()),
                _ => err.get("code").and_then(Value::as_str).map(str::to_owned),
            },
            Some(Value::String(code)) => Some(
                root.get("error_description")
                    .and_then(Value::as_str)
                    .map_or_else(|| code.clone(), |d| format!("{code}: {d}")),
            ),
            _ => None,
        }
        .filter(|m| !m.trim().is_empty());
    }
    let text = std::str::from_utf8(body).ok()?;
    let start = text.find("message")?;
    let open = text[start..].find('>')? + start + 1;
    let close = text[open..].find('<')? + open;
    Some(text[open..close].trim().to_owned()).filter(|m| !m.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn collection_with_next() {
        let body = br#"{"d":{"results":[{"__metadata":{"uri":"u","type":"t"},"ID":"a","Code":"1"},{"ID":"b"}],"__next":"https://x/api?$skiptoken=5L"}}"#;
        let page = parse_page(body).expect("valid envelope");
        assert_eq!(page.records.len(), 2);
        assert_eq!(page.next.as_deref(), Some("https://x/api?$skiptoken=5L"));
        assert!(
            page.records[0].get("__metadata").is_none(),
            "metadata is not data"
        );
        assert_eq!(page.records[0].str("Code"), Some("1"));
    }

    #[test]
    fn the_trailing_next_link_is_the_envelopes_last_member_only() {
        let next = |body: &str| trailing_next(body.as_bytes());
        let url = "https://x/api?$skiptoken=5L";
        assert_eq!(
            next(&format!(
                r#"{{"d":{{"results":[{{"ID":"a"}}],"__next":"{url}"}}}}"#
            ))
            .as_deref(),
            Some(url)
        );
        assert_eq!(
            next("{ \"d\" : { \"results\" : [ ] , \"__next\" : \"https://x/\\u0041\" } }\n")
                .as_deref(),
            Some("https://x/A"),
            "whitespace and escapes"
        );
        for body in [
            r#"{"d":{"results":[]}}"#,
            r#"{"d":{"results":[{"__next":"https://x/r"}]}}"#,
            r#"{"d":{"results":[],"x":{"__next":"https://x/r"}}}"#,
            r#"{"d":{"__next":"https://x/n","results":[]}}"#,
            r#"{"d":{"results":[],"__next":"https://x/n"}}}"#,
            r#"{"d":{"results":[],"__next":"https://x/n"}"#,
            r#"{"d":{"results":[],"__next":"https://x/n"#,
            r#"{"d":{"results":[],"__next":" "}}"#,
            r#"{"d":{"results":[],"__next":5}}"#,
            r#"{"d":{"results":[{"D":"\"__next\":\"https://x/n\"}}"}]}}"#,
        ] {
            assert_eq!(next(body), None, "{body}");
        }
    }

    #[test]
    fn last_page_single_entity_and_bare_array() {
        let last = parse_page(br#"{"d":{"results":[]}}"#).expect("empty page");
        assert!(last.records.is_empty() && last.next.is_none());
        let single =
            parse_page(br#"{"d":{"ID":"a","Name":"x","BankAccounts":{"__deferred":{"uri":"u"}}}}"#)
                .expect("single entity");
        assert_eq!(single.records.len(), 1);
        assert!(
            single.records[0].get("BankAccounts").is_some(),
            "deferred links are kept"
        );
        let array = parse_page(br#"{"d":[{"ID":"a"},{"ID":"b"},{"ID":"c"}]}"#).expect("bare array");
        assert_eq!(array.records.len(), 3);
        let results_prop = parse_page(br#"{"d":{"ID":"a","results":"text"}}"#).expect("entity");
        assert_eq!(results_prop.records[0].str("results"), Some("text"));
    }

    #[test]
    fn refuses_what_is_not_an_envelope() {
        assert!(matches!(
            parse_page(b"{\"d\":{\"results\":[{\"ID\""),
            Err(EnvelopeError::Json(_))
        ));
        assert!(matches!(
            parse_page(b"<feed/>"),
            Err(EnvelopeError::Json(_))
        ));
        assert!(matches!(
            parse_page(br#"{"x":1}"#),
            Err(EnvelopeError::NoData(_))
        ));
        assert!(matches!(
            parse_page(br#"{"d":5}"#),
            Err(EnvelopeError::NoData(_))
        ));
        assert_eq!(
            parse_page(br#"{"d":{"results":[1]}}"#).err(),
            Some(EnvelopeError::NotAnObject { index: 0 })
        );
    }

    #[test]
    fn error_messages_of_every_shape() {
        let rest = br#"{"error":{"code":"","message":{"lang":"","value":"Please add a $select or a $top=1 statement to the query string."}}}"#;
        assert_eq!(
            error_message(rest).as_deref(),
            Some("Please add a $select or a $top=1 statement to the query string.")
        );
        let oauth = br#"{"error":"invalid_grant","error_description":"Unauthorized Client: Old refresh token used."}"#;
        assert_eq!(
            error_message(oauth).as_deref(),
            Some("invalid_grant: Unauthorized Client: Old refresh token used.")
        );
        let xml = b"<?xml version=\"1.0\"?><error><code></code><message xml:lang=\"\">Not found</message></error>";
        assert_eq!(error_message(xml).as_deref(), Some("Not found"));
        assert_eq!(error_message(b""), None);
    }

    fn keep_code(name: &str) -> bool {
        matches!(name, "ID" | "Code")
    }

    /// What a raw page must equal: the full parse, its JSON and the kept properties.
    fn assert_raw_matches_full(body: &[u8]) {
        let full = parse_page(body).expect("a valid envelope");
        let raw = parse_raw_page(body, &keep_code).expect("a valid envelope");
        assert_eq!(raw.next, full.next);
        assert_eq!(raw.records.len(), full.records.len());
        for (raw, full) in raw.records.iter().zip(&full.records) {
            let reparsed: Map<String, Value> =
                serde_json::from_str(&raw.json).expect("the kept text is JSON");
            assert_eq!(
                reparsed, full.0,
                "the text holds every property but __metadata"
            );
            let mut kept = full.0.clone();
            kept.retain(|k, _| keep_code(k));
            assert_eq!(raw.fields.0, kept);
        }
    }

    #[test]
    fn raw_records_keep_the_text_as_sent_without_metadata() {
        let body = br#"{"d":{"results":[{"__metadata":{"uri":"u","type":"t"},"ID":"a","Code":"   1","Price":1.10,"Date":"\/Date(1)\/"},{"ID":"b","Code":null,"__metadata":{"uri":"v"}},{ "__metadata" : {} , "ID" : "c" },{"__metadata":{}},{"X":[1,{"__metadata":2}]}],"__next":"https://x/api?$skiptoken=5L"}}"#;
        let page = parse_raw_page(body, &keep_code).expect("valid envelope");
        let texts: Vec<&str> = page.records.iter().map(|r| r.json.as_str()).collect();
        assert_eq!(
            texts,
            [
                r#"{"ID":"a","Code":"   1","Price":1.10,"Date":"\/Date(1)\/"}"#,
                r#"{"ID":"b","Code":null}"#,
                r#"{ "ID" : "c" }"#,
                r#"{}"#,
                r#"{"X":[1,{"__metadata":2}]}"#,
            ],
            "verbatim: order, padding, number spelling and escapes as sent"
        );
        assert_eq!(page.records[0].fields.str("Code"), Some("1"));
        assert!(page.records[0].fields.get("Price").is_none(), "not kept");
        assert_eq!(page.next.as_deref(), Some("https://x/api?$skiptoken=5L"));
        assert_raw_matches_full(body);
    }

    #[test]
    fn raw_pages_of_other_shapes_and_errors_follow_parse_page() {
        for body in [
            &br#"{"d":{"results":[]}}"#[..],
            br#"{"d":[{"ID":"a"},{"ID":"b","__metadata":{}}]}"#,
            br#"{"d":{"ID":"a","results":"text","Code":"7"}}"#,
            br#"{"d":{"results":[{"ID":"a"}],"__next":""}}"#,
            br#"{"d":{"results":[{"\u005f_metadata":{},"ID":"a"}]}}"#,
            br#"{"d":null}"#,
        ] {
            assert_raw_matches_full(body);
        }
        for body in [
            &b"{\"d\":{\"results\":[{\"ID\""[..],
            b"<feed/>",
            br#"{"x":1}"#,
            br#"{"d":5}"#,
            br#"{"d":{"results":[1]}}"#,
        ] {
            assert_eq!(
                parse_raw_page(body, &keep_code).err(),
                parse_page(body).err(),
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }

    fn json_value() -> impl Strategy<Value = Value> {
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            "[a-zA-Z0-9 /()]{0,12}".prop_map(Value::String),
        ];
        leaf.prop_recursive(3, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map("[a-zA-Z_]{1,8}", inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }

    proptest! {
        #[test]
        fn never_panics_and_keeps_every_property(rows in prop::collection::vec(
            prop::collection::btree_map("[A-Za-z][A-Za-z0-9_]{0,10}", json_value(), 0..8), 0..20)) {
            let results: Vec<Value> = rows.iter()
                .map(|m| Value::Object(m.clone().into_iter().collect()))
                .collect();
            let body = serde_json::to_vec(&serde_json::json!({"d": {"results": results}})).expect("serialises");
            let page = parse_page(&body).expect("a well-formed envelope parses");
            prop_assert_eq!(page.records.len(), rows.len());
            for (record, row) in page.records.iter().zip(&rows) {
                let expected = row.keys().filter(|k| k.as_str() != "__metadata").count();
                prop_assert_eq!(record.len(), expected);
            }
        }

        #[test]
        fn raw_pages_equal_full_ones(rows in prop::collection::vec(
            prop::collection::btree_map("[A-Za-z_][A-Za-z0-9_]{0,10}", json_value(), 0..8), 0..20),
            at in 0usize..8) {
            let results: Vec<String> = rows.iter()
                .map(|m| {
                    // `__metadata` at any position, as Exact might place it.
                    let mut members: Vec<String> = m.iter()
                        .filter(|(k, _)| k.as_str() != "__metadata")
                        .map(|(k, v)| format!("{}:{}", Value::from(k.as_str()), v))
                        .collect();
                    members.insert(at.min(members.len()), r#""__metadata":{"uri":"u"}"#.into());
                    format!("{{{}}}", members.join(","))
                })
                .collect();
            let body = format!(r#"{{"d":{{"results":[{}]}}}}"#, results.join(","));
            assert_raw_matches_full(body.as_bytes());
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_page(&bytes);
            let _ = parse_raw_page(&bytes, &keep_code);
            let _ = error_message(&bytes);
            let _ = trailing_next(&bytes);
        }

        #[test]
        fn the_trailing_next_link_equals_the_parsed_one(rows in prop::collection::vec(
            prop::collection::btree_map("[A-Za-z_][A-Za-z0-9_]{0,10}", json_value(), 0..8), 0..8),
            next in prop::option::of(any::<String>())) {
            // Exact's order, `__next` after the results (a JSON map would sort it first).
            let link = next.as_ref().map_or(String::new(), |n| format!(",\"__next\":{}", Value::from(n.as_str())));
            let body = format!(r#"{{"d":{{"results":{}{link}}}}}"#, Value::from(rows.iter().map(|m| Value::Object(m.clone().into_iter().collect())).collect::<Vec<_>>())).into_bytes();
            let page = parse_page(&body).expect("a well-formed envelope parses");
            prop_assert_eq!(trailing_next(&body), page.next.filter(|n| !n.trim().is_empty()));
        }

        #[test]
        fn arbitrary_json_never_panics(value in json_value()) {
            let body = serde_json::to_vec(&serde_json::json!({"d": value})).expect("serialises");
            let _ = parse_page(&body);
        }
    }
}

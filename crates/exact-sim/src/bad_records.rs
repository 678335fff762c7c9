//! Fault kinds that spoil one record of an otherwise good JSON page: `missing_key`,
//! `wrong_type`, `lone_surrogate` and `oversized_value` (see [`FaultKind`]).
//!
//! They act after the normal handler answered. Only a 200 JSON answer whose body is a
//! collection page, `{"d":{"results":[..]}}` with at least one record, is rewritten; the record
//! at index `len / 2` of `d.results` is changed (so good records stand on both sides of it) and
//! every other byte of the body stays as it was: the other records, `__next`, `__count`, and the
//! untouched members of the spoiled record in their order. Headers are kept (the rate-limit
//! headers in particular); Content-Length is set for the new body. Any other answer passes
//! through unchanged, though the rule that fired has still used up one of its `count`.

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use serde::Deserialize;
use serde::de::{Deserializer, MapAccess, Visitor};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::faults::{FaultKind, FaultRule};

/// The property `wrong_type` changes unless the rule names another.
pub const DEFAULT_WRONG_TYPE_PROPERTY: &str = "Modified";

/// The property `lone_surrogate` and `oversized_value` prefer when the rule names none and the
/// record has a string there.
pub const DEFAULT_TEXT_PROPERTY: &str = "Description";

/// The key member `missing_key` removes when the record has it.
pub const KEY_PROPERTY: &str = "ID";

/// The length of an `oversized_value` string unless the rule says otherwise: 5 MiB.
pub const DEFAULT_VALUE_BYTES: u64 = 5 * 1024 * 1024;

/// The JSON text `lone_surrogate` puts in place of a string: a high surrogate escape with no low
/// surrogate after it, which serde_json (and any strict UTF-16-aware parser) refuses.
pub const LONE_SURROGATE_JSON: &str = r#""Bad \ud800 text""#;

/// True for the kinds this module applies.
pub fn spoils_a_record(kind: FaultKind) -> bool {
    matches!(
        kind,
        FaultKind::MissingKey
            | FaultKind::WrongType
            | FaultKind::LoneSurrogate
            | FaultKind::OversizedValue
    )
}

/// Applies `rule` to a response the normal handler gave: the same response with one record of
/// its page spoiled, or the response unchanged when it is not a 200 JSON collection page.
pub async fn spoil(rule: &FaultRule, response: Response) -> Response {
    if !is_plain_json_ok(&response) {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = match axum::body::to_bytes(body, usize::MAX).await {
        Ok(bytes) => bytes,
        Err(e) => {
            tracing::warn!("exact-sim could not read a body to spoil: {e}");
            return Response::from_parts(parts, Body::empty());
        }
    };
    match rewrite(rule, &bytes) {
        Some(spoiled) => {
            parts
                .headers
                .insert(header::CONTENT_LENGTH, HeaderValue::from(spoiled.len()));
            Response::from_parts(parts, Body::from(spoiled))
        }
        None => Response::from_parts(parts, Body::from(bytes)),
    }
}

/// 200, a JSON content type, and no content coding.
fn is_plain_json_ok(response: &Response) -> bool {
    let headers = response.headers();
    let json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("application/json"));
    response.status() == StatusCode::OK && json && !headers.contains_key(header::CONTENT_ENCODING)
}

/// `{"d":{"results":[..]}}`, borrowing each record's JSON text from the body.
#[derive(Deserialize)]
struct Envelope<'a> {
    #[serde(borrow)]
    d: Page<'a>,
}

#[derive(Deserialize)]
struct Page<'a> {
    #[serde(borrow)]
    results: Vec<&'a RawValue>,
}

/// A record's members in body order, each value as its JSON text.
struct Members<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Members<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct InOrder;
        impl<'de> Visitor<'de> for InOrder {
            type Value = Members<'de>;

            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a JSON object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Members<'de>, A::Error> {
                let mut members = Vec::new();
                while let Some(member) = map.next_entry::<String, &'de RawValue>()? {
                    members.push(member);
                }
                Ok(Members(members))
            }
        }
        deserializer.deserialize_map(InOrder)
    }
}

impl Members<'_> {
    fn get(&self, name: &str) -> Option<&RawValue> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
    }

    fn is_string(&self, name: &str) -> bool {
        self.get(name).is_some_and(|v| v.get().starts_with('"'))
    }

    /// The string property `lone_surrogate` and `oversized_value` replace: the rule's
    /// `property` if the record has it, else `Description` if it is a string, else the first
    /// string-valued member that is not `ID`, `Timestamp` or `__metadata`.
    fn text_property(&self, rule: &FaultRule) -> Option<String> {
        if let Some(named) = rule.property.as_deref() {
            return self.get(named).map(|_| named.to_string());
        }
        if self.is_string(DEFAULT_TEXT_PROPERTY) {
            return Some(DEFAULT_TEXT_PROPERTY.to_string());
        }
        self.0
            .iter()
            .find(|(k, v)| {
                !matches!(k.as_str(), "ID" | "Timestamp" | "__metadata") && v.get().starts_with('"')
            })
            .map(|(k, _)| k.clone())
    }

    /// The record's JSON text with `name` removed (`value` = `None`) or given the JSON text
    /// `value`; the other members keep their order and text.
    fn write(&self, name: &str, value: Option<&str>) -> Vec<u8> {
        let extra = value.map_or(0, str::len);
        let mut out = Vec::with_capacity(extra + 64 * self.0.len());
        out.push(b'{');
        let mut first = true;
        for (key, raw) in &self.0 {
            let text = if key == name {
                match value {
                    Some(text) => text,
                    None => continue,
                }
            } else {
                raw.get()
            };
            if !first {
                out.push(b',');
            }
            first = false;
            out.extend_from_slice(json_text(key).as_bytes());
            out.push(b':');
            out.extend_from_slice(text.as_bytes());
        }
        out.push(b'}');
        out
    }
}

fn json_text(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".to_string())
}

/// The JSON text `wrong_type` puts in place of a value: a string or null becomes the number
/// 12345, a number the string `"not a number"`, a boolean the string `"maybe"`; an object or
/// array becomes the number 12345 too.
fn wrong_type_of(raw: &RawValue) -> &'static str {
    match serde_json::from_str::<Value>(raw.get()) {
        Ok(Value::Number(_)) => r#""not a number""#,
        Ok(Value::Bool(_)) => r#""maybe""#,
        _ => "12345",
    }
}

/// The body with the middle record of `d.results` spoiled as `rule.kind` says; `None` when the
/// body is not a collection page with at least one record, the record is not an object, or it
/// lacks the property the kind needs (the caller then sends the body as it was).
pub fn rewrite(rule: &FaultRule, body: &[u8]) -> Option<Vec<u8>> {
    if !spoils_a_record(rule.kind) {
        return None;
    }
    let envelope: Envelope = serde_json::from_slice(body).ok()?;
    let results = envelope.d.results;
    let record = results.get(results.len() / 2)?.get();
    let start = (record.as_ptr() as usize).checked_sub(body.as_ptr() as usize)?;
    let end = start + record.len();
    if body.get(start..end) != Some(record.as_bytes()) {
        return None;
    }
    let members: Members = serde_json::from_str(record).ok()?;
    let spoiled = match rule.kind {
        FaultKind::MissingKey => {
            let key = if members.get(KEY_PROPERTY).is_some() {
                KEY_PROPERTY
            } else {
                rule.property.as_deref()?
            };
            members.get(key)?;
            members.write(key, None)
        }
        FaultKind::WrongType => {
            let name = rule
                .property
                .as_deref()
                .unwrap_or(DEFAULT_WRONG_TYPE_PROPERTY);
            let wrong = wrong_type_of(members.get(name)?);
            members.write(name, Some(wrong))
        }
        FaultKind::LoneSurrogate => {
            let name = members.text_property(rule)?;
            members.write(&name, Some(LONE_SURROGATE_JSON))
        }
        FaultKind::OversizedValue => {
            let name = members.text_property(rule)?;
            let len = usize::try_from(rule.bytes.unwrap_or(DEFAULT_VALUE_BYTES)).ok()?;
            let mut text = String::with_capacity(len + 2);
            text.push('"');
            text.extend(std::iter::repeat_n('x', len));
            text.push('"');
            members.write(&name, Some(&text))
        }
        _ => return None,
    };
    let mut out = Vec::with_capacity(body.len() - record.len() + spoiled.len());
    out.extend_from_slice(&body[..start]);
    out.extend_from_slice(&spoiled);
    out.extend_from_slice(&body[end..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const NEXT: &str = "http://127.0.0.1:1/api/v1/1/sync/Logistics/Items?$skiptoken=3L";

    fn rule(kind: FaultKind) -> FaultRule {
        serde_json::from_value(json!({ "kind": kind })).expect("a rule")
    }

    /// Record `i` as JSON text, in Exact's member order (`__metadata` first), not sorted.
    fn record_text(i: u32) -> String {
        format!(
            r#"{{"__metadata":{{"uri":"http://x/Items(guid'{i}')","type":"Exact.Web.Api.Models.Logistics.Item"}},"Timestamp":{i},"ID":"00000000-0000-0000-0000-00000000000{i}","Code":"C{i}","Description":"Item {i}","IsSalesItem":true,"CostPriceStandard":1.5,"Modified":"/Date({i}000)/","Notes":null}}"#
        )
    }

    fn record(i: u32) -> Value {
        serde_json::from_str(&record_text(i)).expect("a record")
    }

    /// A compact page of `n` records.
    fn page(n: u32) -> Vec<u8> {
        let rows: Vec<String> = (0..n).map(record_text).collect();
        format!(
            r#"{{"d":{{"results":[{}],"__next":"{NEXT}"}}}}"#,
            rows.join(",")
        )
        .into_bytes()
    }

    /// Spoils a 5-record page; checks that only record 2 changed and returns it.
    fn spoiled_middle(rule: &FaultRule) -> (Vec<u8>, Value) {
        let body = page(5);
        let out = rewrite(rule, &body).expect("a page is rewritten");
        let old_middle = record_text(2);
        let at = find(&body, old_middle.as_bytes()).expect("middle record in page");
        assert_eq!(
            &out[..at],
            &body[..at],
            "everything before the record is kept"
        );
        let tail = &body[at + old_middle.len()..];
        assert!(out.ends_with(tail), "everything after the record is kept");
        let middle = &out[at..out.len() - tail.len()];
        let value = serde_json::from_slice(middle).unwrap_or(Value::Null);
        (middle.to_vec(), value)
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    #[test]
    fn missing_key_drops_the_id_of_the_middle_record_only() {
        let (text, middle) = spoiled_middle(&rule(FaultKind::MissingKey));
        let mut expected = record(2);
        expected.as_object_mut().expect("object").remove("ID");
        assert_eq!(middle, expected);
        assert_eq!(
            String::from_utf8(text).expect("UTF-8"),
            record_text(2).replace(r#""ID":"00000000-0000-0000-0000-000000000002","#, ""),
        );
    }

    #[test]
    fn missing_key_without_id_drops_the_named_property() {
        let body = br#"{"d":{"results":[{"Code":"A"},{"Code":"B","Key":1}]}}"#;
        let mut r = rule(FaultKind::MissingKey);
        assert_eq!(rewrite(&r, body), None, "no ID and no property: unchanged");
        r.property = Some("Key".into());
        let out = rewrite(&r, body).expect("rewritten");
        assert_eq!(out, br#"{"d":{"results":[{"Code":"A"},{"Code":"B"}]}}"#);
    }

    #[test]
    fn wrong_type_swaps_each_json_type() {
        let (text, middle) = spoiled_middle(&rule(FaultKind::WrongType));
        assert_eq!(middle["Modified"], 12345, "a date string becomes a number");
        assert_eq!(
            String::from_utf8(text).expect("UTF-8"),
            record_text(2).replace(r#""/Date(2000)/""#, "12345"),
            "the other members keep their order and text"
        );
        let cases = [
            ("CostPriceStandard", json!("not a number")),
            ("IsSalesItem", json!("maybe")),
            ("Notes", json!(12345)),
            ("ID", json!(12345)),
        ];
        for (name, wrong) in cases {
            let mut r = rule(FaultKind::WrongType);
            r.property = Some(name.into());
            let (_, middle) = spoiled_middle(&r);
            assert_eq!(middle[name], wrong, "{name}");
            let mut expected = record(2);
            expected[name] = wrong;
            assert_eq!(middle, expected, "only {name} changed");
        }
    }

    #[test]
    fn lone_surrogate_breaks_strict_parsing() {
        let (text, _) = spoiled_middle(&rule(FaultKind::LoneSurrogate));
        let expected = format!(r#""Description":{LONE_SURROGATE_JSON}"#);
        assert!(find(&text, expected.as_bytes()).is_some());
        assert!(serde_json::from_slice::<Value>(&text).is_err());
        let body = page(5);
        let out = rewrite(&rule(FaultKind::LoneSurrogate), &body).expect("rewritten");
        assert!(serde_json::from_slice::<Value>(&out).is_err());
        assert!(find(&out, br"\ud800").is_some());
    }

    #[test]
    fn text_property_falls_back_to_the_first_string_member() {
        let body = br#"{"d":{"results":[{"__metadata":{"uri":"u"},"ID":"g","Timestamp":1,"N":2,"Code":"A","Name":"B"}]}}"#;
        let mut r = rule(FaultKind::OversizedValue);
        r.bytes = Some(3);
        let out = rewrite(&r, body).expect("rewritten");
        assert_eq!(
            out,
            br#"{"d":{"results":[{"__metadata":{"uri":"u"},"ID":"g","Timestamp":1,"N":2,"Code":"xxx","Name":"B"}]}}"#
        );
    }

    #[test]
    fn oversized_value_defaults_to_five_mib() {
        let (_, middle) = spoiled_middle(&rule(FaultKind::OversizedValue));
        let text = middle["Description"].as_str().expect("a string");
        assert_eq!(text.len(), 5_242_880);
        assert!(text.bytes().all(|b| b == b'x'));
    }

    #[test]
    fn anything_but_a_page_of_records_is_left_alone() {
        for kind in [
            FaultKind::MissingKey,
            FaultKind::WrongType,
            FaultKind::LoneSurrogate,
            FaultKind::OversizedValue,
        ] {
            let r = rule(kind);
            for body in [
                &br#"{"d":{"results":[]}}"#[..],
                br#"{"d":{"ID":"g","Description":"x","Modified":"/Date(1)/"}}"#,
                br#"{"error":{"code":"","message":{"lang":"","value":"no"}}}"#,
                br#"{"d":{"results":[1,2,3]}}"#,
                b"<feed/>",
                b"",
            ] {
                assert_eq!(rewrite(&r, body), None, "{kind:?}: {body:?}");
            }
        }
        assert_eq!(rewrite(&rule(FaultKind::Malformed), &page(3)), None);
    }
}

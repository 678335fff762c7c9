//! OData v2 "verbose JSON" envelopes as Exact sends them, parsed tolerantly.
//!
//! Collections arrive as `{"d": {"results": [...], "__next": "<url>"}}`, a single entity as
//! `{"d": {...}}`, and some endpoints answer `{"d": [...]}`; all three are accepted. Each record
//! loses its `__metadata` (a per-row URL and type name, not data); `__deferred` navigation links
//! are kept as values so that the attribute map stays complete.

use serde_json::{Map, Value};

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

fn record(mut map: Map<String, Value>) -> Record {
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
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = parse_page(&bytes);
            let _ = error_message(&bytes);
        }

        #[test]
        fn arbitrary_json_never_panics(value in json_value()) {
            let body = serde_json::to_vec(&serde_json::json!({"d": value})).expect("serialises");
            let _ = parse_page(&body);
        }
    }
}

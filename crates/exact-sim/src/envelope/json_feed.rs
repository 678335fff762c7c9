//! The JSON feed writer of the serving hot path: rows go straight into one buffer, the keys
//! and the type encoded once a page, and the bytes equal what [`super::feed`] writes.

use serde_json::Value;

use super::{Body, JSON_CT, json_string};

/// What every row of one JSON page shares, encoded once: `__metadata.type` and the property keys.
#[derive(Debug, Clone)]
pub struct JsonLayout {
    type_json: Vec<u8>,
    props: Vec<JsonProp>,
}

#[derive(Debug, Clone)]
struct JsonProp {
    /// `,"Name":`
    key: Vec<u8>,
    /// For navigation properties, the end of the `__deferred` URI: `/Name"}}`.
    deferred_tail: Option<Vec<u8>>,
}

impl JsonLayout {
    /// `props`: (name, is navigation property) in output order.
    pub fn new<'a>(
        type_name: &str,
        props: impl IntoIterator<Item = (&'a str, bool)>,
    ) -> JsonLayout {
        let props = props
            .into_iter()
            .map(|(name, navigation)| {
                let quoted = json_string(name);
                let key = format!(",{quoted}:").into_bytes();
                // `quoted` without its opening quote, so it continues the row's escaped URI.
                let deferred_tail =
                    navigation.then(|| format!("/{}}}}}", &quoted[1..]).into_bytes());
                JsonProp { key, deferred_tail }
            })
            .collect();
        JsonLayout {
            type_json: json_string(type_name).into_bytes(),
            props,
        }
    }
}

/// A JSON feed body (`{"d":{"results":[..]}}`) written row by row into one buffer, with the
/// same bytes as [`super::feed`] gives for the same rows.
#[derive(Debug)]
pub struct JsonFeed {
    out: Vec<u8>,
    rows: usize,
    /// The current row's URI as a JSON string.
    uri_json: Vec<u8>,
}

impl JsonFeed {
    pub fn new(count: Option<usize>, capacity: usize) -> JsonFeed {
        let mut out = Vec::with_capacity(capacity);
        out.extend_from_slice(b"{\"d\":{");
        if let Some(count) = count {
            out.extend_from_slice(format!("\"__count\":\"{count}\",").as_bytes());
        }
        out.extend_from_slice(b"\"results\":[");
        JsonFeed {
            out,
            rows: 0,
            uri_json: Vec::with_capacity(128),
        }
    }

    /// One row: `__metadata`, then the layout's properties in order, `value(i)` giving the
    /// value of the i-th (navigation properties become `__deferred` links instead).
    pub fn row<'v>(&mut self, layout: &JsonLayout, uri: &str, value: impl Fn(usize) -> &'v Value) {
        if self.rows > 0 {
            self.out.push(b',');
        }
        self.rows += 1;
        self.uri_json.clear();
        write_json(&mut self.uri_json, uri);
        let out = &mut self.out;
        out.extend_from_slice(b"{\"__metadata\":{\"uri\":");
        out.extend_from_slice(&self.uri_json);
        out.extend_from_slice(b",\"type\":");
        out.extend_from_slice(&layout.type_json);
        out.push(b'}');
        for (i, prop) in layout.props.iter().enumerate() {
            out.extend_from_slice(&prop.key);
            match &prop.deferred_tail {
                Some(tail) => {
                    out.extend_from_slice(b"{\"__deferred\":{\"uri\":");
                    out.extend_from_slice(&self.uri_json[..self.uri_json.len() - 1]);
                    out.extend_from_slice(tail);
                }
                None => write_value(out, value(i)),
            }
        }
        out.push(b'}');
    }

    /// Closes the feed, with a `__next` link when given.
    pub fn finish(mut self, next: Option<&str>) -> Body {
        self.out.push(b']');
        if let Some(next) = next {
            self.out.extend_from_slice(b",\"__next\":");
            write_json(&mut self.out, next);
        }
        self.out.extend_from_slice(b"}}");
        Body {
            bytes: self.out,
            content_type: JSON_CT,
        }
    }
}

/// [`write_json`] of a value, with the common cases (strings without escapes, null, booleans)
/// written directly.
fn write_value(out: &mut Vec<u8>, value: &Value) {
    match value {
        Value::Null => out.extend_from_slice(b"null"),
        Value::Bool(true) => out.extend_from_slice(b"true"),
        Value::Bool(false) => out.extend_from_slice(b"false"),
        // serde_json escapes exactly the control characters, `"` and `\`.
        Value::String(s) if s.bytes().all(|b| b >= 0x20 && b != b'"' && b != b'\\') => {
            out.reserve(s.len() + 2);
            out.push(b'"');
            out.extend_from_slice(s.as_bytes());
            out.push(b'"');
        }
        other => write_json(out, other),
    }
}

/// Appends the compact JSON of a value (what `to_string` gives), without a temporary string.
fn write_json<T: serde::Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    // Writing to a Vec cannot fail, and a str or a Value always serializes.
    let _ = serde_json::to_writer(out, value);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::envelope::{Format, Prop, Row, feed};
    use serde_json::json;

    fn row(id: &str) -> Row {
        Row {
            uri: format!("http://h/api/v1/1/crm/Accounts(guid'{id}')"),
            type_name: "Exact.Web.Api.Models.Account".into(),
            props: vec![
                Prop {
                    name: "Name".into(),
                    kind: Some("String".into()),
                    value: json!("A & B \"quoted\"\n"),
                },
                Prop {
                    name: "BankAccounts".into(),
                    kind: None,
                    value: Value::Null,
                },
                Prop {
                    name: "Latitude".into(),
                    kind: Some("Double".into()),
                    value: json!(51.25),
                },
            ],
        }
    }

    #[test]
    fn direct_values_equal_serde_json() {
        let mut values = vec![
            Value::Null,
            json!(true),
            json!(false),
            json!(0),
            json!(-12),
            json!(12.5),
            json!(1e-7),
            json!(""),
            json!("plain"),
            json!("Ø 12 mm — één"),
            json!("quote \" back \\ slash"),
            json!({"__deferred": {"uri": "u"}}),
        ];
        values.extend((0u8..0x80).map(|b| json!(format!("a{}b", char::from(b)))));
        for v in values {
            let mut out = Vec::new();
            write_value(&mut out, &v);
            assert_eq!(String::from_utf8(out).expect("utf-8"), v.to_string());
        }
    }

    #[test]
    fn json_feed_writes_what_feed_writes() {
        let rows = [row("a"), row("b\\\"c")];
        let layout = JsonLayout::new(
            &rows[0].type_name,
            rows[0]
                .props
                .iter()
                .map(|p| (p.name.as_str(), p.kind.is_none())),
        );
        let mut fast = JsonFeed::new(Some(2), 0);
        for r in &rows {
            fast.row(&layout, &r.uri, |i| &r.props[i].value);
        }
        let fast = fast.finish(Some("http://n?$skiptoken=1L"));
        let slow = feed(
            Format::Json,
            "Accounts",
            "u",
            &rows,
            Some("http://n?$skiptoken=1L"),
            Some(2),
            "t",
        );
        assert_eq!(fast.bytes, slow.bytes);
        assert_eq!(fast.content_type, slow.content_type);
    }
}

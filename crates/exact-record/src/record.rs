//! One record as Exact returned it: the full attribute map (every property, unknown ones too)
//! plus typed accessors for the values the app reads.
//!
//! The map is kept verbatim (minus `__metadata`) so that nothing Exact sent is lost; accessors do
//! the tolerant reading: numbers sent as strings, padded codes, `/Date(ms)/` on Dutch time.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::dates::parse_exact_date;

/// A record with every property Exact returned, keyed by the API's property names.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Record(pub Map<String, Value>);

impl Record {
    /// The raw value of a property, if present (it may be JSON `null`).
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }

    /// A text property, trimmed (Exact pads codes on both sides); `None` when null or blank.
    pub fn str(&self, name: &str) -> Option<&str> {
        match self.0.get(name)? {
            Value::String(s) => Some(s.trim()).filter(|s| !s.is_empty()),
            _ => None,
        }
    }

    /// A GUID property in lowercase; `None` when null, blank or not a GUID.
    pub fn guid(&self, name: &str) -> Option<String> {
        let text = self.str(name)?;
        let text = text
            .strip_prefix("guid'")
            .and_then(|t| t.strip_suffix('\''))
            .unwrap_or(text);
        is_guid(text).then(|| text.to_ascii_lowercase())
    }

    /// The record's `ID` as a lowercase GUID.
    pub fn id(&self) -> Option<String> {
        self.guid("ID")
    }

    /// An integer property sent as a number, a numeric string or an OData `123L` literal.
    pub fn i64(&self, name: &str) -> Option<i64> {
        match self.0.get(name)? {
            Value::Number(n) => n
                .as_i64()
                .or_else(|| n.as_f64().filter(|f| f.fract() == 0.0).map(|f| f as i64)),
            Value::String(s) => {
                let s = s.trim();
                s.strip_suffix('L').unwrap_or(s).parse().ok()
            }
            _ => None,
        }
    }

    /// The sync cursor value (`Timestamp`, an Edm.Int64 rowversion).
    pub fn timestamp(&self) -> Option<i64> {
        self.i64("Timestamp")
    }

    /// A floating-point property sent as a number or a numeric string.
    pub fn f64(&self, name: &str) -> Option<f64> {
        match self.0.get(name)? {
            Value::Number(n) => n.as_f64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }

    /// A boolean property: `true`/`false`, `"true"`/`"false"`, or Edm.Byte flags `0`/`1`.
    pub fn bool(&self, name: &str) -> Option<bool> {
        match self.0.get(name)? {
            Value::Bool(b) => Some(*b),
            Value::Number(n) => n.as_i64().map(|v| v != 0),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            },
            _ => None,
        }
    }

    /// A date property converted from Exact's Dutch-time `/Date(ms)/` to UTC.
    pub fn date(&self, name: &str) -> Option<DateTime<Utc>> {
        parse_exact_date(self.str(name)?)
    }

    /// Number of properties (excluding `__metadata`).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Property names in the order Exact sent them.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.0.keys().map(String::as_str)
    }
}

/// True for the 8-4-4-4-12 hexadecimal GUID form, either case.
pub fn is_guid(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(i, b)| match i {
            8 | 13 | 18 | 23 => *b == b'-',
            _ => b.is_ascii_hexdigit(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn record(value: Value) -> Record {
        match value {
            Value::Object(map) => Record(map),
            other => panic!("test record must be an object, got {other}"),
        }
    }

    #[test]
    fn reads_values_tolerantly() {
        let r = record(json!({
            "ID": "71B961DE-B9F3-49FE-883D-0F46C7E0E89B",
            "Code": "                 8",
            "Unit": "stuk    ",
            "Timestamp": "123456L",
            "Price": "12.5",
            "Stock": 3,
            "IsSalesItem": true,
            "IsMakeItem": 1,
            "Blocked": "false",
            "Empty": "   ",
            "Nothing": null,
            "Created": "/Date(1382667840000+0000)/"
        }));
        assert_eq!(
            r.id().as_deref(),
            Some("71b961de-b9f3-49fe-883d-0f46c7e0e89b")
        );
        assert_eq!(r.str("Code"), Some("8"), "Exact left-pads account codes");
        assert_eq!(r.str("Unit"), Some("stuk"), "Exact right-pads unit codes");
        assert_eq!(r.timestamp(), Some(123_456));
        assert_eq!(r.f64("Price"), Some(12.5));
        assert_eq!(r.i64("Stock"), Some(3));
        assert_eq!(r.bool("IsSalesItem"), Some(true));
        assert_eq!(r.bool("IsMakeItem"), Some(true));
        assert_eq!(r.bool("Blocked"), Some(false));
        assert_eq!(r.str("Empty"), None);
        assert_eq!(r.str("Nothing"), None);
        assert_eq!(r.str("Missing"), None);
        assert!(r.date("Created").is_some());
        assert_eq!(r.guid("Code"), None, "a code is not a GUID");
    }

    #[test]
    fn guid_shapes() {
        assert!(is_guid("71b961de-b9f3-49fe-883d-0f46c7e0e89b"));
        assert!(!is_guid("71b961de-b9f3-49fe-883d-0f46c7e0e89"));
        assert!(!is_guid("71b961de0b9f3-49fe-883d-0f46c7e0e89b"));
        assert!(!is_guid("g1b961de-b9f3-49fe-883d-0f46c7e0e89b"));
    }
}

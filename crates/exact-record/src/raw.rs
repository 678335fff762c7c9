//! A record kept as the JSON text Exact sent, beside the properties a consumer reads.

use crate::record::Record;

/// A record kept as the JSON text Exact sent, with the few properties a consumer reads parsed.
///
/// Parsing every property into a [`Record`] and writing it back out costs more than storing
/// the page's own text: a sync that stores records verbatim reads only the properties it needs.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRecord {
    /// The record's JSON exactly as received, minus its `__metadata` member.
    pub json: String,
    /// The properties the parse was asked to keep (those present), a subset of `json`'s.
    pub fields: Record,
}

impl RawRecord {
    /// From a parsed record: the JSON is written from its map, `fields` keeps what `keep` says.
    pub fn from_record(record: Record, keep: &dyn Fn(&str) -> bool) -> RawRecord {
        let json = serde_json::to_string(&record.0).unwrap_or_else(|_| "{}".into());
        let mut map = record.0;
        map.retain(|name, _| keep(name));
        RawRecord {
            json,
            fields: Record(map),
        }
    }
}

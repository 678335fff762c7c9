//! Typed columns from a record: the normalisation rules shared by every entity table.
//!
//! The attribute JSON is stored verbatim; these helpers only shape the browsing columns
//! (trimmed text, UTC epoch milliseconds, 0/1 flags, "is this a real picture").

use exact_record::Record;
use rusqlite::types::{FromSql, FromSqlError, FromSqlResult, ValueRef};

/// Exact links records without a picture or logo to a placeholder image under
/// `/docs/images/placeholder_...` (written with a double slash, `//docs/images/...`).
const PLACEHOLDER_PATH: &str = "/docs/images/placeholder";

/// Trimmed text, `None` when null, blank or missing.
pub(crate) fn text<'r>(record: &'r Record, name: &str) -> Option<&'r str> {
    record.str(name)
}

/// A lowercase GUID, `None` when missing or not a GUID.
pub(crate) fn guid(record: &Record, name: &str) -> Option<String> {
    record.guid(name)
}

/// A `/Date(ms)/` property (Dutch time) as UTC epoch milliseconds.
pub(crate) fn date_ms(record: &Record, name: &str) -> Option<i64> {
    record.date(name).map(|at| at.timestamp_millis())
}

/// A boolean or 0/1 flag; missing or unreadable counts as false.
pub(crate) fn flag(record: &Record, name: &str) -> bool {
    record.bool(name).unwrap_or(false)
}

/// True when `url` points at a real picture rather than Exact's placeholder.
pub fn is_real_picture(url: Option<&str>) -> bool {
    url.is_some_and(|u| {
        let u = u.trim();
        !u.is_empty() && !u.to_ascii_lowercase().contains(PLACEHOLDER_PATH)
    })
}

/// The record's ID as a lowercase GUID.
pub(crate) fn id(record: &Record) -> Option<String> {
    record.id()
}

/// An ID given by a caller (a sync/Deleted `EntityKey`, a URL parameter) in the stored form:
/// trimmed, without `guid'...'` or braces, lowercase.
pub(crate) fn normalise_id(raw: &str) -> String {
    let t = raw.trim();
    let t = t
        .strip_prefix("guid'")
        .and_then(|t| t.strip_suffix('\''))
        .unwrap_or(t);
    let t = t
        .strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(t);
    t.to_ascii_lowercase()
}

/// The full attribute map exactly as received (values untouched: padded codes, `/Date()/`
/// strings and unknown properties are kept), written into `buf` (cleared first, reused across
/// a batch so that a 3–5 KB text is not allocated and regrown per record).
pub(crate) fn attributes<'b>(record: &Record, buf: &'b mut Vec<u8>) -> serde_json::Result<&'b str> {
    buf.clear();
    serde_json::to_writer(&mut *buf, &record.0)?;
    // serde_json writes UTF-8 only; the check is a fast scan of mostly-ASCII text.
    std::str::from_utf8(buf).map_err(serde::ser::Error::custom)
}

/// Format tag of a stored attribute BLOB: an LZ4 block compressed against
/// [`ATTRIBUTES_DICT_V1`]. A later format (another dictionary, another codec) takes a new tag,
/// and readers keep accepting every older one.
const LZ4_DICT_V1: u8 = 1;

/// LZ4 dictionary of attribute JSON: the property names of addresses, contacts, accounts and
/// items as an object of nulls (most of a record's JSON is its ~100 property names, which
/// LZ4 alone cannot shorten inside one record). FROZEN: stored BLOBs are only readable with
/// these exact bytes; never edit the file, add a new one with a new format tag.
const ATTRIBUTES_DICT_V1: &[u8] = include_bytes!("attributes_dict_v1.json");

/// The attribute JSON as stored (migration 7): a BLOB of the format tag [`LZ4_DICT_V1`], the
/// JSON's length (4 bytes little-endian), then an LZ4 block (lz4_flex's block format)
/// compressed against [`ATTRIBUTES_DICT_V1`]; written into `buf` (cleared first, reused across
/// a batch). Items' and accounts' JSON shrinks to about 40 %.
pub(crate) fn compress_attributes<'b>(json: &str, buf: &'b mut Vec<u8>) -> &'b [u8] {
    let len = u32::try_from(json.len()).expect("attribute JSON under 4 GiB");
    buf.clear();
    buf.resize(5 + lz4_flex::block::get_maximum_output_size(json.len()), 0);
    buf[0] = LZ4_DICT_V1;
    buf[1..5].copy_from_slice(&len.to_le_bytes());
    let n = lz4_flex::block::compress_into_with_dict(
        json.as_bytes(),
        &mut buf[5..],
        ATTRIBUTES_DICT_V1,
    )
    .expect("the buffer has the maximum compressed size");
    buf.truncate(5 + n);
    buf
}

/// The stored attribute JSON text of an `attributes` value: a compressed BLOB (see
/// [`compress_attributes`]) is decompressed into `buf`; TEXT (as written before migration 7)
/// is returned as is.
pub(crate) fn stored_attributes<'a>(
    value: ValueRef<'a>,
    buf: &'a mut Vec<u8>,
) -> Result<&'a str, FromSqlError> {
    let invalid = |why: &str| FromSqlError::Other(format!("stored attributes: {why}").into());
    match value {
        ValueRef::Text(text) => {
            std::str::from_utf8(text).map_err(|e| FromSqlError::Other(e.into()))
        }
        ValueRef::Blob(blob) => {
            let Some((&LZ4_DICT_V1, rest)) = blob.split_first() else {
                return Err(invalid("unknown format"));
            };
            let (len, block) = rest
                .split_first_chunk::<4>()
                .ok_or_else(|| invalid("no length"))?;
            let len = u32::from_le_bytes(*len) as usize;
            buf.clear();
            buf.resize(len, 0);
            let n = lz4_flex::block::decompress_into_with_dict(block, buf, ATTRIBUTES_DICT_V1)
                .map_err(|e| FromSqlError::Other(e.into()))?;
            if n != len {
                return Err(invalid("shorter than its length"));
            }
            std::str::from_utf8(buf).map_err(|e| FromSqlError::Other(e.into()))
        }
        _ => Err(FromSqlError::InvalidType),
    }
}

/// Attribute JSON text read from an `attributes` column (see [`stored_attributes`]).
pub(crate) struct Attributes(pub(crate) String);

impl FromSql for Attributes {
    fn column_result(value: ValueRef<'_>) -> FromSqlResult<Self> {
        let mut buf = Vec::new();
        Ok(Attributes(stored_attributes(value, &mut buf)?.to_owned()))
    }
}

/// Non-blank trimmed values joined by `sep` (address lines), `None` when all are blank.
pub(crate) fn joined(record: &Record, names: &[&str], sep: &str) -> Option<String> {
    let parts: Vec<&str> = names.iter().filter_map(|n| record.str(n)).collect();
    (!parts.is_empty()).then(|| parts.join(sep))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_not_pictures() {
        assert!(!is_real_picture(Some(
            "https://start.exactonline.nl//docs/images/placeholder_account_myeol.png"
        )));
        assert!(!is_real_picture(Some(
            "https://start.exactonline.nl/docs/images/placeholder_item.png"
        )));
        assert!(!is_real_picture(Some("   ")));
        assert!(!is_real_picture(None));
        assert!(is_real_picture(Some(
            "https://start.exactonline.nl/docs/SysImage.aspx?Table=Items&ID=abc"
        )));
    }

    #[test]
    fn compressed_attributes_read_back_as_the_same_text() {
        let long = format!("{{\"A\":\"{}\",\"B\":1.10}}", "Zoë € ".repeat(500));
        let (mut packed, mut out) = (Vec::new(), Vec::new());
        for json in ["", "{}", r#"{"Code":"   8","X":null}"#, long.as_str()] {
            let blob = compress_attributes(json, &mut packed).to_vec();
            assert_eq!(
                stored_attributes(ValueRef::Blob(&blob), &mut out).unwrap(),
                json
            );
            assert_eq!(
                stored_attributes(ValueRef::Text(json.as_bytes()), &mut out).unwrap(),
                json
            );
        }
        assert!(compress_attributes(&long, &mut packed).len() < long.len() / 4);
        assert!(stored_attributes(ValueRef::Blob(&[]), &mut out).is_err());
        assert!(stored_attributes(ValueRef::Blob(&[1, 0]), &mut out).is_err());
        assert!(stored_attributes(ValueRef::Blob(&[1, 200, 0, 0, 0, 7]), &mut out).is_err());
        assert!(stored_attributes(ValueRef::Blob(&[2, 0, 0, 0, 0]), &mut out).is_err());
        assert!(stored_attributes(ValueRef::Null, &mut out).is_err());
    }

    #[test]
    fn ids_are_normalised() {
        let want = "71b961de-b9f3-49fe-883d-0f46c7e0e89b";
        assert_eq!(normalise_id(" 71B961DE-B9F3-49FE-883D-0F46C7E0E89B "), want);
        assert_eq!(
            normalise_id("guid'71b961de-b9f3-49fe-883d-0f46c7e0e89b'"),
            want
        );
        assert_eq!(normalise_id("{71B961DE-B9F3-49FE-883D-0F46C7E0E89B}"), want);
    }
}

//! Typed columns from a record: the normalisation rules shared by every entity table.
//!
//! The attribute JSON is stored verbatim; these helpers only shape the browsing columns
//! (trimmed text, UTC epoch milliseconds, 0/1 flags, "is this a real picture").

use exact_api::Record;

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

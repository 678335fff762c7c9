//! Response bodies: OData v2 verbose JSON (`{"d":{"results":[..]}}`) when the client accepts
//! JSON, Atom/XML otherwise (Exact's default), and Exact's error bodies in either format.
//!
//! Bodies are built completely in memory so each response goes out in one write.

mod json_feed;

use serde_json::Value;

pub use json_feed::{JsonFeed, JsonLayout};

/// The two body formats Exact speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Xml,
}

/// JSON when `Accept` mentions application/json (or `$format=json`), else Atom/XML.
pub fn negotiate(accept: Option<&str>, format_json: bool) -> Format {
    let accepts_json = accept.is_some_and(|a| a.to_ascii_lowercase().contains("application/json"));
    if accepts_json || format_json {
        Format::Json
    } else {
        Format::Xml
    }
}

/// One property of an output row, in output order.
#[derive(Debug, Clone)]
pub struct Prop {
    pub name: String,
    /// Edm kind without the `Edm.` prefix (`String`, `Guid`, ...); `None` for navigation links.
    pub kind: Option<String>,
    pub value: Value,
}

/// One record ready to render.
#[derive(Debug, Clone)]
pub struct Row {
    pub uri: String,
    pub type_name: String,
    pub props: Vec<Prop>,
}

/// A rendered body and its content type.
#[derive(Debug, Clone)]
pub struct Body {
    pub bytes: Vec<u8>,
    pub content_type: &'static str,
}

const JSON_CT: &str = "application/json; charset=utf-8";
const ATOM_FEED_CT: &str = "application/atom+xml;type=feed;charset=utf-8";
const ATOM_ENTRY_CT: &str = "application/atom+xml;type=entry;charset=utf-8";
const XML_CT: &str = "application/xml;charset=utf-8";
const NS: &str = r#"xmlns="http://www.w3.org/2005/Atom" xmlns:d="http://schemas.microsoft.com/ado/2007/08/dataservices" xmlns:m="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata""#;

/// Exact's error body with `text` as message.
pub fn error(format: Format, text: &str) -> Body {
    match format {
        Format::Json => Body {
            bytes: serde_json::json!({"error": {"code": "", "message": {"lang": "", "value": text}}})
                .to_string()
                .into_bytes(),
            content_type: JSON_CT,
        },
        Format::Xml => Body {
            bytes: format!(
                r#"<?xml version="1.0" encoding="utf-8"?><error xmlns="http://schemas.microsoft.com/ado/2007/08/dataservices/metadata"><code></code><message xml:lang="">{}</message></error>"#,
                escape(text)
            )
            .into_bytes(),
            content_type: XML_CT,
        },
    }
}

/// A collection: `{"d":{"results":[..],"__next":".."}}` or an Atom feed.
pub fn feed(
    format: Format,
    title: &str,
    self_url: &str,
    rows: &[Row],
    next: Option<&str>,
    count: Option<usize>,
    updated: &str,
) -> Body {
    match format {
        Format::Json => {
            let mut out = String::with_capacity(rows.len() * 512 + 64);
            out.push_str("{\"d\":{");
            if let Some(count) = count {
                out.push_str(&format!("\"__count\":\"{count}\","));
            }
            out.push_str("\"results\":[");
            for (i, row) in rows.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_row(&mut out, row);
            }
            out.push(']');
            if let Some(next) = next {
                out.push_str(",\"__next\":");
                out.push_str(&json_string(next));
            }
            out.push_str("}}");
            Body {
                bytes: out.into_bytes(),
                content_type: JSON_CT,
            }
        }
        Format::Xml => {
            let mut out = String::with_capacity(rows.len() * 1024 + 256);
            out.push_str(r#"<?xml version="1.0" encoding="utf-8"?>"#);
            out.push_str(&format!("<feed {NS}>"));
            if let Some(count) = count {
                out.push_str(&format!("<m:count>{count}</m:count>"));
            }
            out.push_str(&format!(
                r#"<title type="text">{}</title><id>{}</id><updated>{updated}</updated><link rel="self" title="{}" href="{}" />"#,
                escape(title),
                escape(self_url),
                escape(title),
                escape(self_url)
            ));
            for row in rows {
                xml_entry(&mut out, row, updated);
            }
            if let Some(next) = next {
                out.push_str(&format!(r#"<link rel="next" href="{}" />"#, escape(next)));
            }
            out.push_str("</feed>");
            Body {
                bytes: out.into_bytes(),
                content_type: ATOM_FEED_CT,
            }
        }
    }
}

/// A single entity: `{"d":{..}}` or an Atom entry.
pub fn entry(format: Format, row: &Row, updated: &str) -> Body {
    match format {
        Format::Json => {
            let mut out = String::from("{\"d\":");
            json_row(&mut out, row);
            out.push('}');
            Body {
                bytes: out.into_bytes(),
                content_type: JSON_CT,
            }
        }
        Format::Xml => {
            let mut out = String::from(r#"<?xml version="1.0" encoding="utf-8"?>"#);
            let mut inner = String::new();
            xml_entry(&mut inner, row, updated);
            out.push_str(&inner.replacen("<entry>", &format!("<entry {NS}>"), 1));
            Body {
                bytes: out.into_bytes(),
                content_type: ATOM_ENTRY_CT,
            }
        }
    }
}

fn json_string(s: &str) -> String {
    Value::String(s.to_string()).to_string()
}

fn json_row(out: &mut String, row: &Row) {
    out.push_str("{\"__metadata\":{\"uri\":");
    out.push_str(&json_string(&row.uri));
    out.push_str(",\"type\":");
    out.push_str(&json_string(&row.type_name));
    out.push('}');
    for prop in &row.props {
        out.push(',');
        out.push_str(&json_string(&prop.name));
        out.push(':');
        match prop.kind {
            None => {
                let uri = format!("{}/{}", row.uri, prop.name);
                out.push_str(&format!(
                    "{{\"__deferred\":{{\"uri\":{}}}}}",
                    json_string(&uri)
                ));
            }
            Some(_) => out.push_str(&prop.value.to_string()),
        }
    }
    out.push('}');
}

fn xml_entry(out: &mut String, row: &Row, updated: &str) {
    let short_type = row.type_name.rsplit('.').next().unwrap_or(&row.type_name);
    out.push_str(&format!(
        r#"<entry><id>{}</id><title type="text" /><updated>{updated}</updated><author><name /></author><link rel="edit" title="{}" href="{}" />"#,
        escape(&row.uri),
        escape(short_type),
        escape(&row.uri)
    ));
    for prop in row.props.iter().filter(|p| p.kind.is_none()) {
        out.push_str(&format!(
            r#"<link rel="http://schemas.microsoft.com/ado/2007/08/dataservices/related/{0}" type="application/atom+xml;type=feed" title="{0}" href="{1}/{0}" />"#,
            escape(&prop.name),
            escape(&row.uri)
        ));
    }
    out.push_str(&format!(
        r#"<category term="{}" scheme="http://schemas.microsoft.com/ado/2007/08/dataservices/scheme" /><content type="application/xml"><m:properties>"#,
        escape(&row.type_name)
    ));
    for prop in &row.props {
        let Some(kind) = prop.kind.as_deref() else {
            continue;
        };
        let type_attr = if kind == "String" {
            String::new()
        } else {
            format!(r#" m:type="Edm.{kind}""#)
        };
        match xml_value(kind, &prop.value) {
            None => out.push_str(&format!(r#"<d:{}{type_attr} m:null="true" />"#, prop.name)),
            Some(text) => out.push_str(&format!(
                "<d:{0}{type_attr}>{1}</d:{0}>",
                prop.name,
                escape(&text)
            )),
        }
    }
    out.push_str("</m:properties></content></entry>");
}

/// Text of a value in Atom: dates as ISO local time, everything else as its plain text.
fn xml_value(kind: &str, value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) if kind == "DateTime" => Some(
            parse_json_date(s)
                .and_then(chrono::DateTime::from_timestamp_millis)
                .map(|d| d.format("%Y-%m-%dT%H:%M:%S%.3f").to_string())
                .unwrap_or_else(|| s.clone()),
        ),
        Value::String(s) => Some(s.clone()),
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(n.to_string()),
        other => Some(other.to_string()),
    }
}

/// `/Date(1382667872203)/` → 1382667872203.
pub fn parse_json_date(s: &str) -> Option<i64> {
    let inner = s.strip_prefix("/Date(")?.strip_suffix(")/")?;
    let end = inner
        .find(['+', '-'])
        .filter(|i| *i > 0)
        .unwrap_or(inner.len());
    inner[..end].parse().ok()
}

/// Minimal XML escaping for text and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row() -> Row {
        Row {
            uri: "http://h/api/v1/1/crm/Accounts(guid'a')".into(),
            type_name: "Exact.Web.Api.Models.Account".into(),
            props: vec![
                Prop {
                    name: "Name".into(),
                    kind: Some("String".into()),
                    value: json!("A & B"),
                },
                Prop {
                    name: "Created".into(),
                    kind: Some("DateTime".into()),
                    value: json!("/Date(0)/"),
                },
                Prop {
                    name: "BankAccounts".into(),
                    kind: None,
                    value: Value::Null,
                },
            ],
        }
    }

    #[test]
    fn json_feed_keeps_property_order_and_next() {
        let body = feed(
            Format::Json,
            "Accounts",
            "u",
            &[row()],
            Some("http://n"),
            None,
            "t",
        );
        let text = String::from_utf8(body.bytes).expect("utf-8");
        let v: Value = serde_json::from_str(&text).expect("valid JSON");
        assert_eq!(v["d"]["__next"], "http://n");
        assert_eq!(
            v["d"]["results"][0]["BankAccounts"]["__deferred"]["uri"],
            "http://h/api/v1/1/crm/Accounts(guid'a')/BankAccounts"
        );
        let name_at = text.find("\"Name\"").expect("Name present");
        let created_at = text.find("\"Created\"").expect("Created present");
        assert!(
            text.find("__metadata").expect("metadata") < name_at && name_at < created_at,
            "order kept"
        );
    }

    #[test]
    fn xml_escapes_and_formats_dates() {
        let body = feed(Format::Xml, "Accounts", "u", &[row()], None, Some(1), "t");
        let text = String::from_utf8(body.bytes).expect("utf-8");
        assert!(text.contains("<d:Name>A &amp; B</d:Name>"), "{text}");
        assert!(
            text.contains(
                r#"<d:Created m:type="Edm.DateTime">1970-01-01T00:00:00.000</d:Created>"#
            )
        );
        assert!(text.contains("<m:count>1</m:count>"));
        assert_eq!(body.content_type, ATOM_FEED_CT);
    }

    #[test]
    fn negotiation_prefers_json_only_when_asked() {
        assert_eq!(negotiate(Some("application/json"), false), Format::Json);
        assert_eq!(negotiate(Some("*/*"), false), Format::Xml);
        assert_eq!(negotiate(None, true), Format::Json);
        assert_eq!(
            parse_json_date("/Date(1382667872203)/"),
            Some(1_382_667_872_203)
        );
    }
}

//! OData v2 query options as Exact accepts them: `$select`, `$filter`, `$top`, `$skiptoken`,
//! `$inlinecount`, and the `__next` links that page through a result.
//!
//! Only the filters Exact documents for the endpoints the simulator serves are understood; any
//! other filter is refused rather than ignored, so a client cannot silently get unfiltered data.

use crate::data::ListFilter;

/// The decoded query string of one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    pub select: Option<Vec<String>>,
    pub filter: Option<String>,
    pub top: Option<usize>,
    pub skiptoken: Option<String>,
    pub inlinecount: bool,
    /// `$format=json`.
    pub format_json: bool,
    /// Plain parameters such as `itemId`, decoded.
    pub params: Vec<(String, String)>,
    /// The raw `name=value` segments as the client sent them, for `__next`.
    raw: Vec<String>,
}

/// Parses a raw query string. Unknown `$` options are refused.
pub fn parse_query(raw: Option<&str>) -> Result<Query, String> {
    let mut q = Query::default();
    let Some(raw) = raw else { return Ok(q) };
    for segment in raw.split('&').filter(|s| !s.is_empty()) {
        q.raw.push(segment.to_string());
        let (name, value) = segment.split_once('=').unwrap_or((segment, ""));
        let name = decode(name);
        let value = decode(value);
        match name.as_str() {
            "$select" => {
                let names = value
                    .split(',')
                    .map(|s| s.trim().to_string())
                    .filter(|s| !s.is_empty());
                q.select = Some(names.collect());
            }
            "$filter" => q.filter = Some(value),
            "$top" => {
                let top = value
                    .trim()
                    .parse::<usize>()
                    .map_err(|_| format!("Invalid value for $top: '{value}'."))?;
                q.top = Some(top);
            }
            "$skiptoken" => q.skiptoken = Some(value),
            "$inlinecount" => match value.as_str() {
                "allpages" => q.inlinecount = true,
                "none" => q.inlinecount = false,
                _ => return Err(format!("Invalid value for $inlinecount: '{value}'.")),
            },
            "$format" => match value.as_str() {
                "json" => q.format_json = true,
                "atom" | "xml" => q.format_json = false,
                _ => return Err(format!("Unsupported $format '{value}'.")),
            },
            // Accepted and ignored: the simulator serves no navigation expansion.
            "$expand" => {}
            other if other.starts_with('$') => {
                return Err(format!(
                    "The query option '{other}' is not supported by this endpoint."
                ));
            }
            _ => q.params.push((name, value)),
        }
    }
    Ok(q)
}

/// Percent-decoding with `+` as space, as form-style query strings use.
fn decode(s: &str) -> String {
    url::form_urlencoded::parse(format!("x={s}").as_bytes())
        .next()
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default()
}

impl Query {
    /// A plain parameter by name, case-insensitive.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The absolute URL of the next page: the request URL with `$skiptoken` replaced and `$top`
    /// reduced by the rows already returned; `$select` and `$filter` are kept verbatim.
    pub fn next_link(
        &self,
        base_url: &str,
        path: &str,
        skiptoken: &str,
        returned: usize,
    ) -> String {
        let mut parts: Vec<String> = Vec::new();
        for seg in &self.raw {
            let name = decode(seg.split_once('=').map_or(seg.as_str(), |(n, _)| n));
            match name.as_str() {
                "$skiptoken" => {}
                "$top" => {
                    let left = self.top.unwrap_or(0).saturating_sub(returned);
                    parts.push(format!("$top={left}"));
                }
                _ => parts.push(seg.clone()),
            }
        }
        let token: String = url::form_urlencoded::byte_serialize(skiptoken.as_bytes())
            .collect::<String>()
            .replace("%27", "'");
        parts.push(format!("$skiptoken={token}"));
        format!("{base_url}{path}?{}", parts.join("&"))
    }
}

/// One token of a `$filter` expression.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    /// A quoted literal with its prefix: `guid'..'` → ("guid", ".."), `'..'` → ("", "..").
    Literal(String, String),
}

fn tokenize(filter: &str) -> Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let chars: Vec<char> = filter.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        if chars[i].is_whitespace() {
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && !chars[i].is_whitespace() && chars[i] != '\'' {
            i += 1;
        }
        let word: String = chars[start..i].iter().collect();
        if i < chars.len() && chars[i] == '\'' {
            i += 1;
            let mut text = String::new();
            loop {
                match chars.get(i) {
                    None => return Err("Unterminated string literal in $filter.".to_string()),
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        text.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(c) => {
                        text.push(*c);
                        i += 1;
                    }
                }
            }
            tokens.push(Token::Literal(word.to_ascii_lowercase(), text));
        } else {
            tokens.push(Token::Word(word));
        }
    }
    Ok(tokens)
}

fn is_word(t: Option<&Token>, w: &str) -> bool {
    matches!(t, Some(Token::Word(x)) if x.eq_ignore_ascii_case(w))
}

/// Parses `N` or `NL` (OData Int64 suffix).
pub fn parse_int64(s: &str) -> Option<i64> {
    s.strip_suffix(['L', 'l']).unwrap_or(s).parse().ok()
}

/// A sync `$filter`: `Timestamp gt N[L]`, and for Deleted optionally `and EntityType eq K`
/// or `and (EntityType eq K or EntityType eq L ...)`. Returns (after timestamp, entity types).
///
/// Exact's official sync demo filters Deleted by one `EntityType eq N`; whether Exact accepts
/// the `or` group is not documented (a client must fall back to an unfiltered read if it is
/// refused). This simulator accepts it.
pub fn parse_sync_filter(
    filter: Option<&str>,
    deleted: bool,
) -> Result<(i64, Option<Vec<i32>>), String> {
    let refuse = || {
        if deleted {
            "Only 'Timestamp gt <value>' optionally combined with 'and EntityType eq <value>' \
             (or a group of them joined by 'or') is supported as $filter on this endpoint."
                .to_string()
        } else {
            "Only 'Timestamp gt <value>' is supported as $filter on sync endpoints.".to_string()
        }
    };
    let Some(filter) = filter.filter(|f| !f.trim().is_empty()) else {
        return Ok((0, None));
    };
    let spaced = match deleted {
        true => filter.replace('(', " ( ").replace(')', " ) "),
        false => filter.to_owned(),
    };
    let tokens = tokenize(&spaced).map_err(|_| refuse())?;
    let mut after = None;
    let mut entity_type: Option<Vec<i32>> = None;
    let mut i = 0;
    while i < tokens.len() {
        if i > 0 {
            if !is_word(tokens.get(i), "and") {
                return Err(refuse());
            }
            i += 1;
        }
        if deleted && entity_type.is_none() && is_word(tokens.get(i), "(") {
            let mut codes = Vec::new();
            i += 1;
            loop {
                codes.push(entity_type_eq(&tokens, i).ok_or_else(refuse)?);
                i += 3;
                if is_word(tokens.get(i), ")") {
                    i += 1;
                    break;
                }
                if !is_word(tokens.get(i), "or") {
                    return Err(refuse());
                }
                i += 1;
            }
            entity_type = Some(codes);
            continue;
        }
        let (Some(Token::Word(name)), Some(Token::Word(op)), Some(Token::Word(value))) =
            (tokens.get(i), tokens.get(i + 1), tokens.get(i + 2))
        else {
            return Err(refuse());
        };
        match (name.as_str(), op.as_str()) {
            ("Timestamp", "gt") if after.is_none() => {
                after = Some(parse_int64(value).ok_or_else(refuse)?);
            }
            ("EntityType", "eq") if deleted && entity_type.is_none() => {
                entity_type = Some(vec![entity_type_eq(&tokens, i).ok_or_else(refuse)?]);
            }
            _ => return Err(refuse()),
        }
        i += 3;
    }
    match after {
        Some(after) => Ok((after, entity_type)),
        None => Err(refuse()),
    }
}

/// `EntityType eq K` at `tokens[i..i + 3]`.
fn entity_type_eq(tokens: &[Token], i: usize) -> Option<i32> {
    match (tokens.get(i), tokens.get(i + 1), tokens.get(i + 2)) {
        (Some(Token::Word(name)), Some(Token::Word(op)), Some(Token::Word(value)))
            if name == "EntityType" && op == "eq" =>
        {
            value.parse().ok()
        }
        _ => None,
    }
}

/// A regular/bulk `$filter`: `ID eq guid'..'`, `Code eq '..'` or `Modified ge datetime'..'`.
pub fn parse_list_filter(filter: Option<&str>) -> Result<ListFilter, String> {
    let Some(filter) = filter.filter(|f| !f.trim().is_empty()) else {
        return Ok(ListFilter::None);
    };
    let refuse = || {
        format!(
            "The filter '{filter}' is not supported by this endpoint. Supported: \
             ID eq guid'..', Code eq '..', Modified ge datetime'..'."
        )
    };
    let tokens = tokenize(filter).map_err(|_| refuse())?;
    let [
        Token::Word(name),
        Token::Word(op),
        Token::Literal(kind, value),
    ] = tokens.as_slice()
    else {
        return Err(refuse());
    };
    match (name.as_str(), op.as_str(), kind.as_str()) {
        ("ID", "eq", "guid") => Ok(ListFilter::IdEq(value.to_ascii_lowercase())),
        ("ItemID", "eq", "guid") => Ok(ListFilter::ItemIdEq(value.to_ascii_lowercase())),
        ("Code", "eq", "") => Ok(ListFilter::CodeEq(value.clone())),
        ("Modified", "ge", "datetime") => Ok(ListFilter::ModifiedGe(
            local_to_utc_ms(value).ok_or_else(refuse)?,
        )),
        _ => Err(refuse()),
    }
}

/// A GUID key literal `guid'..'` (as in `$skiptoken` or `Items(guid'..')`), lowercased.
pub fn parse_guid_literal(s: &str) -> Option<String> {
    let s = s.trim();
    let inner = s
        .strip_prefix("guid'")
        .or_else(|| s.strip_prefix("GUID'"))?
        .strip_suffix('\'')?;
    (inner.len() == 36 && inner.chars().all(|c| c.is_ascii_hexdigit() || c == '-'))
        .then(|| inner.to_ascii_lowercase())
}

/// Zone-less local date/time (Exact's local time, CET/CEST) → epoch ms UTC.
pub fn local_to_utc_ms(text: &str) -> Option<i64> {
    use chrono::NaiveDateTime;
    let text = text.trim();
    let naive = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(text, f).ok())
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .ok()?
                .and_hms_opt(0, 0, 0)
        })?;
    let as_utc = naive.and_utc().timestamp_millis();
    // Try CEST first: the local time is summer time when the resulting instant is in summer time.
    let summer = as_utc - 2 * 3_600_000;
    if cet_offset_ms(summer) == 2 * 3_600_000 {
        Some(summer)
    } else {
        Some(as_utc - 3_600_000)
    }
}

/// Offset of Central European time at a UTC instant: +2 h from the last Sunday of March 01:00 UTC
/// to the last Sunday of October 01:00 UTC, +1 h otherwise.
pub fn cet_offset_ms(utc_ms: i64) -> i64 {
    use chrono::{Datelike, NaiveDate, Weekday};
    let Some(t) = chrono::DateTime::from_timestamp_millis(utc_ms) else {
        return 3_600_000;
    };
    let year = t.year();
    let last_sunday = |month: u32| {
        let mut d =
            NaiveDate::from_ymd_opt(year, month, 31).expect("March and October have 31 days");
        while d.weekday() != Weekday::Sun {
            d = d.pred_opt().expect("a day before the 31st exists");
        }
        d.and_hms_opt(1, 0, 0)
            .expect("01:00 exists")
            .and_utc()
            .timestamp_millis()
    };
    if utc_ms >= last_sunday(3) && utc_ms < last_sunday(10) {
        7_200_000
    } else {
        3_600_000
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_filters_with_and_without_suffix() {
        assert_eq!(
            parse_sync_filter(Some("Timestamp gt 123L"), false),
            Ok((123, None))
        );
        assert_eq!(
            parse_sync_filter(Some("Timestamp gt 5"), false),
            Ok((5, None))
        );
        assert_eq!(parse_sync_filter(None, false), Ok((0, None)));
        assert_eq!(
            parse_sync_filter(Some("Timestamp gt 7L and EntityType eq 9"), true),
            Ok((7, Some(vec![9])))
        );
        assert_eq!(
            parse_sync_filter(
                Some(
                    "Timestamp gt 7L and (EntityType eq 9 or EntityType eq 2 or EntityType eq 33)"
                ),
                true
            ),
            Ok((7, Some(vec![9, 2, 33])))
        );
        for bad in [
            "Timestamp gt 7L and (EntityType eq 9 or Timestamp gt 3)",
            "Timestamp gt 7L and (EntityType eq 9",
            "Timestamp gt 7L and (EntityType eq 9 and EntityType eq 2)",
            "Timestamp gt 7L and EntityType eq 9 and (EntityType eq 2)",
            "(Timestamp gt 7L)",
        ] {
            assert!(parse_sync_filter(Some(bad), true).is_err(), "{bad}");
        }
        assert!(parse_sync_filter(Some("Timestamp gt 7L and EntityType eq 9"), false).is_err());
        assert!(parse_sync_filter(Some("Modified gt 7"), false).is_err());
        assert!(parse_sync_filter(Some("Timestamp ge 7"), false).is_err());
    }

    #[test]
    fn list_filters() {
        let id = "71b961de-b9f3-49fe-883d-0f46c7e0e89b";
        assert_eq!(
            parse_list_filter(Some(&format!("ID eq guid'{}'", id.to_uppercase()))),
            Ok(ListFilter::IdEq(id.to_string()))
        );
        assert_eq!(
            parse_list_filter(Some("Code eq 'A B''C'")),
            Ok(ListFilter::CodeEq("A B'C".into()))
        );
        // 2024-01-01T00:00 CET = 2023-12-31T23:00Z.
        assert_eq!(
            parse_list_filter(Some("Modified ge datetime'2024-01-01T00:00:00'")),
            Ok(ListFilter::ModifiedGe(1_704_063_600_000))
        );
        // 2024-07-01T12:00 CEST = 10:00Z.
        assert_eq!(
            local_to_utc_ms("2024-07-01T12:00:00"),
            Some(1_719_828_000_000)
        );
        assert!(parse_list_filter(Some("Description eq 'x'")).is_err());
        assert!(parse_list_filter(Some("substringof('a', Code)")).is_err());
    }

    #[test]
    fn next_link_keeps_select_and_filter_and_replaces_skiptoken() {
        let q = parse_query(Some(
            "$select=ID,Code&$filter=Timestamp%20gt%201L&$skiptoken=5L&$top=1500",
        ))
        .expect("parses");
        assert_eq!(
            q.select.as_deref(),
            Some(&["ID".to_string(), "Code".to_string()][..])
        );
        assert_eq!(q.skiptoken.as_deref(), Some("5L"));
        let next = q.next_link("http://h", "/api/v1/1/sync/Logistics/Items", "99L", 1000);
        assert_eq!(
            next,
            "http://h/api/v1/1/sync/Logistics/Items?$select=ID,Code&$filter=Timestamp%20gt%201L&$top=500&$skiptoken=99L"
        );
        let g = parse_query(None)
            .expect("empty")
            .next_link("http://h", "/p", "guid'ab-c'", 60);
        assert_eq!(g, "http://h/p?$skiptoken=guid'ab-c'");
    }

    #[test]
    fn unknown_options_are_refused() {
        assert!(parse_query(Some("$orderby=Code")).is_err());
        assert!(parse_query(Some("$top=x")).is_err());
        assert_eq!(
            parse_guid_literal("guid'71B961DE-B9F3-49FE-883D-0F46C7E0E89B'").as_deref(),
            Some("71b961de-b9f3-49fe-883d-0f46c7e0e89b")
        );
    }
}

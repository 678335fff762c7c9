//! The readable records of a collection page that does not parse as a whole.
//!
//! One bad record (a lone UTF-16 surrogate in a description, a number out of range, bytes that
//! are not UTF-8) makes a JSON parser refuse the whole page, and then its entity could never be
//! synced past it. [`salvage_raw_page`] finds the envelope's parts by their brackets alone,
//! without judging the text inside strings, and parses each record on its own: the good ones
//! come back as usual, the others as [`Unreadable`] with the reason. A body whose envelope
//! itself is broken (cut off, not JSON at all) is not salvaged.

use std::ops::Range;

use serde_json::Value;

use crate::odata::{EnvelopeError, RawPage, RawRecord, raw_record, record};

/// A record of a page that could not be read, kept as it was sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unreadable {
    /// The record's text (bytes that are not UTF-8 replaced by U+FFFD).
    pub text: String,
    /// Why it could not be read.
    pub error: String,
}

/// `{"d": {"results": [...], "__next": "..."}}` read record by record (see the module docs).
/// Fails with `why` when the envelope cannot be found: the caller's own parse error.
pub fn salvage_raw_page(
    body: &[u8],
    keep: &dyn Fn(&str) -> bool,
    why: EnvelopeError,
) -> Result<RawPage, EnvelopeError> {
    let Some((rows, next)) = envelope(body) else {
        return Err(why);
    };
    let mut page = RawPage {
        next,
        ..RawPage::default()
    };
    for range in rows {
        let bytes = &body[range];
        match read_one(bytes, keep) {
            Ok(record) => page.records.push(record),
            Err(error) => page.unreadable.push(Unreadable {
                text: String::from_utf8_lossy(bytes).into_owned(),
                error,
            }),
        }
    }
    Ok(page)
}

fn read_one(bytes: &[u8], keep: &dyn Fn(&str) -> bool) -> Result<RawRecord, String> {
    let text =
        std::str::from_utf8(bytes).map_err(|e| format!("the record is not UTF-8 text ({e})"))?;
    if let Some(record) = raw_record(text, keep) {
        return Ok(record);
    }
    match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(map)) => Ok(RawRecord::from_record(record(map), keep)),
        Ok(_) => Err("the record is not a JSON object".to_owned()),
        Err(e) => Err(e.to_string()),
    }
}

/// The byte ranges of the `results` elements and the `__next` link, if the body is a
/// collection envelope as far as its brackets and quotes tell.
fn envelope(body: &[u8]) -> Option<(Vec<Range<usize>>, Option<String>)> {
    let mut s = Skim { b: body, i: 0 };
    let mut found = None;
    s.object(|s, key| {
        if key != b"\"d\"" {
            return s.value().map(drop);
        }
        let mut rows = None;
        let mut next = None;
        s.object(|s, key| match key {
            b"\"results\"" => {
                rows = Some(s.array()?);
                Some(())
            }
            b"\"__next\"" => {
                let link = s.value()?;
                next = serde_json::from_slice::<String>(&s.b[link])
                    .ok()
                    .filter(|url| !url.trim().is_empty());
                Some(())
            }
            _ => s.value().map(drop),
        })?;
        found = Some((rows?, next));
        Some(())
    })?;
    s.ws();
    (s.i == body.len()).then_some(())?;
    found
}

/// A cursor over JSON text that knows brackets, quotes and commas only.
struct Skim<'a> {
    b: &'a [u8],
    i: usize,
}

impl Skim<'_> {
    fn ws(&mut self) {
        while matches!(self.b.get(self.i), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.ws();
        let here = self.b.get(self.i) == Some(&byte);
        self.i += usize::from(here);
        here
    }

    /// A string from its opening quote: an escape is a backslash and the byte after it.
    fn string(&mut self) -> Option<Range<usize>> {
        self.ws();
        let start = self.i;
        (self.b.get(start) == Some(&b'"')).then_some(())?;
        self.i += 1;
        loop {
            match *self.b.get(self.i)? {
                b'"' => {
                    self.i += 1;
                    return Some(start..self.i);
                }
                b'\\' => self.i += 2,
                _ => self.i += 1,
            }
        }
    }

    /// Any value: a string, a bracketed object or array (nesting counted, not recursed), or a
    /// literal up to the next delimiter.
    fn value(&mut self) -> Option<Range<usize>> {
        self.ws();
        let start = self.i;
        match *self.b.get(start)? {
            b'"' => self.string(),
            b'{' | b'[' => {
                let mut depth = 0usize;
                loop {
                    match *self.b.get(self.i)? {
                        b'"' => {
                            self.string()?;
                            continue;
                        }
                        b'{' | b'[' => depth += 1,
                        b'}' | b']' => {
                            depth -= 1;
                            if depth == 0 {
                                self.i += 1;
                                return Some(start..self.i);
                            }
                        }
                        _ => {}
                    }
                    self.i += 1;
                }
            }
            _ => {
                while self
                    .b
                    .get(self.i)
                    .is_some_and(|b| !b",}] \t\r\n".contains(b))
                {
                    self.i += 1;
                }
                (self.i > start).then_some(start..self.i)
            }
        }
    }

    /// An object's members: `member` is called with each key's text (quotes included) and must
    /// consume the value.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &[u8]) -> Option<()>) -> Option<()> {
        self.eat(b'{').then_some(())?;
        if self.eat(b'}') {
            return Some(());
        }
        loop {
            let key = self.string()?;
            self.eat(b':').then_some(())?;
            let text = self.b;
            member(self, &text[key])?;
            if self.eat(b'}') {
                return Some(());
            }
            self.eat(b',').then_some(())?;
        }
    }

    /// The ranges of an array's elements.
    fn array(&mut self) -> Option<Vec<Range<usize>>> {
        self.eat(b'[').then_some(())?;
        let mut rows = Vec::new();
        if self.eat(b']') {
            return Some(rows);
        }
        loop {
            rows.push(self.value()?);
            if self.eat(b']') {
                return Some(rows);
            }
            self.eat(b',').then_some(())?;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::odata::parse_raw_page;

    fn keep_id(name: &str) -> bool {
        name == "ID"
    }

    fn salvage(body: &str) -> Result<RawPage, EnvelopeError> {
        let why = parse_raw_page(body.as_bytes(), &keep_id).expect_err("the page is refused whole");
        salvage_raw_page(body.as_bytes(), &keep_id, why)
    }

    #[test]
    fn only_the_bad_records_of_a_page_are_unreadable() {
        let body = r#"{"d":{"results":[
            {"__metadata":{"uri":"x"},"ID":"a","Description":"good {[ \" ]}"},
            {"ID":"b","Description":"Bad \ud800 text"},
            {"ID":"c","Price":1e400},
            7,
            {"ID":"d"}
        ],"__next":"https://start.exactonline.nl/api/v1/1/sync/X?$skiptoken=5"}}"#;
        let page = salvage(body).expect("salvaged");
        let ids: Vec<_> = page.records.iter().map(|r| r.fields.str("ID")).collect();
        assert_eq!(ids, [Some("a"), Some("d")]);
        assert_eq!(
            page.records[0].json,
            r#"{"ID":"a","Description":"good {[ \" ]}"}"#
        );
        let errors: Vec<&str> = page.unreadable.iter().map(|u| u.error.as_str()).collect();
        assert_eq!(page.unreadable.len(), 3, "{errors:?}");
        assert!(errors[0].contains("escape"), "{errors:?}");
        assert!(errors[1].contains("out of range"), "{errors:?}");
        assert_eq!(errors[2], "the record is not a JSON object");
        assert_eq!(
            page.unreadable[0].text,
            r#"{"ID":"b","Description":"Bad \ud800 text"}"#
        );
        assert_eq!(
            page.next.as_deref(),
            Some("https://start.exactonline.nl/api/v1/1/sync/X?$skiptoken=5")
        );
    }

    #[test]
    fn bytes_that_are_not_utf8_make_one_record_unreadable() {
        let mut body = br#"{"d":{"results":[{"ID":"a"},{"ID":"b","Name":""#.to_vec();
        body.extend([0xff, 0xfe]);
        body.extend(br#""}]}}"#);
        let why = parse_raw_page(&body, &keep_id).expect_err("refused whole");
        let page = salvage_raw_page(&body, &keep_id, why).expect("salvaged");
        assert_eq!(page.records.len(), 1);
        assert_eq!(page.unreadable.len(), 1);
        assert!(page.unreadable[0].error.contains("UTF-8"));
        assert!(page.unreadable[0].text.contains('\u{FFFD}'));
        assert_eq!(page.next, None);
    }

    #[test]
    fn a_broken_envelope_keeps_the_callers_error() {
        for body in [
            r#"{"d":{"results":[{"__metadata":{"uri":<html>Service Unavailable</html>"#,
            r#"{"d":{"results":[{"ID":"a"},{"ID":"b\ud800"}"#,
            r#"{"d":{"results":[{"ID":"a"}]}} trailing"#,
            r#"{"e":{"results":[{"ID":"\ud800"}]}}"#,
            r#"{"d":{"__next":"x", "rows":[{"ID":"\ud800"}]}}"#,
            "<html>Service Unavailable</html>",
            "",
        ] {
            let why = EnvelopeError::Json("the caller's".into());
            assert_eq!(
                salvage_raw_page(body.as_bytes(), &keep_id, why.clone()).unwrap_err(),
                why,
                "{body}"
            );
        }
    }

    #[test]
    fn deep_nesting_is_counted_not_recursed() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        let body = format!(r#"{{"d":{{"results":[{{"ID":"a"}},{deep},{{"ID":"\ud800"}}]}}}}"#);
        let page = salvage(&body).expect("salvaged");
        assert_eq!(page.records.len(), 1);
        assert_eq!(page.unreadable.len(), 2);
    }
}

//! "Values as shown": cells written the way the detail screen shows them instead of as Exact
//! stored them. Documented codes become words, flags Yes/No, references "code — description".
//!
//! What a code means lives in one place, the window's tables (`ui/src/browse/valueTable.ts`).
//! The window sends a rule per column, already in the user's language, and this module only
//! applies the rules it is given, cell by cell. A rule never hides data: a code it does not
//! know, or a flag that is neither yes nor no, is written as Exact stored it.
//!
//! Rules come from outside the process, so they are checked before use: how many, how many
//! labels, how long each text. A reference only names other properties of the same record.

use std::collections::HashMap;

use anyhow::{Result, bail, ensure};
use serde_json::{Map, Value};

use super::{Cell, cell};

/// Most columns that may carry a rule (an XLSX sheet's column count).
pub const MAX_RULES: usize = 16_384;
/// Most codes one rule may name (Exact's longest documented list has a dozen).
pub const MAX_LABELS: usize = 256;
/// Longest code, label, word or property name, in characters.
pub const MAX_TEXT: usize = 256;
/// Most text all rules of one export may carry together, in bytes.
pub const MAX_TOTAL_TEXT: usize = 1 << 20;

/// How the values of one column are written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValueRule {
    /// Documented codes: stored code → its words (`C` → "Customer").
    Codes(HashMap<String, String>),
    /// A sum of documented codes (a bitmask): the words of each set bit, lowest first.
    Bits(Vec<(u64, String)>),
    /// A yes/no property, whatever type it was stored as.
    Flag { yes: String, no: String },
    /// A link to another record: the properties of the same record holding its code and
    /// description. Without a code property, a value that is not a GUID is its own code.
    Reference {
        code: Option<String>,
        description: Option<String>,
    },
}

impl ValueRule {
    /// A rule for documented codes; with `bits`, the value is a sum of them, so each code must
    /// be a positive whole number.
    pub fn codes(labels: HashMap<String, String>, bits: bool) -> Result<ValueRule> {
        ensure!(
            labels.len() <= MAX_LABELS,
            "a value rule names {} codes; at most {MAX_LABELS} are allowed",
            labels.len()
        );
        if !bits {
            return Ok(ValueRule::Codes(labels));
        }
        let mut named = Vec::with_capacity(labels.len());
        for (code, label) in labels {
            match code.trim().parse::<u64>() {
                Ok(bit) if bit > 0 => named.push((bit, label)),
                _ => bail!("a bitmask's codes are positive whole numbers, not “{code}”"),
            }
        }
        named.sort_unstable();
        Ok(ValueRule::Bits(named))
    }

    fn texts(&self) -> Vec<&str> {
        match self {
            ValueRule::Codes(labels) => labels
                .iter()
                .flat_map(|(c, l)| [c.as_str(), l.as_str()])
                .collect(),
            ValueRule::Bits(bits) => bits.iter().map(|(_, l)| l.as_str()).collect(),
            ValueRule::Flag { yes, no } => vec![yes, no],
            ValueRule::Reference { code, description } => {
                code.iter().chain(description).map(String::as_str).collect()
            }
        }
    }

    /// The cell for `value`, a property of `record`.
    fn apply(&self, value: Option<&Value>, record: &Map<String, Value>) -> Cell {
        let raw = scalar(value);
        let shown = match self {
            ValueRule::Codes(labels) => labels
                .get(&raw)
                .or_else(|| labels.get(&raw.to_uppercase()))
                .cloned(),
            ValueRule::Bits(bits) => bits_text(bits, &raw),
            ValueRule::Flag { yes, no } => {
                flag_value(value).map(|truth| if truth { yes.clone() } else { no.clone() })
            }
            ValueRule::Reference { code, description } => {
                let code = match code {
                    Some(name) => scalar(record.get(name)),
                    None if is_guid(&raw) => String::new(),
                    None => raw.clone(),
                };
                let description = description
                    .as_ref()
                    .map(|name| scalar(record.get(name)))
                    .unwrap_or_default();
                let joined = [code, description]
                    .into_iter()
                    .filter(|part| !part.is_empty())
                    .collect::<Vec<_>>()
                    .join(" — ");
                Some(joined).filter(|text| !text.is_empty())
            }
        };
        match shown {
            Some(text) if !text.is_empty() => Cell::Text(text),
            _ if raw.is_empty() => Cell::Empty,
            // Not something the rule knows: the value as Exact stored it.
            _ => cell(value),
        }
    }
}

/// The rules of one export, by column (Exact's property name). Columns without a rule, and
/// every column when there are none, are written as Exact stored them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ShownValues {
    rules: HashMap<String, ValueRule>,
}

impl ShownValues {
    /// Checks the rules' size: how many, and how long their texts are.
    pub fn new(rules: impl IntoIterator<Item = (String, ValueRule)>) -> Result<ShownValues> {
        let mut checked = HashMap::new();
        let mut total = 0usize;
        for (column, rule) in rules {
            ensure!(
                checked.len() < MAX_RULES,
                "an export may carry value rules for at most {MAX_RULES} columns"
            );
            for text in std::iter::once(column.as_str()).chain(rule.texts()) {
                ensure!(
                    text.chars().count() <= MAX_TEXT,
                    "a value rule's text is longer than {MAX_TEXT} characters"
                );
                total += text.len();
            }
            ensure!(
                total <= MAX_TOTAL_TEXT,
                "the value rules carry more than {MAX_TOTAL_TEXT} bytes of text"
            );
            if let ValueRule::Reference { code, description } = &rule {
                ensure!(
                    code.iter().chain(description).all(|n| !n.trim().is_empty()),
                    "a reference names an empty property"
                );
            }
            checked.insert(column, rule);
        }
        Ok(ShownValues { rules: checked })
    }

    /// The columns that carry a rule.
    pub fn columns(&self) -> impl Iterator<Item = &str> {
        self.rules.keys().map(String::as_str)
    }

    /// The cell of `column` in `record`.
    pub fn cell(&self, column: &str, record: &Map<String, Value>) -> Cell {
        let value = record.get(column);
        match self.rules.get(column) {
            Some(rule) => rule.apply(value, record),
            None => cell(value),
        }
    }
}

/// A scalar as trimmed text: '' for null, blank, the empty GUID and nested values.
fn scalar(value: Option<&Value>) -> String {
    match value {
        Some(Value::String(s)) => {
            let s = s.trim();
            if is_empty_guid(s) {
                String::new()
            } else {
                s.to_owned()
            }
        }
        Some(Value::Number(n)) => n.to_string(),
        Some(Value::Bool(b)) => b.to_string(),
        _ => String::new(),
    }
}

/// A flag's truth: `true`/`false`, `1`/`0`, `"1"`/`"0"`, `"true"`/`"false"`; else none.
fn flag_value(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::Number(n) => match n.as_f64() {
            Some(1.0) => Some(true),
            Some(0.0) => Some(false),
            _ => None,
        },
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "1" | "true" => Some(true),
            "0" | "false" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A bitmask as the words of its bits, lowest first, and what no word names as a number; none
/// when the value is no positive whole number or no bit of it has a word.
fn bits_text(bits: &[(u64, String)], raw: &str) -> Option<String> {
    let mut rest = raw.parse::<u64>().ok().filter(|n| *n > 0)?;
    let mut words = Vec::new();
    for (bit, word) in bits {
        if rest & bit == *bit {
            words.push(word.clone());
            rest &= !bit;
        }
    }
    if words.is_empty() {
        return None;
    }
    if rest != 0 {
        words.push(rest.to_string());
    }
    Some(words.join(", "))
}

fn guid_body(text: &str) -> &str {
    text.strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .unwrap_or(text)
}

fn is_guid(text: &str) -> bool {
    let body = guid_body(text);
    let groups: Vec<&str> = body.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, len)| g.len() == len && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn is_empty_guid(text: &str) -> bool {
    is_guid(text) && guid_body(text).bytes().all(|b| b == b'0' || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const GUID: &str = "4f1c2d3e-0a1b-4c5d-8e9f-0123456789ab";

    fn record(value: Value) -> Map<String, Value> {
        match value {
            Value::Object(map) => map,
            _ => panic!("a record is a JSON object"),
        }
    }

    fn labels(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(c, l)| ((*c).to_owned(), (*l).to_owned()))
            .collect()
    }

    fn shown(column: &str, rule: ValueRule) -> ShownValues {
        ShownValues::new([(column.to_owned(), rule)]).expect("a small rule is accepted")
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_owned())
    }

    #[test]
    fn codes_become_their_words_and_unknown_codes_stay() {
        let rule =
            ValueRule::codes(labels(&[("C", "Klant"), ("P", "Prospect")]), false).expect("codes");
        let values = shown("Status", rule);
        let at = |v: Value| values.cell("Status", &record(json!({ "Status": v })));
        assert_eq!(at(json!("C")), text("Klant"));
        assert_eq!(
            at(json!(" c ")),
            text("Klant"),
            "padded, lower-case codes are found"
        );
        assert_eq!(
            at(json!("Z")),
            text("Z"),
            "an undocumented code is written as stored"
        );
        assert_eq!(at(json!("")), Cell::Empty);
        assert_eq!(at(json!(null)), Cell::Empty);
        assert_eq!(values.cell("Status", &Map::new()), Cell::Empty);

        let numeric = shown(
            "DeliveryAdvice",
            ValueRule::codes(labels(&[("0", "Partial"), ("1", "Complete")]), false).expect("codes"),
        );
        let at = |v: Value| numeric.cell("DeliveryAdvice", &record(json!({ "DeliveryAdvice": v })));
        assert_eq!(at(json!(1)), text("Complete"), "a number finds its code");
        assert_eq!(at(json!("0")), text("Partial"));
        assert_eq!(
            at(json!(7)),
            Cell::Number(7.0),
            "an unknown numeric code stays a number"
        );
    }

    #[test]
    fn bitmasks_name_each_set_bit() {
        let rule = ValueRule::codes(
            labels(&[
                ("1", "Paper"),
                ("2", "E-mail"),
                ("4", "Mailbox"),
                ("32", "Peppol"),
            ]),
            true,
        )
        .expect("bits");
        let values = shown("InvoicingMethod", rule);
        let at =
            |v: Value| values.cell("InvoicingMethod", &record(json!({ "InvoicingMethod": v })));
        assert_eq!(at(json!(1)), text("Paper"));
        assert_eq!(
            at(json!(35)),
            text("Paper, E-mail, Peppol"),
            "lowest bit first"
        );
        assert_eq!(
            at(json!("6")),
            text("E-mail, Mailbox"),
            "a number sent as text"
        );
        assert_eq!(
            at(json!(65)),
            text("Paper, 64"),
            "bits without a word are kept as a number"
        );
        assert_eq!(at(json!(64)), Cell::Number(64.0), "no named bit: as stored");
        assert_eq!(
            at(json!(0)),
            Cell::Number(0.0),
            "zero names no bit: as stored"
        );
        assert_eq!(at(json!(null)), Cell::Empty);

        let refused = ValueRule::codes(labels(&[("A", "Area")]), true);
        assert!(
            refused.is_err(),
            "a bitmask rule whose codes are not numbers is refused"
        );
    }

    #[test]
    fn flags_are_yes_or_no_whatever_their_stored_type() {
        let values = shown(
            "IsSalesItem",
            ValueRule::Flag {
                yes: "Ja".into(),
                no: "Nee".into(),
            },
        );
        let at = |v: Value| values.cell("IsSalesItem", &record(json!({ "IsSalesItem": v })));
        for yes in [
            json!(true),
            json!(1),
            json!("1"),
            json!(" True "),
            json!(1.0),
        ] {
            assert_eq!(at(yes.clone()), text("Ja"), "{yes} is yes");
        }
        for no in [json!(false), json!(0), json!("0"), json!("false")] {
            assert_eq!(at(no.clone()), text("Nee"), "{no} is no");
        }
        assert_eq!(
            at(json!(2)),
            Cell::Number(2.0),
            "neither yes nor no: as stored"
        );
        assert_eq!(at(json!("maybe")), text("maybe"));
        assert_eq!(at(json!(null)), Cell::Empty);
        assert_eq!(at(json!(" ")), Cell::Empty);
    }

    #[test]
    fn references_read_their_companions_from_the_same_record() {
        let both = shown(
            "ItemGroup",
            ValueRule::Reference {
                code: Some("ItemGroupCode".into()),
                description: Some("ItemGroupDescription".into()),
            },
        );
        let full = record(json!({
            "ItemGroup": GUID,
            "ItemGroupCode": " BOLTS ",
            "ItemGroupDescription": "Bolts and nuts",
        }));
        assert_eq!(
            both.cell("ItemGroup", &full),
            text("BOLTS — Bolts and nuts")
        );
        let code_only = record(json!({ "ItemGroup": GUID, "ItemGroupCode": "BOLTS" }));
        assert_eq!(both.cell("ItemGroup", &code_only), text("BOLTS"));
        let description_only = record(json!({
            "ItemGroup": GUID,
            "ItemGroupCode": "",
            "ItemGroupDescription": "Bolts and nuts",
        }));
        assert_eq!(
            both.cell("ItemGroup", &description_only),
            text("Bolts and nuts")
        );
        let bare = record(json!({ "ItemGroup": GUID }));
        assert_eq!(
            both.cell("ItemGroup", &bare),
            text(GUID),
            "with nothing else known the GUID is kept"
        );
        let empty = record(json!({ "ItemGroup": "00000000-0000-0000-0000-000000000000" }));
        assert_eq!(
            both.cell("ItemGroup", &empty),
            Cell::Empty,
            "the empty GUID links nothing"
        );

        // No code property: a value that is not a GUID is its own code.
        let own_code = shown(
            "Unit",
            ValueRule::Reference {
                code: None,
                description: Some("UnitDescription".into()),
            },
        );
        let unit = record(json!({ "Unit": "pc ", "UnitDescription": "Piece" }));
        assert_eq!(own_code.cell("Unit", &unit), text("pc — Piece"));
        let creator = shown(
            "Creator",
            ValueRule::Reference {
                code: None,
                description: Some("CreatorFullName".into()),
            },
        );
        let by = record(json!({ "Creator": format!("{{{GUID}}}"), "CreatorFullName": "Anna" }));
        assert_eq!(
            creator.cell("Creator", &by),
            text("Anna"),
            "a GUID is no code"
        );
    }

    #[test]
    fn columns_without_a_rule_and_dates_are_written_as_stored() {
        let values = shown(
            "Blocked",
            ValueRule::Flag {
                yes: "Yes".into(),
                no: "No".into(),
            },
        );
        let row = record(json!({
            "Code": "  42 ",
            "Stock": 12.5,
            "Created": "/Date(1719838800000)/",
            "Modified": "/Date(1719792000000)/",
            "Blocked": false,
        }));
        assert_eq!(values.cell("Code", &row), text("42"));
        assert_eq!(values.cell("Stock", &row), Cell::Number(12.5));
        // Exact's milliseconds are wall-clock time written as UTC.
        assert_eq!(values.cell("Created", &row), text("2024-07-01 13:00"));
        assert_eq!(values.cell("Modified", &row), text("2024-07-01"));
        assert_eq!(values.cell("Missing", &row), Cell::Empty);
        assert_eq!(values.cell("Blocked", &row), text("No"));
        assert_eq!(
            ShownValues::default().cell("Blocked", &row),
            Cell::Bool(false),
            "without rules the stored value is written"
        );
    }

    #[test]
    fn oversized_rules_are_refused() {
        let many: HashMap<String, String> = (0..=MAX_LABELS)
            .map(|i| (i.to_string(), "x".to_owned()))
            .collect();
        assert!(ValueRule::codes(many, false).is_err(), "too many codes");

        let long = "x".repeat(MAX_TEXT + 1);
        let flag = ValueRule::Flag {
            yes: long.clone(),
            no: "No".into(),
        };
        assert!(
            ShownValues::new([("A".to_owned(), flag)]).is_err(),
            "too long a word"
        );
        let named = ValueRule::Reference {
            code: None,
            description: Some(long),
        };
        assert!(
            ShownValues::new([("A".to_owned(), named)]).is_err(),
            "too long a name"
        );
        let nameless = ValueRule::Reference {
            code: Some(" ".into()),
            description: None,
        };
        assert!(
            ShownValues::new([("A".to_owned(), nameless)]).is_err(),
            "an empty name"
        );

        let flag = || ValueRule::Flag {
            yes: "Yes".into(),
            no: "No".into(),
        };
        let too_many = (0..=MAX_RULES).map(|i| (format!("C{i}"), flag()));
        assert!(ShownValues::new(too_many).is_err(), "too many columns");

        // Within every per-text limit, but too much altogether.
        let word = "w".repeat(MAX_TEXT);
        let heavy = (0..MAX_RULES).map(|i| {
            let labels = (0..MAX_LABELS)
                .map(|c| (c.to_string(), word.clone()))
                .collect();
            (format!("C{i}"), ValueRule::Codes(labels))
        });
        assert!(ShownValues::new(heavy.take(32)).is_err(), "too much text");
    }
}

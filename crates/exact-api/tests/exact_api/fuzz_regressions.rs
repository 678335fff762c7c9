//! Inputs found by the fuzz targets in `fuzz/` (scripts/fuzz.sh), kept as tests so that the
//! fixes stay fixed. Each one broke the contract of `parse_raw_page`: it accepts and refuses
//! exactly what `parse_page` does, and keeps each record's text minus `__metadata`.

use exact_api::odata::{parse_page, parse_raw_page};
use serde_json::{Map, Value};

fn keep_id(name: &str) -> bool {
    name == "ID"
}

/// The raw parse agrees with the full one: the same error, or the same records and link.
fn assert_same_as_full_parse(body: &str) {
    let full = parse_page(body.as_bytes());
    let raw = parse_raw_page(body.as_bytes(), &keep_id);
    match (full, raw) {
        (Err(full), Err(raw)) => assert_eq!(raw, full, "the same error for {body}"),
        (Ok(full), Ok(raw)) => {
            assert_eq!(raw.next, full.next, "the same __next for {body}");
            assert_eq!(raw.records.len(), full.records.len(), "{body}");
            for (raw, full) in raw.records.iter().zip(&full.records) {
                let reparsed: Map<String, Value> = serde_json::from_str(&raw.json)
                    .unwrap_or_else(|e| panic!("the kept text {} is JSON: {e}", raw.json));
                assert_eq!(
                    reparsed, full.0,
                    "the kept text holds every property but __metadata"
                );
            }
        }
        (full, raw) => panic!(
            "raw and full parse disagree on {body}: full {:?}, raw {:?}",
            full.map(|p| p.records.len()),
            raw.map(|p| p.records.len())
        ),
    }
}

/// Found by `odata_page` from a real DocumentAttachments page: a lone UTF-16 surrogate in
/// `__metadata` was skipped unchecked, so the raw parse kept a record the full parse refuses,
/// and its stored text could not be read back (CSV export, details).
#[test]
fn lone_surrogate_in_metadata_is_refused_like_the_full_parse() {
    let found = r#"{"d":{"results":[{"__metadata":{"uri":"http://127\ude00v1/1370148/sync/Documents/DocumentAttachments(guid'8077ecaf-43jb-43a7-9fde-e302d8eaf2b3')","type":"Exact.Web.Api.Models.Sync.DocuocumentAttachment"},"Co;stPrice":717862,"Attachment":null,"Doc!ment":"8684dcd8-015e-4bc3-a50b-0//docs/images/placeholder_item.png43ab-43a7-9fde-e30c2d8eaf2b3&_Division_=1370148"}]}}"#;
    assert!(
        parse_page(found.as_bytes()).is_err(),
        "serde_json refuses it"
    );
    assert_same_as_full_parse(found);
}

/// The same hole elsewhere: every value the raw parse skips is checked as a full parse would.
#[test]
fn values_the_full_parse_refuses_are_refused_wherever_they_are() {
    for body in [
        r#"{"d":{"results":[{"ID":"a","Description":"\ud83d"}]}}"#,
        r#"{"d":{"results":[{"ID":"a","Stock":1e400}]}}"#,
        r#"{"d":{"results":[{"ID":"a","X":[{"Y":-1e999}]}]}}"#,
        r#"{"d":{"results":[{"ID":"a","\udc00":1}]}}"#,
        r#"{"d":{"results":[{"ID":"a"}],"__count":1e400}}"#,
        r#"{"d":{"results":[{"ID":"a"}]},"x":"\ud800"}"#,
    ] {
        assert!(parse_page(body.as_bytes()).is_err(), "{body} is refused");
        assert_same_as_full_parse(body);
    }
}

/// Nesting is limited from the body's root (128 levels), not from a record's start.
#[test]
fn deep_nesting_is_refused_at_the_same_depth() {
    for depth in 100..=130 {
        let body = format!(
            r#"{{"d":{{"results":[{{"ID":"a","X":{}1{}}}]}}}}"#,
            "[".repeat(depth),
            "]".repeat(depth)
        );
        assert_same_as_full_parse(&body);
    }
}

/// Found by `odata_page`: with `__metadata` twice only the last copy was cut out of the text,
/// so the stored record kept one.
#[test]
fn repeated_metadata_is_dropped_entirely() {
    let found = r#"{"d":{"results":[{ "__metadata" : {"uri":"u"} , "IDde":null,"__metadata":{"uri":"v"}},{"\u020f_mutadata":{},"ID":"a"},{"X":[1,{"__metadata":2}]}],"__next":"https://e-il.1example/ap namedtrue 'AddressLine0' Items?$skiTimestamp"}}"#;
    assert_same_as_full_parse(found);
    let page = parse_raw_page(found.as_bytes(), &keep_id).expect("a valid envelope");
    assert!(
        !page.records[0].json.contains("__metadata"),
        "no copy of __metadata is kept: {}",
        page.records[0].json
    );
}

/// Found by `odata_page`: serde's derived structs also read an array of their fields, so
/// `[[[]]]` was an empty page and `{"d":[[...]]}` a page of the inner array's records.
#[test]
fn envelopes_written_as_arrays_are_refused_like_the_full_parse() {
    for body in [
        "[[[]]]",
        r#"[{"results":[]}]"#,
        r#"{"d":[[]]}"#,
        r#"{"d":[[{"ID":"a"}]]}"#,
        r#"{"d":[[{"ID":"a"}],"https://start.exactonline.nl/api/v1/1/x"]}"#,
    ] {
        assert!(parse_page(body.as_bytes()).is_err(), "{body} is refused");
        assert_same_as_full_parse(body);
    }
}

//! The compact hot path against the `Record` path: same rows, same order, same values.

use serde_json::json;

use super::tests::{SYNC, cfg};
use super::*;

/// Every sync record of the entity through `visit_sync`, paged like a client would.
fn compact_pages(
    ds: &Dataset,
    div: i32,
    e: Entity,
    page: usize,
    lang: Option<&str>,
) -> Vec<Record> {
    let mut out = Vec::new();
    let mut after = i64::MIN;
    loop {
        let mut rows = Vec::new();
        let (n, more) = ds.visit_sync(div, e, after, page, lang, |r| rows.push(r.to_record()));
        assert_eq!(n, rows.len(), "visit_sync counts what it visits");
        let expected_more = ds.sync_after(div, e, after, page + 1, lang).len() > page;
        assert_eq!(
            more, expected_more,
            "{e:?}: `more` as the Record path sees it"
        );
        let Some(last) = rows.last() else { break };
        after = last["Timestamp"].as_i64().expect("Timestamp");
        out.extend(rows);
        if !more {
            break;
        }
    }
    out
}

fn assert_same(ds: &Dataset, div: i32, context: &str) {
    for e in SYNC {
        for lang in [None, Some("EN"), Some("de")] {
            let maps = ds.sync_after(div, e, i64::MIN, usize::MAX, lang);
            assert!(!maps.is_empty(), "{e:?} has rows to compare");
            for page in [1000, 7] {
                let compact = compact_pages(ds, div, e, page, lang);
                assert_eq!(
                    compact.len(),
                    maps.len(),
                    "{context} {e:?} {lang:?}: row count"
                );
                for (c, m) in compact.iter().zip(&maps) {
                    assert_eq!(
                        c, m,
                        "{context} {e:?} {lang:?}: compact record equals the map"
                    );
                }
            }
        }
    }
}

#[test]
fn compact_records_equal_the_record_path() {
    let mut ds = Dataset::new(cfg(21));
    let div = ds.division_codes()[1];
    assert_same(&ds, div, "base");
    let now = 1_721_000_000_000;
    for e in SYNC {
        let some = ds.sync_after(div, e, i64::MIN, 3, None);
        let id = some[1]["ID"].as_str().expect("ID").to_string();
        // An explicit update with a known property, an unknown one and a Modified override.
        let m: Mutation = serde_json::from_value(json!({
            "insert": 2,
            "update": [{"ID": id, "Description": "Nieuw \"x\"", "NotAProperty": 1, "Modified": "x"}],
            "delete": 1,
        }))
        .expect("mutation");
        ds.mutate(div, e, &m, now).expect("explicit mutation");
        let counted = Mutation {
            insert: 1,
            update: UpdateSpec::Count(3),
            delete: DeleteSpec::Count(2),
        };
        ds.mutate(div, e, &counted, now + 1000)
            .expect("counted mutation");
    }
    assert_same(&ds, div, "mutated");
}

#[test]
fn compact_records_learn_the_write_order_once() {
    // The learned order must hold for later rows too, including rows with other branches.
    let ds = Dataset::new(cfg(5));
    let div = ds.division_codes()[0];
    let mut rec = CompactRecord::new(Entity::Items, Variant::Sync);
    let d = ds.division(div).expect("division");
    let mut n = 0;
    for slot in d.sync_slots(Entity::Items, i64::MIN, usize::MAX) {
        assert!(d.render_compact(Entity::Items, slot, None, &mut rec));
        let map = d
            .render(Entity::Items, slot, Variant::Sync, None)
            .expect("live");
        assert_eq!(rec.to_record(), map);
        assert_eq!(rec.get("NoSuchProperty"), None);
        n += 1;
    }
    assert!(n > 100, "enough rows to exercise the branches");
}

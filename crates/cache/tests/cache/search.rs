//! User search text: prefixes, words and barcodes are found; hostile input never errors.

use exact_sim::data::Entity as SimEntity;
use offline_cache::{AccountQuery, Entity, ItemQuery};

use crate::support::fixture;

#[test]
fn search_finds_items_by_code_prefix_description_word_and_barcode() {
    let f = fixture();
    f.load_all();
    let items = f.sync(SimEntity::Items);
    let item = items.iter().find(|r| r.str("Barcode").is_some()).unwrap();
    let id = item.id().unwrap();
    let code = item.str("Code").unwrap();
    let prefix: String = code.chars().take(code.chars().count().max(2) - 1).collect();
    assert!(
        f.search_items(&prefix).contains(&id),
        "code prefix {prefix:?} of {code:?}"
    );
    let word = item
        .str("Description")
        .unwrap()
        .split_whitespace()
        .max_by_key(|w| w.len())
        .unwrap()
        .to_lowercase();
    assert!(
        f.search_items(&word).contains(&id),
        "description word {word:?}"
    );
    assert!(
        f.search_items(item.str("Barcode").unwrap()).contains(&id),
        "barcode"
    );
    assert!(f.search_items("qqqnotaword").is_empty());
    for hostile in [
        "\"unterminated OR -* :( NEAR",
        "-",
        "*",
        "a:b",
        "((",
        "NOT",
        "'; DROP TABLE items; --",
    ] {
        let page = f.cache.items(&ItemQuery {
            division: f.division,
            search: Some(hostile.into()),
            ..ItemQuery::default()
        });
        assert!(page.is_ok(), "{hostile:?} must not fail: {page:?}");
        f.cache
            .accounts(&AccountQuery {
                division: f.division,
                search: Some(hostile.into()),
                ..AccountQuery::default()
            })
            .unwrap();
    }
    assert_eq!(f.cache.count(f.division, Entity::Items).unwrap(), 300);
}

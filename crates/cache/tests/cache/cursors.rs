//! Cursors move in the transaction that commits their rows, and only forward.

use exact_sim::data::Entity as SimEntity;
use offline_cache::{Entity, Error};
use serde_json::{Value, json};

use crate::support::{fixture, with};

#[test]
fn upserts_and_cursor_commit_together_and_a_failing_batch_changes_nothing() {
    let f = fixture();
    let items = f.sync(SimEntity::Items);
    let (first, rest) = items.split_at(100);
    f.cache
        .apply_upserts(
            f.division,
            Entity::Items,
            first,
            Some(100),
            Some(1),
            crate::support::now(),
        )
        .unwrap();
    assert_eq!(f.cache.count(f.division, Entity::Items).unwrap(), 100);
    assert_eq!(f.cache.cursor(f.division, "Items").unwrap(), Some(100));
    let renamed = with(&first[0], "Description", json!("Zeldzaamwoord special"));
    let no_id = with(&rest[1], "ID", Value::Null);
    let batch = vec![rest[0].clone(), renamed, no_id, rest[2].clone()];
    let err = f
        .cache
        .apply_upserts(
            f.division,
            Entity::Items,
            &batch,
            Some(999),
            Some(2),
            crate::support::now(),
        )
        .unwrap_err();
    assert!(
        matches!(err, Error::MissingId { index: 2, .. }),
        "got {err}"
    );
    assert_eq!(
        f.cache.count(f.division, Entity::Items).unwrap(),
        100,
        "rows before the bad record were rolled back"
    );
    assert_eq!(
        f.cache.cursor(f.division, "Items").unwrap(),
        Some(100),
        "the cursor did not move past uncommitted rows"
    );
    assert!(
        f.search_items("Zeldzaamwoord").is_empty(),
        "the FTS change was rolled back too"
    );
    let id0 = first[0].id().unwrap();
    let stored = f
        .cache
        .item(f.division, &id0, crate::support::now())
        .unwrap()
        .unwrap();
    assert_eq!(
        stored.summary.description.as_deref(),
        first[0].str("Description")
    );

    // A lower cursor never moves it back.
    f.cache
        .apply_upserts(
            f.division,
            Entity::Items,
            rest,
            Some(50),
            None,
            crate::support::now(),
        )
        .unwrap();
    assert_eq!(f.cache.cursor(f.division, "Items").unwrap(), Some(100));
    assert_eq!(f.cache.count(f.division, Entity::Items).unwrap(), 300);
}

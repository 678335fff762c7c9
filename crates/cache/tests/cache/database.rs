//! Connections: readers see whole committed batches while the writer works.

use exact_sim::data::Entity as SimEntity;
use offline_cache::Entity;

use crate::support::fixture;

#[test]
fn readers_see_committed_rows_while_another_handle_writes() {
    let f = fixture();
    let items = f.sync(SimEntity::Items);
    let writer = f.cache.clone();
    let batch = items.clone();
    let division = f.division;
    let handle = std::thread::spawn(move || {
        for (i, chunk) in batch.chunks(30).enumerate() {
            writer
                .apply_upserts(
                    division,
                    Entity::Items,
                    chunk,
                    Some(i as i64 + 1),
                    None,
                    crate::support::now(),
                )
                .unwrap();
        }
    });
    let mut last = 0;
    while !handle.is_finished() {
        let n = f.cache.count(division, Entity::Items).unwrap();
        assert!(
            n >= last && n.is_multiple_of(30),
            "readers see whole batches only ({n})"
        );
        last = n;
    }
    handle.join().unwrap();
    assert_eq!(f.cache.count(division, Entity::Items).unwrap(), 300);
}

//! Sync runs, the status view and the division move date.

use exact_record::Record;
use exact_sim::data::Entity as SimEntity;
use offline_cache::{DELETED_CURSOR, Entity, EntityResult, Error};

use crate::support::fixture;

#[test]
fn status_runs_and_division_move_dates_round_trip() {
    let f = fixture();
    let items = f.sync(SimEntity::Items);
    f.cache
        .apply_upserts(
            f.division,
            Entity::Items,
            &items,
            Some(42),
            None,
            crate::support::now(),
        )
        .unwrap();
    let run = f.cache.start_run("manual", 1_000).unwrap();
    let result = EntityResult {
        division: f.division,
        entity: "Items".into(),
        rows_upserted: 300,
        rows_deleted: 2,
        calls: 1,
        error: Some("daily limit reached; resumes tomorrow".into()),
        set_aside: 3,
        without: vec!["Body".into(), "Notes".into()],
        too_large: vec!["Body".into()],
    };
    f.cache.record_entity_result(run, &result).unwrap();
    f.cache.finish_run(run, 2_000, "failed").unwrap();
    let runs = f.cache.runs(10).unwrap();
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0].outcome.as_deref(), Some("failed"));
    assert_eq!(runs[0].finished_ms, Some(2_000));
    assert_eq!(runs[0].entities, vec![result.clone()]);
    assert!(matches!(
        f.cache.finish_run(run + 1, 1, "ok"),
        Err(Error::NotFound { .. })
    ));
    assert!(matches!(
        f.cache.record_entity_result(run + 1, &result),
        Err(Error::NotFound { .. })
    ));

    let status = f.cache.status(crate::support::now()).unwrap();
    let items_status = status
        .iter()
        .find(|s| s.division == f.division && s.entity == "Items")
        .unwrap();
    assert_eq!(items_status.rows, Some(300));
    assert_eq!(items_status.cursor, Some(42));
    assert_eq!(items_status.last_run, Some(run));
    assert_eq!(items_status.last_error, result.error);
    assert!(
        status
            .iter()
            .any(|s| s.entity == DELETED_CURSOR && s.rows.is_none())
    );

    let div = f.ds.division_record(f.division).unwrap();
    f.cache.upsert_divisions(&[Record(div)]).unwrap();
    assert_eq!(f.cache.division_move_date(f.division).unwrap(), None);
    f.cache
        .set_division_move_date(f.division, Some("/Date(1700000000000)/"))
        .unwrap();
    f.cache
        .upsert_divisions(&[Record(f.ds.division_record(f.division).unwrap())])
        .unwrap();
    assert_eq!(
        f.cache.division_move_date(f.division).unwrap().as_deref(),
        Some("/Date(1700000000000)/"),
        "refreshing divisions keeps the move date the engine acted on"
    );
    assert!(f.cache.size_on_disk().unwrap() > 0);
}

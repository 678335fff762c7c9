//! Properties left out of reads keep their cause until a full resync.

use exact_sim::data::Entity as SimEntity;
use offline_cache::{Entity, ExclusionCause};

use crate::support::fixture;

#[test]
fn exclusions_keep_their_cause_until_a_full_resync() {
    let f = fixture();
    let d = f.division;
    f.cache
        .apply_upserts(
            d,
            Entity::Items,
            &f.sync(SimEntity::Items),
            Some(42),
            None,
            crate::support::now(),
        )
        .unwrap();
    f.cache
        .exclude_property(
            d,
            "Items",
            "Barcode",
            ExclusionCause::Refused,
            "400: 'Barcode'",
            crate::support::now(),
        )
        .unwrap();
    f.cache
        .exclude_property(
            d,
            "Documents",
            "Body",
            ExclusionCause::TooLarge,
            "500: error",
            crate::support::now(),
        )
        .unwrap();
    assert_eq!(
        f.cache.exclusion_causes(d, "Documents").unwrap(),
        [("Body".to_owned(), ExclusionCause::TooLarge)]
    );
    assert_eq!(
        f.cache.excluded_properties(d, "Items").unwrap(),
        ["Barcode"]
    );
    let all = f.cache.all_excluded_properties().unwrap();
    let causes: Vec<_> = all.iter().map(|x| (x.property.as_str(), x.cause)).collect();
    assert_eq!(
        causes,
        [
            ("Body", ExclusionCause::TooLarge),
            ("Barcode", ExclusionCause::Refused)
        ]
    );
    let status = f.cache.status(crate::support::now()).unwrap();
    let of = |entity: &str| {
        status
            .iter()
            .find(|s| s.division == d && s.entity == entity)
            .unwrap()
    };
    assert_eq!(
        (
            of("Documents").excluded.clone(),
            of("Documents").too_large.clone()
        ),
        (vec!["Body".to_owned()], vec!["Body".to_owned()])
    );
    assert_eq!(of("Items").excluded, ["Barcode"]);
    assert!(of("Items").too_large.is_empty(), "refused, not too large");

    // A property refused later keeps only its latest cause.
    f.cache
        .exclude_property(
            d,
            "Documents",
            "Body",
            ExclusionCause::Refused,
            "400: 'Body'",
            crate::support::now(),
        )
        .unwrap();
    assert_eq!(
        f.cache.exclusion_causes(d, "Documents").unwrap(),
        [("Body".to_owned(), ExclusionCause::Refused)]
    );

    f.cache.begin_full_resync(d, 1_000, 1).unwrap();
    assert!(
        f.cache.all_excluded_properties().unwrap().is_empty(),
        "a full resync asks for every property again"
    );
}

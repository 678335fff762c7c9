//! The accounts full-text indexes: an account is found by its contacts' names too.

use exact_sim::data::Entity as SimEntity;
use offline_cache::Entity;
use serde_json::json;

use crate::support::{fixture, record};

#[test]
fn account_search_follows_contact_names() {
    let f = fixture();
    let account = record(json!({
        "ID": "aaaaaaaa-0000-0000-0000-000000000001", "Code": "              4711",
        "Name": "Bakkerij De Molen", "City": "Utrecht", "Status": "C", "Timestamp": 10
    }));
    let contact = |id: &str, name: &str| {
        record(json!({
            "ID": id, "Account": "AAAAAAAA-0000-0000-0000-000000000001",
            "FullName": name, "Timestamp": 11
        }))
    };
    // The contact arrives before its account.
    f.cache
        .apply_upserts(
            f.division,
            Entity::Contacts,
            &[contact(
                "cccccccc-0000-0000-0000-000000000001",
                "Griet Wijnaendts",
            )],
            Some(11),
            None,
            crate::support::now(),
        )
        .unwrap();
    f.cache
        .apply_upserts(
            f.division,
            Entity::Accounts,
            &[account],
            Some(10),
            None,
            crate::support::now(),
        )
        .unwrap();
    let id = "aaaaaaaa-0000-0000-0000-000000000001".to_string();
    assert_eq!(f.search_accounts("wijnaend"), vec![id.clone()]);
    assert_eq!(f.search_accounts("4711"), vec![id.clone()], "trimmed code");
    assert_eq!(
        f.search_accounts("molen utrecht"),
        vec![id.clone()],
        "terms are ANDed across columns"
    );
    f.cache
        .apply_upserts(
            f.division,
            Entity::Contacts,
            &[contact("cccccccc-0000-0000-0000-000000000002", "Ödön Élan")],
            None,
            None,
            crate::support::now(),
        )
        .unwrap();
    assert_eq!(
        f.search_accounts("odon"),
        vec![id.clone()],
        "diacritics are folded"
    );
    f.cache
        .apply_upserts(
            f.division,
            Entity::Contacts,
            &[contact(
                "cccccccc-0000-0000-0000-000000000001",
                "Griet Jansen",
            )],
            None,
            None,
            crate::support::now(),
        )
        .unwrap();
    assert!(
        f.search_accounts("wijnaend").is_empty(),
        "a renamed contact's old name is gone"
    );
    assert_eq!(f.search_accounts("jansen"), vec![id.clone()]);
    f.cache
        .apply_deletions(
            f.division,
            &[(
                Entity::Contacts,
                "cccccccc-0000-0000-0000-000000000001".into(),
            )],
            12,
            crate::support::now(),
        )
        .unwrap();
    assert!(
        f.search_accounts("jansen").is_empty(),
        "a deleted contact's name is gone"
    );
    let detail = f
        .cache
        .account(f.division, &id, crate::support::now())
        .unwrap()
        .unwrap();
    assert_eq!(detail.contacts.len(), 1);
    assert_eq!(detail.summary.code.as_deref(), Some("4711"));

    // A contact moved to another account is found through its new account only.
    let other = record(json!({
        "ID": "aaaaaaaa-0000-0000-0000-000000000002", "Code": "4712",
        "Name": "Slagerij Van Dam", "City": "Gouda", "Status": "C", "Timestamp": 13
    }));
    f.cache
        .apply_upserts(
            f.division,
            Entity::Accounts,
            &[other],
            None,
            None,
            crate::support::now(),
        )
        .unwrap();
    let mut moved = contact("cccccccc-0000-0000-0000-000000000002", "Ödön Élan");
    moved.0.insert(
        "Account".into(),
        json!("aaaaaaaa-0000-0000-0000-000000000002"),
    );
    f.cache
        .apply_upserts(
            f.division,
            Entity::Contacts,
            &[moved],
            None,
            None,
            crate::support::now(),
        )
        .unwrap();
    assert_eq!(
        f.search_accounts("odon"),
        vec!["aaaaaaaa-0000-0000-0000-000000000002".to_string()],
        "the contact follows its account"
    );
    // Another division's contacts never match.
    f.cache
        .apply_upserts(
            f.division + 1,
            Entity::Contacts,
            &[contact(
                "cccccccc-0000-0000-0000-000000000009",
                "Zweitdivision Pers",
            )],
            None,
            None,
            crate::support::now(),
        )
        .unwrap();
    assert!(f.search_accounts("zweitdivision").is_empty());

    f.load_all();
    let contacts = f.sync(SimEntity::Contacts);
    let c = contacts
        .iter()
        .find(|c| c.str("FullName").is_some() && c.guid("Account").is_some())
        .unwrap();
    let last = c.str("LastName").or(c.str("FullName")).unwrap();
    assert!(
        f.search_accounts(last)
            .contains(&c.guid("Account").unwrap()),
        "{last:?}"
    );
}

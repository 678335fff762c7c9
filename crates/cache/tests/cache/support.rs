//! The fixture every module shares: a cache in a temp dir and exact-sim's generated records.

use exact_record::Record;
use exact_sim::data::{DataConfig, Dataset, Entity as SimEntity, ListPage, Variant};
use offline_cache::{AccountQuery, Cache, Entity, ItemQuery};
use serde_json::Value;

pub struct Fixture {
    _dir: tempfile::TempDir,
    pub cache: Cache,
    pub ds: Dataset,
    pub division: i32,
}

pub fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let cache = Cache::open(&dir.path().join("nested/folder/cache.sqlite")).unwrap();
    let ds = Dataset::new(DataConfig {
        seed: 3,
        divisions: 1,
        items: 300,
        accounts: 60,
        contacts: None,
        addresses: None,
        documents: None,
        attachments: None,
        prices: None,
        orders: None,
        picture_share: 0.5,
        base_url: "https://start.exactonline.nl".into(),
        origin_ms: 1_750_000_000_000,
    });
    let division = ds.division_codes()[0];
    Fixture {
        _dir: dir,
        cache,
        ds,
        division,
    }
}

impl Fixture {
    pub fn sync(&self, entity: SimEntity) -> Vec<Record> {
        self.ds
            .sync_after(self.division, entity, 0, 100_000, None)
            .into_iter()
            .map(Record)
            .collect()
    }

    pub fn regular(&self, entity: SimEntity) -> Vec<Record> {
        self.ds
            .list_after(
                self.division,
                entity,
                &ListPage::first(Variant::Regular, 100_000),
            )
            .into_iter()
            .map(Record)
            .collect()
    }

    pub fn load_all(&self) {
        let d = self.division;
        for (entity, sim) in [
            (Entity::Items, SimEntity::Items),
            (Entity::Accounts, SimEntity::Accounts),
            (Entity::Contacts, SimEntity::Contacts),
            (Entity::Addresses, SimEntity::Addresses),
            (Entity::Documents, SimEntity::Documents),
            (Entity::DocumentAttachments, SimEntity::DocumentAttachments),
        ] {
            let records = self.sync(sim);
            let max = records.iter().filter_map(Record::timestamp).max();
            self.cache
                .apply_upserts(d, entity, &records, max, None, crate::support::now())
                .unwrap();
        }
        self.cache
            .replace_all(d, Entity::ItemGroups, &self.regular(SimEntity::ItemGroups))
            .unwrap();
        self.cache
            .replace_all(d, Entity::Units, &self.regular(SimEntity::Units))
            .unwrap();
    }

    pub fn search_items(&self, text: &str) -> Vec<String> {
        self.cache
            .items(&ItemQuery {
                division: self.division,
                search: Some(text.into()),
                limit: 1000,
                ..ItemQuery::default()
            })
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.id)
            .collect()
    }

    pub fn search_accounts(&self, text: &str) -> Vec<String> {
        self.cache
            .accounts(&AccountQuery {
                division: self.division,
                search: Some(text.into()),
                limit: 1000,
                ..AccountQuery::default()
            })
            .unwrap()
            .rows
            .into_iter()
            .map(|r| r.id)
            .collect()
    }
}

pub fn record(value: Value) -> Record {
    match value {
        Value::Object(map) => Record(map),
        other => panic!("not an object: {other}"),
    }
}

pub fn with(r: &Record, name: &str, value: Value) -> Record {
    let mut r = r.clone();
    r.0.insert(name.into(), value);
    r
}

/// The time the tests' writes are stamped with and their reads judged by: the system's clock.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

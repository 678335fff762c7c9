//! The harness of the engine's tests: a demo company (the simulator in-process), an engine
//! over a real SQLite file, and the simulator's admin routes.

use std::collections::BTreeMap;
use std::sync::Arc;

use exact_sim::SimConfig;
use offline_cache::{Cache, Entity};
use offline_demo::Demo;
use offline_sync::{CancellationToken, Engine, RunReport, SyncOptions, ignore_progress};
use serde_json::Value;
use tempfile::TempDir;

pub struct Harness {
    pub demo: Demo,
    pub engine: Engine,
    pub cache: Arc<Cache>,
    pub http: reqwest::Client,
    pub _dir: TempDir,
}

pub async fn start(config: SimConfig) -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let demo = offline_demo::start(config, dir.path()).await.unwrap();
    let cache = Arc::new(Cache::open(&dir.path().join("cache.sqlite")).unwrap());
    let engine = Engine::new(
        demo.client.clone(),
        Arc::clone(&cache),
        Arc::clone(&demo.clock),
    );
    Harness {
        demo,
        engine,
        cache,
        http: reqwest::Client::new(),
        _dir: dir,
    }
}

pub fn small() -> SimConfig {
    SimConfig {
        seed: 7,
        items: 2_300,
        accounts: 400,
        ..SimConfig::default()
    }
}

pub const SYNCED: [Entity; 13] = [
    Entity::ItemGroups,
    Entity::Units,
    Entity::Items,
    Entity::Accounts,
    Entity::Contacts,
    Entity::Addresses,
    Entity::Documents,
    Entity::DocumentAttachments,
    Entity::ItemExtraFields,
    Entity::SalesItemPrices,
    Entity::StockPositions,
    Entity::SalesOrderHeaders,
    Entity::SalesOrderLines,
];

/// A record's key as the cache stores it (extra fields have no ID: item and number).
pub fn key(entity: Entity, row: &Value) -> String {
    let record = exact_api::Record(row.as_object().cloned().unwrap_or_default());
    entity
        .key(&record)
        .unwrap_or_else(|| panic!("{entity} record without a key: {row}"))
}

impl Harness {
    pub fn division(&self) -> i32 {
        self.demo.sim.division_codes()[0]
    }

    pub fn options(&self) -> SyncOptions {
        SyncOptions {
            divisions: vec![self.division()],
            ..SyncOptions::default()
        }
    }

    pub async fn run(&self, options: &SyncOptions) -> RunReport {
        self.engine
            .run(options, "test", ignore_progress(), CancellationToken::new())
            .await
    }

    pub async fn admin(&self, path: &str, body: Value) -> Value {
        let url = format!("{}/_sim/{path}", self.demo.sim.base_url());
        let response = self
            .http
            .post(url)
            .header(exact_sim::ADMIN_SECRET_HEADER, self.demo.sim.admin_secret())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{path} accepted: {}",
            response.status()
        );
        response.json().await.unwrap_or(Value::Null)
    }

    pub async fn dump(&self, division: i32, entity: Entity) -> BTreeMap<String, Value> {
        let url = format!(
            "{}/_sim/dump?division={division}&entity={entity}",
            self.demo.sim.base_url()
        );
        let rows: Vec<Value> = self
            .http
            .get(url)
            .header(exact_sim::ADMIN_SECRET_HEADER, self.demo.sim.admin_secret())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        // The engine selects every property except binary ones (inline image bytes).
        let plan = offline_sync::plan::PLANS
            .iter()
            .find(|p| p.entity == entity)
            .unwrap();
        let selected = plan.properties();
        rows.into_iter()
            .map(|mut r| {
                r.as_object_mut()
                    .unwrap()
                    .retain(|k, _| selected.contains(&k.as_str()));
                (key(entity, &r), r)
            })
            .collect()
    }

    pub fn cached(&self, division: i32, entity: Entity) -> BTreeMap<String, Value> {
        let mut rows = BTreeMap::new();
        self.cache
            .export(division, entity, &mut |json| {
                let value: Value = serde_json::from_str(json).unwrap();
                rows.insert(key(entity, &value), value);
                Ok(())
            })
            .unwrap();
        rows
    }

    /// The cache holds exactly the simulator's records, every property verbatim.
    pub async fn assert_equal(&self, division: i32) {
        for entity in SYNCED {
            let source = self.dump(division, entity).await;
            let cached = self.cached(division, entity);
            assert_eq!(
                cached.len(),
                source.len(),
                "{entity}: row count of cache vs simulator"
            );
            for (id, row) in &source {
                let mine = cached
                    .get(id)
                    .unwrap_or_else(|| panic!("{entity} {id} is missing from the cache"));
                assert_eq!(mine, row, "{entity} {id} differs from the simulator");
            }
        }
    }
}

pub fn outcome<'a>(report: &'a RunReport, entity: &str) -> &'a offline_sync::EntityOutcome {
    report
        .entities
        .iter()
        .find(|e| e.entity == entity)
        .unwrap_or_else(|| panic!("no outcome for {entity}"))
}

/// The time a test's own writes are stamped with and its reads judged by: the system's clock.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

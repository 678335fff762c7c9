//! What the modules against the simulator share: the demo company (exact-sim in-process, signed
//! in through the real OAuth flow), a store folder, and the jobs the engine would derive.

use exact_api::Record;
use exact_sim::SimConfig;
use offline_assets::{AssetConfig, AssetEntity, AssetJob, AssetSource, Assets, job_for};
use offline_demo::Demo;
use serde_json::Value;
use tempfile::TempDir;

pub struct Harness {
    pub demo: Demo,
    pub dir: TempDir,
    pub http: reqwest::Client,
}

pub async fn start() -> Harness {
    let dir = tempfile::tempdir().unwrap();
    let config = SimConfig {
        seed: 11,
        items: 30,
        accounts: 12,
        documents: Some(10),
        attachments: Some(12),
        picture_share: 0.6,
        ..SimConfig::default()
    };
    let demo = offline_demo::start(config, dir.path()).await.unwrap();
    Harness {
        demo,
        dir,
        http: reqwest::Client::new(),
    }
}

pub const SOURCES: [(AssetEntity, &str, &str); 4] = [
    (
        AssetEntity::Items,
        "sync/Logistics/Items",
        "ID,Timestamp,PictureUrl,PictureName,Modified",
    ),
    (
        AssetEntity::Accounts,
        "sync/CRM/Accounts",
        "ID,Timestamp,LogoUrl,LogoFileName,Modified",
    ),
    (
        AssetEntity::Contacts,
        "sync/CRM/Contacts",
        "ID,Timestamp,PictureUrl,PictureName,Modified",
    ),
    (
        AssetEntity::DocumentAttachments,
        "sync/Documents/DocumentAttachments",
        "ID,Timestamp,Url,FileName,FileSize",
    ),
];

impl Harness {
    pub fn division(&self) -> i32 {
        self.demo.sim.division_codes()[0]
    }

    pub fn assets(&self, folder: &str, config: AssetConfig) -> Assets {
        Assets::open(
            self.demo.client.clone(),
            self.dir.path().join(folder),
            config,
            None,
        )
        .unwrap()
    }

    pub async fn records(&self, path: &str, select: &str) -> Vec<Record> {
        let mut pager = self.demo.client.sync(self.division(), path, select, 0);
        let mut all = Vec::new();
        while let Some(page) = pager.next_page().await.unwrap() {
            all.extend(page.records);
        }
        all
    }

    /// Jobs of every record of `entities`, as the engine would derive them.
    pub async fn jobs(&self, entities: &[AssetEntity]) -> Vec<AssetJob> {
        let mut jobs = Vec::new();
        for (entity, path, select) in SOURCES {
            if entities.contains(&entity) {
                for record in self.records(path, select).await {
                    jobs.push(job_for(entity, self.division(), &record).unwrap());
                }
            }
        }
        jobs
    }

    pub async fn sim_downloads(&self) -> u64 {
        let stats: Value = self
            .http
            .get(format!("{}/_sim/stats", self.demo.sim.base_url()))
            .header(exact_sim::ADMIN_SECRET_HEADER, self.demo.sim.admin_secret())
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        stats["downloads"].as_u64().unwrap()
    }

    pub async fn admin(&self, route: &str, body: Value) {
        let response = self
            .http
            .post(format!("{}/_sim/{route}", self.demo.sim.base_url()))
            .header(exact_sim::ADMIN_SECRET_HEADER, self.demo.sim.admin_secret())
            .json(&body)
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success(),
            "{route}: {}",
            response.text().await.unwrap()
        );
    }
}

pub const PICTURES: [AssetEntity; 3] = [
    AssetEntity::Items,
    AssetEntity::Accounts,
    AssetEntity::Contacts,
];

pub fn is_picture(job: &AssetJob) -> bool {
    matches!(job.source, AssetSource::Picture { .. })
}

//! Where the app keeps its files, and the connection settings saved by `login`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use exact_api::{
    AppCredentials, ClientConfig, ExactClient, SharedClock, StorePreference, SystemClock,
    TokenStore, open_store,
};
use serde::{Deserialize, Serialize};

/// Connection settings of a real Exact Online account (the client secret included, so the file
/// is written readable only by its owner).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Connection {
    pub base_url: String,
    pub app: AppCredentials,
    /// Divisions chosen at login (never silently the one last opened on the web).
    #[serde(default)]
    pub divisions: Vec<i32>,
}

/// The data folder: `--data-dir`, else `$EXACT_OFFLINE_DATA_DIR`, else the platform's data dir.
pub fn data_dir(flag: Option<&Path>) -> Result<PathBuf> {
    if let Some(dir) = flag {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = std::env::var_os("EXACT_OFFLINE_DATA_DIR") {
        return Ok(PathBuf::from(dir));
    }
    let base = dirs::data_dir().context("no data folder on this system; pass --data-dir")?;
    Ok(base.join("exact-offline"))
}

/// The folder of the built-in demo company, apart from a real account's data.
pub fn demo_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("demo")
}

pub fn cache_path(dir: &Path) -> PathBuf {
    dir.join("cache.sqlite")
}

fn connection_path(dir: &Path) -> PathBuf {
    dir.join("connection.json")
}

impl Connection {
    pub fn load(dir: &Path) -> Result<Option<Connection>> {
        let path = connection_path(dir);
        match std::fs::read(&path) {
            Ok(bytes) => {
                Ok(Some(serde_json::from_slice(&bytes).with_context(|| {
                    format!("{} is not valid", path.display())
                })?))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    pub fn save(&self, dir: &Path) -> Result<()> {
        let json = serde_json::to_vec_pretty(self)?;
        exact_api::tokens::write_private_atomically(&connection_path(dir), &json)
            .with_context(|| format!("cannot write {}", connection_path(dir).display()))
    }

    /// A client for this connection with tokens in the keychain (or the data folder).
    pub async fn client(&self, dir: &Path) -> Result<ExactClient> {
        Ok(self.open(dir).await?.client)
    }

    /// A client for this connection, with the token store it uses.
    pub async fn open(&self, dir: &Path) -> Result<OpenedClient> {
        let account = format!("{}|{}", self.base_url, self.app.client_id);
        let store_dir = dir.to_path_buf();
        let opened = tokio::task::spawn_blocking(move || {
            open_store(&store_dir, &account, StorePreference::Auto)
        })
        .await
        .context("token store task failed")?;
        if let Some(warning) = &opened.warning {
            tracing::warn!("{warning}");
        }
        let clock = clock_for(&self.base_url).await?;
        let config = ClientConfig::new(
            &self.base_url,
            self.app.clone(),
            dir.join("tokens.lock"),
            Arc::clone(&clock),
        );
        Ok(OpenedClient {
            client: ExactClient::new(config, Arc::clone(&opened.store))?,
            store: opened.store,
            warning: opened.warning,
            clock,
        })
    }

    /// Forgets the sign-in: the tokens and this file (the offline copy stays).
    pub fn forget(dir: &Path, store: &dyn TokenStore) -> Result<()> {
        store.clear()?;
        match std::fs::remove_file(connection_path(dir)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("cannot remove {}", connection_path(dir).display()))
            }
            _ => Ok(()),
        }
    }
}

/// The system clock; or, with `EXACT_OFFLINE_SIM_CLOCK` set and a loopback instance (a simulator
/// on this machine), the simulator's clock read from its `/_sim/clock`. Tests run a time-scaled
/// simulator so that Exact's 570 s and 600 s token rules pass in seconds; a client on the system
/// clock would wait the full 570 s after every revoked token. A real instance never gets this.
async fn clock_for(base_url: &str) -> Result<SharedClock> {
    let loopback = ["http://127.0.0.1:", "http://localhost:"]
        .iter()
        .any(|p| base_url.starts_with(p));
    if loopback && std::env::var_os("EXACT_OFFLINE_SIM_CLOCK").is_some() {
        return offline_demo::anchored_clock(base_url.trim_end_matches('/'))
            .await
            .context("EXACT_OFFLINE_SIM_CLOCK is set but the simulator's clock cannot be read");
    }
    Ok(Arc::new(SystemClock))
}

/// A client and where its tokens are kept.
#[derive(Debug)]
pub struct OpenedClient {
    pub client: ExactClient,
    pub store: Arc<dyn TokenStore>,
    /// Why the tokens are in a file rather than the keychain, when they are.
    pub warning: Option<String>,
    /// The clock the client runs on (the engine should use the same).
    pub clock: SharedClock,
}

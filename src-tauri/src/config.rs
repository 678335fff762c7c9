//! The folders' privacy, the files inside them, and the connection settings saved by `login`
//! (in the config folder, with the token files when no keychain answers).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};
use exact_api::{
    AppCredentials, ClientConfig, ExactClient, SharedClock, StorePreference, SystemClock,
    TokenFiles, TokenStore, open_store,
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

/// Creates one of the app's folders ([`crate::folders::Folders`]) or `dir` inside one, readable
/// only by the user, and tightens one that an earlier version left open: the offline copy,
/// pictures, attachments, settings and logs inside are the company's data, and other accounts on
/// the computer must not read them.
///
/// On Unix the folder is made mode 0700 (files inside keep their mode, but nobody else can reach
/// them). On Windows and macOS the platform's folders already lie in the user's profile, whose
/// access list admits only the user (and administrators); a folder chosen with `--data-dir`
/// keeps the access list of where it was put.
pub fn private_dir(dir: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
        std::fs::DirBuilder::new()
            .recursive(true)
            .mode(0o700)
            .create(dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let mode = std::fs::metadata(dir)
            .with_context(|| format!("cannot read {}", dir.display()))?
            .permissions()
            .mode();
        if mode & 0o077 != 0 {
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(mode & 0o700))
                .with_context(|| format!("cannot make {} private", dir.display()))?;
        }
    }
    #[cfg(not(unix))]
    std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    Ok(())
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

    /// A client for this connection with tokens in the keychain (or the config folder `dir`).
    pub async fn client(&self, dir: &Path) -> Result<ExactClient> {
        Ok(self.open(dir).await?.client)
    }

    /// A client for this connection, with the token store it uses.
    pub async fn open(&self, dir: &Path) -> Result<OpenedClient> {
        let (account, files) = (self.account(), self.token_files(dir));
        let store_dir = dir.to_path_buf();
        let opened = tokio::task::spawn_blocking(move || {
            if let Err(e) = files.adopt_unkeyed(&store_dir) {
                tracing::warn!(error = %e, "cannot carry the tokens of an earlier version over");
            }
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
            self.token_files(dir).lock,
            Arc::clone(&clock),
        );
        Ok(OpenedClient {
            client: ExactClient::new(config, Arc::clone(&opened.store))?,
            store: opened.store,
            warning: opened.warning,
            clock,
        })
    }

    /// Which chain of tokens this is: one per Exact instance and app registration.
    fn account(&self) -> String {
        format!("{}|{}", self.base_url, self.app.client_id)
    }

    /// The files of this account's tokens in `dir`.
    pub fn token_files(&self, dir: &Path) -> TokenFiles {
        TokenFiles::for_account(dir, &self.account())
    }

    /// Forgets the sign-in: the tokens wherever they are kept (the keychain, the token file and
    /// a rescued set) and this file. The offline copy stays.
    pub fn forget(&self, dir: &Path, store: &dyn TokenStore) -> Result<()> {
        store.clear()?;
        self.token_files(dir).remove()?;
        match std::fs::remove_file(connection_path(dir)) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(e).with_context(|| format!("cannot remove {}", connection_path(dir).display()))
            }
            _ => Ok(()),
        }
    }
}

/// Whether `base_url` is a simulator on this computer: `http://127.0.0.1:PORT` or
/// `http://localhost:PORT`, nothing after the port.
pub fn is_local_simulator(base_url: &str) -> bool {
    ["http://127.0.0.1:", "http://localhost:"]
        .iter()
        .any(|prefix| {
            base_url
                .trim_end_matches('/')
                .strip_prefix(prefix)
                .is_some_and(|port| port.parse::<u16>().is_ok())
        })
}

/// The system clock; or, with `EXACT_OFFLINE_SIM_CLOCK` set to a simulator's admin secret and a
/// loopback instance (a simulator on this machine), the simulator's clock read from its
/// `/_sim/clock` with that secret. Tests run a time-scaled simulator so that Exact's 570 s and
/// 600 s token rules pass in seconds; a client on the system clock would wait the full 570 s after
/// every revoked token. A real instance never gets this.
async fn clock_for(base_url: &str) -> Result<SharedClock> {
    let loopback = is_local_simulator(base_url);
    if let Some(admin_secret) = std::env::var_os("EXACT_OFFLINE_SIM_CLOCK").filter(|_| loopback) {
        return offline_demo::anchored_clock(
            base_url.trim_end_matches('/'),
            &admin_secret.to_string_lossy(),
        )
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

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(unix)]
    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    #[cfg(unix)]
    fn the_data_folder_is_private_fresh_or_left_open_by_an_earlier_version() {
        use std::os::unix::fs::PermissionsExt;
        let parent = tempfile::tempdir().unwrap();
        let fresh = parent.path().join("exact-offline/demo");
        private_dir(&fresh).unwrap();
        assert_eq!(mode(&fresh), 0o700, "a new data folder is the user's alone");

        let old = parent.path().join("old");
        std::fs::create_dir(&old).unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::write(old.join("cache.sqlite"), b"x").unwrap();
        private_dir(&old).unwrap();
        assert_eq!(
            mode(&old),
            0o700,
            "a folder an earlier version made 0755 is tightened on start"
        );
        assert!(old.join("cache.sqlite").exists(), "nothing inside is lost");
    }

    #[test]
    fn signing_out_leaves_no_token_file_of_the_account() {
        let dir = tempfile::tempdir().unwrap();
        let connection = Connection {
            base_url: "https://start.exactonline.nl".into(),
            app: AppCredentials {
                client_id: "3f2b7c1e-0000-4000-8000-000000000001".into(),
                client_secret: "secret".into(),
                redirect_uri: "http://localhost:47615/callback".into(),
            },
            divisions: vec![],
        };
        connection.save(dir.path()).unwrap();
        let files = connection.token_files(dir.path());
        let store = exact_api::FileTokenStore::new(&files.tokens);
        let tokens = exact_api::TokenSet {
            access_token: "a".into(),
            refresh_token: "r".into(),
            issued_at_ms: 1,
            expires_at_ms: 2,
            refresh_expires_at_ms: 3,
        };
        store.save(&tokens).unwrap();
        // A set the store once refused, kept in the rescue file.
        exact_api::FileTokenStore::new(&files.rescue)
            .save(&tokens)
            .unwrap();
        connection.forget(dir.path(), &store).unwrap();
        let left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".json"))
            .collect();
        assert!(
            left.is_empty(),
            "sign-out must leave no token or connection file: {left:?}"
        );
    }
}

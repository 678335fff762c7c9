//! Token sets and where they live.
//!
//! Exact rotates the refresh token on every refresh and refuses the old one, so a token set must
//! be stored durably *before* its access token is used: a crash after the refresh but before the
//! write would otherwise lose the chain. Stores are the OS keychain (preferred) and a 0600 file
//! (headless machines, or when no keychain answers). A keychain is trusted only after a
//! set/get/delete round trip succeeds: some backends accept a write and then fail the read.

use std::fmt;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Exact's refresh tokens die after 30 days without use.
pub const REFRESH_IDLE_MS: i64 = 30 * 24 * 3_600_000;

/// One access/refresh token pair with the times the client needs (epoch ms, client clock).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenSet {
    pub access_token: String,
    pub refresh_token: String,
    /// When the access token was issued; Exact refuses a refresh within 570 s of this.
    pub issued_at_ms: i64,
    /// When the access token stops working.
    pub expires_at_ms: i64,
    /// When the refresh token dies if it is not used before then.
    pub refresh_expires_at_ms: i64,
}

impl fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Tokens never reach logs.
        f.debug_struct("TokenSet")
            .field("access_token", &"<redacted>")
            .field("refresh_token", &"<redacted>")
            .field("issued_at_ms", &self.issued_at_ms)
            .field("expires_at_ms", &self.expires_at_ms)
            .field("refresh_expires_at_ms", &self.refresh_expires_at_ms)
            .finish()
    }
}

/// Which kind of store holds the tokens (shown to the user in settings).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StoreKind {
    Keychain,
    File,
}

/// Durable storage for one token set.
pub trait TokenStore: Send + Sync + fmt::Debug {
    fn kind(&self) -> StoreKind;
    fn load(&self) -> Result<Option<TokenSet>>;
    /// Stores the set durably; returns only once it would survive a crash.
    fn save(&self, tokens: &TokenSet) -> Result<()>;
    fn clear(&self) -> Result<()>;
}

/// A token set in a JSON file readable only by its owner, replaced atomically.
#[derive(Debug, Clone)]
pub struct FileTokenStore {
    path: PathBuf,
}

impl FileTokenStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        FileTokenStore { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }
}

fn store_err(context: &str, path: &Path, e: impl fmt::Display) -> Error {
    Error::TokenStore(format!("{context} {}: {e}", path.display()))
}

impl TokenStore for FileTokenStore {
    fn kind(&self) -> StoreKind {
        StoreKind::File
    }

    fn load(&self) -> Result<Option<TokenSet>> {
        match fs::read(&self.path) {
            Ok(bytes) => serde_json::from_slice(&bytes)
                .map(Some)
                .map_err(|e| store_err("unreadable token file", &self.path, e)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(store_err("cannot read", &self.path, e)),
        }
    }

    fn save(&self, tokens: &TokenSet) -> Result<()> {
        let json =
            serde_json::to_vec_pretty(tokens).map_err(|e| Error::TokenStore(e.to_string()))?;
        write_private_atomically(&self.path, &json)
            .map_err(|e| store_err("cannot write", &self.path, e))
    }

    fn clear(&self) -> Result<()> {
        match fs::remove_file(&self.path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                Err(store_err("cannot remove", &self.path, e))
            }
            _ => Ok(()),
        }
    }
}

/// Writes `bytes` to `path` through a synced temporary file and a rename, mode 0600 on Unix.
pub fn write_private_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&tmp)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    drop(file);
    fs::rename(&tmp, path)?;
    #[cfg(unix)]
    File::open(dir)?.sync_all()?;
    Ok(())
}

/// A token set in the operating system's keychain (Secret Service, macOS Keychain, Windows
/// Credential Manager), stored as one JSON secret.
#[derive(Debug)]
pub struct KeychainTokenStore {
    entry: keyring::Entry,
}

const KEYCHAIN_SERVICE: &str = "exact-offline";

impl KeychainTokenStore {
    /// A keychain entry for `account` (for example the base URL and client id), if the keychain
    /// passes a set/get/delete round trip.
    pub fn probe(account: &str) -> Result<Self> {
        // A probe name of its own, so that processes starting together do not disturb each other.
        let nonce: u64 = rand::random();
        let probe = keyring::Entry::new(KEYCHAIN_SERVICE, &format!("{account}#probe-{nonce:016x}"))
            .map_err(|e| Error::TokenStore(format!("no keychain: {e}")))?;
        let secret = format!("probe-{}", std::process::id());
        probe
            .set_password(&secret)
            .map_err(|e| Error::TokenStore(format!("keychain write failed: {e}")))?;
        let read = probe
            .get_password()
            .map_err(|e| Error::TokenStore(format!("keychain read failed: {e}")))?;
        // Best effort: a leftover probe entry holds no secret.
        let _ = probe.delete_credential();
        if read != secret {
            return Err(Error::TokenStore(
                "keychain returned a different value than written".into(),
            ));
        }
        let entry = keyring::Entry::new(KEYCHAIN_SERVICE, account)
            .map_err(|e| Error::TokenStore(format!("no keychain: {e}")))?;
        Ok(KeychainTokenStore { entry })
    }
}

impl TokenStore for KeychainTokenStore {
    fn kind(&self) -> StoreKind {
        StoreKind::Keychain
    }

    fn load(&self) -> Result<Option<TokenSet>> {
        match self.entry.get_password() {
            Ok(json) => serde_json::from_str(&json)
                .map(Some)
                .map_err(|e| Error::TokenStore(format!("unreadable keychain entry: {e}"))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(Error::TokenStore(format!("keychain read failed: {e}"))),
        }
    }

    fn save(&self, tokens: &TokenSet) -> Result<()> {
        let json = serde_json::to_string(tokens).map_err(|e| Error::TokenStore(e.to_string()))?;
        self.entry
            .set_password(&json)
            .map_err(|e| Error::TokenStore(format!("keychain write failed: {e}")))?;
        // Trust the write only if it reads back.
        match self.load()? {
            Some(read) if &read == tokens => Ok(()),
            _ => Err(Error::TokenStore(
                "the keychain did not keep the tokens".into(),
            )),
        }
    }

    fn clear(&self) -> Result<()> {
        match self.entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(Error::TokenStore(format!("keychain delete failed: {e}"))),
        }
    }
}

/// Which store to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StorePreference {
    /// The keychain when it passes a round trip, otherwise the file (with a warning).
    #[default]
    Auto,
    /// Always the file.
    File,
}

/// The chosen store plus, when the keychain was wanted but unusable, the warning to show.
#[derive(Debug, Clone)]
pub struct OpenedStore {
    pub store: Arc<dyn TokenStore>,
    pub warning: Option<String>,
}

/// The files of one account's token chain in a data folder, named after the account (the Exact
/// instance and the client id): a second account or app registration signed in from the same
/// folder never reads, overwrites or refreshes another's chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFiles {
    /// The token set, when the file store is used.
    pub tokens: PathBuf,
    /// A set the store refused, kept until the store takes it (see the session).
    pub rescue: PathBuf,
    /// The cross-process refresh lock (holds no secret).
    pub lock: PathBuf,
}

impl TokenFiles {
    /// The files for `account` (for example `"{base_url}|{client_id}"`) in `dir`.
    pub fn for_account(dir: &Path, account: &str) -> Self {
        let stem = format!("tokens-{:016x}", fnv1a(account.as_bytes()));
        let lock = dir.join(format!("{stem}.lock"));
        TokenFiles {
            tokens: dir.join(format!("{stem}.json")),
            rescue: rescue_path(&lock),
            lock,
        }
    }

    /// The unkeyed files that versions before the keying used (`tokens.json`, ...).
    fn unkeyed(dir: &Path) -> Self {
        let lock = dir.join("tokens.lock");
        TokenFiles {
            tokens: dir.join("tokens.json"),
            rescue: rescue_path(&lock),
            lock,
        }
    }

    /// Carries a chain over from the unkeyed files of an earlier version, so that an upgrade
    /// does not sign the user out. Does nothing once the keyed files exist.
    pub fn adopt_unkeyed(&self, dir: &Path) -> std::io::Result<()> {
        let old = TokenFiles::unkeyed(dir);
        for (from, to) in [(&old.tokens, &self.tokens), (&old.rescue, &self.rescue)] {
            if from.exists() && !to.exists() {
                fs::rename(from, to)?;
            }
        }
        Ok(())
    }

    /// Deletes every file of the chain that holds a token, the rescued set included (sign-out):
    /// no refresh token of the account is left on disk. The lock file stays: it holds nothing,
    /// and removing it could let two processes lock two different files of one name.
    pub fn remove(&self) -> Result<()> {
        for path in [&self.tokens, &self.rescue] {
            match fs::remove_file(path) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(store_err("cannot remove", path, e));
                }
                _ => {}
            }
        }
        Ok(())
    }
}

/// Where a session keeps a token set its store refused: next to its refresh lock.
pub(crate) fn rescue_path(lock: &Path) -> PathBuf {
    lock.with_extension("rescue.json")
}

/// FNV-1a, 64 bits: a file name stable across versions and platforms (std's hasher is not).
fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, &b| {
        (hash ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// Opens the token store for `account`, falling back to its file in `dir` ([`TokenFiles`]).
///
/// Call from a blocking context (for example `spawn_blocking`): keychain backends talk to
/// D-Bus synchronously.
pub fn open_store(dir: &Path, account: &str, preference: StorePreference) -> OpenedStore {
    let path = TokenFiles::for_account(dir, account).tokens;
    let file = Arc::new(FileTokenStore::new(&path));
    if preference == StorePreference::File {
        return OpenedStore {
            store: file,
            warning: None,
        };
    }
    match KeychainTokenStore::probe(account) {
        Ok(keychain) => OpenedStore {
            store: Arc::new(keychain),
            warning: None,
        },
        Err(e) => OpenedStore {
            store: file,
            warning: Some(format!(
                "No usable keychain ({e}); tokens are kept in {} (readable only by you).",
                path.display()
            )),
        },
    }
}

/// An exclusive lock across processes on `<dir>/tokens.lock`, held while a refresh is in flight.
#[derive(Debug)]
pub struct RefreshLock {
    file: File,
}

impl RefreshLock {
    /// Blocks until the lock is held. Call from a blocking context.
    pub fn acquire(path: &Path) -> Result<Self> {
        if let Some(dir) = path.parent() {
            fs::create_dir_all(dir).map_err(|e| store_err("cannot create", dir, e))?;
        }
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(path)
            .map_err(|e| store_err("cannot open lock", path, e))?;
        file.lock().map_err(|e| store_err("cannot lock", path, e))?;
        Ok(RefreshLock { file })
    }
}

impl Drop for RefreshLock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> TokenSet {
        TokenSet {
            access_token: "secret-access".into(),
            refresh_token: "secret-refresh".into(),
            issued_at_ms: 1,
            expires_at_ms: 600_001,
            refresh_expires_at_ms: 1 + REFRESH_IDLE_MS,
        }
    }

    #[test]
    fn file_store_round_trips_privately() {
        let dir = tempfile::tempdir().expect("temp dir");
        let store = FileTokenStore::new(dir.path().join("sub/tokens.json"));
        assert_eq!(store.load().expect("empty store loads"), None);
        store.save(&sample()).expect("saves");
        assert_eq!(store.load().expect("loads"), Some(sample()));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(store.path())
                .expect("exists")
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode, 0o600, "tokens must be readable only by their owner");
        }
        store.clear().expect("clears");
        assert_eq!(store.load().expect("loads"), None);
        store.clear().expect("clearing twice is fine");
    }

    #[test]
    fn a_corrupt_file_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("tokens.json");
        fs::write(&path, b"{not json").expect("writes");
        assert!(matches!(
            FileTokenStore::new(&path).load(),
            Err(Error::TokenStore(_))
        ));
    }

    #[test]
    fn debug_output_hides_tokens() {
        let text = format!("{:?}", sample());
        assert!(!text.contains("secret"), "tokens leaked into Debug: {text}");
    }

    #[test]
    fn token_files_are_keyed_per_account_and_removed_whole() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = TokenFiles::for_account(dir.path(), "https://start.exactonline.nl|client-a");
        let b = TokenFiles::for_account(dir.path(), "https://start.exactonline.nl|client-b");
        assert_ne!(
            a.tokens, b.tokens,
            "two registrations must not share a chain"
        );
        assert_eq!(
            a,
            TokenFiles::for_account(dir.path(), "https://start.exactonline.nl|client-a"),
            "the name is stable"
        );
        for path in [&a.tokens, &a.rescue, &a.lock, &b.tokens] {
            fs::write(path, b"{}").expect("writes");
        }
        a.remove().expect("removes");
        for path in [&a.tokens, &a.rescue] {
            assert!(!path.exists(), "{} is left after sign-out", path.display());
        }
        assert!(b.tokens.exists(), "another account's chain is not touched");
        a.remove().expect("removing twice is fine");
    }

    #[test]
    fn an_unkeyed_chain_of_an_earlier_version_is_carried_over() {
        let dir = tempfile::tempdir().expect("temp dir");
        let files = TokenFiles::for_account(dir.path(), "acct");
        FileTokenStore::new(dir.path().join("tokens.json"))
            .save(&sample())
            .expect("saves");
        fs::write(dir.path().join("tokens.rescue.json"), b"{}").expect("writes");
        files.adopt_unkeyed(dir.path()).expect("adopts");
        assert_eq!(
            FileTokenStore::new(&files.tokens).load().expect("loads"),
            Some(sample())
        );
        assert!(
            files.rescue.exists(),
            "the rescued set moves with the chain"
        );
        assert!(!dir.path().join("tokens.json").exists());
    }

    #[test]
    fn file_preference_never_touches_the_keychain() {
        let dir = tempfile::tempdir().expect("temp dir");
        let opened = open_store(dir.path(), "acct", StorePreference::File);
        assert_eq!(opened.store.kind(), StoreKind::File);
        opened.store.save(&sample()).expect("saves");
        assert!(TokenFiles::for_account(dir.path(), "acct").tokens.exists());
        assert!(opened.warning.is_none());
    }
}

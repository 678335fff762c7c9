//! The window's state: which company is open (none, the demo, or the signed-in account) and the
//! operations that switch between them. Commands are thin wrappers over these methods.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Context;
use exact_api::{AppCredentials, Loopback, Region};
use tauri::AppHandle;
use tokio::sync::RwLock;

use super::dto::{
    AccountInfo, AppInfo, ConnectRequest, ErrorKind, Mode, RedirectChoice, RegionInfo,
    RegistrationInfo, RegistrationSource,
};
use super::error::{CommandResult, blocking};
use super::settings;
use super::workspace::{Opening, Workspace};
use crate::company::SignedIn;
use crate::config::Connection;
use crate::folders::Folders;
use crate::redirect::{MIN_PORT, PATH, RedirectHost, RedirectUri};
use crate::registration::{self, Found, RegistrationError, Source};
use offline_sync::CancellationToken;

/// How long the app waits for the user to finish signing in in the browser.
const SIGN_IN_WAIT: Duration = Duration::from_secs(10 * 60);

/// Marks (in the config folder) a user who chose the demo company, so the next start opens it
/// again.
const DEMO_MARKER: &str = "demo-chosen";

pub struct Shell {
    app: AppHandle,
    folders: Folders,
    workspace: RwLock<Option<Arc<Workspace>>>,
    /// The sign-in in progress, so "Cancel" can stop it.
    connecting: Mutex<Option<CancellationToken>>,
    /// Becomes true once the company open at the last exit is open again (or failed to).
    restored: tokio::sync::watch::Sender<bool>,
}

impl Shell {
    pub fn new(app: AppHandle, folders: Folders) -> Shell {
        Shell {
            app,
            folders,
            workspace: RwLock::new(None),
            connecting: Mutex::new(None),
            restored: tokio::sync::watch::Sender::new(false),
        }
    }

    /// Opens what was open last time: the account, else the demo if it was chosen.
    pub async fn restore(&self) -> CommandResult<()> {
        let started = std::time::Instant::now();
        let result = self.reopen().await;
        self.restored.send_replace(true);
        tracing::info!(
            ms = started.elapsed().as_millis() as u64,
            "the last company is reopened"
        );
        result
    }

    async fn reopen(&self) -> CommandResult<()> {
        if Connection::load(&self.folders.config)?.is_some() {
            self.open_account().await
        } else if self.folders.config.join(DEMO_MARKER).exists() {
            self.open_demo().await
        } else {
            Ok(())
        }
    }

    /// Waits until [`Shell::restore`] is done, so the window never sees a half-started app.
    async fn restored(&self) {
        let mut restored = self.restored.subscribe();
        let _ = restored.wait_for(|done| *done).await;
    }

    /// The open company, or `NotConnected`.
    pub async fn current(&self) -> CommandResult<Arc<Workspace>> {
        self.restored().await;
        self.workspace
            .read()
            .await
            .clone()
            .ok_or_else(super::dto::AppError::not_connected)
    }

    pub async fn info(&self) -> CommandResult<AppInfo> {
        self.restored().await;
        let workspace = self.workspace.read().await.clone();
        let mut info = AppInfo {
            mode: Mode::Welcome,
            version: env!("CARGO_PKG_VERSION").to_owned(),
            data_dir: self.folders.data.display().to_string(),
            account: None,
            token_storage: None,
            token_warning: None,
            refresh_expires_ms: None,
        };
        let Some(w) = workspace else {
            return Ok(info);
        };
        info.mode = w.mode();
        info.token_storage = w.token_storage();
        info.token_warning = w.token_warning();
        if w.mode() == Mode::Account
            && let Some(connection) = Connection::load(&self.folders.config)?
        {
            info.account = Some(AccountInfo {
                region: Region::ALL
                    .into_iter()
                    .find(|r| r.base_url() == connection.base_url.trim_end_matches('/'))
                    .map(|r| r.code().to_owned()),
                base_url: connection.base_url,
                client_id: connection.app.client_id,
            });
        }
        if let Ok(Some(status)) = w.company().client().session().status().await {
            info.refresh_expires_ms = Some(status.refresh_expires_at_ms);
        }
        Ok(info)
    }

    /// Starts the built-in demo company (a simulated Exact Online on loopback) and syncs it.
    pub async fn open_demo(&self) -> CommandResult<()> {
        let mut slot = self.workspace.write().await;
        if slot.as_ref().is_some_and(|w| w.mode() == Mode::Demo) {
            return Ok(());
        }
        // Close whatever is open first: its scheduler stops and its lock is released.
        slot.take();
        let signed_in = SignedIn::demo(&self.folders.data)
            .await
            .map_err(|e| super::dto::AppError::new(ErrorKind::Internal, e.to_string()))?;
        let (dir, demo) = (&signed_in.dir, signed_in.demo.as_ref());
        let mut settings = settings::load(dir);
        if settings.divisions.is_empty() {
            settings.divisions = demo.map(|d| d.sim.division_codes()).unwrap_or_default();
            settings::save(dir, &settings)?;
        }
        std::fs::write(self.folders.config.join(DEMO_MARKER), b"")
            .with_context(|| format!("cannot write in {}", self.folders.config.display()))?;
        let opening = Opening {
            mode: Mode::Demo,
            // The demo company is a sandbox: its settings stay in its own folder with its copy.
            config: dir.clone(),
            signed_in,
            token_store: None,
            token_warning: None,
        };
        *slot = Some(Arc::new(Workspace::open(opening, self.app.clone()).await?));
        Ok(())
    }

    /// Opens the signed-in account's offline copy (no network needed).
    async fn open_account(&self) -> CommandResult<()> {
        let Some(mut connection) = Connection::load(&self.folders.config)? else {
            return Err(super::dto::AppError::not_connected());
        };
        // A secret the administrator rotated in the shared registration.
        registration::freshen(&mut connection);
        let opened = connection.open(&self.folders.config).await?;
        let mut slot = self.workspace.write().await;
        slot.take();
        let mut settings = settings::load(&self.folders.config);
        if settings.divisions.is_empty() && !connection.divisions.is_empty() {
            // Chosen with `exact-offline login --division`.
            settings.divisions = connection.divisions.clone();
            settings::save(&self.folders.config, &settings)?;
        }
        let opening = Opening {
            mode: Mode::Account,
            config: self.folders.config.clone(),
            signed_in: SignedIn::account(&self.folders.data, &opened),
            token_store: Some(opened.store),
            token_warning: opened.warning,
        };
        *slot = Some(Arc::new(Workspace::open(opening, self.app.clone()).await?));
        Ok(())
    }

    /// The redirect URI the connect form starts from: the saved connection's when it is one
    /// the form can show (a host and a port), else the default. A connection file that cannot
    /// be read only means the default is shown.
    pub fn redirect_choice(&self) -> RedirectChoice {
        redirect_choice(
            Connection::load(&self.folders.config)
                .ok()
                .flatten()
                .as_ref(),
        )
    }

    /// Signs in to Exact Online through the system browser and the loopback redirect on the
    /// chosen host and port, then opens the account. The divisions are chosen next (never
    /// silently the current one).
    pub async fn connect(&self, request: ConnectRequest) -> CommandResult<()> {
        let connection = new_connection(&request).map_err(super::dto::AppError::invalid)?;
        self.sign_in(connection).await
    }

    /// Whether this copy was set up with a shared app registration, for the welcome screen.
    pub fn registration(&self) -> RegistrationInfo {
        let found = registration::find();
        if let Err(e) = &found {
            tracing::warn!("{e}");
        }
        registration_info(found)
    }

    /// Signs in like [`Shell::connect`], with the shared app registration on the chosen region
    /// (or the registration's own).
    pub async fn connect_shared(&self, region: Option<&str>) -> CommandResult<()> {
        let connection = shared_connection(registration::find(), region)
            .map_err(super::dto::AppError::invalid)?;
        self.sign_in(connection).await
    }

    /// Signs in again with the stored app registration (the refresh chain broke), on the
    /// redirect URI it was saved with: that is the one registered in the App Center, whatever
    /// the default is now.
    pub async fn reconnect(&self) -> CommandResult<()> {
        let Some(mut connection) = Connection::load(&self.folders.config)? else {
            return Err(super::dto::AppError::not_connected());
        };
        registration::freshen(&mut connection);
        self.sign_in(connection).await
    }

    async fn sign_in(&self, mut connection: Connection) -> CommandResult<()> {
        let cancel = CancellationToken::new();
        {
            let mut connecting = self.connecting.lock().unwrap_or_else(|p| p.into_inner());
            if connecting.is_some() {
                return Err(super::dto::AppError::new(
                    ErrorKind::Busy,
                    "A sign-in is already waiting for the browser.",
                ));
            }
            *connecting = Some(cancel.clone());
        }
        let result = self.sign_in_inner(&mut connection, &cancel).await;
        *self.connecting.lock().unwrap_or_else(|p| p.into_inner()) = None;
        result?;
        self.open_account().await
    }

    async fn sign_in_inner(
        &self,
        connection: &mut Connection,
        cancel: &CancellationToken,
    ) -> CommandResult<()> {
        // The open company stays browsable while the user signs in; its tokens are untouched.
        let opened = connection.open(&self.folders.config).await?;
        let loopback = Loopback::bind(&connection.app.redirect_uri)
            .await
            .map_err(|e| {
                let reason = match e {
                    exact_api::Error::Network(reason) => reason,
                    other => other.to_string(),
                };
                // Not `Busy` (which the window explains as a sign-in or sync of this app): the
                // port is held by another program, and the message says what to do.
                super::dto::AppError::new(
                    ErrorKind::InvalidInput,
                    format!(
                        "Cannot receive the sign-in on {}: {reason}",
                        connection.app.redirect_uri
                    ),
                )
            })?;
        let state = format!("{:032x}", rand::random::<u128>());
        // Through the same gate as every link the app opens.
        let url = crate::links::checked(&opened.client.authorize_url(&state, false))
            .map_err(|e| super::dto::AppError::internal(format!("Cannot open the sign-in: {e}")))?;
        tauri_plugin_opener::open_url(&url, None::<&str>)
            .map_err(|e| super::dto::AppError::internal(format!("Cannot open the browser: {e}")))?;
        let code = tokio::select! {
            code = loopback.receive_code(&state) => code.map_err(|e| {
                super::dto::AppError::new(ErrorKind::ConsentRefused, format!("Exact Online did not grant access: {e}"))
            })?,
            () = cancel.cancelled() => {
                return Err(super::dto::AppError::new(ErrorKind::ConsentRefused, "Sign-in cancelled."));
            }
            () = tokio::time::sleep(SIGN_IN_WAIT) => {
                return Err(super::dto::AppError::new(
                    ErrorKind::ConsentRefused,
                    "No sign-in arrived within 10 minutes. Try again.",
                ));
            }
        };
        opened
            .client
            .session()
            .sign_in_with_code(&code)
            .await
            .map_err(|e| match e {
                exact_api::Error::Network(_) => super::dto::AppError::from(e),
                other => super::dto::AppError::new(
                    ErrorKind::WrongCredentials,
                    format!(
                        "Exact Online refused the sign-in (check the client ID and secret): {other}"
                    ),
                ),
            })?;
        // Saved at once: the tokens are stored, and a network blip later must not undo it.
        let dir = self.folders.config.clone();
        let saved = connection.clone();
        blocking(move || Ok(saved.save(&dir)?)).await?;
        // The demo is left: the next start opens the account.
        let _ = std::fs::remove_file(self.folders.config.join(DEMO_MARKER));
        Ok(())
    }

    pub fn cancel_connect(&self) {
        if let Some(cancel) = self
            .connecting
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .as_ref()
        {
            cancel.cancel();
        }
    }

    /// Closes the open company: the account's tokens and connection settings are forgotten (its
    /// offline copy stays until cleared); leaving the demo just closes it.
    pub async fn sign_out(&self) -> CommandResult<()> {
        let Some(workspace) = self.workspace.write().await.take() else {
            return Ok(());
        };
        let _ = std::fs::remove_file(self.folders.config.join(DEMO_MARKER));
        if let Some(store) = workspace.token_store() {
            let (dir, store) = (self.folders.config.clone(), Arc::clone(store));
            blocking(move || {
                match Connection::load(&dir)? {
                    Some(connection) => connection.forget(&dir, store.as_ref())?,
                    None => store.clear()?,
                }
                Ok(())
            })
            .await?;
        }
        Ok(())
    }
}

/// The connection the connect form asks for, or what to correct first. Nothing is bound or
/// sent before this passes.
fn new_connection(request: &ConnectRequest) -> Result<Connection, String> {
    let base_url = instance_url(request.base_url.as_deref(), request.region.as_deref())?;
    let client_id = request.client_id.trim().trim_matches(['{', '}']).to_owned();
    if !exact_api::record::is_guid(&client_id) {
        return Err("The client ID is the GUID shown for your app in the Exact App Center.".into());
    }
    if request.client_secret.trim().is_empty() {
        return Err("Enter the client secret.".into());
    }
    let redirect = RedirectUri::new(request.redirect_host.trim(), request.redirect_port)?;
    Ok(Connection {
        base_url,
        app: AppCredentials {
            client_id,
            client_secret: request.client_secret.trim().to_owned(),
            redirect_uri: redirect.to_string(),
        },
        divisions: Vec::new(),
    })
}

/// What the window may know of the shared registration: where it is, its region, or why it
/// cannot be used. Never the secret.
fn registration_info(found: Result<Option<Found>, RegistrationError>) -> RegistrationInfo {
    let kind = |source: &Source| match source {
        Source::Variable(_) => RegistrationSource::Variable,
        Source::BesideApp(_) => RegistrationSource::BesideApp,
        Source::System(_) => RegistrationSource::System,
        Source::BuiltIn => RegistrationSource::BuiltIn,
    };
    let path = |source: &Source| source.path().map(|p| p.display().to_string());
    match found {
        Ok(None) => RegistrationInfo {
            available: false,
            source: None,
            path: None,
            region: None,
            error: None,
        },
        Ok(Some(found)) => RegistrationInfo {
            available: true,
            source: Some(kind(&found.source)),
            path: path(&found.source),
            region: found.registration.region.map(|r| r.code().to_owned()),
            error: None,
        },
        Err(e) => RegistrationInfo {
            available: false,
            source: Some(kind(&e.source)),
            path: path(&e.source),
            region: None,
            error: Some(e.to_string()),
        },
    }
}

/// The connection a sign-in with the shared registration makes, on `region` when one is chosen.
fn shared_connection(
    found: Result<Option<Found>, RegistrationError>,
    region: Option<&str>,
) -> Result<Connection, String> {
    let registration = found
        .map_err(|e| e.to_string())?
        .ok_or("This copy of Exact Offline has no shared app registration: connect with your own.")?
        .registration;
    let chosen = region
        .map(str::trim)
        .filter(|code| !code.is_empty())
        .map(str::parse::<Region>)
        .transpose()?;
    let base_url = registration.base_url(chosen).ok_or("Choose a region.")?;
    Ok(registration.connection(base_url))
}

/// The form's starting point: `saved`'s redirect URI when it is built from a host and port,
/// else the default; and the choices the form offers.
fn redirect_choice(saved: Option<&Connection>) -> RedirectChoice {
    let start = saved
        .and_then(|c| RedirectUri::parse(&c.app.redirect_uri))
        .unwrap_or_default();
    RedirectChoice {
        hosts: RedirectHost::ALL.iter().map(|h| h.to_string()).collect(),
        host: start.host.to_string(),
        port: start.port,
        min_port: MIN_PORT,
        max_port: u16::MAX,
        path: PATH.to_owned(),
    }
}

/// The Exact Online instance a sign-in from the window may go to: a region's own https address
/// (the client secret is posted there). Only a debug build also accepts a simulator on this
/// computer (`http://127.0.0.1:PORT`, `http://localhost:PORT`), for tests.
fn instance_url(base_url: Option<&str>, region: Option<&str>) -> Result<String, String> {
    match (base_url.map(str::trim).filter(|u| !u.is_empty()), region) {
        (Some(url), _) => {
            let url = url.trim_end_matches('/');
            if registration::is_sign_in_instance(url) {
                Ok(url.to_owned())
            } else {
                Err(format!(
                    "{url} is not an Exact Online address. Choose a region."
                ))
            }
        }
        (None, Some(code)) => Ok(code.parse::<Region>()?.base_url().to_owned()),
        (None, None) => Err("Choose a region.".to_owned()),
    }
}

pub fn regions() -> Vec<RegionInfo> {
    Region::ALL
        .into_iter()
        .map(|r| RegionInfo {
            code: r.code().to_owned(),
            name: country(r).to_owned(),
            base_url: r.base_url().to_owned(),
        })
        .collect()
}

fn country(region: Region) -> &'static str {
    match region {
        Region::Nl => "Netherlands",
        Region::Be => "Belgium",
        Region::De => "Germany",
        Region::Fr => "France",
        Region::Es => "Spain",
        Region::Uk => "United Kingdom",
        Region::Us => "United States",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(host: &str, port: u32) -> ConnectRequest {
        ConnectRequest {
            region: Some("nl".into()),
            base_url: None,
            client_id: "{3f2b7c1e-0000-4000-8000-000000000001}".into(),
            client_secret: " s3cret ".into(),
            redirect_host: host.into(),
            redirect_port: port,
        }
    }

    #[test]
    fn a_connection_signs_in_on_the_chosen_host_and_port() {
        let connection = new_connection(&request("127.0.0.1", 8100)).unwrap();
        assert_eq!(
            connection.app.redirect_uri, "http://127.0.0.1:8100/callback",
            "the URI sent to Exact is built from the form's choice"
        );
        assert_eq!(
            new_connection(&request("localhost", 47615))
                .unwrap()
                .app
                .redirect_uri,
            "http://localhost:47615/callback"
        );
        for (host, port) in [
            ("example.com", 47615),
            ("localhost", 80),
            ("localhost", 70000),
        ] {
            let refused = new_connection(&request(host, port)).expect_err("refused");
            assert!(
                refused.starts_with("The redirect"),
                "{host}:{port} is refused with what to correct: {refused}"
            );
        }
    }

    #[test]
    fn the_form_starts_from_the_saved_redirect_uri() {
        let mut saved = new_connection(&request("localhost", 47615)).unwrap();
        let fresh = redirect_choice(None);
        assert_eq!((fresh.host.as_str(), fresh.port), ("localhost", 47615));
        assert_eq!(fresh.hosts, ["localhost", "127.0.0.1"]);
        assert_eq!(
            (fresh.min_port, fresh.max_port, fresh.path.as_str()),
            (1024, 65535, "/callback")
        );

        saved.app.redirect_uri = "http://127.0.0.1:47615/callback".into();
        let earlier = redirect_choice(Some(&saved));
        assert_eq!(
            (earlier.host.as_str(), earlier.port),
            ("127.0.0.1", 47615),
            "a connection saved by an earlier version shows the URI it registered"
        );
        saved.app.redirect_uri = "http://localhost:9/elsewhere".into();
        let other = redirect_choice(Some(&saved));
        assert_eq!(
            (other.host.as_str(), other.port),
            ("localhost", 47615),
            "a URI the form cannot show leaves the default"
        );
    }

    fn shared(body: &str) -> Result<Option<Found>, RegistrationError> {
        Ok(Some(Found {
            registration: registration::parse(body).unwrap(),
            source: Source::System("/etc/exact-offline/registration.json".into()),
        }))
    }

    const SHARED: &str = r#"{"client_id": "3f2b7c1e-0000-4000-8000-000000000009",
        "client_secret": "never-shown", "region": "be",
        "redirect_uri": "http://127.0.0.1:8100/callback"}"#;

    #[test]
    fn the_window_learns_where_the_registration_is_but_never_its_secret() {
        let info = registration_info(shared(SHARED));
        assert!(info.available);
        assert_eq!(info.source, Some(RegistrationSource::System));
        assert_eq!(
            info.path.as_deref(),
            Some("/etc/exact-offline/registration.json")
        );
        assert_eq!(info.region.as_deref(), Some("be"));
        let sent = serde_json::to_string(&info).unwrap();
        assert!(!sent.contains("never-shown"), "{sent}");

        let none = registration_info(Ok(None));
        assert!(!none.available && none.source.is_none() && none.error.is_none());

        let broken = registration_info(Err(RegistrationError {
            source: Source::BesideApp("/opt/exact-offline/registration.json".into()),
            reason: "unknown field \"secret\"".into(),
        }));
        assert!(!broken.available);
        assert_eq!(broken.source, Some(RegistrationSource::BesideApp));
        let error = broken.error.unwrap();
        assert!(
            error.contains("/opt/exact-offline/registration.json") && error.contains("secret"),
            "the window shows which file is wrong and why: {error}"
        );
    }

    #[test]
    fn the_shared_sign_in_uses_the_registration_on_the_chosen_region() {
        let chosen = shared_connection(shared(SHARED), Some("de")).unwrap();
        assert_eq!(chosen.base_url, "https://start.exactonline.de");
        assert_eq!(chosen.app.client_secret, "never-shown");
        assert_eq!(chosen.app.redirect_uri, "http://127.0.0.1:8100/callback");
        let default = shared_connection(shared(SHARED), None).unwrap();
        assert_eq!(default.base_url, "https://start.exactonline.be");
        assert!(shared_connection(shared(SHARED), Some("xx")).is_err());
        let no_region =
            r#"{"client_id": "3f2b7c1e-0000-4000-8000-000000000009", "client_secret": "s"}"#;
        assert_eq!(
            shared_connection(shared(no_region), Some(" ")).unwrap_err(),
            "Choose a region."
        );
        assert_eq!(
            shared_connection(shared(no_region), Some("nl"))
                .unwrap()
                .app
                .redirect_uri,
            "http://localhost:47615/callback"
        );
        assert!(
            shared_connection(Ok(None), Some("nl"))
                .unwrap_err()
                .contains("no shared app registration")
        );
    }

    #[test]
    fn a_sign_in_goes_only_to_an_exact_online_address() {
        assert_eq!(
            instance_url(None, Some("be")).unwrap(),
            "https://start.exactonline.be"
        );
        assert_eq!(
            instance_url(Some("https://start.exactonline.nl/"), None).unwrap(),
            "https://start.exactonline.nl"
        );
        for foreign in [
            "https://evil.example",
            "http://start.exactonline.nl",
            "https://start.exactonline.nl.evil.example",
            "https://start.exactonline.nl@evil.example",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "http://127.0.0.1.evil.example:80",
            "http://localhost:80/../x",
        ] {
            assert!(
                instance_url(Some(foreign), Some("nl")).is_err(),
                "{foreign} must not receive the client secret"
            );
        }
        assert!(instance_url(None, None).is_err());
        assert!(instance_url(None, Some("xx")).is_err());
        // Tests run a debug build against a simulator on this computer.
        assert_eq!(
            instance_url(Some("http://127.0.0.1:4567"), None).is_ok(),
            cfg!(debug_assertions)
        );
    }
}

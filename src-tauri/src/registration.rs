//! The shared app registration: one Exact App Center app that an organisation or reseller
//! registered for all its users, shipped with the program so that a user signs in with one
//! button instead of entering a client ID and secret.
//!
//! It is looked for in this order, and the first one found is the one used:
//!
//! 1. the file named by `EXACT_OFFLINE_REGISTRATION` at run time, when that is set (tests and
//!    administrators use it to point at a file elsewhere; a missing file is then an error);
//! 2. `registration.json` beside the program (the folder of `std::env::current_exe()`);
//! 3. `registration.json` in the system's configuration folder: `/etc/exact-offline/` on Linux,
//!    `/Library/Application Support/Exact Offline/` on macOS, `%ProgramData%\Exact Offline\` on
//!    Windows;
//! 4. the `EXACT_OFFLINE_CLIENT_ID`, `EXACT_OFFLINE_CLIENT_SECRET`, `EXACT_OFFLINE_REDIRECT_URI`
//!    and `EXACT_OFFLINE_REGION` environment variables of the build (`option_env!`).
//!
//! A file that is found but cannot be used (not JSON, an unknown or missing field, a client ID
//! that is not a GUID, ...) is an error naming the file and what is wrong; the search does not
//! fall through to the next place, so an administrator's broken file is never silently replaced
//! by another registration. The client secret is never shown, logged or part of an error message.

use std::fmt;
use std::io::Read;
use std::path::{Path, PathBuf};

use exact_api::{AppCredentials, Region};
use serde_json::Value;

use crate::config::Connection;
use crate::redirect::RedirectUri;

/// The run-time variable naming the registration file to use instead of searching.
pub const VARIABLE: &str = "EXACT_OFFLINE_REGISTRATION";
/// The name of the registration file beside the program and in the system folder.
pub const FILE_NAME: &str = "registration.json";
/// A registration file is a few hundred bytes; anything much larger is not one.
const MAX_FILE_BYTES: u64 = 64 * 1024;

/// One app registration from the Exact App Center, shared by every user of this copy.
#[derive(Clone, PartialEq, Eq)]
pub struct Registration {
    /// The app's client ID (a GUID, without braces).
    pub client_id: String,
    /// The app's client secret: never shown, logged or sent to the window.
    pub client_secret: String,
    /// The redirect URI registered for the app; `None`: the app's default
    /// (`http://localhost:47615/callback`).
    pub redirect_uri: Option<String>,
    /// The region offered first.
    pub region: Option<Region>,
    /// An Exact Online instance other than a region's: a debug build also accepts a simulator
    /// on this computer (`http://127.0.0.1:PORT`), for tests. It wins over any region.
    pub base_url: Option<String>,
}

impl fmt::Debug for Registration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registration")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<hidden>")
            .field("redirect_uri", &self.redirect_uri)
            .field("region", &self.region)
            .field("base_url", &self.base_url)
            .finish()
    }
}

/// Where a registration was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The file named by `EXACT_OFFLINE_REGISTRATION`.
    Variable(PathBuf),
    /// `registration.json` beside the program.
    BesideApp(PathBuf),
    /// `registration.json` in the system's configuration folder.
    System(PathBuf),
    /// The build's `EXACT_OFFLINE_*` variables.
    BuiltIn,
}

impl Source {
    /// The file, for every source but the build.
    pub fn path(&self) -> Option<&Path> {
        match self {
            Source::Variable(path) | Source::BesideApp(path) | Source::System(path) => Some(path),
            Source::BuiltIn => None,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Variable(path) => write!(f, "{} (from {VARIABLE})", path.display()),
            Source::BesideApp(path) | Source::System(path) => write!(f, "{}", path.display()),
            Source::BuiltIn => {
                f.write_str("the EXACT_OFFLINE_* variables this program was built with")
            }
        }
    }
}

/// A registration and where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub registration: Registration,
    pub source: Source,
}

/// A registration that was found but cannot be used: where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationError {
    pub source: Source,
    pub reason: String,
}

impl fmt::Display for RegistrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "The shared app registration in {} cannot be used: {}",
            self.source, self.reason
        )
    }
}

impl std::error::Error for RegistrationError {}

/// The build's registration variables (`option_env!`), read when the program was compiled.
#[derive(Debug, Clone, Copy, Default)]
struct BuildVariables {
    client_id: Option<&'static str>,
    client_secret: Option<&'static str>,
    redirect_uri: Option<&'static str>,
    region: Option<&'static str>,
}

impl BuildVariables {
    fn of_this_program() -> Self {
        BuildVariables {
            client_id: option_env!("EXACT_OFFLINE_CLIENT_ID"),
            client_secret: option_env!("EXACT_OFFLINE_CLIENT_SECRET"),
            redirect_uri: option_env!("EXACT_OFFLINE_REDIRECT_URI"),
            region: option_env!("EXACT_OFFLINE_REGION"),
        }
    }
}

/// The places searched, in order.
#[derive(Debug, Clone, Default)]
struct Places {
    variable: Option<PathBuf>,
    beside_app: Option<PathBuf>,
    system: Option<PathBuf>,
    built_in: BuildVariables,
}

impl Places {
    fn of_this_program() -> Self {
        Places {
            variable: std::env::var_os(VARIABLE)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from),
            beside_app: std::env::current_exe()
                .ok()
                .and_then(|exe| exe.parent().map(|dir| dir.join(FILE_NAME))),
            system: system_path(),
            built_in: BuildVariables::of_this_program(),
        }
    }
}

/// `registration.json` in the system's configuration folder, writable only by administrators.
#[cfg(all(unix, not(target_os = "macos")))]
pub fn system_path() -> Option<PathBuf> {
    Some(PathBuf::from("/etc/exact-offline").join(FILE_NAME))
}

/// `registration.json` in the system's configuration folder, writable only by administrators.
#[cfg(target_os = "macos")]
pub fn system_path() -> Option<PathBuf> {
    Some(PathBuf::from("/Library/Application Support/Exact Offline").join(FILE_NAME))
}

/// `registration.json` in the system's configuration folder, writable only by administrators.
#[cfg(windows)]
pub fn system_path() -> Option<PathBuf> {
    let program_data = std::env::var_os("ProgramData")
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(r"C:\ProgramData"), PathBuf::from);
    Some(program_data.join("Exact Offline").join(FILE_NAME))
}

/// `registration.json` in the system's configuration folder (none on this platform).
#[cfg(not(any(unix, windows)))]
pub fn system_path() -> Option<PathBuf> {
    None
}

/// The shared registration of this copy of the program, if it has one.
pub fn find() -> Result<Option<Found>, RegistrationError> {
    find_in(&Places::of_this_program())
}

fn find_in(places: &Places) -> Result<Option<Found>, RegistrationError> {
    if let Some(path) = &places.variable {
        let source = Source::Variable(path.clone());
        return match read_file(path) {
            Ok(Some(registration)) => Ok(Some(Found {
                registration,
                source,
            })),
            Ok(None) => Err(RegistrationError {
                source,
                reason: "the file does not exist".into(),
            }),
            Err(reason) => Err(RegistrationError { source, reason }),
        };
    }
    let files = [
        places.beside_app.clone().map(Source::BesideApp),
        places.system.clone().map(Source::System),
    ];
    for source in files.into_iter().flatten() {
        let Some(path) = source.path() else { continue };
        match read_file(path) {
            Ok(Some(registration)) => {
                return Ok(Some(Found {
                    registration,
                    source,
                }));
            }
            Ok(None) => {}
            Err(reason) => return Err(RegistrationError { source, reason }),
        }
    }
    match from_build(places.built_in) {
        Ok(Some(registration)) => Ok(Some(Found {
            registration,
            source: Source::BuiltIn,
        })),
        Ok(None) => Ok(None),
        Err(reason) => Err(RegistrationError {
            source: Source::BuiltIn,
            reason,
        }),
    }
}

/// The registration in `path`; `None` when there is no such file.
fn read_file(path: &Path) -> Result<Option<Registration>, String> {
    let file = match std::fs::File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read the file: {e}")),
    };
    let mut text = String::new();
    file.take(MAX_FILE_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the file as UTF-8 text: {e}"))?;
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(format!(
            "the file is larger than {} KiB, which no registration is",
            MAX_FILE_BYTES / 1024
        ));
    }
    parse(&text).map(Some)
}

/// The fields of a registration, by their name in the file and in the build's variables.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Field {
    ClientId,
    ClientSecret,
    RedirectUri,
    Region,
    BaseUrl,
}

impl Field {
    const ALL: [Field; 5] = [
        Field::ClientId,
        Field::ClientSecret,
        Field::RedirectUri,
        Field::Region,
        Field::BaseUrl,
    ];

    fn key(self) -> &'static str {
        match self {
            Field::ClientId => "client_id",
            Field::ClientSecret => "client_secret",
            Field::RedirectUri => "redirect_uri",
            Field::Region => "region",
            Field::BaseUrl => "base_url",
        }
    }

    fn variable(self) -> &'static str {
        match self {
            Field::ClientId => "EXACT_OFFLINE_CLIENT_ID",
            Field::ClientSecret => "EXACT_OFFLINE_CLIENT_SECRET",
            Field::RedirectUri => "EXACT_OFFLINE_REDIRECT_URI",
            Field::Region => "EXACT_OFFLINE_REGION",
            Field::BaseUrl => "base_url",
        }
    }
}

/// Reads a registration file's text: a JSON object with `client_id` and `client_secret`, and
/// optionally `redirect_uri`, `region` and `base_url`, each a string. Any other key is refused,
/// so a misspelt one is not silently ignored. No message quotes the secret.
pub fn parse(text: &str) -> Result<Registration, String> {
    // Read as a plain JSON value first: serde's messages for a wrong type quote the value, which
    // could be the secret; these never do.
    let value: Value = serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))?;
    let Value::Object(object) = value else {
        return Err(
            "the file must hold one JSON object, such as {\"client_id\": \"…\", \"client_secret\": \"…\"}"
                .into(),
        );
    };
    if let Some(unknown) = object
        .keys()
        .find(|key| !Field::ALL.iter().any(|f| f.key() == key.as_str()))
    {
        let known: Vec<_> = Field::ALL.iter().map(|f| f.key()).collect();
        return Err(format!(
            "unknown field {unknown:?}; the fields are {}",
            known.join(", ")
        ));
    }
    let text_of = |field: Field| -> Result<Option<&str>, String> {
        match object.get(field.key()) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(text)) => Ok(Some(text.as_str())),
            Some(_) => Err(format!("{} must be text in double quotes", field.key())),
        }
    };
    let fields = [
        text_of(Field::ClientId)?,
        text_of(Field::ClientSecret)?,
        text_of(Field::RedirectUri)?,
        text_of(Field::Region)?,
        text_of(Field::BaseUrl)?,
    ];
    validate(fields, Field::key)
}

/// The registration the program was built with, if any.
fn from_build(vars: BuildVariables) -> Result<Option<Registration>, String> {
    let given = |v: Option<&'static str>| v.filter(|v| !v.trim().is_empty());
    if [
        vars.client_id,
        vars.client_secret,
        vars.redirect_uri,
        vars.region,
    ]
    .into_iter()
    .all(|v| given(v).is_none())
    {
        return Ok(None);
    }
    validate(
        [
            vars.client_id,
            vars.client_secret,
            vars.redirect_uri,
            vars.region,
            None,
        ],
        Field::variable,
    )
    .map(Some)
}

/// Checks the fields (in the order of [`Field::ALL`]), naming each by `name` in messages.
fn validate(
    fields: [Option<&str>; 5],
    name: fn(Field) -> &'static str,
) -> Result<Registration, String> {
    let [client_id, client_secret, redirect_uri, region, base_url] =
        fields.map(|v| v.map(str::trim).filter(|v| !v.is_empty()));
    let client_id = client_id
        .ok_or_else(|| format!("{} is missing", name(Field::ClientId)))?
        .trim_matches(['{', '}'])
        .to_owned();
    if !exact_api::record::is_guid(&client_id) {
        return Err(format!(
            "{} {client_id:?} is not a client ID: it is the GUID shown for the app in the Exact App Center",
            name(Field::ClientId)
        ));
    }
    let client_secret = client_secret
        .ok_or_else(|| format!("{} is missing", name(Field::ClientSecret)))?
        .to_owned();
    if let Some(uri) = redirect_uri {
        check_redirect_uri(uri)
            .map_err(|why| format!("{} {uri:?} {why}", name(Field::RedirectUri)))?;
    }
    let region = region
        .map(|code| code.parse::<Region>())
        .transpose()
        .map_err(|why| format!("{}: {why}", name(Field::Region)))?;
    let base_url = base_url
        .map(|url| url.trim_end_matches('/'))
        .map(|url| {
            if is_sign_in_instance(url) {
                Ok(url.to_owned())
            } else {
                Err(format!(
                    "{} {url:?} is not an Exact Online address (https://start.exactonline.nl and the like); leave it out and give a region",
                    name(Field::BaseUrl)
                ))
            }
        })
        .transpose()?;
    Ok(Registration {
        client_id,
        client_secret,
        redirect_uri: redirect_uri.map(str::to_owned),
        region,
        base_url,
    })
}

/// Why `uri` cannot be the redirect URI the app listens on: it must be `http://` on a loopback
/// host (`localhost`, `127.0.0.1` or `[::1]`) with a port of 1024 or more, and no user name,
/// query or fragment.
fn check_redirect_uri(uri: &str) -> Result<(), &'static str> {
    let url = url::Url::parse(uri).map_err(|_| "is not a URI")?;
    let loopback = matches!(url.host_str(), Some("localhost" | "127.0.0.1" | "[::1]"));
    if url.scheme() != "http" || !loopback {
        return Err("must be http:// on localhost, 127.0.0.1 or [::1]");
    }
    if url.port().is_none_or(|p| p < crate::redirect::MIN_PORT) {
        return Err("must name a port from 1024 to 65535");
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err("must not hold a user name or password");
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err("must not have a query or fragment");
    }
    Ok(())
}

/// Whether a sign-in may go to `url`: a region's own https address (the client secret is posted
/// there). Only a debug build also accepts a simulator on this computer
/// (`http://127.0.0.1:PORT`, `http://localhost:PORT`), for tests.
pub fn is_sign_in_instance(url: &str) -> bool {
    let url = url.trim_end_matches('/');
    Region::ALL.iter().any(|r| r.base_url() == url)
        || (cfg!(debug_assertions) && crate::config::is_local_simulator(url))
}

impl Registration {
    /// The redirect URI to sign in on: the registered one, else the app's default.
    pub fn redirect_uri(&self) -> String {
        self.redirect_uri
            .clone()
            .unwrap_or_else(|| RedirectUri::default().to_string())
    }

    /// The Exact Online instance to sign in to: the registration's own `base_url`, else the
    /// region chosen, else the registration's region.
    pub fn base_url(&self, chosen: Option<Region>) -> Option<String> {
        self.base_url
            .clone()
            .or_else(|| chosen.or(self.region).map(|r| r.base_url().to_owned()))
    }

    /// The connection a sign-in with this registration saves.
    pub fn connection(&self, base_url: String) -> Connection {
        Connection {
            base_url,
            app: AppCredentials {
                client_id: self.client_id.clone(),
                client_secret: self.client_secret.clone(),
                redirect_uri: self.redirect_uri(),
            },
            divisions: Vec::new(),
        }
    }

    /// Whether `app` is this registration's app (client IDs compared without braces or case).
    pub fn is_app_of(&self, app: &AppCredentials) -> bool {
        same_client_id(&self.client_id, &app.client_id)
    }
}

/// Whether two client IDs name the same app.
pub fn same_client_id(a: &str, b: &str) -> bool {
    let norm = |id: &str| id.trim().trim_matches(['{', '}']).to_ascii_lowercase();
    norm(a) == norm(b)
}

/// Gives `connection`, when it was made with the shared registration's app, that
/// registration's current client secret: an administrator who rotated a leaked secret ships a
/// new file, and every copy signed in with the old one keeps working without a new sign-in.
/// Returns whether the secret changed. A missing or unusable registration changes nothing.
pub fn freshen(connection: &mut Connection) -> bool {
    let Ok(Some(found)) = find() else {
        return false;
    };
    let changed = found.registration.freshen(connection);
    if changed {
        tracing::info!(
            source = %found.source,
            "using the shared app registration's current client secret"
        );
    }
    changed
}

impl Registration {
    /// Gives `connection` this registration's secret when it is a connection of this app.
    fn freshen(&self, connection: &mut Connection) -> bool {
        if !self.is_app_of(&connection.app) || self.client_secret == connection.app.client_secret {
            return false;
        }
        connection.app.client_secret = self.client_secret.clone();
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ID: &str = "3f2b7c1e-0000-4000-8000-000000000001";
    const SECRET: &str = "Sup3r-s3cret!value";

    fn json(body: &str) -> Result<Registration, String> {
        parse(body)
    }

    fn write(dir: &Path, name: &str, body: &str) -> PathBuf {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, body).unwrap();
        path
    }

    fn minimal(id: &str) -> String {
        format!(r#"{{"client_id": "{id}", "client_secret": "{SECRET}"}}"#)
    }

    #[test]
    fn a_file_with_every_field_is_read() {
        let registration = json(&format!(
            r#"{{
                "client_id": "{{{}}}",
                "client_secret": " {SECRET} ",
                "redirect_uri": "http://127.0.0.1:8100/callback",
                "region": "BE"
            }}"#,
            ID.to_uppercase()
        ))
        .unwrap();
        assert_eq!(registration.client_id, ID.to_uppercase(), "braces dropped");
        assert_eq!(registration.client_secret, SECRET, "white space trimmed");
        assert_eq!(
            registration.redirect_uri(),
            "http://127.0.0.1:8100/callback"
        );
        assert_eq!(registration.region, Some(Region::Be));
        assert_eq!(
            registration.base_url(None).as_deref(),
            Some("https://start.exactonline.be"),
            "the registration's region when the user chose none"
        );
        assert_eq!(
            registration.base_url(Some(Region::Nl)).as_deref(),
            Some("https://start.exactonline.nl"),
            "the region the user chose wins"
        );
    }

    #[test]
    fn only_the_id_and_secret_are_needed() {
        let registration = json(&minimal(ID)).unwrap();
        assert_eq!(registration.redirect_uri, None);
        assert_eq!(
            registration.redirect_uri(),
            "http://localhost:47615/callback",
            "the app's default redirect URI"
        );
        assert_eq!(registration.region, None);
        assert_eq!(registration.base_url(None), None, "a region must be chosen");
        let nulls = json(&format!(
            r#"{{"client_id": "{ID}", "client_secret": "s", "region": null, "redirect_uri": "", "base_url": null}}"#
        ))
        .unwrap();
        assert_eq!((nulls.region, nulls.redirect_uri), (None, None));
    }

    #[test]
    fn mistakes_are_named_and_the_secret_never_quoted() {
        let cases: &[(&str, &str)] = &[
            ("", "not valid JSON"),
            ("{\"client_id\": ", "not valid JSON"),
            ("[1, 2]", "one JSON object"),
            (
                &format!(r#"{{"client_id": "{ID}", "clientsecret": "{SECRET}"}}"#),
                "unknown field \"clientsecret\"; the fields are client_id, client_secret, redirect_uri, region, base_url",
            ),
            (
                &format!(r#"{{"client_id": "{ID}"}}"#),
                "client_secret is missing",
            ),
            (
                &format!(r#"{{"client_id": "{ID}", "client_secret": "   "}}"#),
                "client_secret is missing",
            ),
            (r#"{"client_secret": "x"}"#, "client_id is missing"),
            (
                &minimal("my-app"),
                "client_id \"my-app\" is not a client ID",
            ),
            (
                &format!(r#"{{"client_id": "{ID}", "client_secret": 123456}}"#),
                "client_secret must be text in double quotes",
            ),
            (
                &format!(r#"{{"client_id": "{ID}", "client_secret": ["{SECRET}"]}}"#),
                "client_secret must be text in double quotes",
            ),
            (
                &format!(r#"{{"client_id": "{ID}", "client_secret": "s", "region": "xx"}}"#),
                "region: unknown Exact Online region \"xx\"",
            ),
            (
                &format!(
                    r#"{{"client_id": "{ID}", "client_secret": "s", "redirect_uri": "https://localhost:47615/callback"}}"#
                ),
                "must be http:// on localhost",
            ),
            (
                &format!(
                    r#"{{"client_id": "{ID}", "client_secret": "s", "redirect_uri": "http://example.com:47615/callback"}}"#
                ),
                "must be http:// on localhost",
            ),
            (
                &format!(
                    r#"{{"client_id": "{ID}", "client_secret": "s", "redirect_uri": "http://localhost/callback"}}"#
                ),
                "must name a port",
            ),
            (
                &format!(
                    r#"{{"client_id": "{ID}", "client_secret": "s", "redirect_uri": "http://localhost:80/callback"}}"#
                ),
                "must name a port",
            ),
            (
                &format!(
                    r#"{{"client_id": "{ID}", "client_secret": "s", "redirect_uri": "http://localhost:8100/cb?x=1"}}"#
                ),
                "query",
            ),
            (
                &format!(
                    r#"{{"client_id": "{ID}", "client_secret": "s", "base_url": "https://evil.example"}}"#
                ),
                "is not an Exact Online address",
            ),
        ];
        for (body, expected) in cases {
            let error = json(body).expect_err(body);
            assert!(
                error.contains(expected),
                "{body}: {error:?} should say {expected:?}"
            );
            assert!(
                !error.contains(SECRET) && !error.contains("123456"),
                "an error must not quote the secret: {error}"
            );
        }
    }

    #[test]
    fn the_instance_is_an_exact_address_or_a_debug_builds_simulator() {
        let with = |url: &str| {
            json(&format!(
                r#"{{"client_id": "{ID}", "client_secret": "s", "base_url": "{url}"}}"#
            ))
        };
        assert_eq!(
            with("https://start.exactonline.nl/")
                .unwrap()
                .base_url(Some(Region::Be)),
            Some("https://start.exactonline.nl".into()),
            "a base URL wins over the region"
        );
        assert_eq!(
            with("http://127.0.0.1:4567").is_ok(),
            cfg!(debug_assertions),
            "only tests (debug builds) may sign in to a simulator"
        );
        for foreign in [
            "http://start.exactonline.nl",
            "https://start.exactonline.nl.evil.example",
            "http://127.0.0.1.evil.example:80",
        ] {
            assert!(
                with(foreign).is_err(),
                "{foreign} must not receive the secret"
            );
        }
    }

    #[test]
    fn debug_output_hides_the_secret() {
        let registration = json(&minimal(ID)).unwrap();
        let shown = format!(
            "{registration:?} {:?}",
            Found {
                registration: registration.clone(),
                source: Source::BuiltIn
            }
        );
        assert!(!shown.contains(SECRET), "{shown}");
        assert!(shown.contains(ID));
    }

    #[test]
    fn the_places_are_searched_in_order_and_the_first_found_wins() {
        let dir = tempfile::tempdir().unwrap();
        let id = |n: u8| format!("3f2b7c1e-0000-4000-8000-00000000000{n}");
        let variable = write(dir.path(), "elsewhere/reg.json", &minimal(&id(1)));
        let beside = write(dir.path(), "app/registration.json", &minimal(&id(2)));
        let system = write(dir.path(), "etc/registration.json", &minimal(&id(3)));
        let built_in = BuildVariables {
            client_id: Some("3f2b7c1e-0000-4000-8000-000000000004"),
            client_secret: Some("built"),
            redirect_uri: None,
            region: Some("de"),
        };
        let mut places = Places {
            variable: Some(variable.clone()),
            beside_app: Some(beside.clone()),
            system: Some(system.clone()),
            built_in,
        };
        let found = |places: &Places| find_in(places).unwrap().unwrap();

        let first = found(&places);
        assert_eq!(first.registration.client_id, id(1));
        assert_eq!(first.source, Source::Variable(variable));

        places.variable = None;
        let second = found(&places);
        assert_eq!(second.registration.client_id, id(2));
        assert_eq!(second.source, Source::BesideApp(beside.clone()));

        std::fs::remove_file(&beside).unwrap();
        let third = found(&places);
        assert_eq!(third.registration.client_id, id(3));
        assert_eq!(third.source, Source::System(system.clone()));

        std::fs::remove_file(&system).unwrap();
        let fourth = found(&places);
        assert_eq!(fourth.source, Source::BuiltIn);
        assert_eq!(fourth.registration.client_secret, "built");
        assert_eq!(fourth.registration.region, Some(Region::De));

        places.built_in = BuildVariables::default();
        assert_eq!(find_in(&places).unwrap(), None, "no registration at all");
    }

    #[test]
    fn a_broken_file_is_an_error_naming_it_not_a_fall_through() {
        let dir = tempfile::tempdir().unwrap();
        let beside = write(dir.path(), "app/registration.json", "{\"client_id\": 1,}");
        let system = write(dir.path(), "etc/registration.json", &minimal(ID));
        let places = Places {
            variable: None,
            beside_app: Some(beside.clone()),
            system: Some(system),
            built_in: BuildVariables::default(),
        };
        let error = find_in(&places).expect_err("the broken file is not skipped");
        assert_eq!(error.source, Source::BesideApp(beside.clone()));
        let message = error.to_string();
        assert!(
            message.contains(&beside.display().to_string()) && message.contains("not valid JSON"),
            "the message names the file and what is wrong: {message}"
        );

        let missing = dir.path().join("nowhere.json");
        let error = find_in(&Places {
            variable: Some(missing.clone()),
            ..places.clone()
        })
        .expect_err("a named file must exist");
        assert!(
            error.to_string().contains("does not exist")
                && error.to_string().contains(VARIABLE)
                && error.to_string().contains(&missing.display().to_string()),
            "{error}"
        );

        let huge = write(
            dir.path(),
            "huge.json",
            &" ".repeat(MAX_FILE_BYTES as usize + 1),
        );
        let error = find_in(&Places {
            variable: Some(huge),
            ..places.clone()
        })
        .expect_err("too large");
        assert!(error.reason.contains("larger than 64 KiB"), "{error}");
    }

    #[test]
    fn the_build_variables_need_an_id_and_a_secret() {
        let only_region = BuildVariables {
            region: Some("nl"),
            ..BuildVariables::default()
        };
        let error = from_build(only_region).expect_err("a region alone is not a registration");
        assert_eq!(error, "EXACT_OFFLINE_CLIENT_ID is missing");
        let no_secret = BuildVariables {
            client_id: Some(ID),
            ..BuildVariables::default()
        };
        assert_eq!(
            from_build(no_secret).unwrap_err(),
            "EXACT_OFFLINE_CLIENT_SECRET is missing"
        );
        let bad_region = BuildVariables {
            client_id: Some(ID),
            client_secret: Some("s"),
            region: Some("mars"),
            redirect_uri: None,
        };
        assert!(
            from_build(bad_region)
                .unwrap_err()
                .starts_with("EXACT_OFFLINE_REGION: unknown Exact Online region")
        );
        let blank = BuildVariables {
            client_id: Some(""),
            client_secret: Some(" "),
            redirect_uri: None,
            region: None,
        };
        assert_eq!(
            from_build(blank).unwrap(),
            None,
            "empty variables are unset"
        );
    }

    #[test]
    fn a_connection_of_the_registration_uses_its_app() {
        let registration = json(&format!(
            r#"{{"client_id": "{ID}", "client_secret": "s", "redirect_uri": "http://localhost:8100/cb"}}"#
        ))
        .unwrap();
        let connection = registration.connection("https://start.exactonline.nl".into());
        assert_eq!(connection.app.client_id, ID);
        assert_eq!(connection.app.client_secret, "s");
        assert_eq!(connection.app.redirect_uri, "http://localhost:8100/cb");
        assert!(registration.is_app_of(&AppCredentials {
            client_id: format!("{{{}}}", ID.to_uppercase()),
            client_secret: "old".into(),
            redirect_uri: String::new(),
        }));
    }

    #[test]
    fn a_rotated_secret_reaches_the_connections_of_its_app_only() {
        let registration = json(&minimal(ID)).unwrap();
        let mut signed_in = registration.connection("https://start.exactonline.nl".into());
        signed_in.app.client_secret = "the leaked one".into();
        assert!(registration.freshen(&mut signed_in));
        assert_eq!(signed_in.app.client_secret, SECRET);
        assert!(
            !registration.freshen(&mut signed_in),
            "nothing left to change"
        );

        let mut own_app = signed_in.clone();
        own_app.app.client_id = "99999999-0000-4000-8000-000000000001".into();
        own_app.app.client_secret = "mine".into();
        assert!(!registration.freshen(&mut own_app));
        assert_eq!(
            own_app.app.client_secret, "mine",
            "another app keeps its own secret"
        );
    }
}

//! What crosses the boundary between the window's UI and the shell: the shapes of command
//! arguments, results, events and errors. TypeScript declarations of every type here (and of the
//! engine DTOs the commands return) are generated into `ui/src/lib/types.gen.ts`; a test fails
//! when the committed file is out of date (`UPDATE_BINDINGS=1 cargo test -p exact-offline bindings`).

use std::collections::HashMap;

use offline_sync::{ProgressEvent, RunReport};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::table_export::{ShownValues, ValueRule};

/// What the window shows first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Nothing chosen yet: "Connect to Exact Online" or "Try the demo company".
    Welcome,
    /// The built-in demo company (a simulated Exact Online on this computer).
    Demo,
    /// The user's own Exact Online account.
    Account,
}

/// What the user asks for an attachment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentAction {
    /// Open it in the system's viewer when its type is safe to open; otherwise ask first.
    Open,
    /// Open it although it is not a document type that is safe to open (the user was told
    /// what it really is).
    OpenAnyway,
    /// Show the file in its folder.
    ShowInFolder,
}

/// What became of an attachment the user asked to open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum AttachmentOpened {
    Opened,
    ShownInFolder,
    /// Not opened: the file could run code, or its content is not what its name says. The UI
    /// names the real type and offers to show it in its folder or open it anyway.
    NeedsConfirmation {
        file_name: String,
        real_type: String,
    },
}

/// Where the refresh token is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum TokenStorage {
    Keychain,
    File,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct AppInfo {
    pub mode: Mode,
    pub version: String,
    /// The data folder in use (the demo company has its own below it).
    pub data_dir: String,
    /// The signed-in account (mode `account`).
    pub account: Option<AccountInfo>,
    pub token_storage: Option<TokenStorage>,
    /// Why tokens are in a file instead of the keychain, when they are.
    pub token_warning: Option<String>,
    /// When the refresh token expires unless a sync runs before (UTC epoch ms).
    pub refresh_expires_ms: Option<i64>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct AccountInfo {
    pub base_url: String,
    pub client_id: String,
    /// Region code (`nl`, `be`, ...) when the base URL is one of Exact's.
    pub region: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct RegionInfo {
    /// `nl`, `be`, `de`, `fr`, `es`, `co.uk`, `com`.
    pub code: String,
    /// Country name in English (`Netherlands`).
    pub name: String,
    pub base_url: String,
}

/// The user's app registration from the Exact App Center.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ConnectRequest {
    /// A region code from `regions()`; ignored when `base_url` is given.
    pub region: Option<String>,
    pub base_url: Option<String>,
    pub client_id: String,
    pub client_secret: String,
    /// `localhost` or `127.0.0.1`: the host of the redirect URI registered for the app.
    pub redirect_host: String,
    /// The port of that redirect URI (1024–65535).
    pub redirect_port: u32,
}

/// The app registration an organisation set this copy up with, as far as the window may know
/// it: never the client secret.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RegistrationInfo {
    /// A usable shared registration is present: the welcome screen offers the one-button sign-in.
    pub available: bool,
    /// Where it was found (also when it cannot be used); `None` when there is none.
    pub source: Option<RegistrationSource>,
    /// The file it was read from (none for a registration built into the program).
    pub path: Option<String>,
    /// The region to offer first (`nl`, `be`, ...), when the registration names one.
    pub region: Option<String>,
    /// Why the registration found cannot be used: the file and what is wrong in it.
    pub error: Option<String>,
}

/// Where a shared app registration was found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationSource {
    /// The file named by `EXACT_OFFLINE_REGISTRATION`.
    Variable,
    /// `registration.json` beside the program.
    BesideApp,
    /// `registration.json` in the system's configuration folder.
    System,
    /// The program was built with it.
    BuiltIn,
}

/// The redirect URI the connect form starts from (`http://{host}:{port}{path}`), and what the
/// user may choose instead.
#[derive(Debug, Clone, Serialize, TS)]
pub struct RedirectChoice {
    /// The hosts that may be chosen, the default first.
    pub hosts: Vec<String>,
    /// The saved connection's host when it has one the form can show, else the default.
    pub host: String,
    /// The saved connection's port likewise, else the default.
    pub port: u16,
    pub min_port: u16,
    pub max_port: u16,
    /// The path every redirect URI the app builds ends with (`/callback`).
    pub path: String,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct DivisionInfo {
    pub code: i32,
    pub name: Option<String>,
    /// The division last opened on Exact's website (a hint only; never chosen silently).
    pub current: bool,
    /// Chosen for syncing.
    pub selected: bool,
    /// The division's currency (amounts without their own are in it).
    pub currency: Option<String>,
}

/// Which attachment files are downloaded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum AttachmentMode {
    /// Never download attachment files.
    None,
    /// Download a file when it is opened.
    OnDemand,
    /// Download every file up to `attachments_cap_mb` each.
    All,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Language {
    System,
    En,
    Nl,
    Fr,
    De,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum Theme {
    System,
    Light,
    Dark,
}

/// The user's settings, kept per data folder (`settings.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
pub struct Settings {
    /// Minutes between background syncs; `null` means only on "Sync now".
    pub interval_minutes: Option<u32>,
    /// Records per transaction at most (1–5 000).
    pub batch_size: u32,
    /// Off: every sync reads everything again and removes what vanished.
    pub incremental: bool,
    /// Download item pictures, logos and contact pictures.
    pub pictures: bool,
    pub attachments: AttachmentMode,
    pub attachments_cap_mb: u32,
    /// Divisions to sync (codes).
    pub divisions: Vec<i32>,
    /// Exact language codes (`EN`, `DE`, `FR`, `NL-BE`...) whose item descriptions are kept
    /// besides the division's own; each costs one more read of the items.
    pub description_languages: Vec<String>,
    pub language: Language,
    pub theme: Theme,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            interval_minutes: Some(60),
            batch_size: offline_sync::DEFAULT_BATCH_SIZE as u32,
            incremental: true,
            pictures: true,
            attachments: AttachmentMode::OnDemand,
            attachments_cap_mb: 20,
            divisions: Vec::new(),
            description_languages: Vec::new(),
            language: Language::System,
            theme: Theme::System,
        }
    }
}

/// Pictures and attachments downloading beside the sync.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, TS)]
pub struct AssetProgress {
    pub queued: u64,
    pub done: u64,
}

/// Everything the sync dashboard shows; also sent as the `sync-state` event.
#[derive(Debug, Clone, Default, Serialize, TS)]
pub struct SyncSnapshot {
    pub running: bool,
    /// The last finished run.
    pub last: Option<RunReport>,
    /// When the last run that succeeded finished (UTC epoch ms).
    pub last_success_ms: Option<i64>,
    pub next_run_in_s: Option<u64>,
    /// The next run comes later than the interval to keep the day's shared Exact calls.
    pub stretched_for_budget: bool,
    pub consecutive_failures: u32,
    /// The sign-in is broken: the user must sign in again.
    pub needs_sign_in: bool,
    /// Whether Exact Online answered the last call (`null` before the first).
    pub online: Option<bool>,
    /// The latest progress of each division and entity in the current (or last) run.
    pub progress: Vec<ProgressEvent>,
    pub assets: AssetProgress,
}

#[derive(Debug, Clone, Serialize, TS)]
pub struct StorageInfo {
    pub data_dir: String,
    pub cache_bytes: u64,
    pub assets_bytes: u64,
    pub token_storage: Option<TokenStorage>,
}

/// What went wrong, for the UI to switch on; `message` is for people. The engine's failures
/// arrive under the codes the engine gave them (see `app::error`); the others are the shell's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// No account or demo chosen yet.
    NotConnected,
    /// The refresh chain is broken or consent was withdrawn: sign in again.
    AuthRequired,
    /// Exact refused the client id or secret.
    WrongCredentials,
    /// The user refused consent in the browser, or the sign-in was cancelled or timed out.
    ConsentRefused,
    /// Exact Online cannot be reached.
    Offline,
    /// Exact Online's minutely call limit held the request back: try again in a minute.
    RateLimited,
    /// The division's daily Exact Online call limit is used up until its reset.
    DailyLimit,
    /// Exact Online had a server error: try again later.
    Server,
    /// Exact Online answered something the app does not understand.
    Protocol,
    /// Exact Online refused the request (a right the user lacks, something it does not have).
    Refused,
    /// The app would not download the file (larger than the attachment size limit, or a link
    /// that is not Exact Online's).
    DownloadRefused,
    /// Exact Online did not accept the sign-in for a download; it is tried again later.
    DownloadDeferred,
    /// The file was downloaded but is not a picture that can be shown.
    Unusable,
    NotFound,
    InvalidInput,
    /// Another sync or sign-in is running.
    Busy,
    /// The data folder cannot be read or written.
    Storage,
    Internal,
}

/// The one error type every command returns.
#[derive(Debug, Clone, Serialize, TS)]
pub struct AppError {
    pub code: ErrorKind,
    pub message: String,
}

/// Which list the window exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "lowercase")]
pub enum ExportList {
    Items,
    Customers,
}

/// `export_list`: the list as shown (its query; offset and limit are ignored), the columns
/// (Exact's property names) and the file format. `as_shown` null: Exact's stored values;
/// otherwise "Values as shown", with a rule for each column that has one.
#[derive(Debug, Clone, Deserialize, TS)]
pub struct ExportRequest {
    pub list: ExportList,
    pub items: Option<offline_cache::ItemQuery>,
    pub customers: Option<offline_cache::AccountQuery>,
    pub columns: Vec<String>,
    pub format: crate::table_export::TableFormat,
    #[serde(default)]
    pub as_shown: Option<HashMap<String, ExportValueRule>>,
}

impl ExportRequest {
    /// The value rules, checked (their number and size); none: Exact's stored values.
    pub fn shown_values(&self) -> Result<ShownValues, AppError> {
        let rules = self.as_shown.clone().unwrap_or_default();
        let rules = rules
            .into_iter()
            .map(|(column, rule)| Ok((column, rule.into_rule()?)))
            .collect::<anyhow::Result<Vec<_>>>()
            .and_then(ShownValues::new)
            .map_err(|e| AppError::invalid(format!("{e:#}")))?;
        Ok(rules)
    }
}

/// How one column's values are written with "Values as shown", in the user's language. The
/// window builds these from its tables of meanings (`ui/src/browse/exportValues.ts`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExportValueRule {
    /// Documented codes and their words; `bits`: the value is a sum of codes (a bitmask).
    Codes {
        labels: HashMap<String, String>,
        bits: bool,
    },
    /// A yes/no property, whatever type it was stored as.
    Flag { yes: String, no: String },
    /// A link to another record, shown by the same record's properties holding its code
    /// and description.
    Reference {
        code: Option<String>,
        description: Option<String>,
    },
}

impl ExportValueRule {
    fn into_rule(self) -> anyhow::Result<ValueRule> {
        Ok(match self {
            ExportValueRule::Codes { labels, bits } => ValueRule::codes(labels, bits)?,
            ExportValueRule::Flag { yes, no } => ValueRule::Flag { yes, no },
            ExportValueRule::Reference { code, description } => {
                ValueRule::Reference { code, description }
            }
        })
    }
}

/// Where an export was written and how many rows it has.
#[derive(Debug, Clone, Serialize, TS)]
pub struct ExportResult {
    pub path: String,
    pub rows: u64,
}

/// The `export-progress` event: rows written of the list's total.
#[derive(Debug, Clone, Copy, Serialize, TS)]
pub struct ExportProgress {
    pub done: u64,
    pub total: u64,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn request(as_shown: serde_json::Value) -> serde_json::Result<ExportRequest> {
        serde_json::from_value(json!({
            "list": "items",
            "items": null,
            "customers": null,
            "columns": ["Code", "Unit", "IsSalesItem"],
            "format": "csv",
            "as_shown": as_shown,
        }))
    }

    #[test]
    fn value_rules_arrive_checked() {
        let stored = request(json!(null)).expect("a request without rules");
        assert_eq!(
            stored.shown_values().expect("no rules"),
            ShownValues::default()
        );

        let shown = request(json!({
            "Unit": { "kind": "reference", "code": null, "description": "UnitDescription" },
            "IsSalesItem": { "kind": "flag", "yes": "Oui", "no": "Non" },
            "UnitType": { "kind": "codes", "labels": { "W": "Poids" }, "bits": false },
        }))
        .expect("a request with rules");
        let values = shown.shown_values().expect("small rules are accepted");
        let record = json!({ "IsSalesItem": 1, "UnitType": "W" });
        let record = record.as_object().expect("an object");
        assert_eq!(
            values.cell("IsSalesItem", record),
            crate::table_export::Cell::Text("Oui".into())
        );
        assert_eq!(
            values.cell("UnitType", record),
            crate::table_export::Cell::Text("Poids".into())
        );
    }

    #[test]
    fn unknown_or_malformed_rules_are_refused() {
        let unknown = request(json!({ "Code": { "kind": "file", "path": "/etc/passwd" } }))
            .expect_err("an unknown kind is refused");
        assert!(
            unknown.to_string().contains("unknown variant `file`"),
            "the error names the kind: {unknown}"
        );
        let incomplete = request(json!({ "IsSalesItem": { "kind": "flag", "yes": "Yes" } }))
            .expect_err("a flag without its no is refused");
        assert!(
            incomplete.to_string().contains("missing field `no`"),
            "{incomplete}"
        );

        let bits = request(json!({
            "Code": { "kind": "codes", "labels": { "A": "Area" }, "bits": true },
        }))
        .expect("well-formed JSON");
        let error = bits
            .shown_values()
            .expect_err("a bitmask of letters is refused");
        assert_eq!(error.code, ErrorKind::InvalidInput);
    }
}

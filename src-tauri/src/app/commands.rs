//! The commands the window calls (`ui/src/lib/ipc.ts` is their only caller). Each is a thin
//! adapter: take the open company, call one engine or cache function off the async runtime,
//! map the error.

use offline_assets::{AssetEntity, OpenPolicy, Outcome};
use offline_cache::{
    AccountDetail, AccountQuery, AccountSummary, Entity, EntityStatus, ItemDetail, ItemGroupRow,
    ItemQuery, ItemSummary, ListPage, RunSummary, SetAsideRow, UnitRow,
};
use tauri::State;

use super::dto::{
    AppError, AppInfo, AttachmentAction, AttachmentMode, AttachmentOpened, ConnectRequest,
    DivisionInfo, ErrorKind, ExportList, ExportProgress, ExportRequest, ExportResult, Mode,
    RedirectChoice, RegionInfo, RegistrationInfo, Settings, StorageInfo, SyncSnapshot,
};
use super::error::{CommandResult, blocking};
use super::shell::{Shell, regions as all_regions};
use crate::table_export::{ListQuery, export_list as write_list, fresh_path};

/// Longest list page the window may ask for.
const MAX_PAGE: u64 = 1000;
/// Most set-aside records the window is sent at once.
const MAX_SET_ASIDE: usize = 500;

#[tauri::command]
pub async fn app_info(shell: State<'_, Shell>) -> CommandResult<AppInfo> {
    shell.info().await
}

#[tauri::command]
pub fn regions() -> Vec<RegionInfo> {
    all_regions()
}

/// The redirect URI the connect form starts from, and the hosts and ports it may offer.
#[tauri::command]
pub fn redirect_choice(shell: State<'_, Shell>) -> RedirectChoice {
    shell.redirect_choice()
}

#[tauri::command]
pub async fn start_demo(shell: State<'_, Shell>) -> CommandResult<AppInfo> {
    shell.open_demo().await?;
    shell.info().await
}

#[tauri::command]
pub async fn connect(shell: State<'_, Shell>, request: ConnectRequest) -> CommandResult<AppInfo> {
    shell.connect(request).await?;
    shell.info().await
}

/// Signs in with the shared app registration this copy was set up with, on the chosen region.
#[tauri::command]
pub async fn connect_shared(
    shell: State<'_, Shell>,
    region: Option<String>,
) -> CommandResult<AppInfo> {
    shell.connect_shared(region.as_deref()).await?;
    shell.info().await
}

/// Whether a shared app registration is present (never its secret).
#[tauri::command]
pub fn registration(shell: State<'_, Shell>) -> RegistrationInfo {
    shell.registration()
}

#[tauri::command]
pub async fn reconnect(shell: State<'_, Shell>) -> CommandResult<AppInfo> {
    shell.reconnect().await?;
    shell.info().await
}

#[tauri::command]
pub fn cancel_connect(shell: State<'_, Shell>) {
    shell.cancel_connect();
}

#[tauri::command]
pub async fn sign_out(shell: State<'_, Shell>) -> CommandResult<AppInfo> {
    shell.sign_out().await?;
    shell.info().await
}

/// The divisions the user can access, from Exact when it answers, else as last stored.
#[tauri::command]
pub async fn divisions(shell: State<'_, Shell>) -> CommandResult<Vec<DivisionInfo>> {
    let w = shell.current().await?;
    let selected = w.settings().divisions;
    let listing = async {
        let me = w.client.me().await?;
        let current = me.i64("CurrentDivision").map(|c| c as i32);
        let records = w.client.divisions(current.unwrap_or_default()).await?;
        anyhow::Ok((current, records))
    };
    // Offline, the client's retries would keep the picker waiting: the stored list answers
    // after a few seconds instead.
    let listed = tokio::time::timeout(std::time::Duration::from_secs(6), listing)
        .await
        .unwrap_or_else(|_| Err(anyhow::anyhow!("Exact Online did not answer in time")));
    let current = match listed {
        Ok((current, records)) => {
            let cache = std::sync::Arc::clone(&w.cache);
            blocking(move || Ok(cache.upsert_divisions(&records)?)).await?;
            current
        }
        Err(e) => {
            tracing::info!(error = %e, "listing divisions from the offline copy");
            None
        }
    };
    let cache = std::sync::Arc::clone(&w.cache);
    let stored = blocking(move || Ok(cache.divisions()?)).await?;
    if stored.is_empty() {
        return Err(AppError::new(
            ErrorKind::Offline,
            "Exact Online cannot be reached, and no divisions are stored yet.",
        ));
    }
    Ok(stored
        .into_iter()
        .map(|d| DivisionInfo {
            code: d.code,
            name: d.description,
            current: current == Some(d.code),
            selected: selected.contains(&d.code),
            currency: d.currency,
        })
        .collect())
}

#[tauri::command]
pub async fn get_settings(shell: State<'_, Shell>) -> CommandResult<Settings> {
    Ok(shell.current().await?.settings())
}

#[tauri::command]
pub async fn save_settings(shell: State<'_, Shell>, settings: Settings) -> CommandResult<Settings> {
    super::settings::validate(&settings).map_err(AppError::invalid)?;
    let w = shell.current().await?;
    w.apply_settings(settings).await?;
    Ok(w.settings())
}

#[tauri::command]
pub async fn sync_now(shell: State<'_, Shell>) -> CommandResult<()> {
    let w = shell.current().await?;
    if w.settings().divisions.is_empty() {
        return Err(AppError::invalid("Choose the divisions to sync first."));
    }
    w.scheduler.sync_now().await;
    Ok(())
}

/// A full resync now (or right after the one running): every record read again, the rows Exact
/// no longer has removed, set-aside records and refused properties tried again. Only that run
/// is full; the runs after it are incremental again.
#[tauri::command]
pub async fn resync_all(shell: State<'_, Shell>) -> CommandResult<()> {
    let w = shell.current().await?;
    if w.settings().divisions.is_empty() {
        return Err(AppError::invalid("Choose the divisions to sync first."));
    }
    w.scheduler.resync_all().await;
    Ok(())
}

#[tauri::command]
pub async fn cancel_sync(shell: State<'_, Shell>) -> CommandResult<()> {
    shell.current().await?.scheduler.cancel().await;
    Ok(())
}

#[tauri::command]
pub async fn sync_state(shell: State<'_, Shell>) -> CommandResult<SyncSnapshot> {
    Ok(shell.current().await?.snapshot())
}

#[tauri::command]
pub async fn runs(shell: State<'_, Shell>, limit: usize) -> CommandResult<Vec<RunSummary>> {
    let cache = std::sync::Arc::clone(&shell.current().await?.cache);
    blocking(move || Ok(cache.runs(limit.min(500))?)).await
}

#[tauri::command]
pub async fn status(shell: State<'_, Shell>) -> CommandResult<Vec<EntityStatus>> {
    let cache = std::sync::Arc::clone(&shell.current().await?.cache);
    blocking(move || Ok(cache.status()?)).await
}

/// The records set aside (kept as Exact sent them, not stored), newest first, of one division
/// and entity or of all.
#[tauri::command]
pub async fn set_aside_records(
    shell: State<'_, Shell>,
    division: Option<i32>,
    entity: Option<String>,
) -> CommandResult<Vec<SetAsideRow>> {
    let entity = entity
        .map(|name| name.parse::<Entity>())
        .transpose()
        .map_err(|e| AppError::invalid(e.to_string()))?;
    let cache = std::sync::Arc::clone(&shell.current().await?.cache);
    blocking(move || Ok(cache.set_aside_records(division, entity, MAX_SET_ASIDE)?)).await
}

#[tauri::command]
pub async fn items(
    shell: State<'_, Shell>,
    mut query: ItemQuery,
) -> CommandResult<ListPage<ItemSummary>> {
    query.limit = query.limit.clamp(1, MAX_PAGE);
    let cache = std::sync::Arc::clone(&shell.current().await?.cache);
    blocking(move || Ok(cache.items(&query)?)).await
}

#[tauri::command]
pub async fn item(shell: State<'_, Shell>, division: i32, id: String) -> CommandResult<ItemDetail> {
    let cache = std::sync::Arc::clone(&shell.current().await?.cache);
    blocking(move || {
        cache
            .item(division, &id)?
            .ok_or_else(|| AppError::not_found("This item"))
    })
    .await
}

#[tauri::command]
pub async fn item_groups(
    shell: State<'_, Shell>,
    division: i32,
) -> CommandResult<Vec<ItemGroupRow>> {
    let cache = std::sync::Arc::clone(&shell.current().await?.cache);
    blocking(move || Ok(cache.item_groups(division)?)).await
}

#[tauri::command]
pub async fn units(shell: State<'_, Shell>, division: i32) -> CommandResult<Vec<UnitRow>> {
    let cache = std::sync::Arc::clone(&shell.current().await?.cache);
    blocking(move || Ok(cache.units(division)?)).await
}

#[tauri::command]
pub async fn accounts(
    shell: State<'_, Shell>,
    mut query: AccountQuery,
) -> CommandResult<ListPage<AccountSummary>> {
    query.limit = query.limit.clamp(1, MAX_PAGE);
    let cache = std::sync::Arc::clone(&shell.current().await?.cache);
    blocking(move || Ok(cache.accounts(&query)?)).await
}

#[tauri::command]
pub async fn account(
    shell: State<'_, Shell>,
    division: i32,
    id: String,
) -> CommandResult<AccountDetail> {
    let cache = std::sync::Arc::clone(&shell.current().await?.cache);
    blocking(move || {
        cache
            .account(division, &id)?
            .ok_or_else(|| AppError::not_found("This customer"))
    })
    .await
}

#[tauri::command]
pub async fn account_countries(
    shell: State<'_, Shell>,
    division: i32,
) -> CommandResult<Vec<String>> {
    let cache = std::sync::Arc::clone(&shell.current().await?.cache);
    blocking(move || Ok(cache.account_countries(division)?)).await
}

/// Downloads an attachment when it is not stored yet (and the settings allow it), copies it
/// under a safe name into `opened/`, marked as downloaded from the internet, and opens it with
/// the system's viewer when its name and content agree on a document type that does not run.
/// Anything else is opened only on `OpenAnyway`, after the user was told what it really is.
#[tauri::command]
pub async fn open_attachment(
    shell: State<'_, Shell>,
    division: i32,
    id: String,
    action: AttachmentAction,
) -> CommandResult<AttachmentOpened> {
    let w = shell.current().await?;
    if w.settings().attachments == AttachmentMode::None {
        return Err(AppError::invalid(
            "Attachment downloads are switched off in Settings.",
        ));
    }
    let cache = std::sync::Arc::clone(&w.cache);
    let record = blocking(move || {
        let json = cache
            .attributes(division, Entity::DocumentAttachments, &id)?
            .ok_or_else(|| AppError::not_found("This attachment"))?;
        serde_json::from_str::<exact_api::Record>(&json).map_err(AppError::internal)
    })
    .await?;
    let job = offline_assets::job_for(AssetEntity::DocumentAttachments, division, &record)
        .ok_or_else(|| AppError::not_found("This attachment's file"))?;
    match w.assets.fetch_on_demand(&job).await {
        Outcome::Stored { .. } | Outcome::Unchanged => {}
        Outcome::NoImage => return Err(AppError::not_found("This attachment's file")),
        Outcome::Skipped { reason } => return Err(AppError::invalid(reason)),
        Outcome::Failed { error, retryable } => {
            let code = if retryable {
                ErrorKind::Offline
            } else {
                ErrorKind::Internal
            };
            return Err(AppError::new(code, error));
        }
    }
    let (assets, dir, key) = (w.assets.clone(), w.opened_dir(), job.key.clone());
    let saved = blocking(move || {
        crate::config::private_dir(&dir).map_err(AppError::internal)?;
        let saved = assets.save_attachment_to_open(&key, &dir)?;
        // A file system without such marks (FAT on Windows) must not make attachments unopenable:
        // what may run is still decided by the open policy below.
        if let Err(e) = super::opened::mark_downloaded(&saved.path) {
            tracing::warn!(error = %e, "cannot mark an opened attachment as downloaded");
        }
        Ok(saved)
    })
    .await?;
    let path = &saved.path;
    match (action, &saved.policy) {
        (AttachmentAction::ShowInFolder, _) => {
            tauri_plugin_opener::reveal_item_in_dir(path)
                .map_err(|e| AppError::internal(format!("Cannot show {}: {e}", path.display())))?;
            Ok(AttachmentOpened::ShownInFolder)
        }
        (AttachmentAction::Open, OpenPolicy::Confirm { real_type, .. }) => {
            Ok(AttachmentOpened::NeedsConfirmation {
                file_name: offline_assets::display_file_name(
                    &path.file_name().unwrap_or_default().to_string_lossy(),
                ),
                real_type: real_type.clone(),
            })
        }
        (AttachmentAction::Open | AttachmentAction::OpenAnyway, _) => {
            tauri_plugin_opener::open_path(path, None::<&str>)
                .map_err(|e| AppError::internal(format!("Cannot open {}: {e}", path.display())))?;
            Ok(AttachmentOpened::Opened)
        }
    }
}

/// Writes the filtered items or customers list to a new file in the user's Downloads folder
/// (the company's folder when there is none), sending `export-progress` events as it goes.
#[tauri::command]
pub async fn export_list(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    request: ExportRequest,
) -> CommandResult<ExportResult> {
    use tauri::{Emitter, Manager};
    let w = shell.current().await?;
    let shown = request.shown_values()?;
    let (list, what) = match (request.list, request.items, request.customers) {
        (ExportList::Items, Some(q), _) => (ListQuery::Items(q), "items"),
        (ExportList::Customers, _, Some(q)) => (ListQuery::Customers(q), "customers"),
        _ => return Err(AppError::invalid("The export names no list to export.")),
    };
    let dir = crate::folders::download_dir().unwrap_or_else(|| w.dir.join("exports"));
    let cache = std::sync::Arc::clone(&w.cache);
    let path = blocking(move || {
        std::fs::create_dir_all(&dir)
            .map_err(|e| AppError::internal(format!("Cannot create {}: {e}", dir.display())))?;
        let now = chrono::Local::now().naive_local();
        let path = fresh_path(&dir, what, request.format, now);
        let rows = write_list(
            &cache,
            &list,
            &request.columns,
            &shown,
            request.format,
            &path,
            &mut |done, total| {
                let _ = app.emit("export-progress", ExportProgress { done, total });
            },
        )
        .map_err(|e| AppError::invalid(format!("{e:#}")))?;
        app.state::<Exports>().remember(&path);
        Ok(ExportResult {
            path: path.display().to_string(),
            rows,
        })
    })
    .await?;
    Ok(path)
}

/// Shows an exported file in the system's file manager (only files this window exported).
#[tauri::command]
pub fn reveal_export(exports: State<'_, Exports>, path: String) -> CommandResult<()> {
    let path = std::path::PathBuf::from(path);
    if !exports.contains(&path) {
        return Err(AppError::invalid("Only exported files can be shown."));
    }
    tauri_plugin_opener::reveal_item_in_dir(&path)
        .map_err(|e| AppError::internal(format!("Cannot show {}: {e}", path.display())))
}

/// The files exported in this session: the only paths `reveal_export` accepts.
#[derive(Debug, Default)]
pub struct Exports(std::sync::Mutex<Vec<std::path::PathBuf>>);

impl Exports {
    fn remember(&self, path: &std::path::Path) {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(path.to_path_buf());
    }

    fn contains(&self, path: &std::path::Path) -> bool {
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .any(|p| p == path)
    }
}

/// Opens a `mailto:`, `tel:` or web link in the system's handler; the window never navigates.
/// The link is parsed and rebuilt first (`links::checked`), so data cannot smuggle more in.
#[tauri::command]
pub fn open_url(url: String) -> CommandResult<()> {
    let url = crate::links::checked(&url).map_err(|e| AppError::invalid(e.to_string()))?;
    tauri_plugin_opener::open_url(&url, None::<&str>).map_err(AppError::internal)
}

/// The diagnostics report (`exact-offline doctor`'s) of this company's divisions, to copy.
#[tauri::command]
pub async fn diagnostics(shell: State<'_, Shell>) -> CommandResult<String> {
    let w = shell.current().await?;
    let engine = offline_sync::Engine::new(
        w.client.clone(),
        std::sync::Arc::clone(&w.cache),
        std::sync::Arc::clone(&w.clock),
    );
    let report = engine.doctor(&w.settings().divisions).await;
    Ok(crate::diagnostics::render(
        w.client.base_url().as_str(),
        &report,
    ))
}

#[tauri::command]
pub async fn storage(shell: State<'_, Shell>) -> CommandResult<StorageInfo> {
    let w = shell.current().await?;
    let cache = std::sync::Arc::clone(&w.cache);
    let cache_bytes = blocking(move || Ok(cache.size_on_disk()?)).await?;
    let assets_bytes = w.assets.usage().await?.total_bytes();
    Ok(StorageInfo {
        data_dir: w.path().display().to_string(),
        cache_bytes,
        assets_bytes,
        token_storage: w.token_storage(),
    })
}

/// Removes the downloaded pictures and files, and the copies opened from them (the next sync
/// fetches them again).
#[tauri::command]
pub async fn clear_caches(shell: State<'_, Shell>) -> CommandResult<StorageInfo> {
    let w = shell.current().await?;
    w.assets.clear().await?;
    let opened = w.opened_dir();
    blocking(move || super::opened::clear(&opened).map_err(AppError::internal)).await?;
    storage(shell).await
}

/// Demo only: takes the simulated Exact Online off the network (every connection to it is
/// dropped unanswered, as when the network is gone), or brings it back.
#[tauri::command]
pub async fn set_demo_online(shell: State<'_, Shell>, online: bool) -> CommandResult<()> {
    let w = shell.current().await?;
    let (Mode::Demo, Some(demo)) = (w.mode, &w.demo) else {
        return Err(AppError::invalid(
            "Only the demo company can be taken offline.",
        ));
    };
    demo.sim.set_network(online);
    w.set_online(online);
    Ok(())
}

//! The commands the window calls (`ui/src/lib/ipc.ts` is their only caller). Each is a thin
//! adapter: take the open company, call one engine or cache function off the async runtime,
//! map the error.

use offline_cache::{
    AccountDetail, AccountQuery, AccountSummary, Entity, EntityStatus, ItemDetail, ItemGroupRow,
    ItemQuery, ItemSummary, ListPage, RunSummary, SetAsideRow, UnitRow,
};
use tauri::State;

use super::dto::{
    AppError, AppInfo, AttachmentAction, AttachmentOpened, ConnectRequest, DivisionInfo,
    ExportProgress, ExportRequest, ExportResult, RedirectChoice, RegionInfo, RegistrationInfo,
    Settings, StorageInfo, SyncSnapshot,
};
use super::error::CommandResult;
use super::shell::{Shell, regions as all_regions};

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
    shell.current().await?.divisions().await
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
    shell.current().await?.sync_now(false).await
}

/// A full resync now (or right after the one running): every record read again, the rows Exact
/// no longer has removed, set-aside records and refused properties tried again. Only that run
/// is full; the runs after it are incremental again.
#[tauri::command]
pub async fn resync_all(shell: State<'_, Shell>) -> CommandResult<()> {
    shell.current().await?.sync_now(true).await
}

#[tauri::command]
pub async fn cancel_sync(shell: State<'_, Shell>) -> CommandResult<()> {
    shell.current().await?.cancel_sync().await;
    Ok(())
}

#[tauri::command]
pub async fn sync_state(shell: State<'_, Shell>) -> CommandResult<SyncSnapshot> {
    Ok(shell.current().await?.snapshot())
}

#[tauri::command]
pub async fn runs(shell: State<'_, Shell>, limit: usize) -> CommandResult<Vec<RunSummary>> {
    let limit = limit.min(500);
    shell
        .current()
        .await?
        .with_cache(move |c| Ok(c.runs(limit)?))
        .await
}

#[tauri::command]
pub async fn status(shell: State<'_, Shell>) -> CommandResult<Vec<EntityStatus>> {
    let w = shell.current().await?;
    let now = w.company().now_ms();
    w.with_cache(move |c| Ok(c.status(now)?)).await
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
    let w = shell.current().await?;
    w.with_cache(move |c| Ok(c.set_aside_records(division, entity, MAX_SET_ASIDE)?))
        .await
}

#[tauri::command]
pub async fn items(
    shell: State<'_, Shell>,
    mut query: ItemQuery,
) -> CommandResult<ListPage<ItemSummary>> {
    query.limit = query.limit.clamp(1, MAX_PAGE);
    shell
        .current()
        .await?
        .with_cache(move |c| Ok(c.items(&query)?))
        .await
}

#[tauri::command]
pub async fn item(shell: State<'_, Shell>, division: i32, id: String) -> CommandResult<ItemDetail> {
    let w = shell.current().await?;
    let now = w.company().now_ms();
    w.with_cache(move |c| {
        c.item(division, &id, now)?
            .ok_or_else(|| AppError::not_found("This item"))
    })
    .await
}

#[tauri::command]
pub async fn item_groups(
    shell: State<'_, Shell>,
    division: i32,
) -> CommandResult<Vec<ItemGroupRow>> {
    shell
        .current()
        .await?
        .with_cache(move |c| Ok(c.item_groups(division)?))
        .await
}

#[tauri::command]
pub async fn units(shell: State<'_, Shell>, division: i32) -> CommandResult<Vec<UnitRow>> {
    shell
        .current()
        .await?
        .with_cache(move |c| Ok(c.units(division)?))
        .await
}

#[tauri::command]
pub async fn accounts(
    shell: State<'_, Shell>,
    mut query: AccountQuery,
) -> CommandResult<ListPage<AccountSummary>> {
    query.limit = query.limit.clamp(1, MAX_PAGE);
    shell
        .current()
        .await?
        .with_cache(move |c| Ok(c.accounts(&query)?))
        .await
}

#[tauri::command]
pub async fn account(
    shell: State<'_, Shell>,
    division: i32,
    id: String,
) -> CommandResult<AccountDetail> {
    let w = shell.current().await?;
    let now = w.company().now_ms();
    w.with_cache(move |c| {
        c.account(division, &id, now)?
            .ok_or_else(|| AppError::not_found("This customer"))
    })
    .await
}

#[tauri::command]
pub async fn account_countries(
    shell: State<'_, Shell>,
    division: i32,
) -> CommandResult<Vec<String>> {
    shell
        .current()
        .await?
        .with_cache(move |c| Ok(c.account_countries(division)?))
        .await
}

/// Opens an attachment with the system's viewer when that is safe, else asks first or shows it in
/// its folder (see `Workspace::open_attachment`).
#[tauri::command]
pub async fn open_attachment(
    shell: State<'_, Shell>,
    division: i32,
    id: String,
    action: AttachmentAction,
) -> CommandResult<AttachmentOpened> {
    let w = shell.current().await?;
    w.open_attachment(division, id, action).await
}

/// Writes the filtered items or customers list to a new file in the user's Downloads folder
/// (the company's folder when there is none), sending `export-progress` events as it goes.
#[tauri::command]
pub async fn export_list(
    app: tauri::AppHandle,
    shell: State<'_, Shell>,
    exports: State<'_, Exports>,
    request: ExportRequest,
) -> CommandResult<ExportResult> {
    use tauri::Emitter;
    let progress = move |p: ExportProgress| {
        let _ = app.emit("export-progress", p);
    };
    let w = shell.current().await?;
    let exported = w.export_list(request, progress).await?;
    exports.remember(std::path::Path::new(&exported.path));
    Ok(exported)
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
    Ok(shell.current().await?.diagnostics().await)
}

#[tauri::command]
pub async fn storage(shell: State<'_, Shell>) -> CommandResult<StorageInfo> {
    shell.current().await?.storage().await
}

/// Removes the downloaded pictures and files, and the copies opened from them (the next sync
/// fetches them again).
#[tauri::command]
pub async fn clear_caches(shell: State<'_, Shell>) -> CommandResult<StorageInfo> {
    let w = shell.current().await?;
    w.clear_downloads().await?;
    w.storage().await
}

/// Demo only: takes the simulated Exact Online off the network, or brings it back.
#[tauri::command]
pub async fn set_demo_online(shell: State<'_, Shell>, online: bool) -> CommandResult<()> {
    shell.current().await?.set_demo_online(online)
}

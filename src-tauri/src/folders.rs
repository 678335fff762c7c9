//! Where the app keeps the user's files, the carry-over of the one folder earlier versions kept
//! everything in, and the removal of the webview data earlier versions left behind.
//!
//! Without `--data-dir` (or `$EXACT_OFFLINE_DATA_DIR`) the files go to the platform's folders
//! (`directories::ProjectDirs`):
//!
//! | | Linux | macOS | Windows |
//! |---|---|---|---|
//! | data | `~/.local/share/exact-offline` | `~/Library/Application Support/nl.exactoffline.app` | `%LOCALAPPDATA%\Exact Offline\data` |
//! | config | `~/.config/exact-offline` | the data folder | `%APPDATA%\Exact Offline\config` |
//! | cache | `~/.cache/exact-offline` | `~/Library/Caches/nl.exactoffline.app` | `%LOCALAPPDATA%\Exact Offline\cache` |
//! | logs | `~/.local/state/exact-offline/logs` | `~/Library/Logs/nl.exactoffline.app` | `%LOCALAPPDATA%\Exact Offline\logs` |
//!
//! With a folder given, all four are that folder (the logs in its `logs/`), as they always were.
//!
//! A file the carry-over leaves in place because the new folders hold one already is warned about
//! at the first start that finds it, not at every start: the old paths already reported are noted
//! in the config folder's `carry-over-noted`.
//!
//! Earlier versions let Tauri choose the webview's data folder (on Linux and Windows the local data
//! folder + the bundle identifier); now it is [`Folders::webview`]. At every start on the platform's
//! folders what WebKitGTK or WebView2 wrote there is removed, and the folder too once empty; nothing
//! else in it is touched.

use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::config::{demo_dir, private_dir};

/// The folder of the project under each platform's base folders.
#[cfg(not(any(windows, target_os = "macos")))]
const PROJECT: &str = "exact-offline";
/// The bundle identifier (`tauri.conf.json`), as macOS names an app's folders.
#[cfg(target_os = "macos")]
const PROJECT: &str = "nl.exactoffline.app";
#[cfg(windows)]
const PROJECT: &str = "Exact Offline";

/// The folder earlier versions kept everything in, under the platform's data folder.
const EARLIER: &str = "exact-offline";

/// The config folder's list of the old paths whose "left in place" warning was given, one a line.
const NOTED: &str = "carry-over-noted";

/// The bundle identifier (`tauri.conf.json`): the folder under the local data folder in which
/// earlier versions let the webview keep its data.
#[cfg(any(target_os = "linux", windows))]
const WEBVIEW_EARLIER: &str = "nl.exactoffline.app";

/// What WebKitGTK writes in a data folder given to it (wry gives the same folder as the base of its
/// data and of its cache; wry adds the `cookies` file). Its IndexedDB lies in `databases/`.
#[cfg(target_os = "linux")]
const WEBVIEW_ENTRIES: &[&str] = &[
    "CacheStorage",
    "WebKitCache",
    "applications",
    "cookies",
    "databases",
    "deviceidhashsalts",
    "hsts-storage.sqlite",
    "hsts-storage.sqlite-journal",
    "hsts-storage.sqlite-shm",
    "hsts-storage.sqlite-wal",
    "itp",
    "localstorage",
    "mediakeys",
    "serviceworkers",
    "storage",
];
/// What WebView2 writes in the data folder given to it.
#[cfg(windows)]
const WEBVIEW_ENTRIES: &[&str] = &["EBWebView"];

/// The four folders of the user's files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Folders {
    /// The offline copy (`cache.sqlite`), pictures and attachments, the folder lock (`sync.lock`)
    /// and the demo company's own folder (`demo/`).
    pub data: PathBuf,
    /// `settings.json`, `connection.json`, the token files when no keychain answers, and the mark
    /// of a user who chose the demo company.
    pub config: PathBuf,
    /// What can be rebuilt: the webview's own data and HTTP cache (`webview/`).
    pub cache: PathBuf,
    /// The daily log files.
    pub logs: PathBuf,
}

impl Folders {
    /// Everything in `dir`, as earlier versions kept it: what `--data-dir` gives.
    pub fn single(dir: &Path) -> Folders {
        Folders {
            data: dir.to_path_buf(),
            config: dir.to_path_buf(),
            cache: dir.to_path_buf(),
            logs: dir.join("logs"),
        }
    }

    /// The platform's folders for the app.
    pub fn platform() -> Result<Folders> {
        let dirs = directories::ProjectDirs::from_path(PathBuf::from(PROJECT))
            .context("no home folder on this system; pass --data-dir")?;
        platform_folders(&dirs)
    }

    /// Creates the four folders, readable only by the user ([`private_dir`]).
    pub fn create(&self) -> Result<()> {
        for dir in [&self.data, &self.config, &self.cache, &self.logs] {
            private_dir(dir)?;
        }
        Ok(())
    }

    /// Where the window's webview keeps its data (HTTP cache, storage).
    pub fn webview(&self) -> PathBuf {
        self.cache.join("webview")
    }
}

/// Linux and the other Unix desktops: the XDG folders; logs in the state folder.
#[cfg(not(any(windows, target_os = "macos")))]
fn platform_folders(dirs: &directories::ProjectDirs) -> Result<Folders> {
    let data = dirs.data_dir().to_path_buf();
    let logs = match dirs.state_dir() {
        Some(state) => state.join("logs"),
        None => data.join("logs"),
    };
    Ok(Folders {
        config: dirs.config_dir().to_path_buf(),
        cache: dirs.cache_dir().to_path_buf(),
        logs,
        data,
    })
}

/// macOS: Application Support holds the data and the settings (macOS has no separate folder
/// for files the user edits), Caches what can be rebuilt, `~/Library/Logs` the logs.
#[cfg(target_os = "macos")]
fn platform_folders(dirs: &directories::ProjectDirs) -> Result<Folders> {
    let base = directories::BaseDirs::new().context("no home folder on this system")?;
    Ok(Folders {
        data: dirs.data_dir().to_path_buf(),
        config: dirs.config_dir().to_path_buf(),
        cache: dirs.cache_dir().to_path_buf(),
        logs: base.home_dir().join("Library").join("Logs").join(PROJECT),
    })
}

/// Windows: the data in LocalAppData (a cache of 100 000 rows and its pictures must not roam
/// with the profile), the settings in the roaming AppData, the logs beside the local data.
#[cfg(windows)]
fn platform_folders(dirs: &directories::ProjectDirs) -> Result<Folders> {
    let data = dirs.data_local_dir().to_path_buf();
    let logs = match data.parent() {
        Some(local) => local.join("logs"),
        None => data.join("logs"),
    };
    Ok(Folders {
        config: dirs.config_dir().to_path_buf(),
        cache: dirs.cache_dir().to_path_buf(),
        logs,
        data,
    })
}

/// The folder the user chose: `--data-dir`, else `$EXACT_OFFLINE_DATA_DIR`.
pub fn given(flag: Option<&Path>) -> Option<PathBuf> {
    flag.map(Path::to_path_buf).or_else(|| {
        std::env::var_os("EXACT_OFFLINE_DATA_DIR")
            .filter(|dir| !dir.is_empty())
            .map(PathBuf::from)
    })
}

/// The folders of this run, created: the one given, else the platform's, into which the files
/// of an earlier version's folder are carried first. The files it leaves in place are reported
/// once: those reported at an earlier start are dropped from the report ([`drop_noted`]), and the
/// webview data an earlier version left in the local data folder is removed
/// ([`remove_earlier_webview`]). With a folder given nothing outside it is touched. The report is
/// returned to be logged once logging runs; nothing is logged before.
pub fn prepare(flag: Option<&Path>) -> Result<(Folders, Report)> {
    if let Some(dir) = given(flag) {
        let folders = Folders::single(&dir);
        folders.create()?;
        return Ok((folders, Report::default()));
    }
    let folders = Folders::platform()?;
    folders.create()?;
    let mut report = match earlier_folder().map(|old| (carry_over(&old, &folders), old)) {
        Some((Ok(mut report), _)) => {
            drop_noted(&mut report, &folders.config.join(NOTED));
            report
        }
        Some((Err(e), old)) => Report {
            failed: vec![(old, format!("{e:#}"))],
            ..Report::default()
        },
        None => Report::default(),
    };
    remove_earlier_webview(&folders, &mut report);
    Ok((folders, report))
}

/// Drops from `report` the files left in place that the list `noted` names (reported at an
/// earlier start), and makes the list name exactly those left in place now: a file no longer left
/// in place falls out, so it is reported again should it come back. A list that is missing or
/// cannot be read names nothing; one that cannot be written is tried again at the next start.
/// When another instance held the old folder nothing is known of what stays, and the list stays.
fn drop_noted(report: &mut Report, noted: &Path) {
    if report.busy.is_some() {
        return;
    }
    let before: std::collections::BTreeSet<String> = fs::read_to_string(noted)
        .unwrap_or_default()
        .lines()
        .filter(|line| !line.is_empty())
        .map(str::to_owned)
        .collect();
    // A path that is not one line of text is not noted: it is reported at every start.
    let now: std::collections::BTreeSet<String> = report
        .kept
        .iter()
        .filter_map(|(old, _)| old.to_str())
        .filter(|old| !old.contains('\n'))
        .map(str::to_owned)
        .collect();
    report
        .kept
        .retain(|(old, _)| !old.to_str().is_some_and(|old| before.contains(old)));
    if now == before {
        return;
    }
    if now.is_empty() {
        let _ = fs::remove_file(noted);
        return;
    }
    let text: String = now.iter().map(|old| format!("{old}\n")).collect();
    // Written beside and renamed over, so a list is never read half written.
    let _ = exact_api::tokens::write_private_atomically(noted, text.as_bytes());
}

/// Removes what the webview of an earlier version left in the folder Tauri chose for it (the
/// platform's local data folder + the bundle identifier), and that folder once empty.
#[cfg(any(target_os = "linux", windows))]
fn remove_earlier_webview(folders: &Folders, report: &mut Report) {
    if let Some(base) = directories::BaseDirs::new() {
        remove_webview_entries(base.data_local_dir(), folders, report);
    }
}

/// macOS and the other systems: Tauri chose no data folder for the webview there (WKWebView keeps
/// its data under `~/Library`), and on macOS the identifier's folder in Application Support is the
/// data folder itself.
#[cfg(not(any(target_os = "linux", windows)))]
fn remove_earlier_webview(_folders: &Folders, _report: &mut Report) {}

/// Removes [`WEBVIEW_ENTRIES`] from `base`'s identifier folder, then the folder if empty. Nothing
/// is removed when that folder is, holds or lies in one of `folders`.
#[cfg(any(target_os = "linux", windows))]
fn remove_webview_entries(base: &Path, folders: &Folders, report: &mut Report) {
    let old = base.join(WEBVIEW_EARLIER);
    if !old.is_dir() {
        return;
    }
    let old_real = fs::canonicalize(&old).unwrap_or_else(|_| old.clone());
    let overlaps = [
        &folders.data,
        &folders.config,
        &folders.cache,
        &folders.logs,
    ]
    .into_iter()
    .any(|folder| {
        let real = fs::canonicalize(folder).unwrap_or_else(|_| folder.clone());
        [(&old, folder), (&old_real, &real)]
            .into_iter()
            .any(|(a, b)| a.starts_with(b) || b.starts_with(a))
    });
    if overlaps {
        return;
    }
    for name in WEBVIEW_ENTRIES {
        let path = old.join(name);
        match remove_path(&path) {
            Ok(()) => report.webview_removed.push(path),
            Err(e) if e.kind() == io::ErrorKind::NotFound => {}
            Err(e) => report.webview_failed.push((path, e.to_string())),
        }
    }
    // Removed only when empty: whatever else it holds keeps it.
    let _ = fs::remove_dir(&old);
}

/// The one folder of earlier versions: the platform's data folder + `exact-offline`
/// (`~/.local/share/exact-offline`, `~/Library/Application Support/exact-offline`,
/// `%APPDATA%\exact-offline`).
pub fn earlier_folder() -> Option<PathBuf> {
    directories::BaseDirs::new().map(|base| base.data_dir().join(EARLIER))
}

/// The user's Downloads folder, if the system has one.
pub fn download_dir() -> Option<PathBuf> {
    directories::UserDirs::new().and_then(|user| user.download_dir().map(Path::to_path_buf))
}

/// What a carry-over did, and what [`prepare`] removed of an earlier version's webview.
#[derive(Debug, Default)]
pub struct Report {
    /// Moved (renamed, or copied, checked and removed): from, to.
    pub moved: Vec<(PathBuf, PathBuf)>,
    /// Left where they were because the destination already exists (it is kept): old, kept.
    pub kept: Vec<(PathBuf, PathBuf)>,
    /// Copied and checked, but the original could not be removed: both stay, the copy is used.
    pub doubled: Vec<(PathBuf, String)>,
    /// Could not be moved (they stay where they were): path, why.
    pub failed: Vec<(PathBuf, String)>,
    /// The lock another instance holds on the old folder: nothing was done.
    pub busy: Option<PathBuf>,
    /// What the webview of an earlier version left, removed.
    pub webview_removed: Vec<PathBuf>,
    /// What the webview of an earlier version left and could not be removed: path, why.
    pub webview_failed: Vec<(PathBuf, String)>,
}

impl Report {
    /// Nothing was moved, kept, doubled, refused, held back or removed.
    pub fn is_empty(&self) -> bool {
        self.moved.is_empty()
            && self.kept.is_empty()
            && self.doubled.is_empty()
            && self.failed.is_empty()
            && self.busy.is_none()
            && self.webview_removed.is_empty()
            && self.webview_failed.is_empty()
    }

    /// Logs what moved and what was removed (info) and what stayed behind (warnings).
    pub fn log(&self) {
        if let Some(lock) = &self.busy {
            tracing::warn!(
                "another Exact Offline holds {}: the files of the earlier version there are carried over at a later start",
                lock.display()
            );
        }
        for (from, to) in &self.moved {
            tracing::info!("carried {} over to {}", from.display(), to.display());
        }
        for (old, kept) in &self.kept {
            tracing::warn!(
                "{} is left in place: {} already exists and is the one used",
                old.display(),
                kept.display()
            );
        }
        for (old, why) in &self.doubled {
            tracing::warn!(
                "{} was copied to the new folders but cannot be removed ({why}); the copy is used",
                old.display()
            );
        }
        for (old, why) in &self.failed {
            tracing::warn!("{} cannot be carried over ({why}); it stays", old.display());
        }
        if !self.webview_removed.is_empty() {
            let removed: Vec<_> = self
                .webview_removed
                .iter()
                .map(|path| path.display().to_string())
                .collect();
            tracing::info!(
                "removed the webview data of an earlier version: {}",
                removed.join(", ")
            );
        }
        for (path, why) in &self.webview_failed {
            tracing::warn!(
                "{} (webview data of an earlier version) cannot be removed: {why}",
                path.display()
            );
        }
    }
}

/// Carries the files of an earlier version's single folder `old` over to `to`:
///
/// - when `old` is `to.data` (Linux), only the settings, connection, token files and `logs/`
///   move, to `to.config` and `to.logs`; the offline copy, the pictures and `demo/` stay;
/// - else (macOS, Windows) everything moves: those to the config and logs folders, the rest into
///   `to.data`; the emptied old folder is removed.
///
/// Each file or folder is renamed, or copied when renaming fails (another volume), checked byte
/// for byte and only then removed. A destination that exists is never overwritten: it is kept,
/// the old one stays where it is, and the report says so (folders in both places are merged
/// entry by entry). Nothing happens while another instance holds the old folder's `sync.lock`
/// (or its demo company's). Running it again once done changes nothing.
pub fn carry_over(old: &Path, to: &Folders) -> Result<Report> {
    let mut report = Report::default();
    if !old.is_dir() {
        return Ok(report);
    }
    let same = same_dir(old, &to.data);
    let plan = plan(old, to, same).with_context(|| format!("cannot read {}", old.display()))?;
    if plan.is_empty() {
        return Ok(report);
    }
    if let Some(lock) = held_lock(old) {
        report.busy = Some(lock);
        return Ok(report);
    }
    move_group(&plan, &mut report);
    if !same {
        // Removed only when empty: whatever stayed behind keeps it.
        let _ = fs::remove_dir(old);
    }
    Ok(report)
}

/// The entries of `old` to move and where to: groups that move together (a SQLite file and its
/// journal), in name order.
fn plan(old: &Path, to: &Folders, same: bool) -> io::Result<Vec<(PathBuf, PathBuf)>> {
    let mut plan = Vec::new();
    for (name, from) in entries(old)? {
        let text = name.to_string_lossy();
        let dest = if text == "logs" && from.is_dir() {
            to.logs.clone()
        } else if is_config(&text) {
            to.config.join(&name)
        } else if same {
            continue;
        } else {
            to.data.join(&name)
        };
        // Never an entry into itself (a destination folder inside the old one).
        let inside = [&to.data, &to.config, &to.cache, &to.logs]
            .iter()
            .any(|folder| folder.starts_with(&from));
        if dest != from && !inside {
            plan.push((from, dest));
        }
    }
    Ok(plan)
}

/// The files of the config folder, by name: the settings, the connection, the mark of the demo
/// choice, and the token files of every account (`tokens-<key>.json`, its lock and rescued set,
/// and the unkeyed `tokens.json` of older versions).
fn is_config(name: &str) -> bool {
    matches!(
        name,
        "connection.json" | "settings.json" | "settings.json.damaged" | "demo-chosen"
    ) || (name.starts_with("tokens") && (name.ends_with(".json") || name.ends_with(".lock")))
}

/// The `sync.lock` of `old` or of its demo company that another process holds, if any. A lock
/// that cannot be tried counts as held.
fn held_lock(old: &Path) -> Option<PathBuf> {
    for path in [old.join("sync.lock"), demo_dir(old).join("sync.lock")] {
        let file = match fs::OpenOptions::new().read(true).write(true).open(&path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(_) => return Some(path),
        };
        // Released again when `file` closes.
        if file.try_lock().is_err() {
            return Some(path);
        }
    }
    None
}

/// Moves each (from, to) of one folder's entries, keeping a SQLite file and its `-wal`, `-shm`
/// and `-journal` together: they move only if none of them exists at the destination (a journal
/// beside another database would damage it).
fn move_group(moves: &[(PathBuf, PathBuf)], report: &mut Report) {
    let mut families: std::collections::BTreeMap<String, Vec<&(PathBuf, PathBuf)>> =
        std::collections::BTreeMap::new();
    for entry in moves {
        let (from, to) = entry;
        let Some(own) = from.file_name().map(|n| n.to_string_lossy().into_owned()) else {
            continue;
        };
        let main = sqlite_main(&own);
        if main.ends_with(".sqlite") {
            families.entry(main.to_owned()).or_default().push(entry);
        } else {
            move_entry(from, to, report);
        }
    }
    for (main, members) in families {
        let Some(dest) = members.first().and_then(|(_, to)| to.parent()) else {
            continue;
        };
        let taken = ["", "-wal", "-shm", "-journal"]
            .iter()
            .map(|suffix| dest.join(format!("{main}{suffix}")))
            .find(|path| path.symlink_metadata().is_ok());
        for (from, to) in members {
            match &taken {
                Some(taken) => report.kept.push((from.clone(), taken.clone())),
                None => move_entry(from, to, report),
            }
        }
    }
}

/// `cache.sqlite` for `cache.sqlite-wal`, `-shm` and `-journal`; else the name itself.
fn sqlite_main(name: &str) -> &str {
    ["-wal", "-shm", "-journal"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .filter(|main| main.ends_with(".sqlite"))
        .unwrap_or(name)
}

/// Moves one file or folder; a folder that exists at both ends is merged entry by entry.
fn move_entry(from: &Path, to: &Path, report: &mut Report) {
    let Ok(source) = fs::symlink_metadata(from) else {
        // Gone meanwhile (another instance carried it).
        return;
    };
    match fs::symlink_metadata(to) {
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return report.failed.push((from.to_path_buf(), e.to_string())),
        Ok(dest) if dest.is_dir() && source.is_dir() => {
            match entries(from) {
                Ok(children) => {
                    let moves: Vec<_> = children
                        .into_iter()
                        .map(|(name, child)| (child, to.join(name)))
                        .collect();
                    move_group(&moves, report);
                }
                Err(e) => report.failed.push((from.to_path_buf(), e.to_string())),
            }
            // Removed only when empty: whatever stayed behind keeps it.
            let _ = fs::remove_dir(from);
            return;
        }
        Ok(_) if source.len() == 0 && from.extension().is_some_and(|e| e == "lock") => {
            // A lock file holds nothing; the destination's serves.
            let _ = fs::remove_file(from);
            return;
        }
        Ok(_) => return report.kept.push((from.to_path_buf(), to.to_path_buf())),
    }
    if let Some(parent) = to.parent()
        && let Err(e) = fs::create_dir_all(parent)
    {
        return report.failed.push((from.to_path_buf(), e.to_string()));
    }
    match move_path(from, to) {
        Ok(None) => report.moved.push((from.to_path_buf(), to.to_path_buf())),
        Ok(Some(e)) => {
            report.moved.push((from.to_path_buf(), to.to_path_buf()));
            report.doubled.push((from.to_path_buf(), e.to_string()));
        }
        // Gone meanwhile (another instance carried it).
        Err(_) if fs::symlink_metadata(from).is_err() => {}
        Err(e) => report.failed.push((from.to_path_buf(), e.to_string())),
    }
}

/// Renames `from` to `to` (which does not exist); when that fails, copies it beside `to`, checks
/// the copy byte for byte, puts it in place and removes `from`. Answers the error of that removal
/// (the copy is in place, the original stays); an error means nothing changed.
fn move_path(from: &Path, to: &Path) -> io::Result<Option<io::Error>> {
    let renamed = fs::rename(from, to);
    if renamed.is_ok() {
        return Ok(None);
    }
    if fs::symlink_metadata(from).is_err() {
        return renamed.map(|()| None);
    }
    let name = to.file_name().unwrap_or_default().to_string_lossy();
    let temporary = to.with_file_name(format!(".{name}.carrying"));
    let _ = remove_path(&temporary);
    let copied = copy_tree(from, &temporary).and_then(|()| match same_tree(from, &temporary)? {
        true => fs::rename(&temporary, to),
        false => Err(io::Error::other("the copy differs from the original")),
    });
    if let Err(e) = copied {
        let _ = remove_path(&temporary);
        return Err(e);
    }
    Ok(remove_path(from).err())
}

/// Copies a file or a folder (recursively), with its permissions, each file flushed to disk.
fn copy_tree(from: &Path, to: &Path) -> io::Result<()> {
    let meta = fs::symlink_metadata(from)?;
    if meta.is_dir() {
        fs::create_dir(to)?;
        for (name, child) in entries(from)? {
            copy_tree(&child, &to.join(name))?;
        }
        fs::set_permissions(to, meta.permissions())
    } else if meta.is_file() {
        fs::copy(from, to)?;
        sync_file(to)
    } else {
        Err(io::Error::other(format!(
            "{} is neither a file nor a folder",
            from.display()
        )))
    }
}

#[cfg(unix)]
fn sync_file(path: &Path) -> io::Result<()> {
    fs::File::open(path)?.sync_all()
}

/// Windows flushes a file only through a handle that may write to it.
#[cfg(not(unix))]
fn sync_file(path: &Path) -> io::Result<()> {
    fs::OpenOptions::new().write(true).open(path)?.sync_all()
}

/// Whether `a` and `b` hold the same names and the same bytes.
fn same_tree(a: &Path, b: &Path) -> io::Result<bool> {
    let (meta_a, meta_b) = (fs::symlink_metadata(a)?, fs::symlink_metadata(b)?);
    if meta_a.is_dir() && meta_b.is_dir() {
        let (entries_a, entries_b) = (entries(a)?, entries(b)?);
        if entries_a.len() != entries_b.len() {
            return Ok(false);
        }
        for ((name_a, child_a), (name_b, child_b)) in entries_a.iter().zip(&entries_b) {
            if name_a != name_b || !same_tree(child_a, child_b)? {
                return Ok(false);
            }
        }
        return Ok(true);
    }
    if !(meta_a.is_file() && meta_b.is_file()) || meta_a.len() != meta_b.len() {
        return Ok(false);
    }
    let (mut file_a, mut file_b) = (fs::File::open(a)?, fs::File::open(b)?);
    let (mut buf_a, mut buf_b) = (vec![0u8; 64 * 1024], vec![0u8; 64 * 1024]);
    loop {
        let n = file_a.read(&mut buf_a)?;
        if n == 0 {
            // Same length, so `b` is at its end too.
            return Ok(true);
        }
        file_b.read_exact(&mut buf_b[..n])?;
        if buf_a[..n] != buf_b[..n] {
            return Ok(false);
        }
    }
}

fn remove_path(path: &Path) -> io::Result<()> {
    if fs::symlink_metadata(path)?.is_dir() {
        fs::remove_dir_all(path)
    } else {
        fs::remove_file(path)
    }
}

/// A folder's entries (name, path) in name order.
fn entries(dir: &Path) -> io::Result<Vec<(std::ffi::OsString, PathBuf)>> {
    let mut entries = fs::read_dir(dir)?
        .map(|entry| entry.map(|e| (e.file_name(), e.path())))
        .collect::<io::Result<Vec<_>>>()?;
    entries.sort();
    Ok(entries)
}

/// Whether `a` and `b` are the same folder (the same path, or links to one).
fn same_dir(a: &Path, b: &Path) -> bool {
    a == b
        || matches!(
            (fs::canonicalize(a), fs::canonicalize(b)),
            (Ok(x), Ok(y)) if x == y
        )
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Every file under `dir` (relative path, bytes); folders as empty entries with a `/`.
    fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
        fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
            for (_, path) in entries(dir).unwrap() {
                let name = path
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                if path.is_dir() {
                    out.insert(format!("{name}/"), Vec::new());
                    walk(root, &path, out);
                } else {
                    out.insert(name, fs::read(&path).unwrap());
                }
            }
        }
        let mut out = BTreeMap::new();
        if dir.exists() {
            walk(dir, dir, &mut out);
        }
        out
    }

    fn write(path: &Path, bytes: &[u8]) {
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, bytes).unwrap();
    }

    /// A folder as an earlier version left it: a real offline copy with one finished run, a
    /// picture, the demo company, the settings, connection and token files, two days of logs.
    fn earlier(dir: &Path) {
        let cache = offline_cache::Cache::open(&dir.join("cache.sqlite")).unwrap();
        let run = cache.start_run("cli", 1_000).unwrap();
        cache.finish_run(run, 2_000, "succeeded").unwrap();
        drop(cache);
        write(
            &dir.join("assets/ab/abcdef.jpg"),
            &[0xff, 0xd8, 0xff, 0, 1, 2],
        );
        write(&dir.join("demo/cache.sqlite"), b"demo copy");
        write(&dir.join("demo/settings.json"), br#"{"batch_size": 50}"#);
        write(&dir.join("demo/tokens.json"), b"demo tokens");
        write(&dir.join("connection.json"), br#"{"base_url": "x"}"#);
        write(&dir.join("settings.json"), br#"{"batch_size": 300}"#);
        write(&dir.join("tokens-0123456789abcdef.json"), b"refresh");
        write(&dir.join("tokens-0123456789abcdef.lock"), b"");
        write(&dir.join("demo-chosen"), b"");
        write(&dir.join("sync.lock"), b"");
        write(&dir.join("logs/exact-offline.2026-11-01.log"), b"one\n");
        write(&dir.join("logs/exact-offline.2026-11-02.log"), b"two\n");
    }

    const CONFIG: [&str; 5] = [
        "connection.json",
        "demo-chosen",
        "settings.json",
        "tokens-0123456789abcdef.json",
        "tokens-0123456789abcdef.lock",
    ];

    fn platform_like(root: &Path, data: &Path) -> Folders {
        Folders {
            data: data.to_path_buf(),
            config: root.join("config/exact-offline"),
            cache: root.join("cache/exact-offline"),
            logs: root.join("state/exact-offline/logs"),
        }
    }

    #[test]
    fn on_linux_the_data_stays_and_settings_and_logs_move_out() {
        let root = tempfile::tempdir().unwrap();
        let old = root.path().join("share/exact-offline");
        earlier(&old);
        let before = tree(&old);
        let to = platform_like(root.path(), &old);
        to.create().unwrap();

        let report = carry_over(&old, &to).unwrap();
        assert!(report.busy.is_none() && report.kept.is_empty() && report.failed.is_empty());
        assert_eq!(report.moved.len(), CONFIG.len() + 2, "{report:?}");

        let (data, config, logs) = (tree(&old), tree(&to.config), tree(&to.logs));
        for name in CONFIG {
            assert_eq!(
                config.get(name),
                before.get(name),
                "{name} arrives unchanged"
            );
            assert!(!data.contains_key(name), "{name} leaves the data folder");
        }
        for day in ["01", "02"] {
            let name = format!("exact-offline.2026-11-{day}.log");
            assert_eq!(logs.get(&name), before.get(&format!("logs/{name}")));
        }
        assert!(
            !old.join("logs").exists(),
            "the emptied logs folder is gone"
        );
        let stays: BTreeMap<_, _> = before
            .into_iter()
            .filter(|(name, _)| !CONFIG.contains(&name.as_str()) && !name.starts_with("logs"))
            .collect();
        assert!(
            data == stays,
            "the copy, the pictures and demo/ stay, byte for byte: {:?}",
            data.keys().collect::<Vec<_>>()
        );
        assert!(
            data.contains_key("demo/settings.json"),
            "the demo keeps its settings"
        );

        let cache = offline_cache::Cache::open(&old.join("cache.sqlite")).unwrap();
        let runs = cache.runs(10).unwrap();
        assert_eq!(runs.len(), 1, "the offline copy opens with what it held");
        assert_eq!(runs[0].finished_ms, Some(2_000));
    }

    #[test]
    fn elsewhere_everything_moves_and_the_old_folder_goes() {
        let root = tempfile::tempdir().unwrap();
        let old = root.path().join("Roaming/exact-offline");
        earlier(&old);
        let before = tree(&old);
        let to = platform_like(root.path(), &root.path().join("Local/Exact Offline/data"));
        to.create().unwrap();

        let report = carry_over(&old, &to).unwrap();
        assert!(
            report.kept.is_empty() && report.failed.is_empty(),
            "{report:?}"
        );
        assert!(!old.exists(), "the old folder is removed once empty");

        let mut arrived = tree(&to.data);
        for (name, bytes) in tree(&to.config) {
            arrived.insert(name, bytes);
        }
        for (name, bytes) in tree(&to.logs) {
            arrived.insert(format!("logs/{name}"), bytes);
        }
        arrived.insert("logs/".into(), Vec::new());
        assert!(
            arrived == before,
            "everything arrives, byte for byte: {:?}",
            arrived.keys().collect::<Vec<_>>()
        );
        assert!(to.data.join("demo/settings.json").exists());
        for name in CONFIG {
            assert!(
                to.config.join(name).exists(),
                "{name} is in the config folder"
            );
            assert!(
                !to.data.join(name).exists(),
                "{name} is not in the data folder"
            );
        }
        let cache = offline_cache::Cache::open(&to.data.join("cache.sqlite")).unwrap();
        assert_eq!(cache.runs(10).unwrap().len(), 1);
    }

    #[test]
    fn a_second_start_changes_nothing() {
        for elsewhere in [false, true] {
            let root = tempfile::tempdir().unwrap();
            let old = root.path().join("old");
            earlier(&old);
            let data = match elsewhere {
                true => root.path().join("data"),
                false => old.clone(),
            };
            let to = platform_like(root.path(), &data);
            to.create().unwrap();
            assert!(!carry_over(&old, &to).unwrap().is_empty());
            let after = tree(root.path());
            let again = carry_over(&old, &to).unwrap();
            assert!(again.is_empty(), "nothing left to do: {again:?}");
            assert!(tree(root.path()) == after, "a second start touches nothing");
        }
    }

    #[test]
    fn a_file_in_both_places_is_kept_in_both() {
        for elsewhere in [false, true] {
            let root = tempfile::tempdir().unwrap();
            let old = root.path().join("old");
            earlier(&old);
            let data = match elsewhere {
                true => root.path().join("data"),
                false => old.clone(),
            };
            let to = platform_like(root.path(), &data);
            to.create().unwrap();
            write(&to.config.join("settings.json"), b"newer");
            write(&to.logs.join("exact-offline.2026-11-02.log"), b"today\n");
            if elsewhere {
                write(&to.data.join("cache.sqlite"), b"newer copy");
            }

            let report = carry_over(&old, &to).unwrap();
            let kept: Vec<_> = report.kept.iter().map(|(old, _)| old.clone()).collect();
            let mut expected = vec![
                old.join("settings.json"),
                old.join("logs/exact-offline.2026-11-02.log"),
            ];
            if elsewhere {
                expected.push(old.join("cache.sqlite"));
            }
            for path in &expected {
                assert!(
                    kept.contains(path),
                    "{} is reported kept: {report:?}",
                    path.display()
                );
            }
            assert_eq!(fs::read(to.config.join("settings.json")).unwrap(), b"newer");
            assert_eq!(
                fs::read(old.join("settings.json")).unwrap(),
                br#"{"batch_size": 300}"#,
                "the old one stays where it was"
            );
            assert_eq!(
                fs::read(to.logs.join("exact-offline.2026-11-02.log")).unwrap(),
                b"today\n"
            );
            assert_eq!(
                fs::read(to.logs.join("exact-offline.2026-11-01.log")).unwrap(),
                b"one\n",
                "the rest of a folder in both places arrives"
            );
            assert!(old.join("logs/exact-offline.2026-11-02.log").exists());
            assert!(to.config.join("connection.json").exists());
            if elsewhere {
                assert_eq!(
                    fs::read(to.data.join("cache.sqlite")).unwrap(),
                    b"newer copy"
                );
                assert!(old.join("cache.sqlite").exists());
                assert!(
                    old.exists(),
                    "the old folder stays while it holds something"
                );
            }
        }
    }

    #[test]
    fn a_file_left_in_place_is_reported_at_one_start_only() {
        let root = tempfile::tempdir().unwrap();
        let old = root.path().join("old");
        earlier(&old);
        let to = platform_like(root.path(), &root.path().join("data"));
        to.create().unwrap();
        write(&to.config.join("settings.json"), b"newer");
        let noted = to.config.join(NOTED);
        let start = || {
            let mut report = carry_over(&old, &to).unwrap();
            drop_noted(&mut report, &noted);
            report
                .kept
                .into_iter()
                .map(|(old, _)| old)
                .collect::<Vec<_>>()
        };

        assert_eq!(
            start(),
            [old.join("settings.json")],
            "the first start reports it"
        );
        assert!(
            !carry_over(&old, &to).unwrap().kept.is_empty(),
            "the old file is still left in place at a second start"
        );
        assert_eq!(start(), Vec::<PathBuf>::new(), "a second start does not");

        write(&old.join("connection.json"), b"older");
        assert_eq!(
            start(),
            [old.join("connection.json")],
            "a file left in place later is reported, the one noted is not"
        );
        assert_eq!(start(), Vec::<PathBuf>::new(), "and then no more");

        fs::remove_file(old.join("settings.json")).unwrap();
        assert_eq!(start(), Vec::<PathBuf>::new());
        assert_eq!(
            fs::read_to_string(&noted).unwrap(),
            format!("{}\n", old.join("connection.json").display()),
            "a file no longer left in place falls out of the list"
        );
        write(&old.join("settings.json"), b"back");
        assert_eq!(
            start(),
            [old.join("settings.json")],
            "so it is reported again when it comes back"
        );

        fs::remove_dir_all(&old).unwrap();
        assert_eq!(start(), Vec::<PathBuf>::new());
        assert!(!noted.exists(), "with nothing left in place the list goes");
        let temporaries: Vec<_> = entries(&to.config)
            .unwrap()
            .into_iter()
            .filter(|(name, _)| name.to_string_lossy().starts_with(&format!("{NOTED}.")))
            .collect();
        assert!(
            temporaries.is_empty(),
            "no temporary file stays: {temporaries:?}"
        );
    }

    #[test]
    fn the_noted_list_stays_while_another_instance_holds_the_old_folder() {
        let root = tempfile::tempdir().unwrap();
        let noted = root.path().join(NOTED);
        write(&noted, b"/old/settings.json\n");
        let mut report = Report {
            busy: Some(root.path().join("sync.lock")),
            ..Report::default()
        };
        drop_noted(&mut report, &noted);
        assert_eq!(
            fs::read(&noted).unwrap(),
            b"/old/settings.json\n",
            "a busy start knows nothing of what stays, so it forgets nothing"
        );
    }

    #[test]
    #[cfg(any(target_os = "linux", windows))]
    fn the_webview_data_of_an_earlier_version_goes_and_nothing_else() {
        let base = tempfile::tempdir().unwrap();
        let old = base.path().join(WEBVIEW_EARLIER);
        for name in WEBVIEW_ENTRIES {
            write(&old.join(name).join("inside"), b"webview");
        }
        write(&old.join("settings.json"), b"not the webview's");
        let folders = platform_like(&base.path().join("new"), &base.path().join("new/data"));

        let mut report = Report::default();
        remove_webview_entries(base.path(), &folders, &mut report);
        assert_eq!(
            report.webview_removed.len(),
            WEBVIEW_ENTRIES.len(),
            "{report:?}"
        );
        assert!(report.webview_failed.is_empty(), "{report:?}");
        assert!(!report.is_empty(), "the removal is logged");
        assert_eq!(
            tree(&old).into_keys().collect::<Vec<_>>(),
            ["settings.json"],
            "only what the webview wrote goes; the folder stays while it holds something"
        );

        fs::remove_file(old.join("settings.json")).unwrap();
        let mut report = Report::default();
        remove_webview_entries(base.path(), &folders, &mut report);
        assert!(report.is_empty(), "nothing left to report: {report:?}");
        assert!(!old.exists(), "the emptied folder goes");

        let mut report = Report::default();
        remove_webview_entries(base.path(), &folders, &mut report);
        assert!(report.is_empty(), "without the folder nothing happens");
    }

    #[test]
    #[cfg(any(target_os = "linux", windows))]
    fn the_folders_in_use_are_never_the_webview_leftovers() {
        let base = tempfile::tempdir().unwrap();
        let old = base.path().join(WEBVIEW_EARLIER);
        let name = WEBVIEW_ENTRIES[0];
        let inside = Folders::single(&old.join("given"));
        let holding = Folders::single(base.path());
        for folders in [Folders::single(&old), inside, holding] {
            write(&old.join(name).join("inside"), b"in use");
            let mut report = Report::default();
            remove_webview_entries(base.path(), &folders, &mut report);
            assert!(report.is_empty(), "{folders:?}: {report:?}");
            assert!(
                old.join(name).exists(),
                "{folders:?} is, holds or lies in the old folder: nothing is removed"
            );
        }
    }

    #[test]
    fn a_database_journal_never_lands_beside_another_database() {
        let root = tempfile::tempdir().unwrap();
        let (old, data) = (root.path().join("old"), root.path().join("data"));
        write(&old.join("cache.sqlite"), b"old db");
        write(&old.join("cache.sqlite-wal"), b"old wal");
        write(&data.join("cache.sqlite"), b"new db");
        let to = platform_like(root.path(), &data);
        let report = carry_over(&old, &to).unwrap();
        assert_eq!(report.kept.len(), 2, "{report:?}");
        assert!(!data.join("cache.sqlite-wal").exists());
        assert!(old.join("cache.sqlite-wal").exists());

        // Without a database at the destination, the pair moves together.
        fs::remove_file(data.join("cache.sqlite")).unwrap();
        let report = carry_over(&old, &to).unwrap();
        assert_eq!(report.moved.len(), 2, "{report:?}");
        assert_eq!(fs::read(data.join("cache.sqlite-wal")).unwrap(), b"old wal");
    }

    #[test]
    fn nothing_moves_while_another_instance_holds_the_old_folder() {
        for lock in ["sync.lock", "demo/sync.lock"] {
            let root = tempfile::tempdir().unwrap();
            let old = root.path().join("old");
            earlier(&old);
            let to = platform_like(root.path(), &root.path().join("data"));
            let held = crate::company::lock_folder(old.join(lock).parent().unwrap()).unwrap();
            let before = tree(root.path());

            let report = carry_over(&old, &to).unwrap();
            assert_eq!(report.busy, Some(old.join(lock)));
            assert!(report.moved.is_empty());
            assert!(tree(root.path()) == before, "nothing is touched");

            drop(held);
            let report = carry_over(&old, &to).unwrap();
            assert!(report.busy.is_none() && !report.moved.is_empty());
            assert!(!old.exists());
        }
    }

    #[test]
    fn a_copy_is_checked_before_the_original_goes() {
        let root = tempfile::tempdir().unwrap();
        let from = root.path().join("from");
        write(&from.join("a/b.jpg"), &[1, 2, 3]);
        write(&from.join("c.json"), b"{}");
        let before = tree(&from);
        let to = root.path().join("to");
        copy_tree(&from, &to).unwrap();
        assert!(same_tree(&from, &to).unwrap());
        assert!(tree(&to) == before);

        write(&to.join("a/b.jpg"), &[1, 2, 4]);
        assert!(!same_tree(&from, &to).unwrap(), "one byte differs");
        write(&to.join("a/b.jpg"), &[1, 2, 3]);
        write(&to.join("d"), b"");
        assert!(!same_tree(&from, &to).unwrap(), "one file more");
    }

    #[test]
    #[cfg(unix)]
    fn across_volumes_the_files_are_copied_checked_and_removed() {
        use std::os::unix::fs::MetadataExt;
        // /dev/shm is a memory file system on Linux: another volume than the temporary folder.
        let here = tempfile::tempdir().unwrap();
        let Ok(there) = tempfile::tempdir_in("/dev/shm") else {
            return;
        };
        let device = |p: &Path| fs::metadata(p).unwrap().dev();
        if device(here.path()) == device(there.path()) {
            return;
        }
        let old = there.path().join("exact-offline");
        earlier(&old);
        let before = tree(&old);
        let to = platform_like(here.path(), &here.path().join("data"));
        to.create().unwrap();
        let report = carry_over(&old, &to).unwrap();
        assert!(
            report.failed.is_empty() && report.doubled.is_empty(),
            "{report:?}"
        );
        assert!(
            !old.exists(),
            "the originals go once their copies are checked"
        );
        let mut arrived = tree(&to.data);
        arrived.extend(tree(&to.config));
        arrived.extend(
            tree(&to.logs)
                .into_iter()
                .map(|(n, b)| (format!("logs/{n}"), b)),
        );
        arrived.insert("logs/".into(), Vec::new());
        assert!(
            arrived == before,
            "{:?}",
            arrived.keys().collect::<Vec<_>>()
        );
        let leftovers: Vec<_> = arrived.keys().filter(|n| n.contains(".carrying")).collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn a_given_folder_holds_all_four_as_before() {
        let dir = Path::new("/srv/exact");
        let folders = Folders::single(dir);
        assert_eq!(folders.data, dir);
        assert_eq!(folders.config, dir);
        assert_eq!(folders.cache, dir);
        assert_eq!(folders.logs, dir.join("logs"));
        assert_eq!(given(Some(dir)), Some(dir.to_path_buf()));
    }

    #[test]
    #[cfg(not(any(windows, target_os = "macos")))]
    fn on_linux_the_folders_are_the_xdg_ones() {
        let Ok(folders) = Folders::platform() else {
            return; // no home folder in this environment
        };
        assert!(folders.data.ends_with("exact-offline"));
        assert!(folders.config.ends_with("exact-offline"));
        assert!(folders.cache.ends_with("exact-offline"));
        assert!(folders.logs.ends_with("exact-offline/logs"));
        let all = [
            &folders.data,
            &folders.config,
            &folders.cache,
            &folders.logs,
        ];
        for (i, a) in all.iter().enumerate() {
            assert!(
                all[i + 1..].iter().all(|b| a != b),
                "four different folders"
            );
        }
        assert_eq!(
            earlier_folder().as_ref(),
            Some(&folders.data),
            "on Linux the earlier folder is the data folder"
        );
    }
}

//! The tray icon: "Sync now", the last sync state, "Show" and "Quit", where the platform has a
//! tray (on Linux, an AppIndicator host). Without one the app works the same.

use tauri::menu::{Menu, MenuItem, PredefinedMenuItem};
use tauri::tray::TrayIconBuilder;
use tauri::{AppHandle, Manager};

use super::shell::Shell;

pub fn install(app: &AppHandle) -> tauri::Result<()> {
    if !has_tray_host() {
        tracing::info!("no session bus: the app runs without a tray icon");
        return Ok(());
    }
    let state = MenuItem::with_id(app, "state", "Exact Offline", false, None::<&str>)?;
    let sync = MenuItem::with_id(app, "sync", "Sync now", true, None::<&str>)?;
    let show = MenuItem::with_id(app, "show", "Show window", true, None::<&str>)?;
    let quit = MenuItem::with_id(app, "quit", "Quit", true, None::<&str>)?;
    let separator = PredefinedMenuItem::separator(app)?;
    let menu = Menu::with_items(app, &[&state, &separator, &sync, &show, &quit])?;
    let mut tray = TrayIconBuilder::with_id("main")
        .tooltip("Exact Offline")
        .menu(&menu)
        .show_menu_on_left_click(true)
        .on_menu_event(|app, event| match event.id.as_ref() {
            "sync" => {
                let app = app.clone();
                tauri::async_runtime::spawn(async move {
                    // Without divisions chosen there is nothing to sync: the window says so.
                    if let Ok(workspace) = app.state::<Shell>().current().await {
                        let _ = workspace.sync_now(false).await;
                    }
                });
            }
            "show" => show_main(app),
            "quit" => app.exit(0),
            _ => {}
        });
    if let Some(icon) = app.default_window_icon() {
        tray = tray.icon(icon.clone());
    }
    tray.build(app)?;
    // The disabled first entry shows the last sync state.
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        use tauri::Listener;
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
        app.listen("sync-state", move |event| {
            let _ = tx.send(event.payload().to_owned());
        });
        while let Some(payload) = rx.recv().await {
            let label = tray_label(&payload);
            let _ = state.set_text(label);
        }
    });
    Ok(())
}

/// Whether a tray icon can be shown at all. On Linux and the BSDs the icon is an AppIndicator,
/// which reaches the panel over the D-Bus session bus; without a bus (a bare X server, a kiosk)
/// building it only prints GLib warnings. macOS and Windows always have a menu bar or
/// notification area.
fn has_tray_host() -> bool {
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        let set = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
        set("DBUS_SESSION_BUS_ADDRESS").is_some()
            || set("XDG_RUNTIME_DIR")
                .is_some_and(|dir| std::path::Path::new(&dir).join("bus").exists())
    }
    #[cfg(not(all(unix, not(target_os = "macos"))))]
    {
        true
    }
}

fn tray_label(payload: &str) -> String {
    let snapshot: serde_json::Value = serde_json::from_str(payload).unwrap_or_default();
    if snapshot["running"].as_bool() == Some(true) {
        return "Syncing…".to_owned();
    }
    if snapshot["needs_sign_in"].as_bool() == Some(true) {
        return "Sign in again to sync".to_owned();
    }
    match snapshot["last"]["outcome"].as_str() {
        Some("succeeded") => "Up to date".to_owned(),
        Some("partial") => "Last sync partly failed".to_owned(),
        Some("failed") => "Last sync failed".to_owned(),
        Some("cancelled") => "Last sync cancelled".to_owned(),
        _ => "Exact Offline".to_owned(),
    }
}

pub fn show_main(app: &AppHandle) {
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.unminimize();
        let _ = window.show();
        let _ = window.set_focus();
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn label_follows_the_snapshot() {
        assert_eq!(super::tray_label(r#"{"running":true}"#), "Syncing…");
        assert_eq!(
            super::tray_label(r#"{"running":false,"last":{"outcome":"succeeded"}}"#),
            "Up to date"
        );
        assert_eq!(super::tray_label("not json"), "Exact Offline");
    }
}

//! The desktop window: Tauri commands over the engine, events to the UI, the `exo:` scheme for
//! pictures, the tray, and the state they share. The engine crates know nothing of Tauri.

pub mod bindings;
mod commands;
pub mod dto;
mod error;
mod opened;
pub mod scheme;
mod settings;
mod shell;
mod tray;
mod workspace;

use tauri::Manager;

use crate::folders::Folders;

/// Linux: WebKitGTK draws the page without accelerated compositing, caches like a document
/// viewer, not a browser, and writes `sans-serif` in the desktop's own font.
///
/// The UI is lists and forms, which the CPU paints fast enough, while compositing layers cost the
/// web process about 150 MiB after browsing when the GPU is a software one (measured under Xvfb,
/// see ARCHITECTURE.md) and are the usual cause of blank WebKitGTK windows on some GPU drivers.
///
/// The page asks for `system-ui, sans-serif`: WebKitGTK hands `system-ui` to fontconfig, which
/// knows it only where one of a few fonts (Cantarell, Noto Sans UI) is installed, so most desktops
/// get `sans-serif`, made here the family of GTK's `gtk-font-name` (Ubuntu, Cantarell, Noto Sans…).
/// A longer list of family names costs a fontconfig match per absent name and text style: ten names
/// kept the first list ~230 ms from the screen (see ARCHITECTURE.md).
///
/// macOS and Windows keep their webviews' defaults: there `system-ui` is the system's font.
#[cfg(target_os = "linux")]
fn tune_webview(window: &tauri::WebviewWindow) {
    let done = window.with_webview(|webview| {
        use gtk::prelude::ObjectExt;
        use webkit2gtk::{
            CacheModel, HardwareAccelerationPolicy, SettingsExt, WebContextExt, WebViewExt,
        };
        let view = webview.inner();
        if let Some(settings) = WebViewExt::settings(&view) {
            settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            let desktop_font = gtk::Settings::default()
                .and_then(|gtk| gtk.property::<Option<String>>("gtk-font-name"))
                .map(|name| gtk::pango::FontDescription::from_string(&name))
                .and_then(|font| font.family())
                .filter(|family| !family.is_empty());
            if let Some(family) = desktop_font {
                settings.set_sans_serif_font_family(&family);
            }
        }
        // One local page: no memory cache of other pages or of resources a browser would keep.
        if let Some(context) = view.context() {
            context.set_cache_model(CacheModel::DocumentViewer);
        }
    });
    if let Err(e) = done {
        tracing::warn!(error = %e, "cannot set the webview's drawing, cache and font policy");
    }
}

#[cfg(not(target_os = "linux"))]
fn tune_webview(_window: &tauri::WebviewWindow) {}

/// Opens the window on `folders` and runs until it is closed.
pub fn run(folders: Folders) -> anyhow::Result<()> {
    let mut context = tauri::generate_context!();
    // The window of tauri.conf.json is built in `setup`, with the webview's data (its HTTP cache
    // and storage) in the cache folder rather than a folder of Tauri's choosing. macOS ignores
    // this: WKWebView keeps its data under ~/Library itself.
    for window in &mut context.config_mut().app.windows {
        window.create = false;
    }
    tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, _args, _cwd| {
            // A second start shows the running window instead.
            tray::show_main(app);
        }))
        .plugin(tauri_plugin_opener::init())
        .register_asynchronous_uri_scheme_protocol("exo", scheme::handle)
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::regions,
            commands::redirect_choice,
            commands::start_demo,
            commands::connect,
            commands::connect_shared,
            commands::registration,
            commands::reconnect,
            commands::cancel_connect,
            commands::sign_out,
            commands::divisions,
            commands::get_settings,
            commands::save_settings,
            commands::sync_now,
            commands::resync_all,
            commands::cancel_sync,
            commands::sync_state,
            commands::runs,
            commands::status,
            commands::set_aside_records,
            commands::items,
            commands::item,
            commands::item_groups,
            commands::units,
            commands::accounts,
            commands::account,
            commands::account_countries,
            commands::open_attachment,
            commands::open_url,
            commands::storage,
            commands::diagnostics,
            commands::clear_caches,
            commands::set_demo_online,
            commands::export_list,
            commands::reveal_export,
        ])
        .setup(move |app| {
            let handle = app.handle().clone();
            app.manage(shell::Shell::new(handle.clone(), folders.clone()));
            app.manage(commands::Exports::default());
            if let Err(e) = tray::install(&handle) {
                tracing::warn!(error = %e, "no tray icon on this desktop");
            }
            for window in &app.config().app.windows {
                let window = tauri::WebviewWindowBuilder::from_config(&handle, window)?
                    .data_directory(folders.webview())
                    .build()?;
                tune_webview(&window);
            }
            // The last company reopens in the background; the window asks `app_info` and
            // shows what is there.
            tauri::async_runtime::spawn(async move {
                if let Err(e) = handle.state::<shell::Shell>().restore().await {
                    tracing::error!(code = ?e.code, "{}", e.message);
                }
            });
            Ok(())
        })
        .run(context)?;
    Ok(())
}

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

use std::path::PathBuf;

use tauri::Manager;

/// Opens the window on `data_dir` and runs until it is closed.
pub fn run(data_dir: PathBuf) -> anyhow::Result<()> {
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
            app.manage(shell::Shell::new(handle.clone(), data_dir.clone()));
            app.manage(commands::Exports::default());
            if let Err(e) = tray::install(&handle) {
                tracing::warn!(error = %e, "no tray icon on this desktop");
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
        .run(tauri::generate_context!())?;
    Ok(())
}

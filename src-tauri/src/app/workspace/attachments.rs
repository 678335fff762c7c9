//! Opening an attachment of the open company (see `app::opened` for where the copy goes and how
//! it is marked).

use offline_assets::{AssetEntity, OpenPolicy, Outcome};
use offline_cache::Entity;

use super::Workspace;
use crate::app::dto::{AppError, AttachmentAction, AttachmentMode, AttachmentOpened};
use crate::app::error::{CommandResult, blocking};
use crate::app::opened;

impl Workspace {
    /// Downloads an attachment when it is not stored yet (and the settings allow it), copies it
    /// under a safe name into `opened/`, marked as downloaded from the internet, and opens it
    /// with the system's viewer when its name and content agree on a document type that does
    /// not run. Anything else is opened only on `OpenAnyway`, after the user was told what it
    /// really is.
    pub async fn open_attachment(
        &self,
        division: i32,
        id: String,
        action: AttachmentAction,
    ) -> CommandResult<AttachmentOpened> {
        if self.settings().attachments == AttachmentMode::None {
            return Err(AppError::invalid(
                "Attachment downloads are switched off in Settings.",
            ));
        }
        let record = self
            .with_cache(move |cache| {
                let json = cache
                    .attributes(division, Entity::DocumentAttachments, &id)?
                    .ok_or_else(|| AppError::not_found("This attachment"))?;
                serde_json::from_str::<exact_api::Record>(&json).map_err(AppError::internal)
            })
            .await?;
        let job = offline_assets::job_for(AssetEntity::DocumentAttachments, division, &record)
            .ok_or_else(|| AppError::not_found("This attachment's file"))?;
        match self.assets.fetch_on_demand(&job).await {
            Outcome::Stored { .. } | Outcome::Unchanged => {}
            Outcome::NoImage => return Err(AppError::not_found("This attachment's file")),
            Outcome::Skipped { reason } => return Err(AppError::invalid(reason)),
            Outcome::Failed { error, kind } => return Err(AppError::new(kind.into(), error)),
        }
        let (assets, dir, key) = (self.assets.clone(), self.opened_dir(), job.key);
        let saved = blocking(move || {
            crate::config::private_dir(&dir).map_err(AppError::internal)?;
            let saved = assets.save_attachment_to_open(&key, &dir)?;
            // A file system without such marks (FAT on Windows) must not make attachments
            // unopenable: what may run is still decided by the open policy below.
            if let Err(e) = opened::mark_downloaded(&saved.path) {
                tracing::warn!(error = %e, "cannot mark an opened attachment as downloaded");
            }
            Ok(saved)
        })
        .await?;
        let path = &saved.path;
        match (action, &saved.policy) {
            (AttachmentAction::ShowInFolder, _) => {
                tauri_plugin_opener::reveal_item_in_dir(path).map_err(|e| {
                    AppError::internal(format!("Cannot show {}: {e}", path.display()))
                })?;
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
                tauri_plugin_opener::open_path(path, None::<&str>).map_err(|e| {
                    AppError::internal(format!("Cannot open {}: {e}", path.display()))
                })?;
                Ok(AttachmentOpened::Opened)
            }
        }
    }

    /// Removes the downloaded pictures and files, and the copies opened from them (the next
    /// sync fetches them again).
    pub async fn clear_downloads(&self) -> CommandResult<()> {
        self.assets.clear().await?;
        let dir = self.opened_dir();
        blocking(move || opened::clear(&dir).map_err(AppError::internal)).await
    }

    /// Where the copies of attachments opened by the user go.
    fn opened_dir(&self) -> std::path::PathBuf {
        self.company.dir().join("opened")
    }
}

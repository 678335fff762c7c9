//! Exporting the open company's items or customers list to a file.

use super::Workspace;
use crate::app::dto::{AppError, ExportList, ExportProgress, ExportRequest, ExportResult};
use crate::app::error::CommandResult;
use crate::table_export::{ListQuery, export_list, fresh_path};

impl Workspace {
    /// Writes the filtered list to a new file in the user's Downloads folder (the company's
    /// folder when there is none), telling `progress` as it goes.
    pub async fn export_list(
        &self,
        request: ExportRequest,
        progress: impl Fn(ExportProgress) + Send + 'static,
    ) -> CommandResult<ExportResult> {
        let shown = request.shown_values()?;
        let (list, what) = match (request.list, request.items, request.customers) {
            (ExportList::Items, Some(q), _) => (ListQuery::Items(q), "items"),
            (ExportList::Customers, _, Some(q)) => (ListQuery::Customers(q), "customers"),
            _ => return Err(AppError::invalid("The export names no list to export.")),
        };
        let dir =
            crate::folders::download_dir().unwrap_or_else(|| self.company.dir().join("exports"));
        let (columns, format) = (request.columns, request.format);
        self.with_cache(move |cache| {
            std::fs::create_dir_all(&dir)
                .map_err(|e| AppError::internal(format!("Cannot create {}: {e}", dir.display())))?;
            let now = chrono::Local::now().naive_local();
            let path = fresh_path(&dir, what, format, now);
            let rows = export_list(
                cache,
                &list,
                &columns,
                &shown,
                format,
                &path,
                &mut |done, total| progress(ExportProgress { done, total }),
            )
            .map_err(|e| AppError::invalid(format!("{e:#}")))?;
            Ok(ExportResult {
                path: path.display().to_string(),
                rows,
            })
        })
        .await
    }
}

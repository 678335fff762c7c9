//! TypeScript declarations of everything the UI receives from or sends to the shell, generated
//! from the Rust types so the two cannot drift apart unnoticed.

use ts_rs::TS;

use super::dto;

/// The contents of `ui/src/lib/types.gen.ts`.
pub fn typescript() -> String {
    // Every integer crossing the boundary (epoch ms, Exact's row versions, counts) is below
    // 2^53 and arrives as a JSON number, not a bigint.
    let cfg = ts_rs::Config::new().with_large_int("number");
    let declarations = [
        // The shell's own types.
        dto::Mode::decl(&cfg),
        dto::TokenStorage::decl(&cfg),
        dto::AppInfo::decl(&cfg),
        dto::AccountInfo::decl(&cfg),
        dto::RegionInfo::decl(&cfg),
        dto::ConnectRequest::decl(&cfg),
        dto::RedirectChoice::decl(&cfg),
        dto::RegistrationInfo::decl(&cfg),
        dto::RegistrationSource::decl(&cfg),
        dto::DivisionInfo::decl(&cfg),
        dto::AttachmentMode::decl(&cfg),
        dto::AttachmentAction::decl(&cfg),
        dto::AttachmentOpened::decl(&cfg),
        dto::Language::decl(&cfg),
        dto::Theme::decl(&cfg),
        dto::Settings::decl(&cfg),
        dto::AssetProgress::decl(&cfg),
        dto::SyncSnapshot::decl(&cfg),
        dto::StorageInfo::decl(&cfg),
        dto::ErrorKind::decl(&cfg),
        dto::AppError::decl(&cfg),
        dto::ExportList::decl(&cfg),
        dto::ExportRequest::decl(&cfg),
        dto::ExportValueRule::decl(&cfg),
        dto::ExportResult::decl(&cfg),
        dto::ExportProgress::decl(&cfg),
        crate::table_export::TableFormat::decl(&cfg),
        // The engine's.
        offline_sync::Phase::decl(&cfg),
        offline_sync::ProgressEvent::decl(&cfg),
        offline_sync::Outcome::decl(&cfg),
        offline_sync::ErrorCode::decl(&cfg),
        offline_sync::EntityOutcome::decl(&cfg),
        offline_sync::RunReport::decl(&cfg),
        offline_cache::ListPage::<()>::decl(&cfg),
        offline_cache::ItemSort::decl(&cfg),
        offline_cache::ItemQuery::decl(&cfg),
        offline_cache::ItemSummary::decl(&cfg),
        offline_cache::ItemDetail::decl(&cfg),
        offline_cache::UnitRow::decl(&cfg),
        offline_cache::ItemGroupRow::decl(&cfg),
        offline_cache::DocumentRow::decl(&cfg),
        offline_cache::AttachmentRow::decl(&cfg),
        offline_cache::PriceRow::decl(&cfg),
        offline_cache::StockRow::decl(&cfg),
        offline_cache::OrderRow::decl(&cfg),
        offline_cache::OrderLineRow::decl(&cfg),
        offline_cache::ItemOrderRow::decl(&cfg),
        offline_cache::ExtraFieldRow::decl(&cfg),
        offline_cache::ItemDescriptionRow::decl(&cfg),
        offline_cache::AccountKind::decl(&cfg),
        offline_cache::AccountSort::decl(&cfg),
        offline_cache::AccountQuery::decl(&cfg),
        offline_cache::AccountSummary::decl(&cfg),
        offline_cache::AccountDetail::decl(&cfg),
        offline_cache::LinkRow::decl(&cfg),
        offline_cache::ContactRow::decl(&cfg),
        offline_cache::AddressRow::decl(&cfg),
        offline_cache::DivisionRow::decl(&cfg),
        offline_cache::EntityStatus::decl(&cfg),
        offline_cache::SetAsideReason::decl(&cfg),
        offline_cache::SetAsideCounts::decl(&cfg),
        offline_cache::SetAsideRow::decl(&cfg),
        offline_cache::EntityResult::decl(&cfg),
        offline_cache::RunSummary::decl(&cfg),
    ];
    let mut out = String::from(
        "// Generated from the Rust types by `UPDATE_BINDINGS=1 cargo test -p exact-offline bindings`.\n\
         // Do not edit: a test fails when this file differs from what the Rust types produce.\n",
    );
    for declaration in declarations {
        out.push_str("\nexport ");
        out.push_str(&declaration);
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn bindings_are_current() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/src/lib/types.gen.ts");
        let expected = super::typescript();
        if std::env::var_os("UPDATE_BINDINGS").is_some() {
            std::fs::write(&path, &expected).expect("write the bindings");
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(
            committed == expected,
            "{} is out of date: run `UPDATE_BINDINGS=1 cargo test -p exact-offline bindings` and commit it",
            path.display()
        );
    }
}

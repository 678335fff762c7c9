//! `exact-offline doctor`: checks what works between this computer and Exact Online and prints
//! a report to send when asking for help. It holds no token, secret, name or record.

use std::process::ExitCode;

use anyhow::{Context, Result};

use super::company;
use crate::cli::DoctorArgs;
use crate::company::Company;
use crate::folders::Folders;

pub async fn run(folders: &Folders, args: &DoctorArgs) -> Result<ExitCode> {
    let (signed_in, divisions) =
        company::choose(folders, args.demo, &args.instance, &args.divisions).await?;
    // A check reads and calls; it runs beside a sync of the same folder.
    let company = Company::open_beside_sync(signed_in).await?;
    let report = company.engine().doctor(&divisions).await;
    let text = match args.json {
        true => serde_json::to_string_pretty(&report)?,
        false => crate::diagnostics::render(company.client().base_url().as_str(), &report),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, &text)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!("Report written to {}", path.display());
        }
        None => {
            use std::io::Write;
            writeln!(std::io::stdout().lock(), "{text}")?;
        }
    }
    Ok(match report.ok() {
        true => ExitCode::SUCCESS,
        false => ExitCode::FAILURE,
    })
}

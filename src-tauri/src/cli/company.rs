//! The company a subcommand works on: the signed-in account, or the built-in demo company
//! (started in-process for as long as the command runs), and the divisions to work on; or only
//! its offline copy, for the subcommands that read it.

use std::path::Path;

use anyhow::{Result, bail};
use offline_cache::Cache;

use crate::cli::Instance;
use crate::company::SignedIn;
use crate::config::{Connection, cache_path, demo_dir};
use crate::folders::Folders;

/// The offline copy in `data_dir` (the demo company's with `demo`), opened without signing in:
/// reading it works offline and beside a running sync. An error when there is none yet.
pub fn open_copy(data_dir: &Path, demo: bool) -> Result<Cache> {
    let dir = match demo {
        true => demo_dir(data_dir),
        false => data_dir.to_path_buf(),
    };
    let path = cache_path(&dir);
    if !path.exists() {
        bail!(
            "no offline copy in {} yet; run `exact-offline sync{}` first",
            dir.display(),
            if demo { " --demo" } else { "" }
        );
    }
    Ok(Cache::open(&path)?)
}

/// Signs in to the demo company when `demo`, else to the account signed in with `folders`
/// (refusing an `instance` other than the one signed in to: its tokens and secret never go
/// elsewhere). The divisions are those asked for, else those chosen at login (every division
/// for the demo).
pub async fn choose(
    folders: &Folders,
    demo: bool,
    instance: &Instance,
    divisions: &[i32],
) -> Result<(SignedIn, Vec<i32>)> {
    if demo {
        let signed_in = SignedIn::demo(&folders.data).await?;
        let every = signed_in.demo.as_ref().map_or_else(Vec::new, |demo| {
            eprintln!(
                "Demo company (simulated Exact Online) running at {}",
                demo.sim.base_url()
            );
            demo.sim.division_codes()
        });
        let divisions = match divisions.is_empty() {
            true => every,
            false => divisions.to_vec(),
        };
        return Ok((signed_in, divisions));
    }
    let Some(connection) = Connection::load(&folders.config)? else {
        bail!(
            "not signed in yet: run `exact-offline login --region nl --client-id ID --client-secret SECRET`, or try `exact-offline sync --demo`"
        );
    };
    if let Some(base) = instance.base_url()
        && base.trim_end_matches('/') != connection.base_url.trim_end_matches('/')
    {
        bail!(
            "signed in to {}, not {base}; run `exact-offline login` for that instance (with another --data-dir to keep both)",
            connection.base_url
        );
    }
    let opened = connection.open(&folders.config).await?;
    let divisions = match divisions.is_empty() {
        true => connection.divisions.clone(),
        false => divisions.to_vec(),
    };
    Ok((SignedIn::account(&folders.data, &opened), divisions))
}

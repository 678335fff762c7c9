//! The company a subcommand talks to: the signed-in account, or the built-in demo company
//! (started in-process for as long as the command runs).

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result, bail};
use exact_api::{ExactClient, SharedClock};
use offline_demo::Demo;

use crate::cli::Instance;
use crate::config::{Connection, demo_dir};
use crate::folders::Folders;

/// A signed-in client with its data folder and the divisions to work on.
#[derive(Debug)]
pub struct Company {
    /// The account's data folder (the demo company's own folder for the demo).
    pub dir: PathBuf,
    pub client: ExactClient,
    pub clock: SharedClock,
    /// The divisions asked for, else those chosen at login (every division for the demo).
    pub divisions: Vec<i32>,
    /// Keeps the demo company's simulator running.
    pub demo: Option<Demo>,
}

/// Opens the demo company when `demo`, else the account signed in with `folders` (refusing
/// an `instance` other than the one signed in to: its tokens and secret never go elsewhere).
pub async fn open(
    folders: &Folders,
    demo: bool,
    instance: &Instance,
    divisions: &[i32],
) -> Result<Company> {
    if demo {
        let dir = demo_dir(&folders.data);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let demo = offline_demo::start(offline_demo::demo_company(), &dir).await?;
        eprintln!(
            "Demo company (simulated Exact Online) running at {}",
            demo.sim.base_url()
        );
        let divisions = match divisions.is_empty() {
            true => demo.sim.division_codes(),
            false => divisions.to_vec(),
        };
        return Ok(Company {
            dir,
            client: demo.client.clone(),
            clock: Arc::clone(&demo.clock),
            divisions,
            demo: Some(demo),
        });
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
    Ok(Company {
        dir: folders.data.clone(),
        client: opened.client,
        clock: opened.clock,
        divisions,
        demo: None,
    })
}

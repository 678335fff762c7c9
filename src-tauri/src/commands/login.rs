//! `exact-offline login`: the OAuth code flow with a loopback redirect.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use exact_api::{AppCredentials, Loopback};

use crate::cli::LoginArgs;
use crate::config::Connection;

pub async fn run(data_dir: &Path, args: LoginArgs) -> Result<ExitCode> {
    let Some(base_url) = args.instance.base_url() else {
        bail!(
            "say which Exact Online to sign in to: --region nl|be|de|fr|es|co.uk|com, or --base-url"
        );
    };
    let mut connection = Connection {
        base_url,
        app: AppCredentials {
            client_id: args.client_id,
            client_secret: args.client_secret,
            redirect_uri: args.redirect_uri.clone(),
        },
        divisions: args.divisions,
    };
    let client = connection.client(data_dir).await?;
    let loopback = Loopback::bind(&args.redirect_uri).await?;
    let state = format!("{:032x}", rand::random::<u128>());
    // The URL is the one line on stdout, so scripts and tests can pick it up.
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", client.authorize_url(&state, false))?;
    out.flush()?;
    drop(out);
    eprintln!(
        "Open the URL above in your browser and sign in to Exact Online.\nWaiting for the redirect to {} ...",
        args.redirect_uri
    );
    let wait = Duration::from_secs(args.timeout_minutes.max(1) * 60);
    let code = tokio::time::timeout(wait, loopback.receive_code(&state))
        .await
        .context("no sign-in arrived in time; run login again")??;
    let status = client.session().sign_in_with_code(&code).await?;
    // Saved at once: the tokens are stored, and a network blip below must not undo the sign-in.
    connection.save(data_dir)?;

    let me = client.me().await?;
    let current = me
        .i64("CurrentDivision")
        .context("Exact did not name a current division")? as i32;
    let divisions = client.divisions(current).await?;
    eprintln!(
        "Signed in as {} ({}).",
        me.str("FullName").unwrap_or("?"),
        me.str("Email").unwrap_or("?")
    );
    eprintln!("Divisions you can access:");
    for d in &divisions {
        eprintln!(
            "  {:>9}  {}",
            d.i64("Code").unwrap_or_default(),
            d.str("Description").unwrap_or("")
        );
    }
    if connection.divisions.is_empty() {
        connection.divisions.push(current);
        eprintln!(
            "Syncing division {current} (your current one). To choose others, run login again with --division CODE (repeatable)."
        );
    }
    let refresh_until = exact_api::clock::to_utc(status.refresh_expires_at_ms);
    eprintln!("Unless a sync runs before {refresh_until}, you will have to sign in again.");
    connection.save(data_dir)?;
    Ok(ExitCode::SUCCESS)
}

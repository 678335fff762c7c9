//! `exact-offline login`: the OAuth code flow with a loopback redirect.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context, Result, bail};
use exact_api::{AppCredentials, Loopback};

use crate::cli::LoginArgs;
use crate::config::Connection;
use crate::redirect::RedirectUri;
use crate::registration::{Found, RegistrationError, same_client_id};

pub async fn run(data_dir: &Path, args: LoginArgs) -> Result<ExitCode> {
    let app = app_of(&args, crate::registration::find)?;
    let Some(base_url) = args.instance.base_url().or(app.base_url.clone()) else {
        bail!(
            "say which Exact Online to sign in to: --region nl|be|de|fr|es|co.uk|com, or --base-url"
        );
    };
    // An unreadable connection file only means there is no saved URI to reuse.
    let saved = Connection::load(data_dir).ok().flatten();
    let redirect_uri = redirect_uri(&args, &app, saved.as_ref());
    let mut connection = Connection {
        base_url,
        app: AppCredentials {
            client_id: app.client_id,
            client_secret: app.client_secret,
            redirect_uri: redirect_uri.clone(),
        },
        divisions: args.divisions,
    };
    let client = connection.client(data_dir).await?;
    let loopback = Loopback::bind(&redirect_uri).await.map_err(|e| match e {
        exact_api::Error::Network(reason) => {
            anyhow::anyhow!("cannot receive the sign-in on {redirect_uri}: {reason}")
        }
        other => other.into(),
    })?;
    let state = format!("{:032x}", rand::random::<u128>());
    // The URL is the one line on stdout, so scripts and tests can pick it up.
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", client.authorize_url(&state, false))?;
    out.flush()?;
    drop(out);
    eprintln!(
        "Open the URL above in your browser and sign in to Exact Online.\nWaiting for the redirect to {redirect_uri} ..."
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

/// The app this login signs in with: `--client-id` and `--client-secret`, else the shared app
/// registration this copy was set up with (`find`, [`crate::registration::find`] outside tests).
struct LoginApp {
    client_id: String,
    client_secret: String,
    /// The shared registration's redirect URI.
    redirect_uri: Option<String>,
    /// The shared registration's instance (its base URL, else its region).
    base_url: Option<String>,
}

fn app_of(
    args: &LoginArgs,
    find: impl FnOnce() -> Result<Option<Found>, RegistrationError>,
) -> Result<LoginApp> {
    if let Some(client_id) = &args.client_id {
        let Some(client_secret) = &args.client_secret else {
            bail!(
                "give the client secret of that app: --client-secret SECRET, or $EXACT_CLIENT_SECRET"
            );
        };
        return Ok(LoginApp {
            client_id: client_id.clone(),
            client_secret: client_secret.clone(),
            redirect_uri: None,
            base_url: None,
        });
    }
    match find()? {
        Some(found) => {
            eprintln!(
                "Signing in with the shared app registration in {}.",
                found.source
            );
            let registration = found.registration;
            Ok(LoginApp {
                base_url: registration.base_url(None),
                redirect_uri: registration.redirect_uri.clone(),
                client_id: registration.client_id,
                client_secret: registration.client_secret,
            })
        }
        None => bail!(
            "give the client id and secret of your app in the Exact App Center: --client-id ID --client-secret SECRET (this copy has no shared app registration)"
        ),
    }
}

/// The redirect URI of this login: `--redirect-uri` as given; else the one built from
/// `--redirect-host` and `--redirect-port` (the default for the one not given); else the shared
/// registration's; else the URI saved by an earlier sign-in of the same app, which is the one
/// registered for it in the App Center; else the default.
fn redirect_uri(args: &LoginArgs, app: &LoginApp, saved: Option<&Connection>) -> String {
    if let Some(uri) = &args.redirect_uri {
        return uri.clone();
    }
    if args.redirect_host.is_some() || args.redirect_port.is_some() {
        let default = RedirectUri::default();
        return RedirectUri {
            host: args.redirect_host.unwrap_or(default.host),
            port: args.redirect_port.unwrap_or(default.port),
        }
        .to_string();
    }
    if let Some(uri) = &app.redirect_uri {
        return uri.clone();
    }
    match saved {
        Some(saved) if same_client_id(&saved.app.client_id, &app.client_id) => {
            saved.app.redirect_uri.clone()
        }
        _ => RedirectUri::default().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn login(flags: &[&str]) -> LoginArgs {
        let mut argv = vec![
            "exact-offline",
            "login",
            "--region",
            "nl",
            "--client-id",
            "{3F2B7C1E-0000-4000-8000-000000000001}",
            "--client-secret",
            "s",
        ];
        argv.extend_from_slice(flags);
        match Cli::try_parse_from(argv).expect("parses").command {
            Some(Command::Login(args)) => args,
            other => panic!("a login, not {other:?}"),
        }
    }

    fn saved(client_id: &str, redirect_uri: &str) -> Connection {
        Connection {
            base_url: "https://start.exactonline.nl".into(),
            app: AppCredentials {
                client_id: client_id.into(),
                client_secret: "s".into(),
                redirect_uri: redirect_uri.into(),
            },
            divisions: vec![],
        }
    }

    /// The redirect URI of a login with its own app (no shared registration).
    fn uri(args: &LoginArgs, saved: Option<&Connection>) -> String {
        let app = app_of(args, || Ok(None)).expect("an own app");
        redirect_uri(args, &app, saved)
    }

    fn shared(uri: Option<&str>) -> Result<Option<Found>, RegistrationError> {
        let mut body = String::from(
            r#"{"client_id": "{11111111-0000-4000-8000-000000000001}", "client_secret": "shared", "region": "be""#,
        );
        if let Some(uri) = uri {
            body.push_str(&format!(r#", "redirect_uri": "{uri}""#));
        }
        body.push('}');
        Ok(Some(Found {
            registration: crate::registration::parse(&body).expect("a valid registration"),
            source: crate::registration::Source::BuiltIn,
        }))
    }

    fn bare(flags: &[&str]) -> LoginArgs {
        let mut argv = vec!["exact-offline", "login"];
        argv.extend_from_slice(flags);
        match Cli::try_parse_from(argv).expect("parses").command {
            Some(Command::Login(args)) => args,
            other => panic!("a login, not {other:?}"),
        }
    }

    #[test]
    fn without_a_client_id_the_shared_registration_signs_in() {
        let args = bare(&["--region", "nl"]);
        let app = app_of(&args, || shared(None)).expect("the shared registration");
        assert_eq!(app.client_id, "11111111-0000-4000-8000-000000000001");
        assert_eq!(app.client_secret, "shared");
        assert_eq!(
            args.instance.base_url().or(app.base_url.clone()).as_deref(),
            Some("https://start.exactonline.nl"),
            "--region wins over the registration's"
        );
        let args = bare(&[]);
        let app = app_of(&args, || shared(None)).unwrap();
        assert_eq!(
            args.instance.base_url().or(app.base_url.clone()).as_deref(),
            Some("https://start.exactonline.be"),
            "the registration's region without --region"
        );
        assert_eq!(
            redirect_uri(&args, &app, None),
            "http://localhost:47615/callback"
        );

        let app = app_of(&args, || shared(Some("http://127.0.0.1:8100/callback"))).unwrap();
        let old = saved(
            "11111111-0000-4000-8000-000000000001",
            "http://127.0.0.1:47615/callback",
        );
        assert_eq!(
            redirect_uri(&args, &app, Some(&old)),
            "http://127.0.0.1:8100/callback",
            "the registration names the URI registered for its app"
        );
        let flags = bare(&["--redirect-port", "9100"]);
        assert_eq!(
            redirect_uri(&flags, &app, Some(&old)),
            "http://localhost:9100/callback",
            "flags win over the registration"
        );

        let own = login(&[]);
        let app = app_of(&own, || shared(None)).unwrap();
        assert_eq!(
            app.client_secret, "s",
            "--client-id wins over the registration"
        );
    }

    #[test]
    fn without_a_client_id_or_a_registration_the_error_says_what_to_give() {
        let error = app_of(&bare(&["--region", "nl"]), || Ok(None))
            .err()
            .expect("nothing to sign in with")
            .to_string();
        assert!(
            error.contains("--client-id ID --client-secret SECRET")
                && error.contains("no shared app registration"),
            "{error}"
        );
        let broken = app_of(&bare(&["--region", "nl"]), || {
            Err(RegistrationError {
                source: crate::registration::Source::System(
                    "/etc/exact-offline/registration.json".into(),
                ),
                reason: "not valid JSON: EOF".into(),
            })
        })
        .err()
        .expect("a broken registration is an error")
        .to_string();
        assert!(
            broken.contains("/etc/exact-offline/registration.json")
                && broken.contains("not valid JSON"),
            "{broken}"
        );
        if std::env::var_os("EXACT_CLIENT_SECRET").is_none() {
            let error = app_of(&bare(&["--client-id", "x"]), || shared(None))
                .err()
                .expect("an id without a secret")
                .to_string();
            assert!(error.contains("--client-secret"), "{error}");
        }
    }

    #[test]
    fn the_flags_choose_the_redirect_uri() {
        assert_eq!(
            uri(&login(&[]), None),
            "http://localhost:47615/callback",
            "the default without flags or a saved connection"
        );
        assert_eq!(
            uri(&login(&["--redirect-host", "127.0.0.1"]), None),
            "http://127.0.0.1:47615/callback"
        );
        assert_eq!(
            uri(&login(&["--redirect-port", "8100"]), None),
            "http://localhost:8100/callback"
        );
        assert_eq!(
            uri(
                &login(&["--redirect-uri", "http://127.0.0.1:9/elsewhere"]),
                None
            ),
            "http://127.0.0.1:9/elsewhere",
            "a whole URI is used as given"
        );
    }

    #[test]
    fn a_login_of_the_same_app_keeps_the_uri_it_was_saved_with() {
        let old = saved(
            "3f2b7c1e-0000-4000-8000-000000000001",
            "http://127.0.0.1:47615/callback",
        );
        assert_eq!(
            uri(&login(&[]), Some(&old)),
            "http://127.0.0.1:47615/callback",
            "the registered URI of an earlier version is not replaced by the new default"
        );
        assert_eq!(
            uri(&login(&["--redirect-port", "8100"]), Some(&old)),
            "http://localhost:8100/callback",
            "flags given win over the saved URI"
        );
        let other = saved(
            "99999999-0000-4000-8000-000000000001",
            "http://127.0.0.1:1/x",
        );
        assert_eq!(
            uri(&login(&[]), Some(&other)),
            "http://localhost:47615/callback",
            "another app's registration says nothing about this one's"
        );
    }

    #[test]
    fn bad_redirect_flags_are_refused() {
        for flags in [
            &["--redirect-host", "example.com"][..],
            &["--redirect-host", "::1"],
            &["--redirect-port", "80"],
            &["--redirect-port", "0"],
            &["--redirect-port", "70000"],
            &[
                "--redirect-uri",
                "http://localhost:1/x",
                "--redirect-port",
                "8100",
            ],
            &[
                "--redirect-uri",
                "http://localhost:1/x",
                "--redirect-host",
                "localhost",
            ],
        ] {
            let mut argv = vec![
                "exact-offline",
                "login",
                "--client-id",
                "c",
                "--client-secret",
                "s",
            ];
            argv.extend_from_slice(flags);
            assert!(
                Cli::try_parse_from(&argv).is_err(),
                "{flags:?} must be refused before anything is bound"
            );
        }
    }
}

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns
//! The `exact-offline` binary as a user runs it: demo sync, status, export, and a real sign-in
//! through the loopback redirect against a simulator in another process's view.

use std::io::{BufRead, BufReader};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn exe() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_exact-offline"));
    command
        .env("EXACT_OFFLINE_TOKEN_STORE", "file")
        .env("RUST_LOG", "warn");
    command
}

fn run(dir: &std::path::Path, args: &[&str]) -> Output {
    let output = exe()
        .arg("--data-dir")
        .arg(dir)
        .args(args)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "exact-offline {args:?} failed:\n{}\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

fn status_rows(dir: &std::path::Path, demo: bool, entity: &str) -> u64 {
    let mut args = vec!["status", "--json"];
    if demo {
        args.push("--demo");
    }
    let status: Value = serde_json::from_slice(&run(dir, &args).stdout).unwrap();
    status["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == entity)
        .map(|e| e["rows"].as_u64().unwrap())
        .sum()
}

/// The first division of the demo company's copy.
fn status_division(dir: &std::path::Path) -> i32 {
    let out = run(dir, &["status", "--demo", "--json"]);
    let status: Value = serde_json::from_slice(&out.stdout).unwrap();
    status["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|r| r["division"].as_i64())
        .min()
        .unwrap() as i32
}

#[test]
fn demo_sync_status_and_export() {
    let dir = tempfile::tempdir().unwrap();
    let sync = run(dir.path(), &["sync", "--demo", "--no-pictures"]);
    let summary = String::from_utf8_lossy(&sync.stdout);
    assert!(
        summary.contains("succeeded"),
        "the summary names the outcome:\n{summary}"
    );
    let items = status_rows(dir.path(), true, "Items");
    assert_eq!(items, 5_000, "two demo divisions of 2 500 items each");

    let jsonl = run(
        dir.path(),
        &["export", "--demo", "--entity", "Items", "--format", "jsonl"],
    );
    let lines: Vec<Value> = String::from_utf8_lossy(&jsonl.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len() as u64, items, "one line per item");
    assert_eq!(
        lines[0].as_object().unwrap().len(),
        114,
        "every property of the sync endpoint but the binary Picture"
    );

    let csv = run(
        dir.path(),
        &[
            "export", "--demo", "--entity", "accounts", "--format", "csv",
        ],
    );
    let text = String::from_utf8_lossy(&csv.stdout);
    let header = text.lines().next().unwrap();
    assert_eq!(
        header.split(',').count(),
        163,
        "one column per plain account property (not the binary Logo, not the BankAccounts link)"
    );
    assert_eq!(
        text.lines().count() as u64,
        1 + status_rows(dir.path(), true, "Accounts")
    );

    // The customers list as the app shows it for a search, chosen columns, as XLSX and CSV.
    let division = status_division(dir.path());
    let xlsx = dir.path().join("customers.xlsx");
    let listed = run(
        dir.path(),
        &[
            "export",
            "--demo",
            "--entity",
            "Accounts",
            "--division",
            &division.to_string(),
            "--format",
            "xlsx",
            "--columns",
            "Code,Name,City",
            "--search",
            "b",
            "--output",
            xlsx.to_str().unwrap(),
        ],
    );
    assert!(listed.status.success(), "{listed:?}");
    assert!(std::fs::metadata(&xlsx).unwrap().len() > 0);
    let as_csv = dir.path().join("customers.csv");
    run(
        dir.path(),
        &[
            "export",
            "--demo",
            "--entity",
            "Accounts",
            "--division",
            &division.to_string(),
            "--format",
            "csv",
            "--columns",
            "Code,Name,City",
            "--search",
            "b",
            "--output",
            as_csv.to_str().unwrap(),
        ],
    );
    let text = std::fs::read_to_string(&as_csv).unwrap();
    assert_eq!(text.lines().next(), Some("Code,Name,City"));
    let found = text.lines().count() - 1;
    let reported = String::from_utf8_lossy(&listed.stderr).to_string();
    assert!(
        found > 0 && reported.contains(&format!("{found} Accounts rows exported")),
        "the XLSX and CSV exports hold the same {found} rows: {reported}"
    );
    let without_division = exe()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["export", "--demo", "--entity", "Items", "--format", "xlsx"])
        .arg("--output")
        .arg(dir.path().join("x.xlsx"))
        .output()
        .unwrap();
    assert!(
        !without_division.status.success()
            && String::from_utf8_lossy(&without_division.stderr).contains("--division"),
        "two divisions: one must be chosen"
    );

    // A second sync changes nothing and says so.
    let again = run(dir.path(), &["sync", "--demo", "--no-pictures"]);
    assert!(String::from_utf8_lossy(&again.stdout).contains("succeeded"));
    assert_eq!(status_rows(dir.path(), true, "Items"), items);
}

#[test]
fn sync_without_sign_in_explains_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let output = exe()
        .arg("--data-dir")
        .arg(dir.path())
        .arg("sync")
        .output()
        .unwrap();
    assert!(
        !output.status.success(),
        "nothing to sync without a sign-in"
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("exact-offline login") && stderr.contains("--demo"),
        "{stderr}"
    );
}

#[test]
fn login_without_an_app_or_a_shared_registration_says_what_to_give() {
    let dir = tempfile::tempdir().unwrap();
    let output = exe()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["login", "--region", "nl"])
        .env_remove("EXACT_CLIENT_SECRET")
        // An empty variable searches as usual: nothing beside the test binary or in /etc.
        .env("EXACT_OFFLINE_REGISTRATION", "")
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--client-id ID --client-secret SECRET"),
        "{stderr}"
    );

    let broken = dir.path().join("registration.json");
    std::fs::write(
        &broken,
        r#"{"client_id": "x", "client_secret": "do-not-print-me", "regio": "nl"}"#,
    )
    .unwrap();
    let output = exe()
        .arg("--data-dir")
        .arg(dir.path())
        .args(["login", "--region", "nl"])
        .env("EXACT_OFFLINE_REGISTRATION", &broken)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&broken.display().to_string())
            && stderr.contains("unknown field \"regio\""),
        "the error names the file and what is wrong: {stderr}"
    );
    assert!(!stderr.contains("do-not-print-me"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_with_the_shared_registration_needs_no_client_id() {
    const CLIENT_ID: &str = "5e1f0b2a-7c3d-4e5f-8a9b-0c1d2e3f4a5b";
    const SECRET: &str = "shared-cli-secret";
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let config = exact_sim::SimConfig {
        items: 20,
        accounts: 5,
        app: exact_sim::AppRegistration {
            client_id: CLIENT_ID.into(),
            client_secret: SECRET.into(),
            redirect_uri: redirect.clone(),
        },
        ..Default::default()
    };
    let sim = exact_sim::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let registration = dir.path().join("registration.json");
    std::fs::write(
        &registration,
        serde_json::json!({
            "client_id": format!("{{{CLIENT_ID}}}"),
            "client_secret": SECRET,
            "redirect_uri": redirect,
            "base_url": sim.base_url(),
        })
        .to_string(),
    )
    .unwrap();

    let mut login = exe()
        .arg("--data-dir")
        .arg(dir.path())
        .arg("login")
        .env("EXACT_OFFLINE_REGISTRATION", &registration)
        .env_remove("EXACT_CLIENT_SECRET")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(login.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let authorize = first.trim().to_owned();
    assert!(
        authorize.starts_with(sim.base_url()) && authorize.contains(CLIENT_ID),
        "the sign-in goes to the registration's instance with its app: {authorize}"
    );
    let page = reqwest::get(&authorize)
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Signed in"), "{page}");
    let output = tokio::task::spawn_blocking(move || login.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "login: {stderr}");
    assert!(
        stderr.contains("shared app registration") && !stderr.contains(SECRET),
        "{stderr}"
    );
    assert!(
        exact_api::TokenFiles::for_account(dir.path(), &format!("{}|{CLIENT_ID}", sim.base_url()))
            .tokens
            .exists(),
        "signed in as the registration's app"
    );
    sim.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn login_through_the_loopback_redirect_then_sync() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let redirect = format!("http://127.0.0.1:{port}/callback");
    let app = exact_sim::AppRegistration {
        client_id: "cli-test".into(),
        client_secret: "cli-secret".into(),
        redirect_uri: redirect.clone(),
    };
    let config = exact_sim::SimConfig {
        items: 150,
        accounts: 30,
        app,
        ..Default::default()
    };
    let sim = exact_sim::start(config).await.unwrap();
    let dir = tempfile::tempdir().unwrap();

    let mut login = exe()
        .arg("--data-dir")
        .arg(dir.path())
        .args([
            "login",
            "--base-url",
            sim.base_url(),
            "--client-id",
            "cli-test",
            "--redirect-uri",
            &redirect,
        ])
        .env("EXACT_CLIENT_SECRET", "cli-secret")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(login.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    let authorize = first.trim().to_owned();
    assert!(
        authorize.starts_with(sim.base_url()) && authorize.contains("/api/oauth2/auth?"),
        "{authorize}"
    );

    // The browser: consent (automatic in the simulator), then follow the redirect.
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let consent = browser.get(&authorize).send().await.unwrap();
    let location = consent.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(&redirect));
    let page = browser
        .get(&location)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Signed in"), "{page}");
    let status = tokio::task::spawn_blocking(move || login.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert!(
        status.status.success(),
        "login: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    assert!(
        exact_api::TokenFiles::for_account(dir.path(), &format!("{}|cli-test", sim.base_url()))
            .tokens
            .exists(),
        "tokens are stored in the account's file (file store forced)"
    );

    let path = dir.path().to_path_buf();
    let synced = tokio::task::spawn_blocking(move || run(&path, &["sync"]))
        .await
        .unwrap();
    assert!(String::from_utf8_lossy(&synced.stdout).contains("succeeded"));
    let path = dir.path().to_path_buf();
    let items = tokio::task::spawn_blocking(move || status_rows(&path, false, "Items"))
        .await
        .unwrap();
    assert_eq!(items, 150, "the current division's items are in the cache");
    let summary = String::from_utf8_lossy(&synced.stdout).into_owned();
    assert!(
        summary.contains("Pictures: ") && !summary.contains("Pictures: 0 downloaded"),
        "pictures of the synced rows are downloaded: {summary}"
    );
    assert!(
        dir.path().join("assets").is_dir(),
        "pictures are stored under the data folder"
    );
    assert!(
        !dir.path().join("assets/incomplete").exists(),
        "a finished picture run clears its marker"
    );

    // A run that died before its pictures were fetched (simulated: the files are gone and the
    // marker is left): the next sync offers every row again, though no record changed.
    std::fs::remove_dir_all(dir.path().join("assets")).unwrap();
    std::fs::create_dir_all(dir.path().join("assets")).unwrap();
    std::fs::write(dir.path().join("assets/incomplete"), b"").unwrap();
    let path = dir.path().to_path_buf();
    let again = tokio::task::spawn_blocking(move || run(&path, &["sync"]))
        .await
        .unwrap();
    let summary = String::from_utf8_lossy(&again.stdout).into_owned();
    assert!(
        !summary.contains("Pictures: 0 downloaded"),
        "the catch-up fetched the pictures again: {summary}"
    );
    assert!(!dir.path().join("assets/incomplete").exists());

    // The report to send for help: every endpoint answered, and no secret in it.
    let path = dir.path().to_path_buf();
    let doctor = tokio::task::spawn_blocking(move || run(&path, &["doctor"]))
        .await
        .unwrap();
    let report = String::from_utf8_lossy(&doctor.stdout).into_owned();
    for entity in [
        "sign-in",
        "divisions",
        "Items",
        "Accounts",
        "SalesOrderLines",
        "Deleted",
    ] {
        assert!(
            report
                .lines()
                .any(|l| l.trim_start().starts_with("ok") && l.contains(entity)),
            "{entity} checked and fine:\n{report}"
        );
    }
    assert!(!report.contains("FAIL"), "{report}");
    assert!(
        report.contains("Rate limits: ") && report.contains("Clock: within"),
        "{report}"
    );
    let tokens =
        exact_api::TokenFiles::for_account(dir.path(), &format!("{}|cli-test", sim.base_url()));
    let stored: serde_json::Value =
        serde_json::from_slice(&std::fs::read(tokens.tokens).unwrap()).unwrap();
    let mut secrets = vec!["cli-secret".to_owned()];
    for value in stored.as_object().unwrap().values() {
        if let Some(text) = value.as_str().filter(|t| t.len() >= 16) {
            secrets.push(text.to_owned());
        }
    }
    assert!(
        secrets.len() >= 3,
        "the access and refresh tokens were found: {stored}"
    );
    for secret in &secrets {
        assert!(
            !report.contains(secret.as_str()),
            "a secret is in the report"
        );
    }
    let path = dir.path().to_path_buf();
    let json = tokio::task::spawn_blocking(move || run(&path, &["doctor", "--json"]))
        .await
        .unwrap();
    let json: Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(json["divisions"][0]["checks"].as_array().unwrap().len(), 14);
    for secret in &secrets {
        assert!(
            !json.to_string().contains(secret.as_str()),
            "a secret is in the JSON report"
        );
    }
}

/// A property Exact refuses shows in the report with Exact's message, and the exit code says so.
#[test]
fn doctor_names_what_exact_refuses() {
    let dir = tempfile::tempdir().unwrap();
    let output = exe()
        .env(
            "EXACT_OFFLINE_DEMO_FAULTS",
            r#"[{"path":"sync/Logistics/Items","kind":"refuse_property","property":"Barcode"}]"#,
        )
        .arg("--data-dir")
        .arg(dir.path())
        .args(["doctor", "--demo", "--division", "1217777"])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(!output.status.success(), "{report}");
    let items = report
        .lines()
        .find(|l| l.contains("Items "))
        .unwrap_or_else(|| panic!("an Items line:\n{report}"));
    assert!(
        items.contains("FAIL") && items.contains("Could not find a property named 'Barcode'"),
        "{items}"
    );
    assert_eq!(report.matches("FAIL").count(), 1, "{report}");
}

#[test]
fn no_token_or_secret_reaches_the_logs_even_at_trace_level() {
    let dir = tempfile::tempdir().unwrap();
    let output = exe()
        .env("RUST_LOG", "trace")
        .arg("--data-dir")
        .arg(dir.path())
        .args(["sync", "--demo", "--no-pictures"])
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut logs = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    // The log files in the data folder too.
    let mut files = 0;
    for entry in std::fs::read_dir(dir.path().join("logs")).unwrap() {
        logs.push_str(&std::fs::read_to_string(entry.unwrap().path()).unwrap());
        files += 1;
    }
    assert!(files > 0, "a log file is written in the data folder");
    assert!(
        logs.lines().count() > 50,
        "trace logging was on: {} lines",
        logs.lines().count()
    );
    let tokens: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("demo/tokens.json")).unwrap())
            .unwrap();
    for name in ["access_token", "refresh_token"] {
        let secret = tokens[name].as_str().unwrap();
        assert!(
            secret.len() > 16 && !logs.contains(secret),
            "the {name} must never be logged"
        );
    }
    let client_secret = exact_sim::AppRegistration::default().client_secret;
    assert!(
        !logs.contains(&client_secret),
        "the client secret must never be logged"
    );
    assert!(
        !logs.to_ascii_lowercase().contains("bearer "),
        "no Authorization header is logged"
    );
}

/// Records Exact sends without an ID are set aside: the run still succeeds, its summary says
/// how many and why, `status` counts them and `status --set-aside` lists each as it came.
#[test]
fn records_set_aside_are_counted_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let faulty = |args: &[&str]| {
        let output = exe()
            .env(
                "EXACT_OFFLINE_DEMO_FAULTS",
                r#"[{"path":"sync/Logistics/Items","kind":"missing_key"}]"#,
            )
            .arg("--data-dir")
            .arg(dir.path())
            .args(args)
            .output()
            .unwrap();
        assert!(output.status.success(), "{args:?}: {output:?}");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let summary = faulty(&["sync", "--demo", "--no-pictures", "--entity", "Items"]);
    // 2 500 items in each of 2 divisions: pages of 1 000, 1 000 and 500, each with one record
    // without ID.
    assert!(summary.contains("succeeded"), "{summary}");
    assert_eq!(summary.matches("ok, 3 set aside").count(), 2, "{summary}");
    assert!(
        summary.contains(
            "6 records set aside: 6 without ID; `exact-offline status --demo --set-aside` lists them."
        ),
        "the summary says what was set aside and where to look:\n{summary}"
    );

    let status: Value =
        serde_json::from_slice(&run(dir.path(), &["status", "--demo", "--json"]).stdout).unwrap();
    let items: Vec<&Value> = status["entities"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["entity"] == "Items" && e["rows"].as_u64() > Some(0))
        .collect();
    assert_eq!(items.len(), 2, "both divisions synced: {status}");
    for division in items {
        assert_eq!(division["set_aside"], 3);
        assert_eq!(division["rows"], 2_497);
    }
    assert_eq!(status["set_aside"][1]["counts"]["missing_key"], 3);
    assert_eq!(status["runs"][0]["entities"][1]["entity"], "Items");
    assert_eq!(status["runs"][0]["entities"][1]["set_aside"], 3);

    let table =
        String::from_utf8_lossy(&run(dir.path(), &["status", "--demo"]).stdout).into_owned();
    assert_eq!(table.matches("; 3 set aside").count(), 2, "{table}");
    assert!(table.contains("--set-aside` lists them"), "{table}");

    let listed: Value = serde_json::from_slice(
        &run(dir.path(), &["status", "--demo", "--set-aside", "--json"]).stdout,
    )
    .unwrap();
    let listed = listed.as_array().unwrap();
    assert_eq!(listed.len(), 6);
    for row in listed {
        assert_eq!(row["reason"], "missing_key");
        assert_eq!(row["detail"], "no ID");
        let raw: Value = serde_json::from_str(row["raw"].as_str().unwrap()).unwrap();
        assert!(
            raw.get("ID").is_none() && raw.get("Code").is_some(),
            "{raw}"
        );
    }
    let text =
        String::from_utf8_lossy(&run(dir.path(), &["status", "--demo", "--set-aside"]).stdout)
            .into_owned();
    assert_eq!(text.matches("(no ID)").count(), 6, "{text}");
    assert!(text.contains("sync --demo --full"), "{text}");

    // Exact sends them whole again: a full resync stores them and the list empties.
    let again = String::from_utf8_lossy(
        &run(
            dir.path(),
            &[
                "sync",
                "--demo",
                "--no-pictures",
                "--entity",
                "Items",
                "--full",
            ],
        )
        .stdout,
    )
    .into_owned();
    assert!(!again.contains("set aside"), "{again}");
    let text =
        String::from_utf8_lossy(&run(dir.path(), &["status", "--demo", "--set-aside"]).stdout)
            .into_owned();
    assert!(text.starts_with("No records are set aside"), "{text}");
}

/// The binary in `home` as a user's home folder, with no folder chosen and no XDG variables,
/// logging at its defaults (warnings on the terminal, info in the log file).
fn in_home(home: &std::path::Path) -> Command {
    let mut command = exe();
    command
        .env("HOME", home)
        .env_remove("EXACT_OFFLINE_DATA_DIR")
        .env_remove("RUST_LOG");
    for variable in [
        "XDG_DATA_HOME",
        "XDG_CONFIG_HOME",
        "XDG_CACHE_HOME",
        "XDG_STATE_HOME",
        "DISPLAY",
        "WAYLAND_DISPLAY",
    ] {
        command.env_remove(variable);
    }
    command
}

/// Every path under `dir`, relative, folders ending in `/`.
fn listing(dir: &std::path::Path) -> Vec<String> {
    fn walk(root: &std::path::Path, dir: &std::path::Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            if path.is_dir() {
                out.push(format!("{name}/"));
                walk(root, &path, out);
            } else {
                out.push(name);
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

#[test]
fn a_chosen_folder_holds_everything_as_before() {
    let home = tempfile::tempdir().unwrap();
    for by_variable in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let mut command = in_home(home.path());
        match by_variable {
            true => command.env("EXACT_OFFLINE_DATA_DIR", dir.path()),
            false => command.arg("--data-dir").arg(dir.path()),
        };
        let output = command
            .args(["sync", "--demo", "--no-pictures", "--entity", "Units"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        let files = listing(dir.path());
        assert!(files.contains(&"demo/cache.sqlite".to_owned()), "{files:?}");
        let top: Vec<_> = files
            .iter()
            .filter(|f| f.trim_end_matches('/').matches('/').count() == 0)
            .collect();
        assert_eq!(top, ["demo/", "logs/"], "nothing new beside them");
        assert!(
            files.iter().any(|f| f.starts_with("logs/exact-offline.")),
            "the logs are in the folder's logs/: {files:?}"
        );
    }
    assert_eq!(
        listing(home.path()),
        Vec::<String>::new(),
        "nothing is written in the platform's folders"
    );
}

#[test]
fn without_a_folder_the_platform_folders_are_used_and_an_earlier_one_carried_over() {
    let home = tempfile::tempdir().unwrap();
    let old = home.path().join(".local/share/exact-offline");
    std::fs::create_dir_all(old.join("demo")).unwrap();
    drop(offline_cache::Cache::open(&old.join("demo/cache.sqlite")).unwrap());
    let demo_copy = std::fs::read(old.join("demo/cache.sqlite")).unwrap();
    std::fs::write(old.join("settings.json"), br#"{"batch_size": 300}"#).unwrap();
    std::fs::write(old.join("connection.json"), br#"{"base_url": "x"}"#).unwrap();
    std::fs::create_dir_all(old.join("logs")).unwrap();
    std::fs::write(old.join("logs/exact-offline.2026-11-01.log"), b"earlier\n").unwrap();
    // A file already in the new folders: the old one is left in place, with one warning.
    let config = home.path().join(".config/exact-offline");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(config.join("demo-chosen"), b"").unwrap();
    std::fs::write(old.join("demo-chosen"), b"").unwrap();
    // What the webview of an earlier version left in the folder Tauri chose for it.
    let webview = home.path().join(".local/share/nl.exactoffline.app");
    std::fs::create_dir_all(webview.join("WebKitCache/Version 16")).unwrap();
    std::fs::write(webview.join("hsts-storage.sqlite"), b"hsts").unwrap();

    let status = || {
        let output = in_home(home.path())
            .args(["status", "--demo", "--json"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8_lossy(&output.stderr).into_owned()
    };
    let said = status();
    assert_eq!(
        said.lines().count(),
        1,
        "a carry-over says nothing on the terminal but its one warning: {said}"
    );
    assert!(said.contains("demo-chosen is left in place"), "{said}");
    let logs = home.path().join(".local/state/exact-offline/logs");
    assert_eq!(
        std::fs::read(config.join("settings.json")).unwrap(),
        br#"{"batch_size": 300}"#
    );
    assert!(config.join("connection.json").exists());
    assert!(!old.join("settings.json").exists() && !old.join("logs").exists());
    assert_eq!(
        std::fs::read(logs.join("exact-offline.2026-11-01.log")).unwrap(),
        b"earlier\n"
    );
    assert_eq!(
        std::fs::read(old.join("demo/cache.sqlite")).unwrap(),
        demo_copy,
        "the demo company's copy stays in the data folder"
    );
    assert!(home.path().join(".cache/exact-offline").is_dir());
    assert!(
        !webview.exists(),
        "the earlier webview's data and its emptied folder are gone"
    );
    let logged = || -> String {
        std::fs::read_dir(&logs)
            .unwrap()
            .map(|e| std::fs::read_to_string(e.unwrap().path()).unwrap())
            .collect()
    };
    let first = logged();
    assert!(
        first.contains("carried") && first.contains("settings.json"),
        "what moved is logged: {first}"
    );
    assert!(
        first.contains("removed the webview data of an earlier version"),
        "what was removed is logged: {first}"
    );
    assert_eq!(
        first.matches("is left in place").count(),
        1,
        "the file left in place is reported: {first}"
    );

    let before = listing(home.path());
    assert_eq!(status(), "", "a second start says nothing");
    assert_eq!(listing(home.path()), before, "a second start moves nothing");
    assert!(old.join("demo-chosen").exists());
    assert_eq!(
        logged().matches("is left in place").count(),
        1,
        "a second start does not report it again"
    );
}

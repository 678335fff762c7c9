//! Shared pieces of the reliability suite: an in-process simulator the CLI signs in to through
//! the real loopback redirect, runs of the binary (with timeouts, or killed), and the end check of
//! every scenario: the cache equals the simulator entity by entity and field by field, with no
//! duplicates, and SQLite's integrity check passes.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader, Read as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

use exact_sim::{AppRegistration, Sim, SimConfig};
use serde_json::{Value, json};

pub const CLIENT_ID: &str = "reliability";
const CLIENT_SECRET: &str = "reliability-secret";
/// The admin secret of the suite's simulators: the binary reads the simulator's clock with it
/// (`EXACT_OFFLINE_SIM_CLOCK`), and [`exe`] has no simulator at hand to ask.
const ADMIN_SECRET: &str = "reliability-admin-secret";

/// The binary with the file token store (no keychain in tests) and its clock following the
/// simulator's, so a time-scaled simulator runs Exact's token rules in seconds.
pub fn exe(dir: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_exact-offline"));
    command
        .env("EXACT_OFFLINE_TOKEN_STORE", "file")
        .env("EXACT_OFFLINE_SIM_CLOCK", ADMIN_SECRET)
        .env("RUST_LOG", "warn")
        .env_remove("EXACT_OFFLINE_DATA_DIR")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .arg("--data-dir")
        .arg(dir);
    command
}

/// Both streams of a finished run, for assertion messages.
pub fn text(output: &Output) -> String {
    format!(
        "exit {:?}\n--- stdout\n{}\n--- stderr\n{}",
        output.status.code(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

/// Runs the binary to its end, killing it (and failing the test) after `limit`: a hung sync
/// must not hang the suite.
pub fn run_for(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let child = exe(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the exact-offline binary starts");
    wait_for(child, args, limit)
}

/// Waits for a spawned run, killing it and failing after `limit`. Its pipes are drained as it
/// runs (an export fills a pipe buffer long before it ends).
pub fn wait_for(mut child: Child, args: &[&str], limit: Duration) -> Output {
    let drain = |pipe: Option<Box<dyn std::io::Read + Send>>| {
        std::thread::spawn(move || {
            let mut bytes = Vec::new();
            if let Some(mut pipe) = pipe {
                let _ = pipe.read_to_end(&mut bytes);
            }
            bytes
        })
    };
    let stdout = drain(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let stderr = drain(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let output = Output {
        status: status.unwrap_or_else(|| child.wait().unwrap()),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    };
    assert!(
        status.is_some(),
        "exact-offline {args:?} still ran after {limit:?}; killed.\n{}",
        text(&output)
    );
    output
}

/// Runs the binary and requires success.
pub fn run_ok(dir: &Path, args: &[&str]) -> Output {
    let output = run_for(dir, args, Duration::from_secs(300));
    assert!(
        output.status.success(),
        "exact-offline {args:?} failed:\n{}",
        text(&output)
    );
    output
}

/// `RELIABILITY_SEED` when set (to replay a failure), else a fresh one; printed either way.
pub fn seed(test: &str) -> u64 {
    let seed = match std::env::var("RELIABILITY_SEED") {
        Ok(s) => s
            .parse()
            .unwrap_or_else(|_| panic!("RELIABILITY_SEED must be a number, not {s:?}")),
        Err(_) => rand::random::<u32>() as u64,
    };
    println!("[{test}] seed {seed} (replay with RELIABILITY_SEED={seed})");
    seed
}

/// A number from the environment (the long version of the suite), else `default`.
pub fn env_number(name: &str, default: u64) -> u64 {
    match std::env::var(name) {
        Ok(v) => v
            .parse()
            .unwrap_or_else(|_| panic!("{name} must be a number, not {v:?}")),
        Err(_) => default,
    }
}

/// A free port on loopback for the CLI's redirect listener.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A simulator registered for the CLI, with limits out of the way: the suite is about crashes and
/// faults, and the client's pacing would otherwise stretch every run to Exact's 60 calls a minute.
pub fn config(seed: u64) -> SimConfig {
    SimConfig {
        seed,
        minutely_limit: 1_000_000,
        daily_limit: 100_000_000,
        picture_share: 0.0,
        ..SimConfig::default()
    }
}

/// A running simulator and an HTTP client for its admin routes.
pub struct Env {
    pub sim: Sim,
    pub http: reqwest::Client,
    pub redirect: String,
    /// Every entity the engine syncs, with the properties it selects.
    pub entities: Vec<(String, Vec<&'static str>)>,
}

impl Env {
    pub async fn start(mut config: SimConfig) -> Env {
        let redirect = format!("http://127.0.0.1:{}/callback", free_port());
        config.app = AppRegistration {
            client_id: CLIENT_ID.into(),
            client_secret: CLIENT_SECRET.into(),
            redirect_uri: redirect.clone(),
        };
        config.admin_secret = Some(ADMIN_SECRET.into());
        let sim = exact_sim::start(config).await.unwrap();
        let mut entities: Vec<(String, Vec<&'static str>)> = Vec::new();
        for plan in offline_sync::plan::PLANS.iter() {
            let name = plan.entity.to_string();
            if !entities.iter().any(|(n, _)| *n == name) {
                entities.push((name, plan.properties()));
            }
        }
        let mut admin = reqwest::header::HeaderMap::new();
        admin.insert(
            exact_sim::ADMIN_SECRET_HEADER,
            reqwest::header::HeaderValue::from_static(ADMIN_SECRET),
        );
        Env {
            sim,
            // Every request of this client goes to the admin routes.
            http: reqwest::Client::builder()
                .default_headers(admin)
                .build()
                .unwrap(),
            redirect,
            entities,
        }
    }

    pub fn base_url(&self) -> &str {
        self.sim.base_url()
    }

    pub fn division(&self) -> i32 {
        self.sim.division_codes()[0]
    }

    pub async fn post(&self, path: &str, body: Value) -> Value {
        let url = format!("{}/_sim/{path}", self.base_url());
        let response = self.http.post(url).json(&body).send().await.unwrap();
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        assert!(
            status.is_success(),
            "the simulator refused /_sim/{path} {body}: {status} {answer}"
        );
        answer
    }

    pub async fn get(&self, path: &str) -> Value {
        let url = format!("{}/_sim/{path}", self.base_url());
        let response = self.http.get(url).send().await.unwrap();
        assert!(response.status().is_success(), "/_sim/{path}");
        response.json().await.unwrap()
    }

    /// Moves the simulator's clock forward (between runs of the CLI, whose clock is anchored to
    /// it when it starts).
    pub async fn advance(&self, ms: i64) {
        self.post("clock/advance", json!({ "ms": ms })).await;
    }

    /// Signs in as a user would: `login` prints the authorize URL, the "browser" consents and
    /// follows the redirect to the CLI's loopback listener.
    pub async fn login(&self, dir: &Path) {
        let mut login = exe(dir)
            .args([
                "login",
                "--base-url",
                self.base_url(),
                "--client-id",
                CLIENT_ID,
                "--redirect-uri",
                &self.redirect,
                "--timeout-minutes",
                "1",
            ])
            .env("EXACT_CLIENT_SECRET", CLIENT_SECRET)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = login.stdout.take().unwrap();
        let authorize = tokio::task::spawn_blocking(move || {
            let mut first = String::new();
            BufReader::new(stdout).read_line(&mut first).unwrap();
            first.trim().to_owned()
        })
        .await
        .unwrap();
        assert!(
            authorize.starts_with(self.base_url()),
            "login prints the authorize URL first: {authorize:?}"
        );
        let browser = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap();
        let consent = browser.get(&authorize).send().await.unwrap();
        let location = consent.headers()["location"].to_str().unwrap().to_owned();
        let page = browser.get(&location).send().await.unwrap();
        assert!(page.status().is_success(), "the redirect is received");
        let output = tokio::task::spawn_blocking(move || {
            wait_for(login, &["login"], Duration::from_secs(120))
        })
        .await
        .unwrap();
        assert!(output.status.success(), "login failed:\n{}", text(&output));
    }

    /// The simulator's current rows of `entity`, only the properties the engine selects.
    pub async fn dump(&self, entity: &str, selected: &[&str]) -> BTreeMap<String, Value> {
        let url = format!(
            "{}/_sim/dump?division={}&entity={entity}",
            self.base_url(),
            self.division()
        );
        let response = self.http.get(url).send().await.unwrap();
        assert!(response.status().is_success(), "dump of {entity}");
        let rows: Vec<Value> = response.json().await.unwrap();
        rows.into_iter()
            .map(|mut r| {
                r.as_object_mut()
                    .unwrap()
                    .retain(|k, _| selected.contains(&k.as_str()));
                (row_id(entity, &r), r)
            })
            .collect()
    }

    /// The end check of every scenario: per entity, `export --format jsonl` holds exactly the
    /// simulator's rows, each equal property by property; no ID twice; SQLite intact. Answers
    /// the number of rows compared.
    pub async fn assert_equal(&self, dir: &Path) -> u64 {
        self.compare(dir, true).await
    }

    /// Like [`Env::assert_equal`], but the cache may miss rows (a sync that stopped early):
    /// every row it holds must still be the simulator's, unduplicated.
    pub async fn assert_subset(&self, dir: &Path) -> u64 {
        self.compare(dir, false).await
    }

    /// Like [`Env::assert_equal`] for every record not set aside (`aside`: entity and key of
    /// each): a set-aside record may be missing or older in the cache, nothing else may; a
    /// set-aside record without a usable key excuses one row of its entity.
    pub async fn assert_equal_but_set_aside(
        &self,
        dir: &Path,
        aside: &[(String, Option<String>)],
    ) -> u64 {
        integrity_check(&dir.join("cache.sqlite"));
        let mut compared = 0;
        for (entity, selected) in &self.entities {
            let source = self.dump(entity, selected).await;
            let cached = export(dir, entity);
            // Keys that name a row here (extra fields are compared by their whole text).
            let ours = aside.iter().filter(|(e, _)| e == entity);
            let keys: BTreeSet<&str> = ours
                .clone()
                .filter_map(|(_, k)| k.as_deref())
                .filter(|k| source.contains_key(*k))
                .collect();
            let unkeyed = ours.count() - keys.len();
            let differing: Vec<&String> = source
                .iter()
                .filter(|(id, row)| cached.get(*id) != Some(*row))
                .map(|(id, _)| id)
                .filter(|id| !keys.contains(id.as_str()))
                .collect();
            let extra = cached.keys().filter(|k| !source.contains_key(*k)).count();
            assert!(
                differing.len() <= unkeyed && extra <= unkeyed,
                "{entity}: {} rows missing or different (e.g. {:?}) and {extra} not in the \
                 simulator, with {unkeyed} set aside without a key",
                differing.len(),
                differing.first()
            );
            compared += (source.len() - differing.len()) as u64;
        }
        compared
    }

    async fn compare(&self, dir: &Path, complete: bool) -> u64 {
        integrity_check(&dir.join("cache.sqlite"));
        let mut compared = 0;
        for (entity, selected) in &self.entities {
            let source = self.dump(entity, selected).await;
            let cached = export(dir, entity);
            if complete {
                let missing: Vec<&String> =
                    source.keys().filter(|k| !cached.contains_key(*k)).collect();
                let extra: Vec<&String> =
                    cached.keys().filter(|k| !source.contains_key(*k)).collect();
                assert!(
                    missing.is_empty() && extra.is_empty(),
                    "{entity}: the cache must hold exactly the simulator's rows; {} lost (e.g. {:?}), {} not deleted (e.g. {:?})",
                    missing.len(),
                    missing.first(),
                    extra.len(),
                    extra.first()
                );
            }
            for (id, mine) in &cached {
                let theirs = source.get(id).unwrap_or_else(|| {
                    panic!("{entity} {id} is cached but the simulator has no such row")
                });
                if mine != theirs {
                    panic!(
                        "{entity} {id} differs from the simulator: {}",
                        first_difference(mine, theirs)
                    );
                }
                compared += 1;
            }
        }
        compared
    }
}

/// The key of a row: its `ID`, else (entities keyed otherwise) the whole row's text.
fn row_id(entity: &str, row: &Value) -> String {
    match row.get("ID").and_then(Value::as_str) {
        Some(id) => id.to_owned(),
        None => {
            assert!(row.is_object(), "{entity}: a row is a JSON object");
            row.to_string()
        }
    }
}

fn first_difference(mine: &Value, theirs: &Value) -> String {
    let (Some(a), Some(b)) = (mine.as_object(), theirs.as_object()) else {
        return format!("{mine} vs {theirs}");
    };
    let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    for key in keys {
        if a.get(key) != b.get(key) {
            return format!("{key}: cache {:?}, simulator {:?}", a.get(key), b.get(key));
        }
    }
    "same properties, different order".into()
}

/// `export --entity E --format jsonl`, keyed by ID; fails on an ID seen twice.
pub fn export(dir: &Path, entity: &str) -> BTreeMap<String, Value> {
    let output = run_ok(dir, &["export", "--entity", entity, "--format", "jsonl"]);
    let mut rows = BTreeMap::new();
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let row: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("{entity}: export line is not JSON ({e}): {line}"));
        let id = row_id(entity, &row);
        if let Some(_twice) = rows.insert(id.clone(), row) {
            panic!("{entity} {id} is in the cache twice");
        }
    }
    rows
}

/// `PRAGMA integrity_check` must answer `ok` (a missing file is fine: nothing was written yet).
pub fn integrity_check(path: &Path) {
    if !path.exists() {
        return;
    }
    let db = rusqlite::Connection::open(path)
        .unwrap_or_else(|e| panic!("cannot open {}: {e}", path.display()));
    let answer: Vec<String> = db
        .prepare("PRAGMA integrity_check")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        answer,
        vec!["ok".to_owned()],
        "SQLite's integrity check of {}",
        path.display()
    );
}

/// Random inserts, updates and deletes on a few entities, so every sync has work of each kind.
pub async fn mutate(env: &Env, rng: &mut impl rand::Rng, counts: &mut Mutations) {
    use rand::seq::IndexedRandom;
    const MUTABLE: [&str; 4] = ["Items", "Accounts", "Contacts", "Addresses"];
    for entity in MUTABLE.choose_multiple(rng, 2) {
        let (insert, update, delete) = (
            rng.random_range(0..40),
            rng.random_range(0..60),
            rng.random_range(0..15),
        );
        let answer = env
            .post(
                "mutate",
                json!({"division": env.division(), "entity": entity,
                       "insert": insert, "update": update, "delete": delete}),
            )
            .await;
        let len = |k: &str| answer[k].as_array().map_or(0, Vec::len) as u64;
        counts.inserted += len("inserted");
        counts.updated += len("updated");
        counts.deleted += len("deleted");
    }
}

/// Mutations made on the simulator during a test.
#[derive(Debug, Default)]
pub struct Mutations {
    pub inserted: u64,
    pub updated: u64,
    pub deleted: u64,
}

/// A size-limited tmpfs mounted for a test's data folder, unmounted when dropped.
pub struct SmallDisk {
    pub mount: PathBuf,
    _parent: tempfile::TempDir,
}

impl SmallDisk {
    /// Mounts a tmpfs of `size` (e.g. `"3m"`). Fails the test with a clear message when it cannot:
    /// the scenario must not pass without having filled a disk.
    pub fn mount(size: &str) -> SmallDisk {
        let parent = tempfile::tempdir().unwrap();
        let mount = parent.path().join("disk");
        std::fs::create_dir(&mount).unwrap();
        let output = Command::new("mount")
            .args([
                "-t",
                "tmpfs",
                "-o",
                &format!("size={size},mode=0700"),
                "tmpfs",
            ])
            .arg(&mount)
            .output();
        match output {
            Ok(o) if o.status.success() => {}
            Ok(o) => panic!(
                "the full-disk scenario needs a small file system, but `mount -t tmpfs` failed (run the suite as root, or with CAP_SYS_ADMIN): {}",
                String::from_utf8_lossy(&o.stderr).trim()
            ),
            Err(e) => panic!("the full-disk scenario needs `mount`, which cannot run: {e}"),
        }
        SmallDisk {
            mount,
            _parent: parent,
        }
    }

    /// Grows (or shrinks) the file system in place; the files on it stay.
    pub fn resize(&self, size: &str) {
        let output = Command::new("mount")
            .args(["-o", &format!("remount,size={size}")])
            .arg(&self.mount)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "remount to {size}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
}

impl Drop for SmallDisk {
    fn drop(&mut self) {
        let done = Command::new("umount")
            .arg(&self.mount)
            .status()
            .is_ok_and(|s| s.success());
        if !done {
            // Something still has a file open there (a killed run's child): detach it lazily
            // rather than leave a mount behind.
            let _ = Command::new("umount").arg("-l").arg(&self.mount).status();
        }
    }
}

/// Runs the binary on the blocking pool (the simulator shares this test's runtime).
pub async fn run_async(dir: &Path, args: &[&str], limit: Duration) -> Output {
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|a| (*a).to_owned()).collect();
    tokio::task::spawn_blocking(move || {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_for(&dir, &args, limit)
    })
    .await
    .unwrap()
}

/// `status --json`: rows per entity in the cache.
pub fn cached_rows(dir: &Path) -> BTreeMap<String, u64> {
    let output = run_ok(dir, &["status", "--json"]);
    let status: Value = serde_json::from_slice(&output.stdout).unwrap();
    let mut rows = BTreeMap::new();
    for e in status["entities"].as_array().into_iter().flatten() {
        *rows
            .entry(e["entity"].as_str().unwrap_or("?").to_owned())
            .or_default() += e["rows"].as_u64().unwrap_or(0);
    }
    rows
}

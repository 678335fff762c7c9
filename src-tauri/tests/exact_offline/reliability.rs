//! The reliability suite: the `exact-offline` binary against an in-process simulator, killed with
//! SIGKILL at random moments, soaked with mutations and faults, run out of disk space, and
//! started twice on one data folder. Every scenario ends with the cache equal to
//! the simulator (every synced entity, property by property, through `export --format jsonl`), no
//! row twice, none lost, and SQLite's integrity check answering `ok`.
//!
//! Randomness is seeded and the seed printed (`RELIABILITY_SEED` replays it). The normal run is
//! bounded for a loaded 2-core machine; `scripts/reliability.sh` runs the long version
//! (`RELIABILITY_KILLS=25 RELIABILITY_SOAK_SECS=600`).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

mod support;

use std::collections::BTreeMap;
use std::process::Stdio;
use std::time::{Duration, Instant};

use exact_sim::SimConfig;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde_json::{Value, json};

use support::{
    CLIENT_ID, Env, Mutations, config, env_number, exe, integrity_check, run_async, text,
};

const SYNC: [&str; 2] = ["sync", "--no-pictures"];
const SIGN_IN_AGAIN: &str = "sign in to Exact Online again";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn syncs_killed_at_random_moments_resume_to_an_equal_cache() {
    let started = Instant::now();
    let seed = support::seed("kill -9");
    let kills = env_number("RELIABILITY_KILLS", 10);
    // Big enough that a first sync takes seconds in a debug build; the latency stands in for
    // Exact's network time and keeps the window for a kill open on a fast machine too.
    let env = Env::start(SimConfig {
        items: 5_000,
        accounts: 1_200,
        latency: Duration::from_millis(40),
        ..config(seed)
    })
    .await;
    // How long a whole sync lasts here (debug build, this machine's load): one uninterrupted run
    // in a scratch folder. Kills are drawn over that span, so they land anywhere in a run.
    let scratch = tempfile::tempdir().unwrap();
    env.login(scratch.path()).await;
    let timed = Instant::now();
    let calibration = run_async(scratch.path(), &SYNC, Duration::from_secs(300)).await;
    assert!(
        calibration.status.success(),
        "calibration sync:\n{}",
        text(&calibration)
    );
    let window_ms = (timed.elapsed().as_millis() as u64 * 6 / 5).max(500);
    println!(
        "[kill -9] a whole sync takes {} ms; kills land within {window_ms} ms of a start",
        timed.elapsed().as_millis()
    );
    drop(scratch);

    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path();
    env.login(dir).await;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut mutations = Mutations::default();
    let (mut killed, mut finished, mut full) = (0u64, 0u64, false);
    let mut attempts = 0;
    while killed < kills {
        attempts += 1;
        assert!(
            attempts <= kills * 4,
            "only {killed} of {kills} kills landed inside a run in {attempts} attempts"
        );
        // Once a run has finished, the next reads everything again (--full), so that kills also
        // land in a full resync and its mark-and-sweep. (Not before: an interrupted full resync
        // starts again from the beginning, so it would undo the progress of the first sync.)
        let mut args = SYNC.to_vec();
        if full {
            args.push("--full");
        }
        let delay = Duration::from_millis(rng.random_range(30..window_ms));
        let mut child = exe(dir)
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let run_started = Instant::now();
        let exited = loop {
            if child.try_wait().unwrap().is_some() {
                break true;
            }
            if run_started.elapsed() >= delay {
                break false;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        if exited {
            let output = child.wait_with_output().unwrap();
            assert!(
                output.status.success(),
                "an uninterrupted run after kills succeeds:\n{}",
                text(&output)
            );
            finished += 1;
            full = true;
            println!(
                "[kill -9] a run finished before its kill, in {} ms{}",
                run_started.elapsed().as_millis(),
                if args.contains(&"--full") {
                    " (full resync)"
                } else {
                    ""
                }
            );
        } else {
            // std's Child::kill is SIGKILL on Unix: no destructor, no rollback, no flush runs.
            child.kill().unwrap();
            child.wait().unwrap();
            killed += 1;
            full = false;
            let rows: u64 = if dir.join("cache.sqlite").exists() {
                support::cached_rows(dir).values().sum()
            } else {
                0
            };
            println!(
                "[kill -9] kill {killed}/{kills} after {} ms, {rows} rows committed{}",
                delay.as_millis(),
                if args.contains(&"--full") {
                    " (full resync)"
                } else {
                    ""
                }
            );
        }
        integrity_check(&dir.join("cache.sqlite"));
        if rng.random_bool(0.5) {
            support::mutate(&env, &mut rng, &mut mutations).await;
        }
    }
    let last = run_async(dir, &SYNC, Duration::from_secs(300)).await;
    assert!(
        last.status.success(),
        "the final uninterrupted sync succeeds:\n{}",
        text(&last)
    );
    let compared = env.assert_equal(dir).await;
    println!(
        "[kill -9] seed {seed}: {killed} kills survived ({finished} runs finished before their kill; attempts {attempts}); \
         mutations {} inserted, {} updated, {} deleted; {compared} rows compared equal; {:.1} s",
        mutations.inserted,
        mutations.updated,
        mutations.deleted,
        started.elapsed().as_secs_f64()
    );
}

/// Fault kinds of the soak other than `revoke_grant` (which gets its own round). The last four
/// serve one bad record inside an otherwise good page: it is set aside and the page stored.
const SOAK_FAULTS: [&str; 10] = [
    "status",
    "burst429",
    "reset",
    "truncate",
    "malformed",
    "revoke_access",
    "missing_key",
    "wrong_type",
    "lone_surrogate",
    "oversized_value",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn soak_of_incremental_syncs_with_mutations_and_faults() {
    let started = Instant::now();
    let seed = support::seed("soak");
    let soak = Duration::from_secs(env_number("RELIABILITY_SOAK_SECS", 60));
    // The sim clock runs 100× (the CLI's clock follows it), so Exact's token rules — a revoked
    // access token waits out 570 s before the refresh — pass in seconds.
    let env = Env::start(SimConfig {
        items: 4_000,
        accounts: 1_000,
        time_scale: 100.0,
        ..config(seed)
    })
    .await;
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path();
    env.login(dir).await;
    let first = run_async(dir, &SYNC, Duration::from_secs(300)).await;
    assert!(first.status.success(), "first sync:\n{}", text(&first));

    let mut rng = StdRng::seed_from_u64(seed);
    let mut mutations = Mutations::default();
    // kind → (armed, fired)
    let mut faults: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    let (mut rounds, mut succeeded, mut failed) = (0u64, 0u64, 0u64);
    let mut set_aside_in_rounds = 0u64;
    let mut grant_revoked = false;
    while started.elapsed() < soak || !grant_revoked {
        rounds += 1;
        support::mutate(&env, &mut rng, &mut mutations).await;
        if !grant_revoked && started.elapsed() > soak / 2 {
            revoke_the_grant(&env, dir, &mut faults).await;
            grant_revoked = true;
            continue;
        }
        let mut rules = Vec::new();
        for kind in SOAK_FAULTS {
            if !rng.random_bool(0.5) {
                continue;
            }
            // One revoked access token per run: the client refreshes once per request and takes
            // a second 401 right after a fresh token as a broken sign-in (client.rs), so two
            // revocations landing on one request would rightly end in "sign in again".
            let count = if kind == "revoke_access" {
                1
            } else {
                rng.random_range(1..=3u64)
            };
            let mut rule = json!({"path": "/api/v1/", "kind": kind, "count": count,
                                  "rate": rng.random_range(0.05..0.4)});
            if kind == "oversized_value" {
                // Over the 4 MiB a record may have, and quick to send.
                rule["bytes"] = json!(4_200_000);
            }
            if kind == "status" {
                let statuses = [500u16, 502, 503, 504];
                rule["status"] = json!(statuses[rng.random_range(0..statuses.len())]);
            }
            rules.push(rule);
        }
        env.post("faults", json!({ "rules": rules })).await;
        let output = run_async(dir, &SYNC, Duration::from_secs(180)).await;
        count_fired(&env, &rules, &mut faults).await;
        let all = text(&output);
        set_aside_in_rounds += set_aside_in_summary(&all);
        assert!(
            !all.contains(SIGN_IN_AGAIN),
            "a revoked access token is replaced by a refresh, never a new sign-in:\n{all}"
        );
        if output.status.success() {
            succeeded += 1;
        } else {
            // A fault may outlast the retries of one request (two 429s in a row, say): that
            // entity fails this run and the next run catches up.
            failed += 1;
        }
        integrity_check(&dir.join("cache.sqlite"));
    }
    // One round where a bad record surely lands in a page of records: it stays set aside.
    env.post(
        "mutate",
        json!({"division": env.division(), "entity": "Items", "update": 9}),
    )
    .await;
    let rule = json!({"path": "sync/Logistics/Items", "kind": "missing_key", "count": 1});
    env.post("faults", json!({ "rules": [rule] })).await;
    let bad = run_async(dir, &SYNC, Duration::from_secs(300)).await;
    let all = text(&bad);
    assert!(
        bad.status.success() && all.contains("1 record set aside: 1 without ID"),
        "a record without ID is set aside and the run succeeds:\n{all}"
    );
    set_aside_in_rounds += 1;
    env.post("faults", json!({"rules": []})).await;
    let clean = run_async(dir, &SYNC, Duration::from_secs(300)).await;
    assert!(
        clean.status.success(),
        "a clean sync after the soak:\n{}",
        text(&clean)
    );
    // Every record is good or set aside; the set-aside ones come back with a full resync.
    let aside = set_aside(dir);
    assert!(
        !aside.is_empty(),
        "the record without ID is still set aside"
    );
    let compared_before = env.assert_equal_but_set_aside(dir, &aside).await;
    let full = run_async(
        dir,
        &["sync", "--no-pictures", "--full"],
        Duration::from_secs(300),
    )
    .await;
    assert!(
        full.status.success(),
        "a full resync after the soak:\n{}",
        text(&full)
    );
    assert!(
        set_aside(dir).is_empty(),
        "a full resync of good data leaves nothing set aside"
    );
    let compared = env.assert_equal(dir).await;
    println!(
        "[soak] {set_aside_in_rounds} records set aside in the rounds; {} still set aside at the end \
         with {compared_before} rows compared equal; after a full resync none",
        aside.len()
    );
    let stats = env.get("stats").await;
    println!(
        "[soak] seed {seed}: {rounds} rounds ({succeeded} syncs succeeded, {failed} partial), grant revoked once and signed in again; \
         mutations {} inserted, {} updated, {} deleted; {compared} rows compared equal; {:.1} s",
        mutations.inserted,
        mutations.updated,
        mutations.deleted,
        started.elapsed().as_secs_f64()
    );
    for (kind, (armed, fired)) in &faults {
        println!("[soak] fault {kind:>13}: {armed:>3} armed, {fired:>3} fired");
    }
    println!(
        "[soak] simulator: {} faults injected, {} calls, {} token requests, by status {}",
        stats["faults_injected"], stats["total_calls"], stats["token_requests"], stats["by_status"]
    );
    let fired: u64 = faults.values().map(|f| f.1).sum();
    assert!(fired > 0, "the soak fired faults: {faults:?}");
}

/// The records a run's summary says it set aside ("3 records set aside: ...").
fn set_aside_in_summary(output: &str) -> u64 {
    output
        .lines()
        .filter_map(|line| {
            line.split_once(" set aside: ")?
                .0
                .split(' ')
                .next()?
                .parse::<u64>()
                .ok()
        })
        .sum()
}

/// `status --set-aside --json`: (entity, key) of every record set aside.
fn set_aside(dir: &std::path::Path) -> Vec<(String, Option<String>)> {
    let output = support::run_ok(dir, &["status", "--set-aside", "--json"]);
    let rows: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    rows.iter()
        .map(|r| {
            (
                r["entity"].as_str().unwrap().to_owned(),
                r["key"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

/// Adds the armed and fired counts of this round's rules (the simulator answers each rule with
/// the count it has left), then clears the rules.
async fn count_fired(env: &Env, posted: &[Value], faults: &mut BTreeMap<String, (u64, u64)>) {
    let left = env.get("faults").await;
    let left = left["rules"].as_array().cloned().unwrap_or_default();
    assert_eq!(
        left.len(),
        posted.len(),
        "the simulator keeps the posted rules"
    );
    for (rule, now) in posted.iter().zip(&left) {
        let armed = rule["count"].as_u64().unwrap();
        let entry = faults
            .entry(rule["kind"].as_str().unwrap().to_owned())
            .or_default();
        entry.0 += armed;
        entry.1 += armed - now["count"].as_u64().unwrap_or(0);
    }
    env.post("faults", json!({"rules": []})).await;
}

/// The grant dies mid-sync: the run stops with a clear "sign in again", keeps every committed
/// row, and a new `login` lets the next run go on.
async fn revoke_the_grant(
    env: &Env,
    dir: &std::path::Path,
    faults: &mut BTreeMap<String, (u64, u64)>,
) {
    // A clean full resync first (it also retries the records set aside so far), so that
    // "nothing lost" can be checked exactly afterwards.
    env.post("faults", json!({"rules": []})).await;
    let clean = run_async(
        dir,
        &["sync", "--no-pictures", "--full"],
        Duration::from_secs(300),
    )
    .await;
    assert!(clean.status.success(), "clean sync:\n{}", text(&clean));
    assert!(
        set_aside(dir).is_empty(),
        "nothing set aside after a clean full resync"
    );
    let before = env.assert_equal(dir).await;
    // New rows, so the run has calls to make and the revocation has one to hit.
    env.post(
        "mutate",
        json!({"division": env.division(), "entity": "Items", "insert": 1500}),
    )
    .await;
    let rules = [json!({"path": "/api/v1/", "kind": "revoke_grant", "count": 1})];
    env.post("faults", json!({ "rules": rules })).await;
    let output = run_async(dir, &SYNC, Duration::from_secs(180)).await;
    count_fired(env, &rules, faults).await;
    let all = text(&output);
    assert!(
        !output.status.success() && all.contains(SIGN_IN_AGAIN),
        "a revoked grant stops the sync and says to sign in again:\n{all}"
    );
    let kept = env.assert_subset(dir).await;
    assert!(
        kept >= before,
        "nothing committed is lost when the sign-in breaks: {kept} rows now, {before} before"
    );
    env.login(dir).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_full_disk_stops_the_sync_cleanly_and_a_rerun_completes() {
    let started = Instant::now();
    let seed = support::seed("full disk");
    // Room for the sign-in and the first part of the cache, not for all of it.
    let disk = support::SmallDisk::mount(FULL_DISK_SIZE);
    let dir = disk.mount.join("data");
    std::fs::create_dir(&dir).unwrap();
    let env = Env::start(SimConfig {
        items: 6_000,
        accounts: 1_500,
        ..config(seed)
    })
    .await;
    env.login(&dir).await;

    let output = run_async(&dir, &SYNC, Duration::from_secs(300)).await;
    let all = text(&output);
    assert!(
        !output.status.success(),
        "the sync cannot succeed on a {FULL_DISK_SIZE} disk:\n{all}"
    );
    assert!(
        all.contains("disk is full") || all.contains("No space left"),
        "the error says the disk is full:\n{all}"
    );
    let reason = all
        .lines()
        .find(|l| l.contains("disk is full") || l.contains("No space left"))
        .unwrap_or_default();
    println!("[full disk] the sync stopped with: {}", reason.trim());
    // What was committed before the disk filled is intact and true to the source.
    let partial = env.assert_subset(&dir).await;
    assert!(
        partial > 0,
        "the disk filled part way through the sync, not before it began:\n{all}"
    );

    disk.resize("1g");
    let rerun = run_async(&dir, &SYNC, Duration::from_secs(300)).await;
    assert!(
        rerun.status.success(),
        "with space freed the rerun completes:\n{}",
        text(&rerun)
    );
    let compared = env.assert_equal(&dir).await;
    println!(
        "[full disk] seed {seed}: stopped on a full {FULL_DISK_SIZE} disk with {partial} rows committed; \
         after freeing space {compared} rows compared equal; {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

/// Size of the small file system of the full-disk scenario.
const FULL_DISK_SIZE: &str = "6m";

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_syncs_at_once_one_refuses_and_no_refresh_token_is_lost() {
    let started = Instant::now();
    let seed = support::seed("two processes");
    // Slow calls, so the first run is still going when the second one looks at the folder.
    let env = Env::start(SimConfig {
        items: 3_000,
        accounts: 600,
        latency: Duration::from_millis(150),
        ..config(seed)
    })
    .await;
    let folder = tempfile::tempdir().unwrap();
    let dir = folder.path();
    env.login(dir).await;
    // The access token enters its last 30 s: whichever run syncs must rotate the refresh token.
    env.advance(580_000).await;
    // The file store is used where no keychain answers (as here); with one, only the simulator's
    // count of token requests and the later sync below show the rotation.
    let tokens_file =
        exact_api::TokenFiles::for_account(dir, &format!("{}|{CLIENT_ID}", env.base_url())).tokens;
    let tokens_before = std::fs::read(&tokens_file).ok();
    let token_requests = env.get("stats").await["token_requests"].as_u64().unwrap();

    let spawn = || {
        exe(dir)
            .args(SYNC)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (a, b) = (spawn(), spawn());
    let (a, b) = tokio::task::spawn_blocking(move || {
        (
            support::wait_for(a, &SYNC, Duration::from_secs(180)),
            support::wait_for(b, &SYNC, Duration::from_secs(180)),
        )
    })
    .await
    .unwrap();
    let (winner, loser) = match (a.status.success(), b.status.success()) {
        (true, false) => (a, b),
        (false, true) => (b, a),
        _ => panic!(
            "exactly one of two syncs on one folder runs, the other refuses:\n{}\n{}",
            text(&a),
            text(&b)
        ),
    };
    let refusal = String::from_utf8_lossy(&loser.stderr);
    assert!(
        refusal.contains("another sync of") && refusal.contains("is running"),
        "the second run says another sync holds the folder:\n{}",
        text(&loser)
    );
    assert!(
        String::from_utf8_lossy(&winner.stdout).contains("succeeded"),
        "{}",
        text(&winner)
    );
    let rotated = env.get("stats").await["token_requests"].as_u64().unwrap() - token_requests;
    assert!(
        rotated >= 1,
        "the winner refreshed the tokens in its last 30 s ({rotated} token requests)"
    );
    if let Some(before) = tokens_before {
        assert_ne!(
            std::fs::read(&tokens_file).ok(),
            Some(before),
            "the rotated tokens were stored"
        );
    }
    let compared = env.assert_equal(dir).await;

    // The stored refresh token is the live one: with the access token expired, another run
    // refreshes and syncs without a new sign-in.
    env.post(
        "mutate",
        json!({"division": env.division(), "entity": "Items", "insert": 10, "update": 10, "delete": 5}),
    )
    .await;
    env.advance(601_000).await;
    let again = run_async(dir, &SYNC, Duration::from_secs(180)).await;
    assert!(
        again.status.success(),
        "the refresh token stored after the race still works:\n{}",
        text(&again)
    );
    let compared_again = env.assert_equal(dir).await;
    println!(
        "[two processes] seed {seed}: one sync ran, one refused; {rotated} token refresh(es) in the race; \
         {compared} rows compared equal, {compared_again} after a later refresh; {:.1} s",
        started.elapsed().as_secs_f64()
    );
}

//! The benchmark program's library at a tiny scale: every section is in the JSON, measured or
//! skipped with a reason, and the figures obey the rules they are reported against (calls never
//! below their floor, no 429s, rows as many as the company has). No timing is asserted.
#![allow(clippy::unwrap_used)]

use exact_offline_tests::bench::{self, Options, Section, simulator::scaled};
use serde_json::Value;

const SCALE: f64 = 0.002;

fn options(work: &std::path::Path, sections: Vec<Section>) -> Options {
    Options {
        sections,
        work_dir: work.to_path_buf(),
        pictures: 4,
        launch_runs: 1,
        ..Options::new(SCALE)
    }
}

fn num(v: &Value, path: &str) -> f64 {
    v.pointer(path)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("{path} is missing or not a number in {v:#}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_section_reports_sane_figures_at_a_tiny_scale() {
    let work = tempfile::tempdir().unwrap();
    let sections = Section::parse_list("sync,nochange,budget,thumbs,search").unwrap();
    let report = bench::run(&options(work.path(), sections)).await.unwrap();
    assert!(
        report.failures.is_empty(),
        "a tiny run must not fail: {:?}",
        report.failures
    );
    let json = work.path().join("out").join("latest.json");
    let copy = bench::write_json(&report, &json).unwrap();
    let v: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    assert_eq!(
        std::fs::read(&copy).unwrap(),
        std::fs::read(&json).unwrap(),
        "the timestamped copy holds the same figures"
    );

    for name in [
        "sync", "nochange", "budget", "thumbs", "search", "launch", "desktops",
    ] {
        assert!(
            v["sections"][name].is_object(),
            "section {name} is in the JSON: {v:#}"
        );
    }
    assert_eq!(
        v["sections"]["launch"]["skipped"], "not selected (--only)",
        "an unselected section says so"
    );
    assert_eq!(num(&v, "/scale"), SCALE);
    assert!(num(&v, "/machine/cores") >= 1.0);

    // 1. Full sync: at least the four big entities' rows, and never fewer calls than pages.
    let company = scaled(100_000, SCALE)
        + scaled(40_000, SCALE)
        + scaled(100_000, SCALE)
        + scaled(80_000, SCALE);
    assert!(num(&v, "/sections/sync/rows") >= company as f64);
    assert!(num(&v, "/sections/sync/records_per_s") > 0.0);
    assert!(num(&v, "/sections/sync/cpu_s") > 0.0);
    assert!(num(&v, "/sections/sync/cache_bytes") > 0.0);
    let main_used = num(&v, "/sections/sync/main_calls/used");
    assert!(main_used >= num(&v, "/sections/sync/main_calls/floor") && main_used >= 4.0);
    let run_used = num(&v, "/sections/sync/run_calls/used");
    assert!(
        run_used >= num(&v, "/sections/sync/run_calls/floor"),
        "the simulator served at least the floor's calls: {:#}",
        v["sections"]["sync"]
    );
    let rows: u64 = v["sections"]["sync"]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["rows"].as_u64().unwrap())
        .sum();
    assert_eq!(rows, company as u64, "the four entities arrive whole");
    let items = scaled(100_000, SCALE) as f64;
    assert_eq!(num(&v, "/sections/sync/client_paging/rows"), items);
    assert!(num(&v, "/sections/sync/client_paging/calls") >= (items / 1000.0).ceil());
    assert!(num(&v, "/sections/sync/client_paging/records_per_s") > 0.0);
    // Then prices, stock, orders and extra fields, all five with rows, at least a page each.
    let trade = &v["sections"]["sync"]["trade"];
    assert_eq!(trade["entities"].as_array().unwrap().len(), 5, "{trade:#}");
    assert!(
        trade["entities"]
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["rows"].as_u64().unwrap() > 0 && e["calls"].as_u64().unwrap() >= 1),
        "{trade:#}"
    );
    assert!(
        num(&v, "/sections/sync/trade/calls/used") >= num(&v, "/sections/sync/trade/calls/floor")
    );

    // 2. No change: a call per entity at most, never more than the full sync.
    let calls = num(&v, "/sections/nochange/calls");
    let full_calls = run_used + num(&v, "/sections/sync/trade/calls/used");
    assert!(
        calls >= 1.0 && calls <= full_calls,
        "no-change calls {calls}, full syncs {full_calls}"
    );

    // 3. Under the budget: no 429, calls at least the floor, simulated time at least its floor.
    assert_eq!(num(&v, "/sections/budget/served_429"), 0.0);
    let budget_calls = num(&v, "/sections/budget/calls");
    assert!(budget_calls >= num(&v, "/sections/budget/call_floor"));
    let simulated = num(&v, "/sections/budget/simulated_s");
    let paced_floor = num(&v, "/sections/budget/paced_floor_s");
    assert!(paced_floor >= num(&v, "/sections/budget/floor_s"));
    assert!(simulated >= paced_floor, "{:#}", v["sections"]["budget"]);
    assert!((num(&v, "/sections/budget/over_floor") - simulated / paced_floor).abs() < 1e-9);
    assert!(num(&v, "/sections/budget/sustained_s") > 0.0);

    // 4. Thumbnails: every picture gave both sizes.
    assert_eq!(num(&v, "/sections/thumbs/pictures"), 4.0);
    assert_eq!(num(&v, "/sections/thumbs/failed"), 0.0);
    assert!(num(&v, "/sections/thumbs/pictures_per_s") > 0.0);
    assert!(num(&v, "/sections/thumbs/thumbs_mib_per_1000_items") > 0.0);

    // 5. Search: over the whole browsing company, with every command measured.
    assert_eq!(
        num(&v, "/sections/search/items"),
        scaled(100_000, SCALE) as f64
    );
    assert_eq!(
        num(&v, "/sections/search/accounts"),
        scaled(40_000, SCALE) as f64
    );
    let commands = v["sections"]["search"]["commands"].as_array().unwrap();
    assert_eq!(commands.len(), 13, "8 search rows and 5 list/detail rows");
    for c in commands {
        assert!(c["n"].as_u64().unwrap() > 0, "{c} was measured");
        assert!(c["p50_ms"].as_f64().unwrap() <= c["p95_ms"].as_f64().unwrap());
    }
    let table = bench::table::render(&report);
    assert!(
        table.contains("no failures") && table.contains("5 search"),
        "{table}"
    );
}

#[tokio::test]
async fn launch_without_the_app_is_skipped_with_the_reason() {
    let work = tempfile::tempdir().unwrap();
    let mut options = options(work.path(), vec![Section::Launch]);
    options.app = work.path().join("no-such-app");
    let report = bench::run(&options).await.unwrap();
    let v = serde_json::to_value(&report).unwrap();
    let reason = v["sections"]["launch"]["skipped"].as_str().unwrap();
    assert!(
        reason.contains("not built") && reason.contains("no-such-app"),
        "the reason names the missing app: {reason}"
    );
    assert!(report.failures.is_empty(), "a skip is not a failure");
    assert!(
        bench::table::render(&report).contains("skipped"),
        "the table says skipped"
    );
    assert_eq!(v["sections"]["sync"]["skipped"], "not selected (--only)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_desktops_on_one_registration_stay_within_the_days_budget() {
    let work = tempfile::tempdir().unwrap();
    let mut options = options(work.path(), vec![Section::Desktops]);
    // A day in 72 seconds: the desktops' own work (unoptimised here) counts twice as much as in
    // the benchmark, which makes runs look longer, never cheaper.
    options.day_time_scale = 1_200.0;
    let report = bench::run(&options).await.unwrap();
    assert!(report.failures.is_empty(), "{:?}", report.failures);
    let v = serde_json::to_value(&report).unwrap();
    let day = &v["sections"]["desktops"];
    let calls = num(&v, "/sections/desktops/calls");
    assert!(calls <= 5_000.0, "the shared budget holds: {day:#}");
    assert!(
        num(&v, "/sections/desktops/calls_unpaced") > 5_000.0,
        "without pacing the desktops would have run out: {day:#}"
    );
    assert_eq!(num(&v, "/sections/desktops/served_429"), 0.0);
    assert_eq!(num(&v, "/sections/desktops/failed_runs"), 0.0);
    assert!(
        num(&v, "/sections/desktops/runs_per_desktop_min") >= 2.0,
        "every desktop syncs more than once in the day: {day:#}"
    );
    assert!(
        num(&v, "/sections/desktops/calls_last_6h") > 0.0,
        "the budget is not spent before the evening: {day:#}"
    );
}

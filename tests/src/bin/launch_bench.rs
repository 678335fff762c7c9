//! Launch benchmark of the real app (a program, not a test): how long from starting
//! `exact-offline --data-dir DIR` to the first rendered item row, and how much memory the app
//! (its own process plus WebKit's web and network processes) holds after browsing: searches,
//! scrolling through the list, opening details, the customers list. Memory is given as RSS and as
//! PSS, which shares the pages of libraries mapped by several processes among them.
//!
//! 1. `cargo run --release -p exact-offline --example browse_bench -- --data-dir DIR` fills DIR
//!    with 100 000 items and 40 000 customers (an account whose Exact Online is gone, so the app
//!    opens it offline);
//! 2. `cargo build --release -p exact-offline` and
//!    `cargo run --release -p exact-offline-tests --bin launch_bench -- --data-dir DIR [--runs N]`.
//!
//! Starts Xvfb (when there is no `$DISPLAY`) and tauri-driver itself, and stops them with SIGTERM.
//! The launch time includes WebKitWebDriver starting the app and the polling interval (20 ms), so
//! it is an upper bound of what a user sees.

#![allow(clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};
use exact_offline_tests::ui::{Ui, target_dir, tid, wait_until};
use exact_offline_tests::webdriver::{WebDriver, keys};
use serde_json::json;

struct Args {
    data_dir: PathBuf,
    app: PathBuf,
    runs: usize,
}

fn args() -> Result<Args> {
    let mut data_dir = None;
    let mut app = target_dir().join("release").join("exact-offline");
    let mut runs = 3;
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--data-dir" => data_dir = Some(PathBuf::from(it.next().context("--data-dir DIR")?)),
            "--app" => app = PathBuf::from(it.next().context("--app PATH")?),
            "--runs" => runs = it.next().context("--runs N")?.parse()?,
            other => bail!("unknown argument {other}"),
        }
    }
    let data_dir = data_dir.context("--data-dir DIR is required (see the program's doc)")?;
    if !data_dir.join("cache.sqlite").is_file() {
        bail!(
            "{} holds no cache: fill it with browse_bench first",
            data_dir.display()
        );
    }
    Ok(Args {
        data_dir: data_dir.canonicalize()?,
        app: app
            .canonicalize()
            .with_context(|| format!("the app is not built: {}", app.display()))?,
        runs,
    })
}

/// A child process stopped with SIGTERM when dropped (a killed tauri-driver leaves
/// WebKitWebDriver holding its port).
struct Background(Child);

impl Drop for Background {
    fn drop(&mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.0.id().to_string()])
            .status();
        let _ = self.0.wait();
    }
}

fn free_port() -> Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// A memory figure of a process in MiB: `field` of /proc/PID/smaps_rollup (`Rss:`, `Pss:`,
/// `Anonymous:`). PSS splits pages shared between processes (WebKit's libraries are mapped by
/// the app and both WebKit processes) among them, so PSS adds up across processes; RSS does not.
fn memory_mib(pid: u32, field: &str) -> f64 {
    let rollup = std::fs::read_to_string(format!("/proc/{pid}/smaps_rollup")).unwrap_or_default();
    rollup
        .lines()
        .find(|l| l.starts_with(field))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse::<f64>().ok())
        .unwrap_or(0.0)
        / 1024.0
}

/// Memory of the app alone and with its WebKit processes, in MiB.
#[derive(Debug, Clone, Copy, Default)]
struct Memory {
    app_rss: f64,
    app_pss: f64,
    all_rss: f64,
    all_pss: f64,
    all_anonymous: f64,
}

/// Every process as (pid, parent pid, command line).
fn processes() -> Vec<(u32, u32, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return out;
    };
    for entry in entries.flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else {
            continue;
        };
        let stat = std::fs::read_to_string(entry.path().join("stat")).unwrap_or_default();
        // The parent pid is the second field after the parenthesised command name.
        let ppid = stat
            .rsplit_once(')')
            .and_then(|(_, rest)| rest.split_whitespace().nth(1))
            .and_then(|p| p.parse().ok())
            .unwrap_or(0);
        let cmdline = std::fs::read(entry.path().join("cmdline"))
            .map(|b| String::from_utf8_lossy(&b).replace('\0', " "))
            .unwrap_or_default();
        out.push((pid, ppid, cmdline));
    }
    out
}

/// The app's memory and that of it plus its WebKit child processes.
fn app_memory(app: &Path, data_dir: &Path) -> Option<Memory> {
    let all = processes();
    let (pid, _, _) = all.iter().find(|(_, _, cmd)| {
        cmd.starts_with(&app.display().to_string()) && cmd.contains(&data_dir.display().to_string())
    })?;
    let mut m = Memory {
        app_rss: memory_mib(*pid, "Rss:"),
        app_pss: memory_mib(*pid, "Pss:"),
        ..Memory::default()
    };
    let mut family = vec![*pid];
    let mut parents = vec![*pid];
    while let Some(parent) = parents.pop() {
        for (child, _, _) in all.iter().filter(|(_, ppid, _)| *ppid == parent) {
            family.push(*child);
            parents.push(*child);
        }
    }
    for pid in family {
        m.all_rss += memory_mib(pid, "Rss:");
        m.all_pss += memory_mib(pid, "Pss:");
        m.all_anonymous += memory_mib(pid, "Anonymous:");
    }
    Some(m)
}

async fn browse(driver: &WebDriver) -> Result<()> {
    let search = driver
        .wait_tid("search-input", Duration::from_secs(20))
        .await?;
    for word in ["a", "pl", "tegel", "HK-1", "bout rvs"] {
        driver.type_into(&search, word).await?;
        tokio::time::sleep(Duration::from_millis(400)).await;
        driver
            .wait_tid("item-row", Duration::from_secs(20))
            .await
            .with_context(|| format!("no item matched {word:?}"))?;
    }
    // Escape in the search field clears the search.
    driver.send_keys(&search, keys::ESCAPE).await?;
    tokio::time::sleep(Duration::from_millis(400)).await;
    // Scroll the list to spread-out positions, each time waiting for rows to be drawn.
    for fraction in [0.1, 0.5, 0.9, 0.3, 0.7, 1.0, 0.0, 0.45, 0.65, 0.2] {
        driver
            .execute(
                "const list = document.querySelector('[role=listbox]');
                 list.scrollTop = (list.scrollHeight - list.clientHeight) * arguments[0];
                 list.dispatchEvent(new Event('scroll'));",
                vec![json!(fraction)],
            )
            .await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        driver.wait_tid("item-row", Duration::from_secs(20)).await?;
    }
    for _ in 0..5 {
        driver.click_tid("item-row").await?;
        driver
            .wait_tid("item-detail", Duration::from_secs(20))
            .await?;
        driver.press(keys::ESCAPE).await?;
        wait_until("the item list again", Duration::from_secs(20), async || {
            Ok(driver
                .find(&tid("item-detail"))
                .await?
                .is_none()
                .then_some(()))
        })
        .await?;
    }
    driver.click_tid("nav-customers").await?;
    driver
        .wait_tid("account-row", Duration::from_secs(20))
        .await?;
    driver.click_tid("account-row").await?;
    driver
        .wait_tid("account-detail", Duration::from_secs(20))
        .await?;
    Ok(())
}

#[tokio::main]
async fn main() -> Result<()> {
    let args = args()?;
    let mut display = std::env::var("DISPLAY").unwrap_or_default();
    let _xvfb = if display.is_empty() {
        display = ":97".to_owned();
        let child = Command::new("Xvfb")
            .args([&display, "-screen", "0", "1280x800x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting Xvfb (apt install xvfb)")?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        Some(Background(child))
    } else {
        None
    };
    let (port, native) = (free_port()?, free_port()?);
    let _driver = Background(
        Command::new("tauri-driver")
            .args([
                "--port",
                &port.to_string(),
                "--native-port",
                &native.to_string(),
            ])
            .env("DISPLAY", &display)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .context("starting tauri-driver (cargo install tauri-driver --locked)")?,
    );
    let url = format!("http://127.0.0.1:{port}");
    wait_until("tauri-driver", Duration::from_secs(20), async || {
        Ok(reqwest::get(format!("{url}/status")).await.ok().map(drop))
    })
    .await?;

    let capabilities = json!({
        "browserName": "wry",
        "tauri:options": { "application": args.app, "args": ["--data-dir", args.data_dir] },
    });
    let mut launches = Vec::new();
    let mut memory = None;
    for run in 0..args.runs {
        let started = Instant::now();
        let driver = WebDriver::new_session(&url, capabilities.clone()).await?;
        loop {
            if driver.find(&tid("item-row")).await?.is_some() {
                break;
            }
            if started.elapsed() > Duration::from_secs(60) {
                bail!("no item row within 60 s");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let ms = started.elapsed().as_secs_f64() * 1000.0;
        launches.push(ms);
        println!("launch {}: first item row after {ms:.0} ms", run + 1);
        if run + 1 == args.runs {
            browse(&driver).await?;
            tokio::time::sleep(Duration::from_secs(2)).await;
            memory = app_memory(&args.app, &args.data_dir);
        }
        driver.quit().await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
    launches.sort_by(f64::total_cmp);
    let median = launches[launches.len() / 2];
    println!(
        "launch to first rendered list: median {median:.0} ms, best {:.0} ms over {} launches",
        launches[0],
        launches.len()
    );
    match memory {
        Some(m) => println!(
            "memory after browsing: app process RSS {:.0} MiB (PSS {:.0}); app + WebKit's \
             processes PSS {:.0} MiB (RSS summed {:.0}, anonymous {:.0})",
            m.app_rss, m.app_pss, m.all_pss, m.all_rss, m.all_anonymous
        ),
        None => println!("memory: the app process was not found"),
    }
    println!(
        "{}",
        json!({ "launch_ms": launches, "launch_median_ms": median,
                "app_rss_mib": memory.map(|m| m.app_rss), "app_pss_mib": memory.map(|m| m.app_pss),
                "all_pss_mib": memory.map(|m| m.all_pss), "all_rss_mib": memory.map(|m| m.all_rss),
                "all_anonymous_mib": memory.map(|m| m.all_anonymous) })
    );
    Ok(())
}

//! Section 6: how long from starting the real app (`exact-offline --data-dir DIR`, a release
//! build) to the first rendered item row, and how much memory the app (its own process plus
//! WebKit's web and network processes) holds after browsing: searches, scrolling through the
//! list, opening details, the customers list. Memory is given as RSS and as PSS, which shares
//! the pages of libraries mapped by several processes among them.
//!
//! Starts Xvfb (when there is no `$DISPLAY`) and tauri-driver itself, and stops them with
//! SIGTERM. The launch time includes WebKitWebDriver starting the app and the polling interval
//! (20 ms), so it is an upper bound of what a user sees. Each launch is also split into phases
//! (`Phases`) from the app process's start time and the page's own performance marks.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, Result, bail};
use serde::Serialize;
use serde_json::json;

use super::{Row, Rows, row};
use crate::ui::{Ui, tid, wait_until};
use crate::webdriver::{WebDriver, keys};

/// Display number used when there is none.
const DISPLAY: &str = ":97";

/// Why the launch cannot be measured here, if it cannot: the app binary or one of the programs
/// it needs is missing.
pub fn unavailable(app: &Path) -> Option<String> {
    if !app.is_file() {
        return Some(format!(
            "the release app is not built ({}): cargo build --release -p exact-offline",
            app.display()
        ));
    }
    let display = std::env::var("DISPLAY").unwrap_or_default();
    let needed = [
        ("tauri-driver", "cargo install tauri-driver --locked"),
        ("WebKitWebDriver", "apt install webkit2gtk-driver"),
    ];
    let xvfb = display.is_empty().then_some(("Xvfb", "apt install xvfb"));
    needed
        .into_iter()
        .chain(xvfb)
        .find(|(program, _)| on_path(program).is_none())
        .map(|(program, install)| format!("{program} is not installed ({install})"))
}

/// Where `program` is on `$PATH`.
fn on_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
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
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Memory {
    pub app_rss_mib: f64,
    pub app_pss_mib: f64,
    pub all_rss_mib: f64,
    pub all_pss_mib: f64,
    pub all_anonymous_mib: f64,
}

/// Where the time of one launch went, in ms, from the WebDriver session request to the first
/// item row seen by the benchmark's polling.
#[derive(Debug, Clone, Copy, Default, Serialize)]
pub struct Phases {
    /// Session request → the app process exists (tauri-driver and WebKitWebDriver starting it;
    /// `/proc` start times have a 10 ms resolution).
    pub driver_ms: f64,
    /// Process start → the page's navigation starts (Rust start-up, Tauri setup, opening the
    /// cache, building the window, WebKit's web process).
    pub native_ms: f64,
    /// Navigation start → the UI's script runs (HTML, JS and CSS loaded and parsed).
    pub page_ms: f64,
    /// Script start → the app component mounted.
    pub mount_ms: f64,
    /// Mounted → the app's state is known (mode, settings, sync state: the shell answers once
    /// the last company is open again).
    pub state_ms: f64,
    /// State known → the items view asks for its first page.
    pub view_ms: f64,
    /// First page asked for → arrived (the round trip to the shell and the cache's query).
    pub items_ms: f64,
    /// First rows arrived → a row seen in the DOM by the benchmark (rendering and polling).
    pub seen_ms: f64,
}

impl Phases {
    /// The per-phase medians of several launches.
    fn median(all: &[Phases]) -> Option<Phases> {
        if all.is_empty() {
            return None;
        }
        let med = |f: fn(&Phases) -> f64| {
            let mut v: Vec<f64> = all.iter().map(f).collect();
            v.sort_by(f64::total_cmp);
            v[v.len() / 2]
        };
        Some(Phases {
            driver_ms: med(|p| p.driver_ms),
            native_ms: med(|p| p.native_ms),
            page_ms: med(|p| p.page_ms),
            mount_ms: med(|p| p.mount_ms),
            state_ms: med(|p| p.state_ms),
            view_ms: med(|p| p.view_ms),
            items_ms: med(|p| p.items_ms),
            seen_ms: med(|p| p.seen_ms),
        })
    }
}

/// Milliseconds since the Unix epoch.
fn epoch_ms(t: SystemTime) -> f64 {
    t.duration_since(UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs_f64()
        * 1000.0
}

/// When process `pid` started, in ms since the epoch: its start in clock ticks after boot
/// (`/proc/PID/stat`, field 22) set against the time since boot now (`/proc/uptime`), read
/// beside the wall clock. (`btime` in `/proc/stat` is whole seconds and drifts from the wall
/// clock, so it is not used.)
fn process_start_ms(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // Fields after the parenthesised command name start at field 3 (state).
    let ticks: f64 = stat
        .rsplit_once(')')?
        .1
        .split_whitespace()
        .nth(19)?
        .parse()
        .ok()?;
    let hz: f64 = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or(100.0);
    let now = epoch_ms(SystemTime::now());
    let up_s: f64 = std::fs::read_to_string("/proc/uptime")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(now - (up_s - ticks / hz) * 1000.0)
}

/// The phases of the launch requested at `requested`, whose first row was seen at `seen`.
async fn phases(
    driver: &WebDriver,
    app: &Path,
    data_dir: &Path,
    requested: SystemTime,
    seen: SystemTime,
) -> Result<Phases> {
    let pid = app_pid(app, data_dir).context("the app process was not found")?;
    let started = process_start_ms(pid).context("the app process's start time")?;
    let marks = driver
        .execute(
            "const at = (name) => performance.getEntriesByName(name)[0]?.startTime ?? null;
             return [performance.timeOrigin, at('exo:script'), at('exo:mounted'),
                     at('exo:ready'), at('exo:items-asked'), at('exo:first-rows')];",
            vec![],
        )
        .await?;
    let mark = |i: usize| {
        marks[i]
            .as_f64()
            .with_context(|| format!("performance mark {i} missing: {marks}"))
    };
    let (origin, script, mounted) = (mark(0)?, mark(1)?, mark(2)?);
    let (ready, asked, rows) = (mark(3)?, mark(4)?, mark(5)?);
    Ok(Phases {
        driver_ms: started - epoch_ms(requested),
        native_ms: origin - started,
        page_ms: script,
        mount_ms: mounted - script,
        state_ms: ready - mounted,
        view_ms: asked - ready,
        items_ms: rows - asked,
        seen_ms: epoch_ms(seen) - (origin + rows),
    })
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

/// The app's process: the one running `app` on `data_dir`.
fn app_pid(app: &Path, data_dir: &Path) -> Option<u32> {
    processes()
        .into_iter()
        .find(|(_, _, cmd)| {
            cmd.starts_with(&app.display().to_string())
                && cmd.contains(&data_dir.display().to_string())
        })
        .map(|(pid, _, _)| pid)
}

/// The app's memory and that of it plus its WebKit child processes.
fn app_memory(app: &Path, data_dir: &Path) -> Option<Memory> {
    let pid = app_pid(app, data_dir)?;
    let all = processes();
    let mut m = Memory {
        app_rss_mib: memory_mib(pid, "Rss:"),
        app_pss_mib: memory_mib(pid, "Pss:"),
        ..Memory::default()
    };
    let mut family = vec![pid];
    let mut parents = vec![pid];
    while let Some(parent) = parents.pop() {
        for (child, _, _) in all.iter().filter(|(_, ppid, _)| *ppid == parent) {
            family.push(*child);
            parents.push(*child);
        }
    }
    for pid in family {
        m.all_rss_mib += memory_mib(pid, "Rss:");
        m.all_pss_mib += memory_mib(pid, "Pss:");
        m.all_anonymous_mib += memory_mib(pid, "Anonymous:");
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

/// Section 6: the release binary's size, and its launches on an account and on the demo company.
#[derive(Debug, Clone, Serialize)]
pub struct Launch {
    /// The size of the app's binary.
    pub binary_bytes: u64,
    /// A signed-in account of 100 000 items (at scale 1.0), synced from a simulator in the
    /// benchmark's process that is stopped by then: the app starts offline.
    pub account: Launches,
    /// The built-in demo company, whose simulator runs inside the app.
    pub demo: Launches,
}

/// Launches of one company.
#[derive(Debug, Clone, Serialize)]
pub struct Launches {
    /// Each launch to the first item row, sorted.
    pub launch_ms: Vec<f64>,
    pub median_ms: f64,
    /// The median of each phase; `None` when no launch could be split.
    pub phases: Option<Phases>,
    /// After browsing in the last launch; `None` when the app process was not found.
    pub memory: Option<Memory>,
}

/// Xvfb (when there is no display) and tauri-driver, stopped when dropped.
struct Driver {
    url: String,
    _xvfb: Option<Background>,
    _driver: Background,
}

impl Driver {
    async fn start() -> Result<Driver> {
        let mut display = std::env::var("DISPLAY").unwrap_or_default();
        let xvfb = if display.is_empty() {
            display = DISPLAY.to_owned();
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
        let driver = Background(
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
        Ok(Driver {
            url,
            _xvfb: xvfb,
            _driver: driver,
        })
    }

    async fn session(&self, app: &Path, data_dir: &Path) -> Result<WebDriver> {
        let capabilities = json!({
            "browserName": "wry",
            "tauri:options": { "application": app, "args": ["--data-dir", data_dir] },
        });
        WebDriver::new_session(&self.url, capabilities).await
    }

    /// Launches `app` on `data_dir` `runs` times (at least once) and browses in the last launch.
    async fn launches(&self, app: &Path, data_dir: &Path, runs: usize) -> Result<Launches> {
        let runs = runs.max(1);
        let mut launch_ms = Vec::new();
        let mut split = Vec::new();
        let mut memory = None;
        for run in 0..runs {
            let (requested, started) = (SystemTime::now(), Instant::now());
            let driver = self.session(app, data_dir).await?;
            wait_until("the first item row", Duration::from_secs(60), async || {
                Ok(driver.find(&tid("item-row")).await?.map(drop))
            })
            .await?;
            launch_ms.push(started.elapsed().as_secs_f64() * 1000.0);
            let seen = SystemTime::now();
            match phases(&driver, app, data_dir, requested, seen).await {
                Ok(p) => split.push(p),
                Err(e) => eprintln!("launch {run}: not split into phases: {e:#}"),
            }
            if run + 1 == runs {
                browse(&driver).await?;
                tokio::time::sleep(Duration::from_secs(2)).await;
                memory = app_memory(app, data_dir);
            }
            driver.quit().await?;
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
        launch_ms.sort_by(f64::total_cmp);
        let median_ms = launch_ms[launch_ms.len() / 2];
        Ok(Launches {
            launch_ms,
            median_ms,
            phases: Phases::median(&split),
            memory,
        })
    }

    /// Chooses the demo company on a fresh `data_dir` and waits for its first sync, so that the
    /// next launches reopen it as a returning user's app does.
    async fn first_demo_sync(&self, app: &Path, data_dir: &Path) -> Result<()> {
        let driver = self.session(app, data_dir).await?;
        driver
            .wait_tid("welcome-demo", Duration::from_secs(60))
            .await?;
        driver.click_tid("welcome-demo").await?;
        driver.wait_tid("nav-sync", Duration::from_secs(60)).await?;
        driver.click_tid("nav-sync").await?;
        crate::ui::wait_sync_succeeded(&driver).await?;
        driver.quit().await?;
        tokio::time::sleep(Duration::from_secs(1)).await;
        Ok(())
    }
}

/// Launches `app` `runs` times on the account in `data_dir`, then on the demo company in a
/// fresh folder inside `work`, browsing in the last launch of each.
pub async fn run(app: &Path, data_dir: &Path, work: &Path, runs: usize) -> Result<Launch> {
    let app = app
        .canonicalize()
        .with_context(|| format!("the app is not built: {}", app.display()))?;
    let data_dir = data_dir.canonicalize()?;
    if !data_dir.join("cache.sqlite").is_file() {
        bail!("{} holds no cache", data_dir.display());
    }
    let driver = Driver::start().await?;
    let account = driver.launches(&app, &data_dir, runs).await?;
    let demo_dir = tempfile::tempdir_in(work)?;
    let demo_dir = demo_dir.path().canonicalize()?;
    driver
        .first_demo_sync(&app, &demo_dir)
        .await
        .context("the demo company's first sync")?;
    let demo = driver.launches(&app, &demo_dir, runs).await?;
    Ok(Launch {
        binary_bytes: std::fs::metadata(&app)?.len(),
        account,
        demo,
    })
}

/// `25345160` as `25 345 160`.
fn group_thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

impl Launches {
    fn rows(&self, company: &str) -> Vec<Row> {
        let spread = self
            .launch_ms
            .iter()
            .map(|ms| format!("{ms:.0}"))
            .collect::<Vec<_>>()
            .join(", ");
        let mut rows = vec![row(
            format!("{company}: launch to first item row, median ms"),
            format!("{:.0} (runs: {spread})", self.median_ms),
        )];
        if let Some(p) = self.phases {
            rows.push(row(
                format!(
                    "{company}: phases, median ms: driver, native start, page load, mount, \
                     app state, items view, first items, seen"
                ),
                format!(
                    "{:.0}, {:.0}, {:.0}, {:.0}, {:.0}, {:.0}, {:.0}, {:.0}",
                    p.driver_ms,
                    p.native_ms,
                    p.page_ms,
                    p.mount_ms,
                    p.state_ms,
                    p.view_ms,
                    p.items_ms,
                    p.seen_ms
                ),
            ));
        }
        match self.memory {
            Some(m) => rows.extend([
                row(
                    format!("{company}: after browsing, app process RSS (PSS) MiB"),
                    format!("{:.0} ({:.0})", m.app_rss_mib, m.app_pss_mib),
                ),
                row(
                    format!("{company}: app + WebKit processes, PSS, anonymous, RSS summed MiB"),
                    format!(
                        "{:.0}, {:.0}, {:.0}",
                        m.all_pss_mib, m.all_anonymous_mib, m.all_rss_mib
                    ),
                ),
            ]),
            None => rows.push(row(
                format!("{company}: memory after browsing"),
                "the app process was not found",
            )),
        }
        rows
    }
}

impl Rows for Launch {
    fn rows(&self) -> Vec<Row> {
        let mut rows = vec![row("app binary, bytes", group_thousands(self.binary_bytes))];
        rows.extend(self.account.rows("account"));
        rows.extend(self.demo.rows("demo company"));
        rows
    }
}

#[cfg(test)]
mod tests {
    use super::group_thousands;

    #[test]
    fn sizes_are_grouped_by_thousands() {
        assert_eq!(group_thousands(0), "0");
        assert_eq!(group_thousands(999), "999");
        assert_eq!(group_thousands(1_000), "1 000");
        assert_eq!(group_thousands(25_345_160), "25 345 160");
    }
}

//! The harness of the WebDriver scenarios: launching the real app through tauri-driver on a
//! throwaway data folder, explicit waits, `data-testid` helpers, screenshots and accessibility checks
//! (axe-core, from ui/node_modules).
//!
//! Environment:
//! - `TAURI_DRIVER_URL` (default `http://127.0.0.1:4444`), the running tauri-driver;
//! - `EXACT_OFFLINE_APP` (default `<target>/debug/exact-offline`), the app binary;
//! - `CARGO_TARGET_DIR`, where screenshots go (`<target>/test-output/screenshots`).

use std::future::Future;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, anyhow, bail};
use futures::FutureExt;
use serde_json::{Value, json};

use crate::webdriver::{Element, WebDriver, keys};

/// Waits for things the UI shows at once (a click's effect, a view change).
pub const UI_TIMEOUT: Duration = Duration::from_secs(20);
/// Waits for the demo company's first full sync (2 divisions × 2 500 items + 600 accounts, debug build).
pub const SYNC_TIMEOUT: Duration = Duration::from_secs(360);
/// Waits for pictures, downloaded after their rows (8 000 in the demo company).
pub const PICTURE_TIMEOUT: Duration = Duration::from_secs(300);

const POLL: Duration = Duration::from_millis(150);

/// How long the WebDriver screenshot endpoint may take before `import` is used instead.
const SCREENSHOT_TIMEOUT: Duration = Duration::from_secs(5);
/// Set once the WebDriver screenshot endpoint failed: later screenshots go straight to `import`.
static SCREENSHOT_ENDPOINT_BROKEN: AtomicBool = AtomicBool::new(false);

/// Captures the app window's rectangle of the X display (`$DISPLAY`) into a PNG.
async fn capture_window(driver: &WebDriver, path: &Path) -> Result<()> {
    let (x, y, width, height) = driver.window_rect().await?;
    let output = tokio::process::Command::new("import")
        .args(["-window", "root", "-crop"])
        .arg(format!("{width}x{height}+{}+{}", x.max(0), y.max(0)))
        .arg("+repage")
        .arg(format!("png:{}", path.display()))
        .output()
        .await
        .context("running ImageMagick's import (apt install imagemagick)")?;
    if !output.status.success() {
        bail!(
            "import failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

/// Scenarios share one display and one driver: they run one at a time even under `cargo test`.
static SERIAL: Mutex<()> = Mutex::new(());

/// The workspace's target folder.
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(
        || {
            let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
            manifest.parent().unwrap_or(manifest).join("target")
        },
        PathBuf::from,
    )
}

/// The app under test.
pub fn app_binary() -> PathBuf {
    std::env::var_os("EXACT_OFFLINE_APP")
        .map_or_else(|| target_dir().join("debug/exact-offline"), PathBuf::from)
}

/// Where screenshots go (created on demand).
pub fn screenshot_dir() -> PathBuf {
    target_dir().join("test-output/screenshots")
}

fn driver_url() -> String {
    std::env::var("TAURI_DRIVER_URL").unwrap_or_else(|_| "http://127.0.0.1:4444".to_owned())
}

/// The CSS selector of a `data-testid`.
pub fn tid(testid: &str) -> String {
    format!("[data-testid=\"{testid}\"]")
}

/// Polls `probe` until it returns `Some`, failing after `timeout` with `what` and the last error.
pub async fn wait_until<T>(
    what: &str,
    timeout: Duration,
    mut probe: impl AsyncFnMut() -> Result<Option<T>>,
) -> Result<T> {
    let started = Instant::now();
    let mut last_error = None;
    loop {
        match probe().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(e) => last_error = Some(e),
        }
        if started.elapsed() >= timeout {
            let mut message = format!("timed out after {timeout:?} waiting for {what}");
            if let Some(e) = last_error {
                message.push_str(&format!(" (last error: {e:#})"));
            }
            bail!(message);
        }
        tokio::time::sleep(POLL).await;
    }
}

/// One scenario: its own data folder and at most one app session at a time.
#[derive(Debug)]
pub struct Scenario {
    pub name: String,
    data_dir: tempfile::TempDir,
    driver: Option<WebDriver>,
    /// Variables set for the app's process (see [`Scenario::set_app_env`]).
    app_env: Vec<(String, String)>,
    /// Holds the launcher that sets them, while there are any.
    launcher_dir: Option<tempfile::TempDir>,
}

impl Scenario {
    /// The scenario's data folder (kept across sessions, removed at the end).
    pub fn data_dir(&self) -> &Path {
        self.data_dir.path()
    }

    /// Sets an environment variable for the app in the sessions launched from now on (as
    /// `offline_demo::FAULTS_VARIABLE`, the demo company's fault rules).
    ///
    /// tauri-driver runs for every scenario (scripts/ui-tests.sh starts it once) and takes no
    /// environment for the app, only its path and arguments: the app is then launched through a
    /// small script that sets the variables and `exec`s it, so the process WebKitWebDriver
    /// watches is the app itself, with the scenario's environment and nobody else's.
    pub fn set_app_env(&mut self, name: &str, value: &str) {
        self.app_env.retain(|(n, _)| n != name);
        self.app_env.push((name.to_owned(), value.to_owned()));
    }

    /// What tauri-driver starts: the app, or a launcher that sets [`Scenario::set_app_env`]'s
    /// variables first.
    fn application(&mut self, app: &Path) -> Result<PathBuf> {
        if self.app_env.is_empty() {
            return Ok(app.to_path_buf());
        }
        let dir = match &self.launcher_dir {
            Some(dir) => dir,
            None => self.launcher_dir.insert(
                tempfile::Builder::new()
                    .prefix(&format!("exact-offline-ui-{}-launcher-", self.name))
                    .tempdir()
                    .context("no folder for the app's launcher")?,
            ),
        };
        let path = dir.path().join("exact-offline");
        std::fs::write(&path, launcher_script(app, &self.app_env)?)
            .with_context(|| format!("writing {}", path.display()))?;
        make_executable(&path)?;
        Ok(path)
    }

    /// Starts the app on the scenario's data folder (ending a previous session first).
    pub async fn launch(&mut self) -> Result<&WebDriver> {
        self.end().await?;
        let app = app_binary();
        if !app.is_file() {
            bail!(
                "the app is not built: {} (cargo build -p exact-offline)",
                app.display()
            );
        }
        let app = self.application(&app.canonicalize()?)?;
        let capabilities = json!({
            "browserName": "wry",
            "tauri:options": {
                "application": app,
                "args": ["--data-dir", self.data_dir.path()],
            },
        });
        let driver = WebDriver::new_session(&driver_url(), capabilities).await?;
        Ok(self.driver.insert(driver))
    }

    /// The running session.
    pub fn driver(&self) -> Result<&WebDriver> {
        self.driver
            .as_ref()
            .ok_or_else(|| anyhow!("no app session: call launch() first"))
    }

    /// Ends the session, which closes the app.
    pub async fn end(&mut self) -> Result<()> {
        match self.driver.take() {
            Some(driver) => driver.quit().await,
            None => Ok(()),
        }
    }

    /// Saves a PNG of the window as `<screenshots>/<name>.png`.
    ///
    /// Uses the WebDriver screenshot endpoint; where WebKitWebDriver never answers it (seen under
    /// Xvfb), captures the window's rectangle of the X display with ImageMagick's `import` instead,
    /// and keeps doing so for the rest of the run.
    pub async fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let driver = self.driver()?;
        let dir = screenshot_dir();
        std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
        let path = dir.join(format!("{name}.png"));
        let mut how = "WebDriver";
        let png = if SCREENSHOT_ENDPOINT_BROKEN.load(Ordering::Relaxed) {
            None
        } else {
            match driver.screenshot(SCREENSHOT_TIMEOUT).await {
                Ok(png) => Some(png),
                Err(e) => {
                    eprintln!(
                        "[{}] the WebDriver screenshot failed ({e:#}): using ImageMagick's import",
                        self.name
                    );
                    SCREENSHOT_ENDPOINT_BROKEN.store(true, Ordering::Relaxed);
                    None
                }
            }
        };
        match png {
            Some(png) => {
                std::fs::write(&path, png)
                    .with_context(|| format!("writing {}", path.display()))?;
            }
            None => {
                how = "import";
                capture_window(driver, &path).await?;
            }
        }
        eprintln!("[{}] screenshot ({how}) {}", self.name, path.display());
        Ok(path)
    }

    /// Logs a step, with the time since the scenario started.
    pub fn step(&self, what: &str) {
        eprintln!("[{}] {what}", self.name);
    }
    /// Runs axe-core on the current screen and fails with a readable list of its serious and
    /// critical violations (`screen` names the screen in the message).
    pub async fn check_accessibility(&self, screen: &str) -> Result<()> {
        let violations = accessibility_violations(self.driver()?).await?;
        if violations.is_empty() {
            self.step(&format!(
                "accessibility of {screen}: no serious or critical violation"
            ));
            return Ok(());
        }
        let mut message = format!(
            "{screen}: {} serious or critical accessibility violation(s) (axe-core)",
            violations.len()
        );
        for violation in &violations {
            message.push_str(&format!("\n{violation}"));
        }
        bail!(message)
    }
}

/// A POSIX shell script that sets `env` and replaces itself with `app`, passing its arguments on.
fn launcher_script(app: &Path, env: &[(String, String)]) -> Result<String> {
    fn quoted(text: &str) -> String {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
    let mut script =
        String::from("#!/bin/sh\n# Written by the WebDriver harness (tests/src/ui.rs).\n");
    for (name, value) in env {
        let valid = name
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !valid {
            bail!("{name:?} is not an environment variable's name");
        }
        script.push_str(&format!("export {name}={}\n", quoted(value)));
    }
    let app = app
        .to_str()
        .ok_or_else(|| anyhow!("the app's path is not UTF-8: {}", app.display()))?;
    script.push_str(&format!("exec {} \"$@\"\n", quoted(app)));
    Ok(script)
}

#[cfg(unix)]
fn make_executable(path: &Path) -> Result<()> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o700))
        .with_context(|| format!("making {} executable", path.display()))
}

#[cfg(not(unix))]
fn make_executable(path: &Path) -> Result<()> {
    bail!(
        "setting the app's environment needs a POSIX shell: {}",
        path.display()
    )
}

/// Runs one scenario: serially, on a fresh data folder, always ending the app session, and
/// saving `<name>-failure.png` when it fails.
pub fn run<F>(name: &str, body: F)
where
    F: AsyncFnOnce(&mut Scenario) -> Result<()>,
{
    let _serial = SERIAL
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => panic!("no tokio runtime: {e}"),
    };
    let outcome = runtime.block_on(async {
        let data_dir = tempfile::Builder::new()
            .prefix(&format!("exact-offline-ui-{name}-"))
            .tempdir()
            .map_err(|e| anyhow!("no temporary data folder: {e}"));
        let data_dir = match data_dir {
            Ok(dir) => dir,
            Err(e) => return Ok(Err(e)),
        };
        let mut scenario = Scenario {
            name: name.to_owned(),
            data_dir,
            driver: None,
            app_env: Vec::new(),
            launcher_dir: None,
        };
        let started = Instant::now();
        let outcome = AssertUnwindSafe(body(&mut scenario)).catch_unwind().await;
        let failed = !matches!(outcome, Ok(Ok(())));
        if failed
            && scenario.driver.is_some()
            && let Err(e) = scenario.screenshot(&format!("{name}-failure")).await
        {
            eprintln!("[{name}] no failure screenshot: {e:#}");
        }
        if let Err(e) = scenario.end().await {
            eprintln!("[{name}] could not end the session: {e:#}");
        }
        eprintln!("[{name}] took {:.1} s", started.elapsed().as_secs_f64());
        outcome
    });
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => panic!("scenario {name} failed: {e:#}"),
        Err(panic) => std::panic::resume_unwind(panic),
    }
}

/// `data-testid` helpers on a session.
pub trait Ui {
    /// Waits until an element with this `data-testid` exists.
    fn wait_tid(&self, testid: &str, timeout: Duration) -> impl Future<Output = Result<Element>>;
    /// Waits for a `data-testid` and clicks it.
    fn click_tid(&self, testid: &str) -> impl Future<Output = Result<()>>;
    /// Whether an element with this `data-testid` exists now.
    fn has_tid(&self, testid: &str) -> impl Future<Output = Result<bool>>;
    /// Sets a `<select>` to the option with this value, as a user would (input + change events).
    fn select_value(&self, select: &Element, value: &str) -> impl Future<Output = Result<()>>;
    /// Replaces the text of an input by `text`, typing it.
    fn type_into(&self, input: &Element, text: &str) -> impl Future<Output = Result<()>>;
}

impl Ui for WebDriver {
    async fn wait_tid(&self, testid: &str, timeout: Duration) -> Result<Element> {
        let css = tid(testid);
        wait_until(&format!("[data-testid={testid}]"), timeout, async || {
            self.find(&css).await
        })
        .await
    }

    async fn click_tid(&self, testid: &str) -> Result<()> {
        let element = self.wait_tid(testid, UI_TIMEOUT).await?;
        self.click(&element)
            .await
            .with_context(|| format!("clicking [data-testid={testid}]"))
    }

    async fn has_tid(&self, testid: &str) -> Result<bool> {
        Ok(self.find(&tid(testid)).await?.is_some())
    }

    async fn select_value(&self, select: &Element, value: &str) -> Result<()> {
        let script = "const [el, v] = arguments;
            if (![...el.options].some(o => o.value === v)) return 'no option ' + v;
            el.value = v;
            el.dispatchEvent(new Event('input', { bubbles: true }));
            el.dispatchEvent(new Event('change', { bubbles: true }));
            return null;";
        let answer = self
            .execute(script, vec![select.to_json(), json!(value)])
            .await?;
        match answer.as_str() {
            Some(problem) => bail!("cannot select {value:?}: {problem}"),
            None => Ok(()),
        }
    }

    async fn type_into(&self, input: &Element, text: &str) -> Result<()> {
        self.clear(input).await?;
        // `clear` may not fire `input`: make sure the field is empty as the app sees it.
        let left = self.prop(input, "value").await?;
        if left.as_str().is_some_and(|v| !v.is_empty()) {
            self.send_keys(
                input,
                &keys::BACKSPACE.repeat(left.as_str().map_or(0, str::len)),
            )
            .await?;
        }
        self.send_keys(input, text).await
    }
}

/// A snapshot of the sync dashboard: `sync-status`'s data-state and each `progress-row`.
#[derive(Debug, Clone)]
pub struct SyncView {
    pub state: Option<String>,
    pub status_text: String,
    /// (division, entity, phase) per progress row.
    pub rows: Vec<(String, String, String)>,
}

impl SyncView {
    /// The run finished well: idle, with progress rows that are all done.
    pub fn succeeded(&self) -> bool {
        self.state.as_deref() == Some("idle")
            && !self.rows.is_empty()
            && self.rows.iter().all(|(_, _, phase)| phase == "done")
    }
}

impl std::fmt::Display for SyncView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "sync-status={:?} ", self.state)?;
        let rows: Vec<String> = self
            .rows
            .iter()
            .map(|(d, e, p)| format!("{d}/{e}:{p}"))
            .collect();
        write!(f, "rows=[{}] text={:?}", rows.join(", "), self.status_text)
    }
}

/// Reads the sync dashboard (which must be the current view).
pub async fn sync_view(driver: &WebDriver) -> Result<SyncView> {
    let script = "const s = document.querySelector('[data-testid=\"sync-status\"]');
        const rows = [...document.querySelectorAll('[data-testid=\"progress-row\"]')]
            .map(r => [r.dataset.division ?? '', r.dataset.entity ?? '', r.dataset.phase ?? '']);
        return { state: s ? s.getAttribute('data-state') : null,
                 text: s ? s.textContent.trim().slice(0, 300) : '', rows };";
    let value = driver.execute(script, vec![]).await?;
    let rows = value["rows"]
        .as_array()
        .map(|rows| {
            rows.iter()
                .map(|r| {
                    let field = |i: usize| r[i].as_str().unwrap_or_default().to_owned();
                    (field(0), field(1), field(2))
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(SyncView {
        state: value["state"].as_str().map(str::to_owned),
        status_text: value["text"].as_str().unwrap_or_default().to_owned(),
        rows,
    })
}

/// On the sync dashboard, waits until the current run has finished well.
pub async fn wait_sync_succeeded(driver: &WebDriver) -> Result<SyncView> {
    let mut last = None;
    let waited = wait_until("the sync to finish", SYNC_TIMEOUT, async || {
        let view = sync_view(driver).await?;
        if view.state.as_deref() == Some("failed") {
            return Err(anyhow!("the sync failed: {view}"));
        }
        let done = view.succeeded();
        last = Some(view.clone());
        Ok(done.then_some(view))
    })
    .await;
    match waited {
        Ok(view) => Ok(view),
        Err(e) => match last {
            Some(view) if !e.to_string().contains("the sync failed") => {
                Err(e.context(format!("last seen: {view}")))
            }
            _ => Err(e),
        },
    }
}

/// Fresh data folder → the welcome screen → "Try the demo company" → the main layout.
/// Screenshots `welcome` when asked.
pub async fn open_demo(scenario: &mut Scenario, screenshots: bool) -> Result<()> {
    scenario.launch().await?;
    let driver = scenario.driver()?;
    driver
        .wait_tid("welcome", UI_TIMEOUT * 3)
        .await
        .context("a fresh data folder should open on the welcome screen")?;
    // The choices follow once the shell said whether a shared registration is present.
    driver.wait_tid("welcome-demo", UI_TIMEOUT).await?;
    if screenshots {
        scenario.screenshot("welcome").await?;
    }
    scenario.step("welcome shown: starting the demo company");
    driver.click_tid("welcome-demo").await?;
    driver
        .wait_tid("nav-sync", UI_TIMEOUT * 3)
        .await
        .context("the main layout should follow the demo's start")?;
    Ok(())
}

/// Opens the sync dashboard and waits for the run to succeed (pictures keep downloading).
/// Screenshots `sync-dashboard` when asked.
pub async fn finish_first_sync(scenario: &Scenario, screenshots: bool) -> Result<SyncView> {
    let driver = scenario.driver()?;
    driver.click_tid("nav-sync").await?;
    driver.wait_tid("sync-status", UI_TIMEOUT).await?;
    let started = Instant::now();
    let view = wait_sync_succeeded(driver).await?;
    scenario.step(&format!(
        "sync done after {:.1} s more: {} progress rows",
        started.elapsed().as_secs_f64(),
        view.rows.len()
    ));
    if screenshots {
        scenario.screenshot("sync-dashboard").await?;
    }
    Ok(view)
}

/// [`open_demo`], then [`finish_first_sync`]: the demo company synced, with the sync dashboard
/// open.
pub async fn start_demo(scenario: &mut Scenario, screenshots: bool) -> Result<SyncView> {
    open_demo(scenario, screenshots).await?;
    finish_first_sync(scenario, screenshots).await
}

/// The header's sync chip state (`sync-status` data-state), on any view.
pub async fn sync_state(driver: &WebDriver) -> Result<Option<String>> {
    match driver.find(&tid("sync-status")).await? {
        Some(chip) => driver.attr(&chip, "data-state").await,
        None => Ok(None),
    }
}

/// The `data-code` of every rendered row of a list (`item-row` or `account-row`), in order.
pub async fn row_codes(driver: &WebDriver, row_testid: &str) -> Result<Vec<String>> {
    let script =
        "return [...document.querySelectorAll(arguments[0])].map(r => r.dataset.code ?? '');";
    let value = driver.execute(script, vec![json!(tid(row_testid))]).await?;
    Ok(value
        .as_array()
        .map(|codes| {
            codes
                .iter()
                .map(|c| c.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default())
}

/// The rendered row with this `data-code`.
pub async fn row_by_code(
    driver: &WebDriver,
    row_testid: &str,
    code: &str,
) -> Result<Option<Element>> {
    for row in driver.find_all(&tid(row_testid)).await? {
        if driver.attr(&row, "data-code").await?.as_deref() == Some(code) {
            return Ok(Some(row));
        }
    }
    Ok(None)
}

/// Opens a list row's detail: a click, then Enter on it if the click only selected it.
pub async fn open_row(driver: &WebDriver, row: &Element, detail_testid: &str) -> Result<Element> {
    driver.click(row).await?;
    let css = tid(detail_testid);
    let clicked = wait_until(
        "the detail after a click",
        Duration::from_secs(3),
        async || driver.find(&css).await,
    )
    .await;
    if let Ok(detail) = clicked {
        return Ok(detail);
    }
    driver.press(keys::ENTER).await?;
    driver
        .wait_tid(detail_testid, UI_TIMEOUT)
        .await
        .with_context(|| format!("neither a click nor Enter opened [data-testid={detail_testid}]"))
}

/// Closes a detail (Escape, then a Back-like button if needed) and waits for the list rows.
pub async fn close_detail(driver: &WebDriver, detail_testid: &str, row_testid: &str) -> Result<()> {
    driver.press(keys::ESCAPE).await?;
    let css = tid(detail_testid);
    let closed = wait_until("the detail to close", Duration::from_secs(3), async || {
        Ok(driver.find(&css).await?.is_none().then_some(()))
    })
    .await;
    if closed.is_err() {
        // A side panel may stay open; the list is still usable when its rows are there.
        if driver.find(&tid(row_testid)).await?.is_none() {
            bail!("Escape did not close [data-testid={detail_testid}] nor show the list");
        }
    }
    driver.wait_tid(row_testid, UI_TIMEOUT).await.map(drop)
}

/// An `<img>`'s loading state: (complete, naturalWidth, src).
pub async fn image_state(driver: &WebDriver, img: &Element) -> Result<(bool, u64, String)> {
    let value = driver
        .execute(
            "const i = arguments[0]; return [i.complete, i.naturalWidth, i.currentSrc || i.src || ''];",
            vec![img.to_json()],
        )
        .await?;
    Ok((
        value[0].as_bool().unwrap_or(false),
        value[1].as_u64().unwrap_or(0),
        value[2].as_str().unwrap_or_default().to_owned(),
    ))
}

/// Waits until an image has really loaded (naturalWidth > 0, not a `data:` placeholder).
pub async fn wait_picture(driver: &WebDriver, img: &Element, timeout: Duration) -> Result<u64> {
    wait_until("the picture to load", timeout, async || {
        let (complete, width, src) = image_state(driver, img).await?;
        if src.starts_with("data:") {
            bail!("the picture is a placeholder, not the item's picture");
        }
        Ok((complete && width > 0).then_some(width))
    })
    .await
}

/// Reads a value as a string (WebDriver properties can be numbers or strings).
pub fn value_string(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// axe-core's script, from the UI's packages (`npm ci` in ui/ installs it).
pub fn axe_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../ui/node_modules/axe-core/axe.min.js")
}

/// How long axe-core may take on one screen.
const AXE_TIMEOUT: Duration = Duration::from_secs(60);

/// One serious or critical accessibility violation found by axe-core.
#[derive(Debug, Clone)]
pub struct Violation {
    /// The axe rule, e.g. `color-contrast`.
    pub rule: String,
    /// `serious` or `critical`.
    pub impact: String,
    pub help: String,
    pub help_url: String,
    /// How many elements break the rule.
    pub count: usize,
    /// The first few: (CSS target, outer HTML shortened, axe's summary of what fails).
    pub nodes: Vec<(String, String, String)>,
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "- {} ({}, {} element(s)): {} <{}>",
            self.rule, self.impact, self.count, self.help, self.help_url
        )?;
        for (target, html, summary) in &self.nodes {
            write!(f, "\n    {target}: {html}")?;
            let summary = summary.split_whitespace().collect::<Vec<_>>().join(" ");
            if !summary.is_empty() {
                write!(f, "\n      {summary}")?;
            }
        }
        Ok(())
    }
}

/// Runs axe-core on the whole document and returns its serious and critical violations.
///
/// The app's CSP only allows its own scripts, so axe-core is not loaded by a `<script>`: its
/// text is the body of a WebDriver script, which the driver runs whatever the page's CSP. The
/// run is asynchronous: its result lands in a global the harness polls.
pub async fn accessibility_violations(driver: &WebDriver) -> Result<Vec<Violation>> {
    static AXE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let loaded = driver
        .execute("return typeof window.axe?.run === 'function';", vec![])
        .await?;
    if loaded != json!(true) {
        let source = match AXE.get() {
            Some(source) => source,
            None => {
                let path = axe_path();
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("reading {} (cd ui && npm ci)", path.display()))?;
                AXE.get_or_init(|| text)
            }
        };
        let script = format!("{source}\n;return typeof window.axe?.run === 'function';");
        let loaded = driver.execute(&script, vec![]).await?;
        if loaded != json!(true) {
            bail!("axe-core did not load in the app's window: {loaded}");
        }
    }
    // Let transitions (a dialog fading in, a theme change) end before colours are measured.
    tokio::time::sleep(Duration::from_millis(400)).await;
    let start = "window.__axeResult = null;
        const serious = (v) => v.impact === 'serious' || v.impact === 'critical';
        window.axe.run(document, { resultTypes: ['violations'] }).then(
            (r) => { window.__axeResult = { violations: r.violations.filter(serious).map((v) => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl, count: v.nodes.length,
                nodes: v.nodes.slice(0, 4).map((n) => ({ target: n.target.map(String).join(' '),
                    html: n.html.slice(0, 240), summary: n.failureSummary ?? '' })) })) }; },
            (e) => { window.__axeResult = { error: String((e && e.stack) || e) }; });
        return true;";
    driver.execute(start, vec![]).await?;
    let result = wait_until("axe-core's result", AXE_TIMEOUT, async || {
        let value = driver.execute("return window.__axeResult;", vec![]).await?;
        Ok((!value.is_null()).then_some(value))
    })
    .await?;
    if let Some(error) = result.get("error") {
        bail!("axe-core failed: {}", value_string(error));
    }
    let text = |v: &Value, name: &str| v[name].as_str().unwrap_or_default().to_owned();
    let violations = result["violations"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|v| Violation {
                    rule: text(v, "id"),
                    impact: text(v, "impact"),
                    help: text(v, "help"),
                    help_url: text(v, "helpUrl"),
                    count: v["count"].as_u64().unwrap_or(0) as usize,
                    nodes: v["nodes"]
                        .as_array()
                        .map(|nodes| {
                            nodes
                                .iter()
                                .map(|n| (text(n, "target"), text(n, "html"), text(n, "summary")))
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(violations)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::{SyncView, launcher_script};

    #[test]
    fn the_launcher_sets_the_variables_quoted_and_execs_the_app() {
        let env = [(
            "EXACT_OFFLINE_DEMO_FAULTS".to_owned(),
            r#"[{"path":"it's","kind":"missing_key"}]"#.to_owned(),
        )];
        let script = launcher_script(Path::new("/opt/exact offline/app"), &env).unwrap();
        assert!(script.starts_with("#!/bin/sh\n"));
        assert!(
            script.contains(
                r#"export EXACT_OFFLINE_DEMO_FAULTS='[{"path":"it'\''s","kind":"missing_key"}]'"#
            ),
            "{script}"
        );
        assert!(
            script.ends_with("exec '/opt/exact offline/app' \"$@\"\n"),
            "{script}"
        );
        let bad = [("NOT-A-NAME".to_owned(), String::new())];
        assert!(launcher_script(Path::new("/app"), &bad).is_err());
    }

    fn view(state: &str, phases: &[&str]) -> SyncView {
        SyncView {
            state: Some(state.to_owned()),
            status_text: String::new(),
            rows: phases
                .iter()
                .map(|p| ("1".to_owned(), "Items".to_owned(), (*p).to_owned()))
                .collect(),
        }
    }

    #[test]
    fn a_sync_succeeded_when_idle_with_every_row_done() {
        assert!(view("idle", &["done", "done"]).succeeded());
        assert!(!view("idle", &["done", "fetching"]).succeeded());
        assert!(!view("running", &["done"]).succeeded());
        assert!(
            !view("idle", &[]).succeeded(),
            "no rows: the run has not started"
        );
    }
}

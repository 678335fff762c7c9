//! A small W3C WebDriver client: just what the UI scenarios need, over the workspace's `reqwest`.
//!
//! The session is a guard: [`WebDriver::quit`] ends it (and so closes the app), and dropping a
//! session that was not ended deletes it with a plain blocking HTTP request, so a failing test never
//! leaves the app running.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use base64::Engine;
use serde_json::{Value, json};

/// The key W3C WebDriver uses for element references.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";

/// WebDriver's codes for special keys.
pub mod keys {
    pub const ENTER: &str = "\u{E007}";
    pub const ESCAPE: &str = "\u{E00C}";
    pub const CONTROL: &str = "\u{E009}";
    pub const BACKSPACE: &str = "\u{E003}";
    pub const TAB: &str = "\u{E004}";
    pub const SHIFT: &str = "\u{E008}";
    pub const SPACE: &str = "\u{E00D}";
    pub const ARROW_UP: &str = "\u{E013}";
    pub const ARROW_DOWN: &str = "\u{E015}";
}

/// A reference to an element in the current page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    id: String,
}

impl Element {
    fn from_value(value: &Value) -> Result<Self> {
        value
            .get(ELEMENT_KEY)
            .and_then(Value::as_str)
            .map(|id| Self { id: id.to_owned() })
            .ok_or_else(|| anyhow!("not an element reference: {value}"))
    }

    /// The JSON form, to pass an element to a script.
    pub fn to_json(&self) -> Value {
        json!({ ELEMENT_KEY: self.id })
    }
}

/// An error the remote end answered (W3C `error` code and message).
#[derive(Debug)]
pub struct WebDriverError {
    pub status: u16,
    pub error: String,
    pub message: String,
}

impl std::error::Error for WebDriverError {}

impl std::fmt::Display for WebDriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "WebDriver {} ({}): {}",
            self.error, self.status, self.message
        )
    }
}

/// One WebDriver session.
#[derive(Debug)]
pub struct WebDriver {
    http: reqwest::Client,
    base: String,
    session: String,
    ended: bool,
}

impl WebDriver {
    /// Opens a session on the driver at `base` (e.g. `http://127.0.0.1:4444`).
    pub async fn new_session(base: &str, capabilities: Value) -> Result<Self> {
        let http = reqwest::Client::builder()
            .timeout(Duration::from_secs(180))
            .build()?;
        let base = base.trim_end_matches('/').to_owned();
        let body = json!({ "capabilities": { "alwaysMatch": capabilities } });
        let value = send(
            &http,
            reqwest::Method::POST,
            &format!("{base}/session"),
            Some(body),
            None,
        )
        .await
        .with_context(|| {
            format!(
                "could not start a WebDriver session at {base}: is tauri-driver running \
                     (scripts/ui-tests.sh starts it)?"
            )
        })?;
        let session = value
            .get("sessionId")
            .and_then(Value::as_str)
            .ok_or_else(|| anyhow!("the new session has no id: {value}"))?
            .to_owned();
        Ok(Self {
            http,
            base,
            session,
            ended: false,
        })
    }

    /// Ends the session and the app. WebKitWebDriver leaves a Tauri app running when only the
    /// session is deleted, so the window is closed first (the app exits with its last window).
    pub async fn quit(mut self) -> Result<()> {
        self.ended = true;
        let closed = self.cmd(reqwest::Method::DELETE, "/window", None).await;
        let deleted = self.cmd(reqwest::Method::DELETE, "", None).await;
        closed.and(deleted).map(drop)
    }

    async fn cmd(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Result<Value> {
        let url = format!("{}/session/{}{path}", self.base, self.session);
        send(&self.http, method, &url, body, None).await
    }

    async fn get(&self, path: &str) -> Result<Value> {
        self.cmd(reqwest::Method::GET, path, None).await
    }

    async fn post(&self, path: &str, body: Value) -> Result<Value> {
        self.cmd(reqwest::Method::POST, path, Some(body)).await
    }

    /// The first element matching a CSS selector, or `None`.
    pub async fn find(&self, css: &str) -> Result<Option<Element>> {
        let found = self.find_all(css).await?;
        Ok(found.into_iter().next())
    }

    /// Every element matching a CSS selector, in document order.
    pub async fn find_all(&self, css: &str) -> Result<Vec<Element>> {
        let value = self
            .post(
                "/elements",
                json!({ "using": "css selector", "value": css }),
            )
            .await?;
        elements(&value)
    }

    /// Every descendant of `parent` matching a CSS selector.
    pub async fn find_all_in(&self, parent: &Element, css: &str) -> Result<Vec<Element>> {
        let value = self
            .post(
                &format!("/element/{}/elements", parent.id),
                json!({ "using": "css selector", "value": css }),
            )
            .await?;
        elements(&value)
    }

    pub async fn click(&self, element: &Element) -> Result<()> {
        self.post(&format!("/element/{}/click", element.id), json!({}))
            .await
            .map(drop)
    }

    pub async fn clear(&self, element: &Element) -> Result<()> {
        self.post(&format!("/element/{}/clear", element.id), json!({}))
            .await
            .map(drop)
    }

    /// Types `text` into an element (special keys from [`keys`] allowed).
    pub async fn send_keys(&self, element: &Element, text: &str) -> Result<()> {
        self.post(
            &format!("/element/{}/value", element.id),
            json!({ "text": text }),
        )
        .await
        .map(drop)
    }

    /// Presses and releases one key on whatever has the focus.
    pub async fn press(&self, key: &str) -> Result<()> {
        let actions = json!({ "actions": [{
            "type": "key",
            "id": "keyboard",
            "actions": [{ "type": "keyDown", "value": key }, { "type": "keyUp", "value": key }],
        }]});
        match self.post("/actions", actions).await {
            Ok(_) => Ok(()),
            // Not every driver implements actions: type into the focused element instead.
            Err(_) => {
                let active = Element::from_value(&self.get("/element/active").await?)?;
                self.send_keys(&active, key).await
            }
        }
    }

    /// Presses `key` while `modifier` is held (Shift+Tab), on whatever has the focus.
    pub async fn press_with(&self, modifier: &str, key: &str) -> Result<()> {
        let actions = json!({ "actions": [{
            "type": "key",
            "id": "keyboard",
            "actions": [
                { "type": "keyDown", "value": modifier },
                { "type": "keyDown", "value": key },
                { "type": "keyUp", "value": key },
                { "type": "keyUp", "value": modifier },
            ],
        }]});
        match self.post("/actions", actions).await {
            Ok(_) => Ok(()),
            // Element Send Keys holds a modifier until the end of its text (or the NULL key).
            Err(_) => {
                let active = Element::from_value(&self.get("/element/active").await?)?;
                self.send_keys(&active, &format!("{modifier}{key}\u{E000}"))
                    .await
            }
        }
    }

    pub async fn attr(&self, element: &Element, name: &str) -> Result<Option<String>> {
        let value = self
            .get(&format!("/element/{}/attribute/{name}", element.id))
            .await?;
        Ok(value.as_str().map(str::to_owned))
    }

    pub async fn prop(&self, element: &Element, name: &str) -> Result<Value> {
        self.get(&format!("/element/{}/property/{name}", element.id))
            .await
    }

    pub async fn text(&self, element: &Element) -> Result<String> {
        let value = self.get(&format!("/element/{}/text", element.id)).await?;
        Ok(value.as_str().unwrap_or_default().to_owned())
    }

    /// Runs a synchronous script (`arguments[i]` are `args`) and returns its result.
    pub async fn execute(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        self.post("/execute/sync", json!({ "script": script, "args": args }))
            .await
    }

    /// The window's position and size: (x, y, width, height).
    pub async fn window_rect(&self) -> Result<(i64, i64, i64, i64)> {
        let value = self.get("/window/rect").await?;
        let field = |name: &str| {
            value[name]
                .as_f64()
                .map(|v| v.round() as i64)
                .ok_or_else(|| anyhow!("no {name} in the window rect: {value}"))
        };
        Ok((field("x")?, field("y")?, field("width")?, field("height")?))
    }

    /// Asks for the window's outer size (the window manager or the window's minimum size may
    /// refuse part of it): returns the rect the driver reports afterwards.
    pub async fn set_window_size(&self, width: i64, height: i64) -> Result<(i64, i64, i64, i64)> {
        self.post("/window/rect", json!({ "width": width, "height": height }))
            .await?;
        self.window_rect().await
    }

    /// A PNG of the window, from the WebDriver screenshot endpoint, waiting at most `timeout`.
    pub async fn screenshot(&self, timeout: Duration) -> Result<Vec<u8>> {
        let url = format!("{}/session/{}/screenshot", self.base, self.session);
        let value = send(&self.http, reqwest::Method::GET, &url, None, Some(timeout)).await?;
        let b64 = value
            .as_str()
            .ok_or_else(|| anyhow!("the screenshot is not a string"))?;
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .context("the screenshot is not base64")
    }
}

impl Drop for WebDriver {
    fn drop(&mut self) {
        if self.ended {
            return;
        }
        // A plain blocking request: this may run outside any async runtime or while one unwinds.
        if let Err(e) = end_session_blocking(&self.base, &self.session) {
            eprintln!("could not end WebDriver session {}: {e:#}", self.session);
        }
    }
}

/// Closes the window, then deletes the session, like [`WebDriver::quit`], without async.
fn end_session_blocking(base: &str, session: &str) -> Result<()> {
    let authority = base
        .strip_prefix("http://")
        .ok_or_else(|| anyhow!("only http:// drivers: {base}"))?;
    let authority = authority.split('/').next().unwrap_or(authority);
    for path in [
        format!("/session/{session}/window"),
        format!("/session/{session}"),
    ] {
        let mut stream = TcpStream::connect(authority)?;
        stream.set_read_timeout(Some(Duration::from_secs(60)))?;
        write!(
            stream,
            "DELETE {path} HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        )?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).ok();
    }
    Ok(())
}

async fn send(
    http: &reqwest::Client,
    method: reqwest::Method,
    url: &str,
    body: Option<Value>,
    timeout: Option<Duration>,
) -> Result<Value> {
    let mut request = http.request(method.clone(), url);
    if let Some(timeout) = timeout {
        request = request.timeout(timeout);
    }
    if let Some(body) = body {
        request = request.json(&body);
    }
    let response = request
        .send()
        .await
        .with_context(|| format!("{method} {url}"))?;
    let status = response.status();
    let text = response
        .text()
        .await
        .with_context(|| format!("{method} {url}"))?;
    let parsed: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
    let value = parsed.get("value").cloned().unwrap_or(Value::Null);
    if !status.is_success() {
        let error = value
            .get("error")
            .and_then(Value::as_str)
            .unwrap_or("unknown error")
            .to_owned();
        let message = value
            .get("message")
            .and_then(Value::as_str)
            .map_or_else(|| text.clone(), str::to_owned);
        bail!(WebDriverError {
            status: status.as_u16(),
            error,
            message,
        });
    }
    Ok(value)
}

fn elements(value: &Value) -> Result<Vec<Element>> {
    value
        .as_array()
        .ok_or_else(|| anyhow!("not a list of elements: {value}"))?
        .iter()
        .map(Element::from_value)
        .collect()
}

//! Keyboard focus as a user sees it, for the WebDriver scenarios: which element has the focus
//! (`document.activeElement`), described so a failure names it, and whether the focus is
//! visible there: a focus indicator in its computed style, on screen.

use std::time::Duration;

use anyhow::{Result, bail};
use serde_json::{Value, json};

use crate::ui::wait_until;
use crate::webdriver::{WebDriver, keys};

/// How long a key press may take to move the focus (a view or a dialog renders first).
const FOCUS_TIMEOUT: Duration = Duration::from_secs(5);

/// The focused element as the page reports it.
#[derive(Debug, Clone)]
pub struct Focus {
    /// Whether it matches the selector it was asked about.
    pub matches: bool,
    /// `<body>` (or nothing) has the focus: it was lost.
    pub lost: bool,
    /// A short description: tag, data-testid, role and name.
    pub element: String,
    /// Computed `outline-style outline-width outline-color`.
    pub outline: String,
    /// Computed `box-shadow`.
    pub box_shadow: String,
    /// The style shows a focus indicator: a non-transparent outline wider than 0, or a box shadow.
    pub indicated: bool,
    /// Some of the element's box is inside the viewport.
    pub on_screen: bool,
}

impl Focus {
    /// `Ok` when the focus is visible: an indicator in the style, on screen.
    pub fn visible(&self) -> Result<()> {
        if self.lost {
            bail!(
                "the focus is lost: document.activeElement is {}",
                self.element
            );
        }
        if !self.indicated {
            bail!(
                "the focused {} shows no focus indicator (outline {:?}, box-shadow {:?})",
                self.element,
                self.outline,
                self.box_shadow
            );
        }
        if !self.on_screen {
            bail!("the focused {} is outside the window", self.element);
        }
        Ok(())
    }
}

/// Reads the focused element, and whether it matches the CSS selector `css`.
pub async fn focused(driver: &WebDriver, css: &str) -> Result<Focus> {
    let script = "const e = document.activeElement;
        if (!e || e === document.body || e === document.documentElement)
            return { lost: true, element: e ? '<' + e.tagName.toLowerCase() + '>' : 'nothing' };
        const s = getComputedStyle(e);
        const name = (e.getAttribute('aria-label') || e.getAttribute('title') || e.textContent || '')
            .replace(/\\s+/g, ' ').trim().slice(0, 60);
        const attr = (a) => e.hasAttribute(a) ? ` ${a}=\"${e.getAttribute(a)}\"` : '';
        const transparent = (c) => c === 'transparent' || /rgba\\([^)]*,\\s*0\\)$/.test(c);
        const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0
            && !transparent(s.outlineColor);
        const shadow = s.boxShadow !== '' && s.boxShadow !== 'none';
        const r = e.getBoundingClientRect();
        const onScreen = r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0
            && r.left < innerWidth && r.top < innerHeight;
        return {
            lost: false,
            matches: e.matches(arguments[0]),
            element: `<${e.tagName.toLowerCase()}${attr('data-testid')}${attr('role')}${attr('type')}> \"${name}\"`,
            outline: `${s.outlineStyle} ${s.outlineWidth} ${s.outlineColor}`,
            boxShadow: s.boxShadow,
            indicated: outline || shadow,
            onScreen,
        };";
    let value = driver.execute(script, vec![json!(css)]).await?;
    let text = |name: &str| value[name].as_str().unwrap_or_default().to_owned();
    let flag = |name: &str| value[name].as_bool().unwrap_or(false);
    Ok(Focus {
        matches: flag("matches"),
        lost: flag("lost"),
        element: text("element"),
        outline: text("outline"),
        box_shadow: text("boxShadow"),
        indicated: flag("indicated"),
        on_screen: flag("onScreen"),
    })
}

/// Waits until the focus is on an element matching `css` (`what` names it for the failure) and
/// checks that it is visible there.
pub async fn expect_focus(driver: &WebDriver, css: &str, what: &str) -> Result<Focus> {
    let mut last: Option<Focus> = None;
    let reached = wait_until(&format!("the focus on {what}"), FOCUS_TIMEOUT, async || {
        let focus = focused(driver, css).await?;
        let matches = focus.matches;
        last = Some(focus.clone());
        Ok(matches.then_some(focus))
    })
    .await;
    let focus = match (reached, last) {
        (Ok(focus), _) => focus,
        (Err(_), Some(focus)) => {
            bail!(
                "the focus should be on {what} ({css}) but is on {}",
                focus.element
            )
        }
        (Err(e), None) => return Err(e),
    };
    if let Err(e) = focus.visible() {
        bail!("on {what}: {e:#}");
    }
    Ok(focus)
}

/// Presses Tab (Shift+Tab when `backwards`) until the focus is on an element matching `css`, at
/// most `max` times. Every element the focus passes on the way must show it: a stop without a
/// visible focus, or the focus lost to `<body>`, fails. Returns the elements passed.
pub async fn tab_to(
    driver: &WebDriver,
    css: &str,
    what: &str,
    backwards: bool,
    max: usize,
) -> Result<Vec<String>> {
    let key = if backwards { "Shift+Tab" } else { "Tab" };
    let mut passed = Vec::new();
    for _ in 0..max {
        if backwards {
            driver.press_with(keys::SHIFT, keys::TAB).await?;
        } else {
            driver.press(keys::TAB).await?;
        }
        // Focus moves synchronously with the key; a short pause lets transitions settle.
        tokio::time::sleep(Duration::from_millis(80)).await;
        let focus = focused(driver, css).await?;
        if let Err(e) = focus.visible() {
            bail!("{key} towards {what}, after {passed:?}: {e:#}");
        }
        if focus.matches {
            return Ok(passed);
        }
        passed.push(focus.element);
    }
    bail!(
        "{key} pressed {max} times did not reach {what} ({css}); the focus went through {passed:?}"
    )
}

/// The `aria-activedescendant` of the focused element, resolved: the `data-index` and `data-code`
/// of the row it names, or `None` when it names nothing rendered.
pub async fn active_row(driver: &WebDriver) -> Result<Option<(u64, String)>> {
    let value = driver
        .execute(
            "const e = document.activeElement;
             const id = e && e.getAttribute('aria-activedescendant');
             const row = id ? document.getElementById(id) : null;
             return row ? [Number(row.dataset.index), row.dataset.code ?? ''] : null;",
            vec![],
        )
        .await?;
    Ok(match value {
        Value::Array(pair) => Some((
            pair[0].as_u64().unwrap_or(u64::MAX),
            pair[1].as_str().unwrap_or_default().to_owned(),
        )),
        _ => None,
    })
}

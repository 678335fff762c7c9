//! Whether a screen fits the window, for the WebDriver scenarios: no horizontal overflow of the
//! document or the app's frame, the elements that matter inside the viewport, and no control
//! cut off at the window's edge.

use anyhow::Result;
use serde_json::{Value, json};

use crate::webdriver::WebDriver;

/// What does not fit on the current screen, one readable line each (empty when all fits).
///
/// `required` are (CSS selector, name) of elements that must be there and wholly inside the
/// viewport (the main heading, the search box, a detail's Back button). Besides those:
/// - the document, `<body>` and the app's frame (`#app` and its layout containers, which clip
///   with `overflow: hidden`) must not be wider than the window (scrollWidth ≤ clientWidth + 1),
///   nor may a list's row be wider than the list (its cells clip what sticks out);
/// - no visible control (button, input, select, link, focusable element) may stick out of the
///   window on the left or the right, unless a horizontally scrolling container holds it (it
///   is then reachable by scrolling that container).
pub async fn misfits(driver: &WebDriver, required: &[(&str, &str)]) -> Result<Vec<String>> {
    let required: Vec<Value> = required
        .iter()
        .map(|(css, name)| json!([css, name]))
        .collect();
    let script = "const problems = [];
        const W = document.documentElement.clientWidth, H = document.documentElement.clientHeight;
        const describe = (e) => {
            const id = e.id ? '#' + e.id : '';
            const tid = e.dataset && e.dataset.testid ? `[data-testid=${e.dataset.testid}]` : '';
            const cls = typeof e.className === 'string' && e.className.trim()
                ? '.' + e.className.trim().split(/\\s+/).filter(c => !c.startsWith('svelte-')).join('.') : '';
            const text = (e.getAttribute('aria-label') || e.textContent || '').replace(/\\s+/g, ' ').trim().slice(0, 40);
            return `<${e.tagName.toLowerCase()}${id}${tid}${cls === '.' ? '' : cls}> \"${text}\"`;
        };
        const frame = [document.documentElement, document.body, document.getElementById('app'),
            ...document.querySelectorAll('#app > *, .shell > *, .shell > .main > *, main.content > *')];
        for (const e of frame) {
            if (e && e.scrollWidth > e.clientWidth + 1 && getComputedStyle(e).overflowX !== 'auto'
                && getComputedStyle(e).overflowX !== 'scroll')
                problems.push(`${describe(e)} is ${e.scrollWidth} px wide inside ${e.clientWidth} px`);
        }
        for (const row of [...document.querySelectorAll('[role=\"option\"]')].slice(0, 5)) {
            const box = row.getBoundingClientRect();
            const out = [...row.querySelectorAll('*')].find((c) => {
                const r = c.getBoundingClientRect();
                return r.width > 0 && (r.right > box.right + 1 || r.left < box.left - 1);
            });
            if (out) {
                const r = out.getBoundingClientRect();
                problems.push(`${describe(out)} at x ${Math.round(r.left)}..${Math.round(r.right)} sticks out of its row ${describe(row)} at x ${Math.round(box.left)}..${Math.round(box.right)}`);
            }
        }
        for (const [css, name] of arguments[0]) {
            const e = document.querySelector(css);
            if (!e) { problems.push(`${name} (${css}) is not there`); continue; }
            const r = e.getBoundingClientRect();
            if (r.width === 0 || r.height === 0)
                problems.push(`${name} ${describe(e)} has no size`);
            else if (r.left < -1 || r.top < -1 || r.right > W + 1 || r.bottom > H + 1)
                problems.push(`${name} ${describe(e)} at x ${Math.round(r.left)}..${Math.round(r.right)}, y ${Math.round(r.top)}..${Math.round(r.bottom)} is not inside the ${W}×${H} window`);
        }
        const scrollsX = (e) => {
            for (let p = e.parentElement; p; p = p.parentElement) {
                const o = getComputedStyle(p).overflowX;
                if ((o === 'auto' || o === 'scroll') && p.scrollWidth > p.clientWidth + 1) return true;
            }
            return false;
        };
        const controls = document.querySelectorAll(
            'button, input, select, textarea, a[href], [tabindex]:not([tabindex=\"-1\"])');
        for (const e of controls) {
            if (e.closest('[inert], [aria-hidden=\"true\"], .visually-hidden, .b-sr-only')) continue;
            const r = e.getBoundingClientRect();
            if (r.width === 0 || r.height === 0 || getComputedStyle(e).visibility === 'hidden') continue;
            if ((r.right > W + 1 || r.left < -1) && !scrollsX(e))
                problems.push(`${describe(e)} at x ${Math.round(r.left)}..${Math.round(r.right)} is cut off by the ${W} px wide window`);
        }
        return problems;";
    let value = driver.execute(script, vec![json!(required)]).await?;
    Ok(value
        .as_array()
        .map(|list| {
            list.iter()
                .map(|p| p.as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default())
}

/// The viewport's size in CSS px: (innerWidth, innerHeight).
pub async fn viewport(driver: &WebDriver) -> Result<(i64, i64)> {
    let value = driver
        .execute("return [window.innerWidth, window.innerHeight];", vec![])
        .await?;
    Ok((
        value[0].as_i64().unwrap_or_default(),
        value[1].as_i64().unwrap_or_default(),
    ))
}

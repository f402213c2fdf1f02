//! axe-core (the npm package pinned in `crates/server/tests/axe/`, installed by `npm ci`) run
//! inside a test's headless Chromium on the page it shows.

use std::path::Path;

use serde_json::{Value, json};

use super::chrome::Chrome;

/// axe-core's script, when `npm ci` has installed it (see `.ci/run`).
pub fn axe_source() -> Option<String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/axe/node_modules/axe-core/axe.min.js");
    std::fs::read_to_string(path).ok()
}

/// Runs axe-core on the page `chrome` shows; answers its violations of impact serious or
/// critical, each with its rule, help text and the elements at fault.
pub async fn serious_violations(chrome: &Chrome, axe: &str) -> Vec<Value> {
    let loaded =
        chrome.run("if (!window.axe) { (0, eval)(arguments[0]); } return typeof window.axe;", json!([axe])).await;
    assert_eq!(loaded, "object", "axe-core loaded in the page");
    let script = "axe.run(document, { resultTypes: ['violations'] }).then(function (r) {
          done(r.violations.map(function (v) {
            return { id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(function (n) { return n.target.join(' '); }) };
          }));
        }).catch(function (e) { done([{ id: 'axe-error', impact: 'critical', help: String(e) }]); });";
    let violations = chrome.run_async(script, json!([])).await;
    violations
        .as_array()
        .unwrap()
        .iter()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .cloned()
        .collect()
}

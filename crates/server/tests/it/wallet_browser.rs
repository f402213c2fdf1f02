//! The web wallet in a real browser, on the real demo: `tixbridge demo` runs in a child
//! process; headless Chromium (driven by chromedriver) opens the sign-in link it prints for its
//! spectator and presses the page's sign-in button, the QR code
//! is read back from the screenshot by `zbarimg`, and the decoded text is scanned at the gate:
//! accepted once (the box-office ticket becomes CONTROLLED), replayed the second time; a code
//! held for three periods is expired. Skipped, saying what to install, without those tools.

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use chrono::{Duration, Utc};
use reqwest::StatusCode;
use serde_json::{Value, json};
use tixbridge_store::{Db, sql};

use crate::support::chrome::{Chrome, browser_missing};

fn tools_missing() -> Option<String> {
    let zbar = Command::new("zbarimg").arg("--version").output().is_ok_and(|o| o.status.success());
    browser_missing().or_else(|| {
        (!zbar).then(|| "SKIPPED the browser test: it needs zbarimg (apt-get install zbar-tools)".to_owned())
    })
}

/// Opens the sign-in link `url` in headless Chromium (driven over WebDriver), presses its
/// button as the fan does, and returns the text of the QR code on the screenshot.
async fn screenshot_qr(url: &str, dir: &Path, name: &str) -> String {
    let browser = Chrome::phone(&dir.join(format!("{name}-profile"))).await;
    browser.open(url).await;
    // the click returns once the signed-in page has loaded; its QR code is drawn in it
    browser.click("#sign-in").await;
    let shot = dir.join(format!("{name}.png"));
    let mut found = false;
    for _ in 0..50 {
        if !browser.all("#qr svg").await.is_empty() {
            browser.screenshot(&shot).await;
            found = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser.quit().await;
    assert!(found, "the signed-in page shows no QR code");
    let decoded = Command::new("zbarimg").args(["--raw", "-q"]).arg(&shot).output().expect("running zbarimg");
    let text = String::from_utf8_lossy(&decoded.stdout).trim().to_owned();
    assert!(!text.is_empty(), "no QR code found on the screenshot {}", shot.display());
    text
}

/// The demo, serving in a child process; killed when dropped.
struct Demo(Child);

impl Drop for Demo {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `tixbridge demo` in `dir`; returns it with its sign-in link and its gate token.
fn start_demo(dir: &Path) -> (Demo, String, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_tixbridge"))
        .args(["demo", "--listen", "127.0.0.1:0", "--database"])
        .arg(format!("sqlite://{}/demo.db", dir.display()))
        .current_dir(dir)
        .env_remove("TIXBRIDGE_SERVER_KEY")
        .env_remove("TIXBRIDGE_SMTP_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("starting the demo");
    let stdout = child.stdout.take().unwrap();
    let demo = Demo(child);
    let (mut link, mut key) = (None, None);
    for line in std::io::BufReader::new(stdout).lines() {
        let line = line.expect("reading the demo's output");
        if let Some(found) = line.split_whitespace().find(|w| w.contains("/wallet/sign-in?token=")) {
            link = Some(found.to_owned());
        }
        if line.contains("/api/gate/scan")
            && let Some((_, rest)) = line.split_once("Bearer ")
        {
            key = rest.split('\'').next().map(str::to_owned);
        }
        if line.starts_with("serving until Ctrl-C") {
            break;
        }
    }
    (demo, link.expect("the demo prints a sign-in link"), key.expect("the demo prints a gate token"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_spectators_qr_code_read_off_the_screen_enters_once_and_expires_when_held() {
    if let Some(message) = tools_missing() {
        eprintln!("{message}");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let (_demo, link, key) = start_demo(dir.path());
    let base = link.split("/wallet/").next().unwrap().to_owned();
    let ticket: i64 = link.rsplit("ticket=").next().unwrap().parse().unwrap();

    // A second phone of the same fan captures another of their tickets, to hold it too long.
    let db = Db::connect(&format!("sqlite://{}/demo.db", dir.path().display())).await.unwrap();
    let server_key = tixbridge_vault::ServerKey::from_base64(
        &std::fs::read_to_string(dir.path().join("tixbridge-demo.key")).unwrap(),
    )
    .unwrap();
    let (email, other): (String, i64) =
        sql("SELECT s.email, t.id FROM wallet_tickets t JOIN wallet_spectators s ON s.id = t.owner_id
             JOIN wallet_tickets first ON first.id = $1
             WHERE t.owner_id = first.owner_id AND t.event_pk = first.event_pk AND t.id <> $1
               AND t.status = 'INJECTED' ORDER BY t.id LIMIT 1")
        .bind(ticket)
        .fetch_one(&mut db.reader().await.unwrap())
        .await
        .unwrap();
    let second = tixbridge_wallet::spectator::sign_in::issue_sign_in(&db, &server_key, &email).await.unwrap().unwrap();
    let held =
        screenshot_qr(&format!("{base}/wallet/sign-in?token={}&ticket={other}", second.link_token), dir.path(), "held")
            .await;
    let captured_at = Utc::now();

    let code = screenshot_qr(&link, dir.path(), "ticket").await;
    assert!(code.starts_with("TB2:"), "{code}");
    let client = reqwest::Client::new();
    let scan = |body: Value| {
        let request = client.post(format!("{base}/api/gate/scan")).bearer_auth(&key).json(&body);
        async move {
            let response = request.send().await.unwrap();
            assert_eq!(response.status(), StatusCode::OK);
            response.json::<Value>().await.unwrap()
        }
    };
    let first = scan(json!({ "code": code })).await;
    assert_eq!(
        (first["result"].as_str(), first["boxOffice"].as_str()),
        (Some("ACCEPTED"), Some("CONTROLLED")),
        "{first}"
    );
    assert_eq!(scan(json!({ "code": code })).await["result"], "REPLAYED");
    let three_periods_later = (captured_at + Duration::seconds(3 * 15)).to_rfc3339();
    assert_eq!(scan(json!({ "code": held, "scannedAt": three_periods_later })).await["result"], "EXPIRED_CODE");
    db.close().await;
}

//! Headless Chromium driven over WebDriver (chromedriver in a child process), for the tests
//! that look at the web wallet as a fan's phone shows it: open pages, press buttons, type,
//! run a script in the page (axe-core), take screenshots (under `target/screenshots/`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use base64::Engine;
use serde_json::{Value, json};

pub const CHROMIUM: &str = "/usr/bin/chromium";
pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Why a browser test cannot run here (it then says so and passes), or none.
pub fn browser_missing() -> Option<String> {
    (!(Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists())).then(|| {
        "SKIPPED: this browser test needs Chromium and chromedriver (apt-get install chromium chromium-driver)".into()
    })
}

/// Where screenshots go: `target/screenshots/`, kept after the test for people to look at.
pub fn screenshot_dir() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"));
    let dir = target.join("screenshots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The WebDriver key of an element reference.
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// One phone-sized headless Chromium; chromedriver (and so the browser) ends when dropped.
pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    http: reqwest::Client,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

impl Browser {
    /// Starts chromedriver and a browser whose profile lives in `profile` (a fresh folder is a
    /// fresh phone: no cookie).
    pub async fn start(profile: &Path) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting chromedriver");
        let base = format!("http://127.0.0.1:{port}");
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http.get(format!("{base}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let mut browser = Browser { driver, base, session: String::new(), http };
        let capabilities = json!({ "capabilities": { "alwaysMatch": { "goog:chromeOptions": { "binary": CHROMIUM, "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
            format!("--user-data-dir={}", profile.display()), "--window-size=480,900"] } } } });
        let session = browser.call(reqwest::Method::POST, "/session", capabilities).await;
        browser.session = format!("/session/{}", session["sessionId"].as_str().unwrap());
        browser
    }

    /// One WebDriver command (`path` after the session's, or from the root before it exists).
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let mut request = self.http.request(method, format!("{}{}{path}", self.base, self.session));
        if !body.is_null() {
            request = request.json(&body);
        }
        let answer: Value = request.send().await.expect("calling chromedriver").json().await.unwrap();
        assert!(answer["value"]["error"].is_null(), "chromedriver {path}: {answer}");
        answer["value"].clone()
    }

    pub async fn open(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", json!({ "url": url })).await;
    }

    /// The elements `css` selects now.
    pub async fn find_all(&self, css: &str) -> Vec<String> {
        let found =
            self.call(reqwest::Method::POST, "/elements", json!({ "using": "css selector", "value": css })).await;
        found.as_array().unwrap().iter().map(|e| e[ELEMENT].as_str().unwrap().to_owned()).collect()
    }

    /// Waits (up to 20 s) until `css` selects something: a click that submits a form may
    /// return before the next page is there when the machine is busy.
    pub async fn wait_for(&self, css: &str) -> bool {
        for _ in 0..200 {
            if !self.find_all(css).await.is_empty() {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        false
    }

    async fn one(&self, css: &str) -> String {
        self.find_all(css).await.into_iter().next().unwrap_or_else(|| panic!("no {css} on the page"))
    }

    /// Clicks the element `css` selects; a click that submits a form returns once the next
    /// page has loaded.
    pub async fn click(&self, css: &str) {
        let element = self.one(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{element}/click"), json!({})).await;
    }

    /// Types `text` into the element `css` selects, after clearing it.
    pub async fn type_into(&self, css: &str, text: &str) {
        let element = self.one(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{element}/clear"), json!({})).await;
        self.call(reqwest::Method::POST, &format!("/element/{element}/value"), json!({ "text": text })).await;
    }

    /// Runs `script` in the page and answers what it returns.
    pub async fn run(&self, script: &str, args: Value) -> Value {
        self.call(reqwest::Method::POST, "/execute/sync", json!({ "script": script, "args": args })).await
    }

    /// Runs `script`, which ends by calling its last argument with the answer.
    pub async fn run_async(&self, script: &str, args: Value) -> Value {
        self.call(reqwest::Method::POST, "/execute/async", json!({ "script": script, "args": args })).await
    }

    /// Saves a screenshot of the page as `path` (PNG).
    pub async fn screenshot(&self, path: &Path) {
        let shot = self.call(reqwest::Method::GET, "/screenshot", Value::Null).await;
        let png = base64::engine::general_purpose::STANDARD.decode(shot.as_str().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }

    /// Ends the browser session (chromedriver ends when dropped).
    pub async fn quit(self) {
        let _ = self.http.delete(format!("{}{}", self.base, self.session)).send().await;
    }
}

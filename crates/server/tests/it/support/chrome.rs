//! The one way the browser tests drive headless Chromium: chromedriver in a child process
//! ([`Driver`]), one WebDriver session on a fresh profile folder ([`Chrome`]), with the flags
//! this machine needs (no sandbox, no GPU, no QUIC, nothing fetched in the background). A
//! window opens, clicks, types, runs scripts (axe-core, see `support/axe.rs`), sends DevTools
//! commands (`goog/cdp/execute`), and takes screenshots (read back for a QR code with
//! `zbarimg`). The browser ends with its chromedriver when the [`Chrome`] is dropped.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use base64::Engine;
use serde_json::{Value, json};

pub const CHROMIUM: &str = "/usr/bin/chromium";

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// The window of a phone, as the wallet's pages are tested.
pub const PHONE: &str = "480,900";

/// The flags every window starts with, besides its profile folder and size.
const FLAGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
];

/// Whether Chromium and chromedriver are installed.
pub fn chromium_installed() -> bool {
    Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists()
}

/// Why a browser test cannot run here (it then says so and passes), or none.
pub fn browser_missing() -> Option<String> {
    (!chromium_installed()).then(|| {
        "SKIPPED: this browser test needs Chromium and chromedriver (apt-get install chromium chromium-driver)".into()
    })
}

/// [`browser_missing`], for a test that also reads QR codes off its screenshots.
pub fn browser_tools_missing() -> Option<String> {
    let zbar = Command::new("zbarimg").arg("--version").output().is_ok_and(|o| o.status.success());
    (!(zbar && chromium_installed())).then(|| {
        "SKIPPED the browser test: it needs Chromium, chromedriver and zbarimg (apt-get install chromium chromium-driver zbar-tools)".to_owned()
    })
}

/// The workspace's `target/` folder (or `CARGO_TARGET_DIR`).
pub fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"))
}

/// `target/<name>/`, created: screenshots are kept there after the test for people to look at.
pub fn shots_under(name: &str) -> PathBuf {
    let dir = target_dir().join(name);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The wallet pages' screenshots: `target/screenshots/`.
pub fn screenshot_dir() -> PathBuf {
    shots_under("screenshots")
}

/// The offline wallet's screenshots: `target/browser-shots/`.
pub fn shots_dir() -> PathBuf {
    shots_under("browser-shots")
}

/// chromedriver in a child process; killed when dropped.
pub struct Driver(pub Child, pub String);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Driver {
    /// Starts chromedriver on a free port and waits until it answers.
    pub async fn start() -> Driver {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting chromedriver");
        let driver = Driver(child, format!("http://127.0.0.1:{port}"));
        let http = reqwest::Client::new();
        for _ in 0..100 {
            if http.get(format!("{}/status", driver.1)).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        driver
    }
}

/// One headless Chromium window.
pub struct Chrome {
    driver: Driver,
    http: reqwest::Client,
    session: String,
}

const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

impl Chrome {
    /// Opens a window of `size` (`1280,900`) with its profile in `profile` (a fresh folder is
    /// a fresh browser: no cookie).
    pub async fn start(profile: &Path, size: &str) -> Chrome {
        Self::start_with(profile, size, json!({})).await
    }

    /// A phone-sized window ([`PHONE`]).
    pub async fn phone(profile: &Path) -> Chrome {
        Self::start(profile, PHONE).await
    }

    /// A phone-sized window whose pages run no JavaScript (WebDriver's own scripts still run).
    pub async fn phone_without_javascript(profile: &Path) -> Chrome {
        Self::start_with(profile, PHONE, json!({ "profile.managed_default_content_settings.javascript": 2 })).await
    }

    /// A window of `size` with Chromium preferences `prefs`.
    pub async fn start_with(profile: &Path, size: &str, prefs: Value) -> Chrome {
        let driver = Driver::start().await;
        let http = reqwest::Client::new();
        let mut args: Vec<String> = FLAGS.iter().map(|flag| (*flag).to_owned()).collect();
        args.push(format!("--user-data-dir={}", profile.display()));
        args.push(format!("--window-size={size}"));
        let capabilities = json!({ "capabilities": { "alwaysMatch": { "goog:chromeOptions": {
            "binary": CHROMIUM, "args": args, "prefs": prefs } } } });
        let answer: Value =
            http.post(format!("{}/session", driver.1)).json(&capabilities).send().await.unwrap().json().await.unwrap();
        let session =
            answer["value"]["sessionId"].as_str().unwrap_or_else(|| panic!("chromedriver: {answer}")).to_owned();
        Chrome { driver, http, session }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let answer = self.try_call(method, path, body).await;
        assert!(answer["value"]["error"].is_null(), "chromedriver {path}: {answer}");
        answer["value"].clone()
    }

    /// The driver's whole answer, an error included (an element gone stale as the page reloads).
    async fn try_call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let mut request = self.http.request(method, format!("{}/session/{}{path}", self.driver.1, self.session));
        if !body.is_null() {
            request = request.json(&body);
        }
        request.send().await.expect("calling chromedriver").json().await.unwrap()
    }

    pub async fn open(&self, url: &str) {
        self.call(reqwest::Method::POST, "/url", json!({ "url": url })).await;
    }

    pub async fn current_url(&self) -> String {
        self.call(reqwest::Method::GET, "/url", Value::Null).await.as_str().unwrap().to_owned()
    }

    /// The elements matching `css` (their WebDriver ids).
    pub async fn all(&self, css: &str) -> Vec<String> {
        let found =
            self.call(reqwest::Method::POST, "/elements", json!({ "using": "css selector", "value": css })).await;
        found.as_array().unwrap().iter().map(|e| e[ELEMENT].as_str().unwrap().to_owned()).collect()
    }

    /// The one element matching `css`, waiting up to 10 s for it to appear.
    pub async fn find(&self, css: &str) -> String {
        for _ in 0..100 {
            if let Some(first) = self.all(css).await.into_iter().next() {
                return first;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("no element {css} on {}: {}", self.current_url().await, self.source().await)
    }

    /// Waits (up to 20 s) until `css` selects something: a click that submits a form may
    /// return before the next page is there when the machine is busy.
    pub async fn wait_for(&self, css: &str) -> bool {
        for _ in 0..200 {
            if !self.all(css).await.is_empty() {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        false
    }

    /// Clicks the element `css` selects; a click that submits a form returns once the next
    /// page has loaded.
    pub async fn click(&self, css: &str) {
        let element = self.find(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{element}/click"), json!({})).await;
    }

    /// Replaces the text of field `css` with `text`, as typed.
    pub async fn fill(&self, css: &str, text: &str) {
        let element = self.find(css).await;
        self.call(reqwest::Method::POST, &format!("/element/{element}/clear"), json!({})).await;
        self.call(reqwest::Method::POST, &format!("/element/{element}/value"), json!({ "text": text })).await;
    }

    /// Chooses `value` in the select `css`.
    pub async fn choose(&self, css: &str, value: &str) {
        self.find(css).await;
        let script = "const s = document.querySelector(arguments[0]); s.value = arguments[1]; s.dispatchEvent(new Event('change'));";
        self.call(reqwest::Method::POST, "/execute/sync", json!({ "script": script, "args": [css, value] })).await;
    }

    /// The visible text of `css` (found again if the page reloaded meanwhile).
    pub async fn text(&self, css: &str) -> String {
        self.wait_text(css, 10, |_| true).await
    }

    pub async fn source(&self) -> String {
        self.call(reqwest::Method::GET, "/source", Value::Null).await.as_str().unwrap_or_default().to_owned()
    }

    /// Waits up to `seconds` until the text of `css` satisfies `done`; returns it.
    pub async fn wait_text(&self, css: &str, seconds: u64, done: impl Fn(&str) -> bool) -> String {
        let mut text = String::new();
        for _ in 0..seconds * 10 {
            if let Some(element) = self.all(css).await.into_iter().next() {
                let answer =
                    self.try_call(reqwest::Method::GET, &format!("/element/{element}/text"), Value::Null).await;
                if let Some(value) = answer["value"].as_str() {
                    text = value.to_owned();
                    if done(&text) {
                        return text;
                    }
                }
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        panic!("{css} never became what was awaited (last: {text:?}) on {}", self.current_url().await)
    }

    /// Runs `script` (a function body; `return` answers) in the page with `args`.
    pub async fn run(&self, script: &str, args: Value) -> Value {
        self.call(reqwest::Method::POST, "/execute/sync", json!({ "script": script, "args": args })).await
    }

    /// Runs `script` in the page with `args`; it answers by calling `done(value)`.
    pub async fn run_async(&self, script: &str, args: Value) -> Value {
        let script = format!("var done = arguments[arguments.length - 1]; {script}");
        self.call(reqwest::Method::POST, "/execute/async", json!({ "script": script, "args": args })).await
    }

    /// Polls `script` (which returns a boolean) every 100 ms until it is true or `seconds` pass.
    pub async fn wait_until(&self, script: &str, seconds: u64) -> bool {
        for _ in 0..seconds * 10 {
            if self.run(script, json!([])).await == Value::Bool(true) {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        false
    }

    /// A Chrome DevTools Protocol command on the page.
    pub async fn devtools(&self, cmd: &str, params: Value) -> Value {
        self.call(reqwest::Method::POST, "/goog/cdp/execute", json!({ "cmd": cmd, "params": params })).await
    }

    /// Cuts (or restores) the page's network as DevTools' "Offline" does.
    pub async fn set_offline(&self, offline: bool) {
        self.devtools("Network.enable", json!({})).await;
        let conditions = json!({ "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 });
        self.devtools("Network.emulateNetworkConditions", conditions).await;
    }

    /// Saves a screenshot of the window as `path` (PNG).
    pub async fn screenshot(&self, path: &Path) {
        let shot = self.call(reqwest::Method::GET, "/screenshot", Value::Null).await;
        let png = base64::engine::general_purpose::STANDARD.decode(shot.as_str().unwrap()).unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }

    /// Saves a screenshot as `path` and answers the text of the QR code on it ("" when none).
    pub async fn screenshot_qr(&self, path: &Path) -> String {
        self.screenshot(path).await;
        let decoded = Command::new("zbarimg").args(["--raw", "-q"]).arg(path).output().expect("running zbarimg");
        String::from_utf8_lossy(&decoded.stdout).trim().to_owned()
    }

    /// Closes the window (the driver stops when dropped).
    pub async fn quit(self) {
        let _ = self.http.delete(format!("{}/session/{}", self.driver.1, self.session)).send().await;
    }
}

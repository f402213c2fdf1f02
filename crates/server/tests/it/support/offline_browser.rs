//! Headless Chromium driven over WebDriver (chromedriver in a child process), for the tests
//! that use the wallet as a fan does: open pages, press buttons, run a little script, send
//! DevTools commands (`goog/cdp/execute`), take screenshots and read their QR code with
//! `zbarimg`; and [`Cable`], a loopback relay between the browser and the server that a test
//! unplugs to take the network away. Same tools and flags as `wallet_browser.rs`.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use base64::Engine;
use serde_json::{Value, json};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
const ELEMENT: &str = "element-6066-11e4-a52e-4f735466cecf";

/// Why a browser test cannot run here, if it cannot.
pub fn browser_tools_missing() -> Option<String> {
    let zbar = Command::new("zbarimg").arg("--version").output().is_ok_and(|o| o.status.success());
    let chromium = Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists();
    (!(zbar && chromium)).then(|| {
        "SKIPPED the browser test: it needs Chromium, chromedriver and zbarimg (apt-get install chromium chromium-driver zbar-tools)".to_owned()
    })
}

/// One browser session; chromedriver (and so the browser) is stopped when dropped.
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
    /// A phone-sized headless Chromium with its own profile under `profile`.
    pub async fn start(profile: &Path) -> Browser {
        Self::start_with(profile, json!({})).await
    }

    /// The same with JavaScript switched off for pages (WebDriver's own scripts still run).
    pub async fn start_without_javascript(profile: &Path) -> Browser {
        Self::start_with(profile, json!({ "profile.managed_default_content_settings.javascript": 2 })).await
    }

    async fn start_with(profile: &Path, prefs: Value) -> Browser {
        let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting chromedriver");
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
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
            format!("--user-data-dir={}", profile.display()), "--window-size=480,900"], "prefs": prefs } } } });
        let session = browser.call(reqwest::Method::POST, "/session", capabilities).await;
        browser.session = format!("/session/{}", session["sessionId"].as_str().unwrap());
        browser
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        let mut request = self.http.request(method, format!("{}{path}", self.base));
        if !body.is_null() {
            request = request.json(&body);
        }
        let answer: Value = request.send().await.expect("calling chromedriver").json().await.unwrap();
        assert!(answer["value"]["error"].is_null(), "chromedriver {path}: {answer}");
        answer["value"].clone()
    }

    async fn session_call(&self, method: reqwest::Method, path: &str, body: Value) -> Value {
        self.call(method, &format!("{}{path}", self.session), body).await
    }

    pub async fn goto(&self, url: &str) {
        self.session_call(reqwest::Method::POST, "/url", json!({ "url": url })).await;
    }

    /// Clicks the element `css` names; returns once a page it opens has loaded.
    pub async fn click(&self, css: &str) {
        let found = self
            .session_call(reqwest::Method::POST, "/element", json!({ "using": "css selector", "value": css }))
            .await;
        let id = found[ELEMENT].as_str().unwrap_or_else(|| panic!("no {css}: {found}")).to_owned();
        self.session_call(reqwest::Method::POST, &format!("/element/{id}/click"), json!({})).await;
    }

    /// Runs `script` (a function body; `return` answers) in the page.
    pub async fn run(&self, script: &str) -> Value {
        self.session_call(reqwest::Method::POST, "/execute/sync", json!({ "script": script, "args": [] })).await
    }

    /// Runs `script` in the page; it answers by calling `done(value)`.
    pub async fn run_async(&self, script: &str) -> Value {
        let script = format!("var done = arguments[arguments.length - 1]; {script}");
        self.session_call(reqwest::Method::POST, "/execute/async", json!({ "script": script, "args": [] })).await
    }

    /// Polls `script` (which returns a boolean) every 100 ms until it is true or `seconds` pass.
    pub async fn wait_for(&self, script: &str, seconds: u64) -> bool {
        for _ in 0..seconds * 10 {
            if self.run(script).await == Value::Bool(true) {
                return true;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        false
    }

    /// A Chrome DevTools Protocol command on the page.
    pub async fn devtools(&self, cmd: &str, params: Value) -> Value {
        self.session_call(reqwest::Method::POST, "/goog/cdp/execute", json!({ "cmd": cmd, "params": params })).await
    }

    /// Cuts (or restores) the page's network as DevTools' "Offline" does.
    pub async fn set_offline(&self, offline: bool) {
        self.devtools("Network.enable", json!({})).await;
        let conditions = json!({ "offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1 });
        self.devtools("Network.emulateNetworkConditions", conditions).await;
    }

    /// Saves a screenshot as `path` and answers the text of the QR code on it ("" when none).
    pub async fn screenshot_qr(&self, path: &Path) -> String {
        let shot = self.session_call(reqwest::Method::GET, "/screenshot", Value::Null).await;
        let png = base64::engine::general_purpose::STANDARD.decode(shot.as_str().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
        let decoded = Command::new("zbarimg").args(["--raw", "-q"]).arg(path).output().expect("running zbarimg");
        String::from_utf8_lossy(&decoded.stdout).trim().to_owned()
    }
}

/// Where a test keeps its screenshots: `target/browser-shots/` of the workspace, kept after
/// the test so a person can look at them.
pub fn shots_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target/browser-shots");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A loopback TCP relay to a server: the browser talks to the server through it, and
/// [`unplug`](Cable::unplug) closes every connection and refuses new ones, as a phone that lost
/// its network would see it.
pub struct Cable {
    pub addr: std::net::SocketAddr,
    plugged: Arc<AtomicBool>,
    links: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>>,
    accept: tokio::task::JoinHandle<()>,
}

impl Drop for Cable {
    fn drop(&mut self) {
        self.accept.abort();
        self.unplug();
    }
}

impl Cable {
    pub async fn start(target: std::net::SocketAddr) -> Cable {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let plugged = Arc::new(AtomicBool::new(true));
        let links: Arc<Mutex<Vec<tokio::task::JoinHandle<()>>>> = Arc::default();
        let (on, kept) = (plugged.clone(), links.clone());
        let accept = tokio::spawn(async move {
            while let Ok((mut inbound, _)) = listener.accept().await {
                if !on.load(Ordering::SeqCst) {
                    continue; // dropped: the connection closes unanswered
                }
                let link = tokio::spawn(async move {
                    if let Ok(mut outbound) = tokio::net::TcpStream::connect(target).await {
                        let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
                    }
                });
                kept.lock().unwrap().push(link);
            }
        });
        Cable { addr, plugged, links, accept }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    pub fn unplug(&self) {
        self.plugged.store(false, Ordering::SeqCst);
        for link in self.links.lock().unwrap().drain(..) {
            link.abort();
        }
    }
}

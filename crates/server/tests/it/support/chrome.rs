//! Headless Chromium driven over WebDriver (chromedriver), for the browser tests.

use std::path::Path;
use std::process::{Child, Command, Stdio};

use base64::Engine;
use serde_json::{Value, json};

pub const CHROMIUM: &str = "/usr/bin/chromium";

pub const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

/// Whether Chromium and chromedriver are installed.
pub fn chromium_installed() -> bool {
    Path::new(CHROMIUM).exists() && Path::new(CHROMEDRIVER).exists()
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
    /// Opens a window of `size` (`1280,900`) with its profile in `profile`.
    pub async fn start(profile: &Path, size: &str) -> Chrome {
        let driver = Driver::start().await;
        let http = reqwest::Client::new();
        let capabilities = json!({ "capabilities": { "alwaysMatch": { "goog:chromeOptions": { "binary": CHROMIUM, "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--hide-scrollbars",
            format!("--user-data-dir={}", profile.display()), format!("--window-size={size}")] } } } });
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

    /// Saves a screenshot of the window as `path` (PNG).
    pub async fn screenshot(&self, path: &Path) {
        let shot = self.call(reqwest::Method::GET, "/screenshot", Value::Null).await;
        let png = base64::engine::general_purpose::STANDARD.decode(shot.as_str().unwrap()).unwrap();
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, png).unwrap();
    }

    /// Closes the window (the driver stops when dropped).
    pub async fn quit(self) {
        let _ = self.http.delete(format!("{}/session/{}", self.driver.1, self.session)).send().await;
    }
}

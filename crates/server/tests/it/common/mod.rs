//! The one test app builder: a real server on a loopback port over a fresh database (SQLite
//! file or PostgreSQL database), and a client that speaks to it over real HTTP.

pub mod boxoffice;

use reqwest::StatusCode;
use serde_json::Value;
use tixbridge_server::app::{AppConfig, BoundApp, Part, RunningApp};
use tixbridge_store::testing;

pub mod access;
pub mod error_schema;
pub mod fault_proxy;
pub mod foreign;
pub mod oversized;
pub mod seed;

pub struct TestApp {
    pub app: RunningApp,
    pub client: reqwest::Client,
    pub database_url: String,
    pub dir: tempfile::TempDir,
    /// A real SMTP server on loopback receiving every mail this app sends.
    pub smtp: tixbridge_mail::testing::TestSmtpServer,
    /// Admin tokens of the organizations the test created, by code; box-office calls through
    /// the helpers carry the one of the organization they name (see [`access`]).
    pub tokens: access::Tokens,
    /// Drops this test's PostgreSQL database when the test ends.
    cleanup: DropDatabase,
}

/// Drops the PostgreSQL database it names when dropped (nothing for SQLite, whose file goes
/// with the test's temporary folder).
struct DropDatabase(Option<String>);

impl Drop for DropDatabase {
    fn drop(&mut self) {
        if let Some(url) = self.0.take() {
            testing::drop_postgres_database_blocking(&url);
        }
    }
}

/// Runs each listed test body once on SQLite and once on PostgreSQL; the PostgreSQL half says
/// it was skipped when `TIXBRIDGE_TEST_POSTGRES_URL` is not set.
#[macro_export]
macro_rules! on_both_databases {
    ($(async fn $name:ident($app:ident: TestApp) $body:block)*) => {
        $(
            mod $name {
                #[allow(unused_imports)]
                use super::*;
                async fn body($app: $crate::common::TestApp) $body

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn on_sqlite() {
                    body($crate::common::TestApp::sqlite().await).await
                }

                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn on_postgres() {
                    if let Some(app) = $crate::common::TestApp::postgres().await {
                        body(app).await
                    }
                }
            }
        )*
    };
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}/test.db", dir.path().display());
        Self::start(url, dir).await
    }

    pub async fn postgres() -> Option<TestApp> {
        let server = testing::postgres_url()?;
        let url = testing::fresh_postgres_url(&server).await.expect("creating a test database");
        Some(Self::start(url, tempfile::tempdir().unwrap()).await)
    }

    async fn start(database_url: String, dir: tempfile::TempDir) -> TestApp {
        let smtp = tixbridge_mail::testing::TestSmtpServer::start().await;
        let app = bind(&database_url, dir.path(), &smtp).await.spawn();
        let cleanup = DropDatabase(database_url.starts_with("postgres").then(|| database_url.clone()));
        TestApp { app, client: reqwest::Client::new(), database_url, dir, smtp, tokens: Default::default(), cleanup }
    }

    /// Stops the server and starts a new one on the same database, as after a crash/restart.
    pub async fn restart(self) -> TestApp {
        self.restart_with(|_| {}).await
    }

    /// Like [`restart`](Self::restart), the new server's configuration changed by `configure`
    /// (as a restart with other environment variables would).
    pub async fn restart_with(self, configure: impl FnOnce(&mut AppConfig)) -> TestApp {
        let TestApp { app, client, database_url, dir, smtp, tokens, cleanup } = self;
        app.shutdown().await.unwrap();
        let mut config = test_config(&database_url, dir.path(), &smtp.url());
        configure(&mut config);
        let app = BoundApp::bind(&config).await.expect("starting the test server").spawn();
        TestApp { app, client, database_url, dir, smtp, tokens, cleanup }
    }

    pub fn url(&self, path: &str) -> String {
        self.app.url(path)
    }

    /// Creates a wallet organizer; returns its API key.
    pub async fn organizer(&self, login: &str) -> String {
        tixbridge_wallet::organizers::create_organizer(&self.app.db, "Test organizer", login).await.unwrap().api_key
    }

    /// POSTs JSON with credential `key`: a wallet organizer's API key, a box-office token
    /// (`tbt_…`), or `""` for a box-office path, which then carries the admin token of the
    /// organization it names.
    pub async fn post_json(&self, path: &str, key: &str, body: &Value) -> (StatusCode, Value) {
        self.send(reqwest::Method::POST, path, key, Some(body)).await
    }

    pub async fn post_raw(&self, path: &str, key: &str, body: Vec<u8>) -> (StatusCode, Value) {
        let response = self
            .client
            .post(self.url(path))
            .header("X-Api-Key", key)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        read(response).await
    }

    /// Every item of the list at `path` (credential `key` as for [`Self::get_json`]), following
    /// `next` page by page; asserts each page answers 200.
    pub async fn all_pages(&self, path: &str, key: &str) -> Vec<Value> {
        let (mut items, mut path) = (Vec::new(), path.to_owned());
        loop {
            let (status, page) = self.get_json(&path, key).await;
            assert_eq!(status, StatusCode::OK, "GET {path}: {page}");
            items.extend(page["results"].as_array().unwrap_or_else(|| panic!("a page: {page}")).iter().cloned());
            match page["next"].as_str() {
                Some(next) => path = path_of(next),
                None => return items,
            }
        }
    }

    pub async fn get_json(&self, path: &str, key: &str) -> (StatusCode, Value) {
        self.send(reqwest::Method::GET, path, key, None).await
    }

    /// One JSON call with the credential [`Self::post_json`] describes.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        key: &str,
        body: Option<&Value>,
    ) -> (StatusCode, Value) {
        if key.is_empty()
            && path == "/api/boxoffice/organizations"
            && method == reqwest::Method::POST
            && let Some(created) = self.create_top_level_organization(body.unwrap_or(&Value::Null)).await
        {
            return created;
        }
        let mut request = self.client.request(method, self.url(path));
        request = if key.starts_with("tbt_") {
            request.bearer_auth(key)
        } else if key.is_empty() && path.starts_with("/api/boxoffice") {
            match self.tokens.for_path(path, body) {
                Some(token) => request.bearer_auth(token),
                None => request,
            }
        } else {
            request.header("X-Api-Key", key)
        };
        if let Some(body) = body {
            request = request.json(body);
        }
        read(request.send().await.unwrap()).await
    }
}

/// The server key of every test app (a fixed key keeps restarts able to open sealed secrets).
pub fn test_key() -> tixbridge_vault::ServerKey {
    tixbridge_vault::ServerKey::from_bytes([7; 32])
}

/// The configuration of a test app, mailing through the SMTP server at `smtp_url`.
pub fn test_config(database_url: &str, dir: &std::path::Path, smtp_url: &str) -> AppConfig {
    AppConfig {
        database_url: database_url.to_owned(),
        listen: "127.0.0.1:0".to_owned(),
        parts: vec![Part::Wallet, Part::Boxoffice],
        server_key: test_key(),
        mailer: std::sync::Arc::new(tixbridge_mail::SmtpMailer::from_url(smtp_url).expect("test SMTP URL")),
        wallet_timeout: std::time::Duration::from_secs(3),
        dump_dir: dir.join("dumps"),
        run_scheduler: false,
        lease_ttl: std::time::Duration::from_secs(2),
        mail_timeout: std::time::Duration::from_secs(1),
        public_url: None,
        client_timeout: std::time::Duration::from_secs(30),
        wallet_hosts: Default::default(),
        metrics_token: Some(METRICS_TOKEN.to_owned()),
    }
}

/// The bearer token `GET /metrics` of every test app asks for.
pub const METRICS_TOKEN: &str = "test-metrics-token";

async fn bind(database_url: &str, dir: &std::path::Path, smtp: &tixbridge_mail::testing::TestSmtpServer) -> BoundApp {
    BoundApp::bind(&test_config(database_url, dir, &smtp.url())).await.expect("starting the test server")
}

pub async fn read(response: reqwest::Response) -> (StatusCode, Value) {
    let status = response.status();
    let text = response.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    (status, body)
}

/// The path and query of a list's `next` link, for the helpers that take a path.
pub fn path_of(url: &str) -> String {
    let url = reqwest::Url::parse(url).unwrap_or_else(|_| panic!("next is a full URL: {url}"));
    match url.query() {
        Some(query) => format!("{}?{query}", url.path()),
        None => url.path().to_owned(),
    }
}

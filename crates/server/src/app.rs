//! Assembling the parts this process serves into one router, and running it.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::routing::get;
use tixbridge_interface::Engine;
use tixbridge_mail::Mailer;
use tixbridge_store::Db;
use tixbridge_vault::ServerKey;
use tokio::net::TcpListener;

/// A part of the product a process can serve.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Part {
    Wallet,
    Boxoffice,
}

/// Parses `wallet,boxoffice`, refusing unknown names.
pub fn parse_parts(text: &str) -> anyhow::Result<Vec<Part>> {
    let mut parts = Vec::new();
    for name in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
        let part = <Part as clap::ValueEnum>::from_str(name, true)
            .map_err(|_| anyhow::anyhow!("--parts: unknown part {name:?} (known: wallet, boxoffice)"))?;
        if !parts.contains(&part) {
            parts.push(part);
        }
    }
    anyhow::ensure!(!parts.is_empty(), "--parts: name at least one part (wallet, boxoffice)");
    Ok(parts)
}

/// Everything needed to start serving.
#[derive(Clone)]
pub struct AppConfig {
    pub database_url: String,
    pub listen: String,
    pub parts: Vec<Part>,
    pub server_key: ServerKey,
    pub mailer: Arc<dyn Mailer>,
    /// How long the interface waits for the wallet before a call counts as failed.
    pub wallet_timeout: Duration,
    /// Where `dumpTnPRvariables` files are written.
    pub dump_dir: PathBuf,
    /// Start automatic functions on their schedule (off in tests, which drive runs by calls).
    pub run_scheduler: bool,
    /// How long a function's lease outlives a crashed worker.
    pub lease_ttl: Duration,
    /// How long one attempt to hand a failure e-mail to the relay may take; a mail not taken
    /// stays queued and is retried.
    pub mail_timeout: Duration,
    /// The base URL spectators and operators reach this process at (sign-in links); default
    /// this process's address. When it is https, session cookies are marked `Secure`.
    pub public_url: Option<String>,
    /// How long a client may take to send a request's headers, and each part of its body.
    pub client_timeout: Duration,
    /// The hosts an interface may point at (`TIXBRIDGE_WALLET_HOSTS`); any when unset.
    pub wallet_hosts: tixbridge_interface::config::WalletHosts,
    /// The bearer token `GET /metrics` asks for (`TIXBRIDGE_METRICS_TOKEN`); unset, the route
    /// answers 404 to everyone.
    pub metrics_token: Option<String>,
}

/// The environment variable setting the wallet call timeout, in seconds.
pub const WALLET_TIMEOUT_VAR: &str = "TIXBRIDGE_WALLET_TIMEOUT_SECS";
/// The environment variable setting how long a lease outlives a crashed worker, in seconds.
pub const LEASE_TTL_VAR: &str = "TIXBRIDGE_LEASE_TTL_SECS";
/// The environment variable bounding each attempt to send a failure e-mail, in seconds.
pub const MAIL_TIMEOUT_VAR: &str = "TIXBRIDGE_MAIL_TIMEOUT_SECS";
/// The environment variable bounding how long a client may take to send a request, in seconds.
pub const CLIENT_TIMEOUT_VAR: &str = "TIXBRIDGE_CLIENT_TIMEOUT_SECS";

fn seconds_from_env(var: &str, default: u64) -> anyhow::Result<Duration> {
    match crate::settings::value(var).ok_or(()) {
        Ok(text) => Ok(Duration::from_secs(
            text.parse().ok().filter(|s| *s > 0).with_context(|| format!("{var} must be a whole number of seconds"))?,
        )),
        Err(_) => Ok(Duration::from_secs(default)),
    }
}

impl AppConfig {
    /// The configuration of a real process running with `server_key` (see
    /// [`crate::server_key::server_key_for`]): mailer from `TIXBRIDGE_SMTP_URL` (else a mail folder), timeout from
    /// `TIXBRIDGE_WALLET_TIMEOUT_SECS` (default 30).
    pub fn from_env(
        database_url: String,
        listen: String,
        parts: Vec<Part>,
        server_key: ServerKey,
    ) -> anyhow::Result<Self> {
        let mailer = tixbridge_mail::mailer_from_url(
            crate::settings::value(tixbridge_mail::SMTP_URL_VAR).as_deref(),
            crate::settings::value(tixbridge_mail::MAIL_FOLDER_VAR)
                .unwrap_or_else(|| tixbridge_mail::DEFAULT_MAIL_FOLDER.into()),
        )?;
        if let Some(notice) = mailer.startup_notice() {
            tracing::info!("{notice}");
        }
        let wallet_timeout = seconds_from_env(WALLET_TIMEOUT_VAR, 30)?;
        let lease_ttl = seconds_from_env(LEASE_TTL_VAR, 60)?;
        let mail_timeout = seconds_from_env(MAIL_TIMEOUT_VAR, 10)?;
        let client_timeout = seconds_from_env(CLIENT_TIMEOUT_VAR, 30)?;
        let hosts_var = tixbridge_interface::config::WALLET_HOSTS_VAR;
        let wallet_hosts =
            tixbridge_interface::config::WalletHosts::parse(&crate::settings::value(hosts_var).unwrap_or_default())
                .map_err(anyhow::Error::msg)?;
        Ok(Self {
            database_url,
            listen,
            parts,
            server_key,
            mailer,
            wallet_timeout,
            dump_dir: PathBuf::from("tixbridge-dumps"),
            run_scheduler: true,
            lease_ttl,
            mail_timeout,
            public_url: crate::settings::value("TIXBRIDGE_PUBLIC_URL"),
            client_timeout,
            wallet_hosts,
            metrics_token: crate::settings::value(crate::health::METRICS_TOKEN_VAR).filter(|t| !t.trim().is_empty()),
        })
    }

    /// The interface engine over `db`.
    pub fn engine(&self, db: &Db) -> Engine {
        Engine {
            db: db.clone(),
            key: self.server_key.clone(),
            mailer: self.mailer.clone(),
            http: tixbridge_interface::client::wallet_http(),
            wallet_hosts: self.wallet_hosts.clone(),
            wallet_timeout: self.wallet_timeout,
            worker_id: format!("{}-{}", std::process::id(), uuid_like()),
            dump_dir: self.dump_dir.clone(),
            lease_ttl: self.lease_ttl,
            mail_timeout: self.mail_timeout,
        }
    }
}

/// A short random tag telling workers of one process apart in leases.
fn uuid_like() -> String {
    format!("{:08x}", rand_u32())
}

fn rand_u32() -> u32 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher
        .write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
    hasher.finish() as u32
}

/// The router for the configured parts over `db`, served at `addr`.
pub fn router(db: &Db, config: &AppConfig, engine: &Engine, addr: SocketAddr) -> Router {
    let own_url = format!("http://{addr}");
    let health = crate::health::HealthState { db: db.clone(), metrics_token: config.metrics_token.clone() };
    let probes = Router::new()
        .route("/healthz", get(crate::health::get_healthz))
        .route("/readyz", get(crate::health::get_readyz))
        .route("/metrics", get(crate::health::get_metrics))
        .with_state(health);
    let mut app = Router::new()
        .route("/api/openapi.json", get(crate::openapi::get_openapi))
        .merge(probes)
        .merge(crate::openapi::docs_page::router());
    if config.parts.contains(&Part::Wallet) {
        // CSV injection jobs a previous process left unfinished carry on here.
        tixbridge_wallet::resume_csv_jobs(db);
        let state = tixbridge_wallet::WalletState::new(
            db.clone(),
            config.server_key.clone(),
            config.mailer.clone(),
            config.public_url.clone().unwrap_or_else(|| own_url.clone()),
        );
        app = app.merge(tixbridge_wallet::router(state));
    }
    if config.parts.contains(&Part::Boxoffice) {
        // Every box-office route, the interface's and the gate's pass the one access guard.
        let guard = tixbridge_boxoffice::access::Guard::new(db.clone());
        let secure_cookies = config.public_url.as_deref().is_some_and(|url| url.starts_with("https://"));
        let state = tixbridge_boxoffice::BoxOfficeState { db: db.clone(), secure_cookies };
        let api = tixbridge_boxoffice::router(state, guard.clone())
            .merge(tixbridge_interface::http::router(engine.clone(), guard.clone()));
        // The console calls these same routers in-process, as the signed-in operator.
        app = app.merge(api.clone()).merge(tixbridge_console::router(api, secure_cookies));
        let gate = crate::gate::GateState::new(db.clone(), config.server_key.clone());
        app = app.merge(crate::gate::router(gate, guard));
    }
    // Writes of the JSON APIs browsers can reach: from this site only, and as JSON.
    let guard = tixbridge_web::WriteGuard::new(&["/api/boxoffice/", "/api/spectator/"], config.public_url.as_deref())
        .allow_type_at("/import/csv", "text/csv");
    app.layer(axum::middleware::from_fn_with_state(Arc::new(guard), tixbridge_web::guard_writes))
        // outermost: the request id and the log line cover every answer, refusals included
        .layer(axum::middleware::from_fn_with_state(db.metrics().clone(), crate::observe::observe_request))
}

/// A server bound to its address, not yet serving.
pub struct BoundApp {
    pub db: Db,
    pub addr: SocketAddr,
    pub engine: Engine,
    listener: TcpListener,
    router: Router,
    run_scheduler: bool,
    expire_transfers: bool,
    client_timeout: Duration,
}

impl BoundApp {
    /// Opens and migrates the database, then binds the listening socket.
    pub async fn bind(config: &AppConfig) -> anyhow::Result<Self> {
        let db = Db::connect(&config.database_url)
            .await
            .with_context(|| format!("opening database {}", redact_url(&config.database_url)))?;
        Self::bind_with_db(db, config).await
    }

    pub async fn bind_with_db(db: Db, config: &AppConfig) -> anyhow::Result<Self> {
        crate::server_key::verify_or_record(&db, &config.server_key, "this process's server key").await?;
        let addr = SocketAddr::from_str(&config.listen)
            .with_context(|| format!("--listen: {:?} is not an address like 127.0.0.1:8080", config.listen))?;
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("--listen: cannot listen on {addr} (is another server using it?)"))?;
        let addr = listener.local_addr()?;
        let engine = config.engine(&db);
        let router = router(&db, config, &engine, addr);
        let run_scheduler = config.run_scheduler && config.parts.contains(&Part::Boxoffice);
        let expire_transfers = config.parts.contains(&Part::Wallet);
        let client_timeout = config.client_timeout;
        Ok(Self { db, addr, engine, listener, router, run_scheduler, expire_transfers, client_timeout })
    }

    /// Serves until `shutdown` completes.
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let mut background = Vec::new();
        if self.run_scheduler {
            background.push(tixbridge_interface::scheduler::spawn(self.engine.clone()));
            background.push(tixbridge_interface::continuous::spawn(self.engine.clone()));
            background.push(tixbridge_interface::outbox::spawn(self.engine.clone()));
            background.extend(self.db.listen_for_changes().await?);
        }
        if self.expire_transfers {
            background.push(tokio::spawn(expire_transfers_every_minute(self.db.clone())));
        }
        let served = crate::serve::serve(self.listener, self.router, self.client_timeout, shutdown).await;
        for task in background {
            task.abort();
        }
        served?;
        Ok(())
    }

    /// Serves in the background; the returned handle stops the server when dropped or asked.
    pub fn spawn(self) -> RunningApp {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let addr = self.addr;
        let db = self.db.clone();
        let engine = self.engine.clone();
        let task = tokio::spawn(self.serve(async {
            let _ = stopped.await;
        }));
        RunningApp { addr, db, engine, stop: Some(stop), task }
    }
}

/// A server running in the background of this process.
pub struct RunningApp {
    pub addr: SocketAddr,
    pub db: Db,
    pub engine: Engine,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<anyhow::Result<()>>,
}

impl RunningApp {
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// Stops accepting requests and waits for those in flight.
    pub async fn shutdown(mut self) -> anyhow::Result<()> {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        (&mut self.task).await??;
        Ok(())
    }
}

/// A database URL fit for a log line: any password replaced.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let credentials = &url[scheme_end + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

/// Ends transfers whose window closed (docs/wallet-api.md#transfers), once a minute, for as
/// long as the server runs.
async fn expire_transfers_every_minute(db: Db) {
    let mut every = tokio::time::interval(Duration::from_secs(60));
    loop {
        every.tick().await;
        match tixbridge_wallet::expire_transfers(&db, chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(transfers = n, "expired open transfers"),
            Err(err) => tracing::warn!(error = %err, "expiring transfers failed; retrying in a minute"),
        }
    }
}

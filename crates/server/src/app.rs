//! Assembling the parts this process serves into one router, and running it.

use std::net::SocketAddr;
use std::str::FromStr;

use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use axum::routing::get;
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
#[derive(Debug, Clone)]
pub struct AppConfig {
    pub database_url: String,
    pub listen: String,
    pub parts: Vec<Part>,
    pub services: Services,
    /// The base URL spectators reach this process at (sign-in links); default its own address.
    pub public_url: Option<String>,
    /// The wallet the gate verifies codes with; default this process's own address.
    pub wallet_url: Option<String>,
}

/// What start-up wires once: the server key and the mailer.
#[derive(Clone)]
pub struct Services {
    pub server_key: ServerKey,
    pub mailer: Arc<dyn Mailer>,
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Services {{ server_key: {:?}, mailer: {} }}", self.server_key, self.mailer.describe())
    }
}

impl Services {
    /// From the environment: `TIXBRIDGE_SERVER_KEY` (else `key_file`, created when missing) and
    /// `TIXBRIDGE_SMTP_URL` (else the mail folder).
    pub fn from_env(key_file: &std::path::Path) -> anyhow::Result<Self> {
        let server_key = ServerKey::from_env_or_file(key_file)?;
        let mailer = tixbridge_mail::mailer_from_env()?;
        if let Some(notice) = mailer.startup_notice() {
            tracing::warn!("{notice}");
        }
        Ok(Self { server_key, mailer })
    }

    /// A fresh random key and mail written to `mail_folder`: for the demo and tests.
    pub fn ephemeral(mail_folder: &std::path::Path) -> Self {
        Self {
            server_key: ServerKey::generate(),
            mailer: Arc::new(tixbridge_mail::FolderMailer::new(mail_folder.to_path_buf())),
        }
    }
}

/// The router for the configured parts over `db`, served at `addr`.
pub fn router(db: &Db, config: &AppConfig, addr: SocketAddr) -> Router {
    let own_url = format!("http://{addr}");
    let mut app = Router::new()
        .route("/api/openapi.json", get(crate::openapi::get_openapi))
        .route("/healthz", get(|| async { "ok" }));
    if config.parts.contains(&Part::Wallet) {
        let state = tixbridge_wallet::WalletState::new(
            db.clone(),
            config.services.server_key.clone(),
            config.services.mailer.clone(),
            config.public_url.clone().unwrap_or_else(|| own_url.clone()),
        );
        app = app.merge(tixbridge_wallet::router(state));
    }
    if config.parts.contains(&Part::Boxoffice) {
        let wallet_url = config.wallet_url.clone().unwrap_or(own_url);
        app = app.merge(crate::gate::router(crate::gate::GateState::new(db.clone(), wallet_url)));
    }
    app
}

/// A server bound to its address, not yet serving.
pub struct BoundApp {
    pub db: Db,
    pub addr: SocketAddr,
    listener: TcpListener,
    router: Router,
    expire_transfers: bool,
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
        let addr = SocketAddr::from_str(&config.listen)
            .with_context(|| format!("--listen: {:?} is not an address like 127.0.0.1:8080", config.listen))?;
        let listener = TcpListener::bind(addr)
            .await
            .with_context(|| format!("--listen: cannot listen on {addr} (is another server using it?)"))?;
        let addr = listener.local_addr()?;
        let router = router(&db, config, addr);
        let expire_transfers = config.parts.contains(&Part::Wallet);
        Ok(Self { db, addr, listener, router, expire_transfers })
    }

    /// Serves until `shutdown` completes.
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        let ticker = self.expire_transfers.then(|| tokio::spawn(expire_transfers_every_minute(self.db.clone())));
        let service = self.router.into_make_service_with_connect_info::<SocketAddr>();
        let served = axum::serve(self.listener, service).with_graceful_shutdown(shutdown).await;
        if let Some(ticker) = ticker {
            ticker.abort();
        }
        served?;
        Ok(())
    }

    /// Serves in the background; the returned handle stops the server when dropped or asked.
    pub fn spawn(self) -> RunningApp {
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let addr = self.addr;
        let db = self.db.clone();
        let task = tokio::spawn(self.serve(async {
            let _ = stopped.await;
        }));
        RunningApp { addr, db, stop: Some(stop), task }
    }
}

/// A server running in the background of this process.
pub struct RunningApp {
    pub addr: SocketAddr,
    pub db: Db,
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

/// Ends transfers whose window closed (SPEC §7.6), once a minute, for as long as the server runs.
async fn expire_transfers_every_minute(db: Db) {
    let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        every.tick().await;
        match tixbridge_wallet::expire_transfers(&db, chrono::Utc::now()).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(transfers = n, "expired open transfers"),
            Err(err) => tracing::warn!(error = %err, "expiring transfers failed; retrying in a minute"),
        }
    }
}

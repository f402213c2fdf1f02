//! Assembling the parts this process serves into one router, and running it.

use std::net::SocketAddr;
use std::str::FromStr;

use anyhow::Context;
use axum::Router;
use axum::routing::get;
use tixbridge_store::Db;
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
}

/// The router for `parts` over `db`.
pub fn router(db: &Db, parts: &[Part]) -> Router {
    let mut app = Router::new()
        .route("/api/openapi.json", get(crate::openapi::get_openapi))
        .route("/healthz", get(|| async { "ok" }));
    if parts.contains(&Part::Wallet) {
        // CSV injection jobs a previous process left unfinished carry on here.
        tixbridge_wallet::resume_csv_jobs(db);
        app = app.merge(tixbridge_wallet::router(tixbridge_wallet::WalletState { db: db.clone() }));
    }
    app
}

/// A server bound to its address, not yet serving.
pub struct BoundApp {
    pub db: Db,
    pub addr: SocketAddr,
    listener: TcpListener,
    router: Router,
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
        let router = router(&db, &config.parts);
        Ok(Self { db, addr, listener, router })
    }

    /// Serves until `shutdown` completes.
    pub async fn serve(self, shutdown: impl Future<Output = ()> + Send + 'static) -> anyhow::Result<()> {
        axum::serve(self.listener, self.router).with_graceful_shutdown(shutdown).await?;
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

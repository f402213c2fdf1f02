//! A fresh, complete tixbridge for one benchmark: database, server on a loopback port, a
//! match catalog over 10 performances, N tickets loaded by the box-office CSV import (in a
//! child process, so the benchmark's own memory figure is the sync's alone), and the
//! interface pointed at the wallet.

use std::io::Write;
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use tixbridge_store::{Db, sql};

use crate::app::{AppConfig, BoundApp, Part, RunningApp};

pub const ORG: &str = "BENCH";
pub const PERFORMANCES: usize = 10;

pub struct Harness {
    pub app: RunningApp,
    pub database_url: String,
    pub backend: String,
    pub wallet_key: String,
    /// The bench organization's admin token, sent with every box-office call.
    pub admin_token: String,
    /// The server's key, to issue spectators' sign-in links in process.
    pub server_key: tixbridge_vault::ServerKey,
    http: reqwest::Client,
    _dir: tempfile::TempDir,
}

impl Harness {
    /// A fresh database (`sqlite` or a PostgreSQL server URL) and a server on it.
    pub async fn start(database: &str) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let (database_url, backend) = if database == "sqlite" {
            (format!("sqlite://{}/bench.db", dir.path().display()), "sqlite".to_owned())
        } else if database.starts_with("postgres") {
            (tixbridge_store::testing::fresh_postgres_url(database).await?, "postgres".to_owned())
        } else {
            bail!("--database must be `sqlite` or a postgres:// server URL");
        };
        let server_key = tixbridge_vault::ServerKey::generate();
        let config = bench_app_config(
            database_url.clone(),
            dir.path(),
            server_key.clone(),
            std::time::Duration::from_secs(120),
            false,
        );
        let app = BoundApp::bind(&config).await?.spawn();
        let wallet_key =
            tixbridge_wallet::organizers::create_organizer(&app.db, "Bench organizer", "bench@wallet.example.org")
                .await?
                .api_key;
        let admin_token = bench_organization(&app.db, ORG).await?;
        let harness = Self {
            app,
            database_url,
            backend,
            wallet_key,
            admin_token,
            server_key,
            http: reqwest::Client::new(),
            _dir: dir,
        };
        harness.seed_catalog().await?;
        Ok(harness)
    }

    pub fn db(&self) -> &Db {
        &self.app.db
    }

    /// POSTs JSON to this server and insists on success.
    pub async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        let response = self.http.post(self.app.url(path)).bearer_auth(&self.admin_token).json(&body).send().await?;
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("POST {path} answered {status}: {answer}");
        }
        Ok(answer)
    }

    async fn seed_catalog(&self) -> anyhow::Result<()> {
        let base = format!("/api/boxoffice/organizations/{ORG}");
        self.post(
            &format!("{base}/products"),
            json!({ "code": "FINAL", "name": "Final", "kind": "MATCH", "family": "FOOTBALL" }),
        )
        .await?;
        for p in 1..=PERFORMANCES {
            self.post(
                &format!("{base}/products/FINAL/performances"),
                json!({ "code": format!("P{p}"), "start": format!("2099-06-{:02}T21:00:00+02:00", p), "durationMinutes": 120,
                        "site": { "name": "Stadium", "address": { "city": "Geneva", "countryCode": "CH" } },
                        "hostTeam": "Lions", "opposingTeam": format!("Team {p}"),
                        "capacity": tixbridge_boxoffice::capacity::MAX_CAPACITY }),
            )
            .await?;
        }
        self.post(&format!("{base}/seat-categories"), json!({ "code": "CAT1", "name": "Category 1" })).await?;
        self.post(&format!("{base}/tariffs"), json!({ "code": "FULL", "name": "Full price" })).await?;
        self.post(&format!("{base}/sales-channels"), json!({ "code": "WEB", "name": "Web" })).await?;
        self.post(&format!("{base}/sales-channels/WEB/points-of-sale"), json!({ "code": "POS1", "name": "Online" }))
            .await?;
        self.post(&format!("{base}/shipment-modes"), json!({ "code": "MOB", "name": "Mobile", "type": "MOBILE" }))
            .await?;
        self.post(
            &format!("{base}/interface"),
            json!({ "name": "Wallet", "type": "TIXNGO", "url": self.app.url("/api/organizer/tickets"),
                    "login": "bench@wallet.example.org", "password": self.wallet_key,
                    "customParameters": "ticketIterationSize=1000" }),
        )
        .await?;
        Ok(())
    }

    /// Loads `n` NOT_PRINTED tickets (10 per file) through the box-office CSV import.
    pub async fn seed_tickets(&self, n: usize) -> anyhow::Result<()> {
        let started = Instant::now();
        let path = self._dir.path().join("tickets.csv");
        let mut out = std::io::BufWriter::new(std::fs::File::create(&path)?);
        writeln!(
            out,
            "fileNumber,contactEmail,contactFirstName,contactLastName,productCode,performanceCode,seatCategoryCode,\
             tariffCode,contingentCode,shipmentModeCode,taxNumber,barcode,block,row,seat,priceCents,currency,salesChannelCode"
        )?;
        for i in 0..n {
            let file = i / 10;
            writeln!(
                out,
                "B{file:07},fan{file}@bench.example.org,Fan,N{file},FINAL,P{},CAT1,FULL,,MOB,T{i},BC{i:010},B{},{},{},4500,CHF,WEB",
                i % PERFORMANCES + 1,
                // one seat per ticket of a performance: 25 a row, 30 rows a block
                i / PERFORMANCES / 750,
                i / PERFORMANCES / 25 % 30,
                i / PERFORMANCES % 25
            )?;
        }
        out.flush()?;
        drop(out);
        eprintln!("bench: loading {n} tickets into the box office …");
        let status = std::process::Command::new(std::env::current_exe()?)
            .args(["boxoffice", "import-csv", "--database", &self.database_url, "--organization", ORG])
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .status()
            .context("running the box-office CSV import")?;
        anyhow::ensure!(status.success(), "the CSV import failed");
        eprintln!("bench: {n} tickets loaded in {:.1} s", started.elapsed().as_secs_f64());
        Ok(())
    }

    /// Creates a function of the bench interface; returns its id.
    pub async fn function(&self, kind: &str, launch: &str, settings: Value) -> anyhow::Result<i64> {
        let body = json!({ "kind": kind, "name": kind, "launch": launch, "settings": settings });
        let created = self.post(&format!("/api/boxoffice/organizations/{ORG}/interface/functions"), body).await?;
        created["id"].as_i64().context("function id")
    }

    /// Runs a function to completion in this process (no HTTP timeout on long runs), showing
    /// its progress as `tixbridge interface run` does.
    pub async fn run(&self, function_id: i64) -> anyhow::Result<tixbridge_interface::runs::RunSummary> {
        let started = self
            .app
            .engine
            .start(tixbridge_domain::FunctionId::new(function_id), tixbridge_interface::RunOptions::default())
            .await?;
        crate::cli::follow_run(self.db(), started).await
    }

    /// A single number from SQL.
    pub async fn count(&self, query: &str) -> anyhow::Result<i64> {
        Ok(sql(query).scalar(&mut self.db().reader().await?).await?)
    }
}

/// Creates organization `code` (as `tixbridge boxoffice create-organization` does) and returns
/// an admin token for it.
pub async fn bench_organization(db: &Db, code: &str) -> anyhow::Result<String> {
    use tixbridge_boxoffice::access::tokens;
    let new = tixbridge_boxoffice::organizations::NewOrganization {
        code: code.into(),
        name: format!("{code} FC"),
        parent_code: None,
        owns_inventory: Some(true),
    };
    let org = tixbridge_boxoffice::organizations::create(db, new).await?;
    let admin = tokens::NewToken { name: "bench".into(), role: "admin".into(), expires_at: None, events: None };
    Ok(tokens::create(db, org.id, &admin, "bench").await?.token)
}

/// A whole tixbridge (wallet and box office) on a loopback port for a benchmark: mail and dumps
/// in `dir`; `run_scheduler` for scenarios whose functions run on their own.
pub fn bench_app_config(
    database_url: String,
    dir: &std::path::Path,
    server_key: tixbridge_vault::ServerKey,
    wallet_timeout: std::time::Duration,
    run_scheduler: bool,
) -> AppConfig {
    AppConfig {
        database_url,
        listen: "127.0.0.1:0".into(),
        parts: vec![Part::Wallet, Part::Boxoffice],
        server_key,
        mailer: std::sync::Arc::new(tixbridge_mail::FolderMailer::new(dir.join("mail"))),
        wallet_timeout,
        dump_dir: dir.join("dumps"),
        run_scheduler,
        lease_ttl: std::time::Duration::from_secs(60),
        mail_timeout: std::time::Duration::from_secs(10),
        public_url: None,
        client_timeout: std::time::Duration::from_secs(30),
        wallet_hosts: Default::default(),
        metrics_token: None,
    }
}

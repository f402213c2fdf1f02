//! The server the mixed load runs against, and what the load needs on it: either a fresh
//! in-process server (scheduler and continuous workers on), or a running one (`--against`,
//! e.g. `tixbridge demo`) whose database this process opens too. Either way the load gets an
//! organization of its own (a new code each time, so a demo's data is left alone), a match,
//! an interface pointing at the server's wallet, the four CONTINUOUS functions, and the
//! tickets the scans, cancellations and spectators act on, injected before the load starts.

use std::io::Write;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use serde_json::{Value, json};
use tixbridge_store::{Db, sql};
use tixbridge_vault::ServerKey;

use crate::app::{BoundApp, RunningApp};

/// Where the load goes and with which credentials.
pub struct Target {
    /// `http://host:port`, no trailing slash.
    pub base_url: String,
    pub db: Db,
    pub key: ServerKey,
    pub backend: String,
    pub org: String,
    pub admin_token: String,
    pub organizer_id: i64,
    /// The server when this process runs it (dropped last).
    pub app: Option<RunningApp>,
    pub http: reqwest::Client,
    _dir: tempfile::TempDir,
}

/// The tickets loaded before the load, by what the load does with them.
pub struct Preloaded {
    /// (box-office ticket id, barcode) scanned at the gate.
    pub to_scan: Vec<(i64, String)>,
    /// Box-office ticket ids cancelled.
    pub to_cancel: Vec<i64>,
    /// E-mail addresses of fans holding two tickets each, who download them.
    pub fans: Vec<String>,
}

/// How many tickets of each use to load.
pub struct Needs {
    pub scans: usize,
    pub cancels: usize,
    pub fans: usize,
}

impl Target {
    /// A fresh database (`sqlite` or a PostgreSQL server URL) and a server on it in this
    /// process, running its functions as `tixbridge serve` does.
    pub async fn in_process(database: &str) -> anyhow::Result<Self> {
        let dir = tempfile::tempdir()?;
        let (database_url, backend) = if database == "sqlite" {
            (format!("sqlite://{}/bench.db", dir.path().display()), "sqlite")
        } else if database.starts_with("postgres") {
            (tixbridge_store::testing::fresh_postgres_url(database).await?, "postgres")
        } else {
            bail!("--database must be `sqlite` or a postgres:// server URL");
        };
        let key = ServerKey::generate();
        let config = super::super::harness::bench_app_config(
            database_url,
            dir.path(),
            key.clone(),
            Duration::from_secs(60),
            true,
        );
        let app = BoundApp::bind(&config).await?.spawn();
        let base_url = app.url("");
        let db = app.db.clone();
        Self::prepare(base_url, db, key, backend.into(), Some(app), dir).await
    }

    /// A server already running at `url` on `database` (its own URL, e.g.
    /// `sqlite://tixbridge-demo.db`) with the server key `key`.
    pub async fn against(url: &str, database: &str, key: ServerKey) -> anyhow::Result<Self> {
        let db = crate::cli::open(database).await?;
        crate::server_key::verify_or_record(&db, &key, "--server-key-file").await?;
        let backend = if database.starts_with("postgres") { "postgres" } else { "sqlite" };
        Self::prepare(url.trim_end_matches('/').to_owned(), db, key, backend.into(), None, tempfile::tempdir()?).await
    }

    async fn prepare(
        base_url: String,
        db: Db,
        key: ServerKey,
        backend: String,
        app: Option<RunningApp>,
        dir: tempfile::TempDir,
    ) -> anyhow::Result<Self> {
        // a new organization and organizer each run: a server's earlier data stays as it was
        let stamp = chrono::Utc::now().format("%H%M%S%3f");
        let org = format!("MX{stamp}");
        let login = format!("mixed-{stamp}@bench.example.org");
        let organizer = tixbridge_wallet::organizers::create_organizer(&db, "Mixed load", &login).await?;
        let admin_token = super::super::harness::bench_organization(&db, &org).await?;
        let target = Self {
            base_url,
            db,
            key,
            backend,
            org,
            admin_token,
            organizer_id: organizer.id,
            app,
            http: reqwest::Client::new(),
            _dir: dir,
        };
        target.seed_catalog(&login, &organizer.api_key).await?;
        Ok(target)
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base_url)
    }

    /// `…/api/boxoffice/organizations/{org}` + `rest`.
    pub fn org_path(&self, rest: &str) -> String {
        format!("/api/boxoffice/organizations/{}{rest}", self.org)
    }

    /// POSTs JSON to the box office with the admin token and insists on success.
    pub async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        let response = self.http.post(self.url(path)).bearer_auth(&self.admin_token).json(&body).send().await?;
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("POST {path} answered {status}: {answer}");
        }
        Ok(answer)
    }

    async fn seed_catalog(&self, login: &str, wallet_key: &str) -> anyhow::Result<()> {
        self.post(
            &self.org_path("/products"),
            json!({ "code": "DERBY", "name": "Derby", "kind": "MATCH", "family": "FOOTBALL" }),
        )
        .await?;
        self.post(
            &self.org_path("/products/DERBY/performances"),
            json!({ "code": "M1", "start": "2099-05-20T20:00:00+02:00", "durationMinutes": 120,
                    "site": { "name": "Stadium", "address": { "city": "Geneva", "countryCode": "CH" } },
                    "hostTeam": "Lions", "opposingTeam": "Bears",
                    "capacity": tixbridge_boxoffice::capacity::MAX_CAPACITY }),
        )
        .await?;
        for (path, body) in [
            ("/seat-categories", json!({ "code": "CAT1", "name": "Category 1" })),
            ("/tariffs", json!({ "code": "FULL", "name": "Full price" })),
            ("/sales-channels", json!({ "code": "WEB", "name": "Web" })),
            ("/sales-channels/WEB/points-of-sale", json!({ "code": "POS1", "name": "Online" })),
            ("/shipment-modes", json!({ "code": "MOB", "name": "Mobile", "type": "MOBILE" })),
        ] {
            self.post(&self.org_path(path), body).await?;
        }
        self.post(
            &self.org_path("/interface"),
            json!({ "name": "Wallet", "type": "TIXNGO", "url": self.url("/api/organizer/tickets"),
                    "login": login, "password": wallet_key, "customParameters": "ticketIterationSize=1000" }),
        )
        .await?;
        Ok(())
    }

    /// The four functions of a match day, each `CONTINUOUS`: injection, both pushes, feedback.
    pub async fn continuous_functions(&self) -> anyhow::Result<()> {
        for (kind, settings) in [
            ("INJECTION", json!({ "batchSize": 10_000, "pointOfSale": "WEB;POS1" })),
            ("PUSH_CANCELLED", json!({ "batchSize": 10_000, "shipmentModes": ["MOB"] })),
            ("PUSH_CONTROLLED", json!({ "batchSize": 10_000, "shipmentModes": ["MOB"] })),
            ("FEEDBACK", json!({ "batchSize": 10_000 })),
        ] {
            let body = json!({ "kind": kind, "name": kind, "launch": "CONTINUOUS", "settings": settings });
            self.post(&self.org_path("/interface/functions"), body).await?;
        }
        Ok(())
    }

    /// Loads the tickets the load acts on through the box office's CSV import (one file per
    /// ticket), and waits until the continuous injection has put them all in the wallet.
    pub async fn preload(&self, needs: &Needs) -> anyhow::Result<Preloaded> {
        let total = needs.scans + needs.cancels + 2 * needs.fans;
        let mut csv = Vec::new();
        writeln!(
            csv,
            "fileNumber,contactEmail,contactFirstName,contactLastName,productCode,performanceCode,seatCategoryCode,\
             tariffCode,contingentCode,shipmentModeCode,taxNumber,barcode,block,row,seat,priceCents,currency,salesChannelCode"
        )?;
        let fan = |i: usize| format!("fan{}-{}@mixed.example.org", (i - needs.scans - needs.cancels) / 2, self.org);
        for i in 0..total {
            let email = if i < needs.scans + needs.cancels {
                format!("early{i}-{}@mixed.example.org", self.org)
            } else {
                fan(i)
            };
            writeln!(
                csv,
                "{org}-{i:07},{email},Fan,N{i},DERBY,M1,CAT1,FULL,,MOB,,{org}B{i:07},,,,4500,CHF,WEB",
                org = self.org
            )?;
        }
        eprintln!("bench: loading {total} tickets into the box office …");
        let response = self
            .http
            .post(self.url(&self.org_path("/import/csv")))
            .bearer_auth(&self.admin_token)
            .header("content-type", "text/csv")
            .body(csv)
            .send()
            .await?;
        let status = response.status();
        anyhow::ensure!(status.is_success(), "the CSV import answered {status}: {}", response.text().await?);
        let rows: Vec<(i64, String)> =
            sql("SELECT t.id, t.barcode FROM bo_tickets t JOIN bo_organizations o ON o.id = t.organization_id
                 WHERE o.code = $1 ORDER BY t.barcode")
            .bind(self.org.as_str())
            .fetch_all(&mut self.db.reader().await?)
            .await?;
        anyhow::ensure!(rows.len() == total, "{} of {total} tickets imported", rows.len());
        self.wait_injected(total).await?;
        let to_scan = rows[..needs.scans].to_vec();
        let to_cancel = rows[needs.scans..needs.scans + needs.cancels].iter().map(|(id, _)| *id).collect();
        let fans = (0..needs.fans).map(|f| fan(needs.scans + needs.cancels + 2 * f)).collect();
        Ok(Preloaded { to_scan, to_cancel, fans })
    }

    async fn wait_injected(&self, total: usize) -> anyhow::Result<()> {
        let started = Instant::now();
        loop {
            let injected = self.wallet_tickets().await?;
            if injected >= total as i64 {
                eprintln!("bench: {total} tickets in the wallet after {:.1} s", started.elapsed().as_secs_f64());
                return Ok(());
            }
            if started.elapsed() > Duration::from_secs(300) {
                bail!(
                    "only {injected} of {total} tickets reached the wallet within 5 minutes: is the server running its CONTINUOUS functions?"
                );
            }
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
    }

    /// How many tickets the wallet holds for this load's organizer.
    pub async fn wallet_tickets(&self) -> anyhow::Result<i64> {
        Ok(sql("SELECT COUNT(*) FROM wallet_tickets WHERE organizer_id = $1")
            .bind(self.organizer_id)
            .scalar(&mut self.db.reader().await?)
            .await?)
    }

    /// A sign-in link token for `email`, as the mailed link would carry (the sign-in request
    /// itself is rate-limited per network, and the load comes from one address).
    pub async fn sign_in_token(&self, email: &str) -> anyhow::Result<String> {
        let issued = tixbridge_wallet::spectator::sign_in::issue_sign_in(&self.db, &self.key, email)
            .await?
            .with_context(|| format!("{email} has no wallet account"))?;
        Ok(issued.link_token)
    }
}

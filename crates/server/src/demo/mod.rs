//! `tixbridge demo`: the front door. Starts every part on a fresh SQLite file, seeds a real
//! box office (a sold match with categories, tariffs, holders and an away-fans contingent, an
//! undated open pass, a season card), configures the interface against the wallet's own URL,
//! runs each function, cancels and controls a few tickets, pushes them, brings feedback back,
//! prints a summary per function and keeps serving until Ctrl-C (or exits with `--exit`).

mod seed;
pub mod spectator;

use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use serde_json::{Value, json};

use crate::app::{AppConfig, BoundApp, Part, RunningApp};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where the demo keeps its data. A SQLite file given here is wiped at start, so every
    /// demo begins from the same state.
    #[arg(long, default_value = "sqlite://tixbridge-demo.db")]
    pub database: String,
    /// Address to serve on.
    #[arg(long, env = "TIXBRIDGE_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Do the work, print the summary (its last line is JSON) and exit instead of serving.
    #[arg(long)]
    pub exit: bool,
}

/// The demo's own server key file (in the current folder) when `TIXBRIDGE_SERVER_KEY` is not set.
pub const DEMO_KEY_FILE: &str = "tixbridge-demo.key";
pub const DEMO_ORG: &str = "DEMO";
pub const DEMO_LOGIN: &str = "organizer@demo.tixbridge.local";

/// The demo's HTTP client to its own server, acting with the demo organization's admin token.
pub struct Client {
    http: reqwest::Client,
    app_url: String,
    token: String,
}

impl Client {
    pub async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> anyhow::Result<Value> {
        let mut request = self.http.request(method.clone(), format!("{}{path}", self.app_url)).bearer_auth(&self.token);
        if let Some(body) = body {
            request = request.json(&body);
        }
        let response = request.send().await.with_context(|| format!("{method} {path}"))?;
        let status = response.status();
        let answer: Value = response.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("{method} {path} answered {status}: {answer}");
        }
        Ok(answer)
    }

    pub async fn post(&self, path: &str, body: Value) -> anyhow::Result<Value> {
        self.call(reqwest::Method::POST, path, Some(body)).await
    }
}

fn wipe_sqlite(database: &str) -> anyhow::Result<()> {
    if let Some(path) = database.strip_prefix("sqlite://") {
        for suffix in ["", "-wal", "-shm"] {
            let file = format!("{path}{suffix}");
            if std::path::Path::new(&file).exists() {
                std::fs::remove_file(&file).with_context(|| format!("wiping the previous demo file {file}"))?;
            }
        }
    }
    Ok(())
}

pub async fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    wipe_sqlite(&args.database)?;
    let db = crate::cli::open(&args.database).await?;
    let key_source = tixbridge_vault::KeySource::from_env_or_file(std::path::Path::new(DEMO_KEY_FILE));
    let server_key = crate::server_key::server_key_for(&db, &key_source).await?;
    let mut config = AppConfig::from_env(
        args.database.clone(),
        args.listen.clone(),
        vec![Part::Wallet, Part::Boxoffice],
        server_key,
    )?;
    // the demo drives every run itself, so its summary is deterministic
    config.run_scheduler = false;
    let app = BoundApp::bind_with_db(db, &config).await?.spawn();
    let organizer = tixbridge_wallet::organizers::create_organizer(&app.db, "Demo FC", DEMO_LOGIN).await?;
    println!("tixbridge demo on {} ({})", app.url("/"), crate::app::redact_url(&args.database));
    println!("{key_source} holds the server key: keep it with the database (it seals the interface's wallet API key)");
    let credentials = seed::create_organization_and_credentials(&app.db).await?;
    let client = Client { http: reqwest::Client::new(), app_url: app.url(""), token: credentials.admin_token.clone() };
    let summary = drive(&app, &client, &organizer.api_key).await?;
    print_summary(&summary);
    println!();
    println!("wallet organizer {DEMO_LOGIN}, API key (shown once): {}", organizer.api_key);
    println!("try: curl -H 'X-Api-Key: {}' '{}'", organizer.api_key, app.url("/api/organizer/tickets/diff?limit=5"));
    println!("box office {DEMO_ORG}: admin API token (shown once): {}", credentials.admin_token);
    println!(
        "     operator {} (role operator), password (shown once): {}",
        credentials.operator_email, credentials.operator_password
    );
    println!(
        "try: curl -H 'Authorization: Bearer {}' '{}'",
        credentials.admin_token,
        app.url(&format!("/api/boxoffice/organizations/{DEMO_ORG}/interface/functions"))
    );
    println!(
        "console: {} — sign in with organization {DEMO_ORG}, e-mail {}, password (shown once): {}",
        app.url("/console/"),
        credentials.console_email,
        credentials.console_password
    );
    let fan = spectator::prepare(&app, &config.server_key, &organizer.api_key, organizer.id).await?;
    println!();
    println!(
        "spectator {} holds {} ({}), activated: open their wallet (one-time link, 15 min):",
        fan.email, fan.ticket_id, fan.event_id
    );
    println!("     {}", fan.link);
    let gate_token = seed::create_gate_token(&app.db, &fan.event_id).await?;
    println!(
        "gate (token bound to {}): curl -H 'Authorization: Bearer {gate_token}' -H 'Content-Type: application/json' \
         -d '{{\"code\": \"<scanned text>\"}}' '{}'",
        fan.event_id,
        app.url("/api/gate/scan")
    );
    if args.exit {
        println!("{}", json!({ "demo": "ok", "functions": summary }));
        app.shutdown().await?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("serving until Ctrl-C");
    // From here on the demo serves as `serve` does: a function someone makes AUTOMATIC or
    // CONTINUOUS (console, API, `bench mixed --against`) runs. The demo's own are MANUAL and ran.
    let engine = app.engine.clone();
    let workers = [
        tixbridge_interface::scheduler::spawn(engine.clone()),
        tixbridge_interface::continuous::spawn(engine.clone()),
        tixbridge_interface::outbox::spawn(engine),
    ];
    let listener = app.db.listen_for_changes().await?;
    crate::cli::shutdown_signal().await;
    for task in workers.iter().chain(listener.as_ref()) {
        task.abort();
    }
    app.shutdown().await?;
    Ok(ExitCode::SUCCESS)
}

/// Seeds the box office, runs every function in the order an operator would, and returns
/// the counts per function.
async fn drive(app: &RunningApp, client: &Client, api_key: &str) -> anyhow::Result<Value> {
    let seeded = seed::seed_box_office(client).await?;
    seed::configure_interface(client, &app.url("/api/organizer/tickets"), api_key).await?;
    let functions = seed::create_functions(client).await?;
    let mut summary = serde_json::Map::new();
    let run = |name: &'static str, id: i64| {
        let engine = app.engine.clone();
        async move {
            let result =
                engine.run(tixbridge_domain::FunctionId::new(id), tixbridge_interface::RunOptions::default()).await?;
            Ok::<_, anyhow::Error>((name, result))
        }
    };
    let record =
        |summary: &mut serde_json::Map<String, Value>, name: &str, run: &tixbridge_interface::runs::RunSummary| {
            summary.insert(
                name.to_owned(),
                json!({
                    "selected": run.counts.selected, "sent": run.counts.sent, "accepted": run.counts.accepted,
                    "rejected": run.counts.rejected, "skipped": run.counts.skipped, "result": run.result,
                }),
            );
        };
    for (name, id) in [("injection", functions.injection), ("privileges", functions.privileges)] {
        let (name, result) = run(name, id).await?;
        record(&mut summary, name, &result);
    }
    let (cancelled, controlled) = seed::cancel_and_control(client, &seeded).await?;
    for (name, id) in [
        ("push_cancelled", functions.push_cancelled),
        ("push_controlled", functions.push_controlled),
        ("feedback", functions.feedback),
    ] {
        let (name, result) = run(name, id).await?;
        record(&mut summary, name, &result);
    }
    summary.insert(
        "box_office".into(),
        json!({ "tickets": seeded.mobile_tickets, "cancelled": cancelled, "controlled": controlled }),
    );
    Ok(Value::Object(summary))
}

fn print_summary(summary: &Value) {
    println!();
    println!(
        "{:<16} {:>8} {:>6} {:>9} {:>9} {:>8}  result",
        "function", "selected", "sent", "accepted", "rejected", "skipped"
    );
    for name in ["injection", "privileges", "push_cancelled", "push_controlled", "feedback"] {
        let c = &summary[name];
        let n = |key: &str| c[key].as_u64().unwrap_or(0);
        println!(
            "{name:<16} {:>8} {:>6} {:>9} {:>9} {:>8}  {}",
            n("selected"),
            n("sent"),
            n("accepted"),
            n("rejected"),
            n("skipped"),
            c["result"].as_str().unwrap_or("-")
        );
    }
}

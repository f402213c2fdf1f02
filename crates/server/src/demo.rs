//! `tixbridge demo`: the front door. Starts every part on a fresh SQLite file, seeds a demo
//! organizer, drives the organizer API over real HTTP, prints what happened, and keeps
//! serving until Ctrl-C (or exits at once with `--exit`).

use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::Args;
use serde_json::{Value, json};
use tixbridge_domain::inject::example_ticket;

use crate::app::{AppConfig, BoundApp, Part};

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where the demo keeps its data. A SQLite file given here is wiped at start, so every
    /// demo begins from the same state.
    #[arg(long, default_value = "sqlite://tixbridge-demo.db")]
    pub database: String,
    /// Address to serve on.
    #[arg(long, default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// Do the work, print the summary (its last line is JSON) and exit instead of serving.
    #[arg(long)]
    pub exit: bool,
}

const DEMO_LOGIN: &str = "organizer@demo.tixbridge.local";
const DEMO_TICKETS: usize = 200;

pub async fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    if let Some(path) = args.database.strip_prefix("sqlite://") {
        for suffix in ["", "-wal", "-shm"] {
            let file = format!("{path}{suffix}");
            if std::path::Path::new(&file).exists() {
                std::fs::remove_file(&file).with_context(|| format!("wiping the previous demo file {file}"))?;
            }
        }
    }
    let config = AppConfig {
        database_url: args.database.clone(),
        listen: args.listen.clone(),
        parts: vec![Part::Wallet, Part::Boxoffice],
        services: crate::app::Services::ephemeral(std::path::Path::new("tixbridge-demo-mail")),
        public_url: None,
        wallet_url: None,
    };
    let app = BoundApp::bind(&config).await?.spawn();
    let organizer = tixbridge_wallet::organizers::create_organizer(&app.db, "Demo FC", DEMO_LOGIN).await?;
    println!("tixbridge demo on {} ({})", app.url("/"), crate::app::redact_url(&args.database));
    println!("wallet organizer {DEMO_LOGIN}, API key (shown once): {}", organizer.api_key);

    let summary = drive_wallet(&app.url("/api/organizer/tickets"), &organizer.api_key).await?;
    println!();
    println!("{:<12} {:>8} {:>9} {:>9}", "call", "sent", "accepted", "rejected");
    for (call, counts) in summary.as_object().into_iter().flatten() {
        println!("{call:<12} {:>8} {:>9} {:>9}", counts["sent"], counts["accepted"], counts["rejected"]);
    }
    println!();
    println!("try: curl -H 'X-Api-Key: {}' '{}'", organizer.api_key, app.url("/api/organizer/tickets/diff?limit=5"));
    if args.exit {
        println!("{}", json!({ "demo": "ok", "wallet": summary }));
        app.shutdown().await?;
        return Ok(ExitCode::SUCCESS);
    }
    println!("serving until Ctrl-C");
    crate::cli::shutdown_signal().await;
    app.shutdown().await?;
    Ok(ExitCode::SUCCESS)
}

/// Injects, deletes and controls demo tickets through the organizer API, and reads the feed.
async fn drive_wallet(base: &str, api_key: &str) -> anyhow::Result<Value> {
    let client = reqwest::Client::new();
    let call = |path: &str, body: Value| {
        let request = client.post(format!("{base}{path}")).header("X-Api-Key", api_key).json(&body);
        async move {
            let response = request.send().await?;
            let status = response.status();
            let answer: Value = response.json().await?;
            if !status.is_success() {
                bail!("wallet answered {status}: {answer}");
            }
            Ok::<Value, anyhow::Error>(answer)
        }
    };
    let tickets: Vec<Value> = (0..DEMO_TICKETS)
        .map(|i| example_ticket(&format!("DEMO-{i:05}"), "DEMO-MATCH", &format!("fan{}@demo.tixbridge.local", i % 50)))
        .collect();
    let mut injected = counts(0, 0, 0);
    for batch in tickets.chunks(100) {
        add(&mut injected, &call("", Value::Array(batch.to_vec())).await?);
    }
    let deleted = call(
        "/delete",
        json!((0..3).map(|i| json!({"ticketId": format!("DEMO-{i:05}"), "reason": "CANCELLED"})).collect::<Vec<_>>()),
    )
    .await?;
    let controlled =
        call("/control", json!((10..15).map(|i| json!({"ticketId": format!("DEMO-{i:05}")})).collect::<Vec<_>>()))
            .await?;
    let mut deleted_counts = counts(0, 0, 0);
    add(&mut deleted_counts, &deleted);
    let mut controlled_counts = counts(0, 0, 0);
    add(&mut controlled_counts, &controlled);
    Ok(json!({ "inject": injected, "delete": deleted_counts, "control": controlled_counts }))
}

fn counts(sent: u64, accepted: u64, rejected: u64) -> Value {
    json!({ "sent": sent, "accepted": accepted, "rejected": rejected })
}

fn add(total: &mut Value, answer: &Value) {
    for result in answer["results"].as_array().into_iter().flatten() {
        let key = if result["status"] == "ACCEPTED" { "accepted" } else { "rejected" };
        total["sent"] = json!(total["sent"].as_u64().unwrap_or(0) + 1);
        total[key] = json!(total[key].as_u64().unwrap_or(0) + 1);
    }
}

//! `tixbridge boxoffice …`: box-office administration from the command line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
use tixbridge_boxoffice::access::{operators, tokens};
use tixbridge_boxoffice::import::{self, ImportError, Progress};

use crate::cli::DatabaseArgs;

#[derive(Debug, Subcommand)]
pub enum BoxofficeCommand {
    /// Load tickets from a CSV file (one row per ticket), all or nothing; see the README for
    /// the columns. Progress goes to stderr; each bad row is printed and nothing is written.
    ImportCsv {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The code of the organization the tickets are issued in.
        #[arg(long)]
        organization: String,
        /// The CSV file (UTF-8, header row).
        file: PathBuf,
    },
    /// Create an organization (top-level ones are created only here, never over the API).
    CreateOrganization {
        #[command(flatten)]
        db: DatabaseArgs,
        /// Its code (letters, digits, `-`, `_`).
        #[arg(long)]
        code: String,
        /// Its display name.
        #[arg(long)]
        name: String,
        /// The code of its parent organization.
        #[arg(long)]
        parent: Option<String>,
        /// Whether the catalog is defined here (else it sells from its nearest ancestor's).
        #[arg(long, default_value_t = true, action = clap::ArgAction::Set)]
        owns_inventory: bool,
    },
    /// Create an API token and print it alone on the last line (it is shown only this once).
    CreateToken {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The code of the organization the token acts for.
        #[arg(long)]
        organization: String,
        /// admin (everything in the organization), operator (catalog, files, tickets, runs),
        /// viewer (read only) or gate (scans only).
        #[arg(long)]
        role: String,
        /// A name to tell tokens apart in lists and in the audit record.
        #[arg(long, default_value = "command line")]
        name: String,
        /// A gate token's events (wallet event ids), comma-separated.
        #[arg(long, value_delimiter = ',')]
        events: Option<Vec<String>>,
        /// When the token stops working (RFC 3339); default never.
        #[arg(long)]
        expires_at: Option<String>,
    },
    /// Create an operator (console sign-in). The password is read from standard input when it
    /// is not a terminal; otherwise one is generated and printed once.
    CreateOperator {
        #[command(flatten)]
        db: DatabaseArgs,
        /// The code of the operator's organization.
        #[arg(long)]
        organization: String,
        /// The operator's e-mail, used to sign in.
        #[arg(long)]
        email: String,
        /// admin, operator, viewer or gate.
        #[arg(long)]
        role: String,
    },
}

pub async fn run(command: BoxofficeCommand) -> anyhow::Result<ExitCode> {
    match command {
        BoxofficeCommand::CreateOrganization { db, code, name, parent, owns_inventory } => {
            let db = crate::cli::open(&db.database).await?;
            let new = tixbridge_boxoffice::organizations::NewOrganization {
                code,
                name,
                parent_code: parent,
                owns_inventory: Some(owns_inventory),
            };
            let org = tixbridge_boxoffice::organizations::create(&db, new).await.map_err(refused)?;
            println!("created organization {} ({}), id {}", org.code, org.name, org.id);
            Ok(ExitCode::SUCCESS)
        }
        BoxofficeCommand::CreateToken { db, organization, role, name, events, expires_at } => {
            let db = crate::cli::open(&db.database).await?;
            let org = find_organization(&db, &organization).await?;
            let new = tokens::NewToken { name, role, expires_at, events };
            let created = tokens::create(&db, org.id, &new, "cli").await.map_err(refused)?;
            println!(
                "created {} token {} ({}) for {}; it is shown only this once:",
                created.info.role.as_str(),
                created.info.id,
                created.info.name,
                org.code
            );
            println!("{}", created.token);
            Ok(ExitCode::SUCCESS)
        }
        BoxofficeCommand::CreateOperator { db, organization, email, role } => {
            let db = crate::cli::open(&db.database).await?;
            let org = find_organization(&db, &organization).await?;
            let password = read_password_from_stdin()?;
            let new = operators::NewOperator { email, role, password };
            let created = operators::create(&db, org.id, new, "cli").await.map_err(refused)?;
            println!(
                "created operator {} ({}) in {}",
                created.operator.email,
                created.operator.role.0.as_str(),
                org.code
            );
            if let Some(password) = created.generated_password {
                println!("its password follows; it is shown only this once:");
                println!("{password}");
            }
            Ok(ExitCode::SUCCESS)
        }
        BoxofficeCommand::ImportCsv { db, organization, file } => {
            let db = crate::cli::open(&db.database).await?;
            let org = tixbridge_boxoffice::organizations::find(&db, &organization)
                .await
                .with_context(|| format!("--organization {organization:?}"))?;
            let input = std::fs::File::open(&file).with_context(|| format!("opening {}", file.display()))?;
            let started = std::time::Instant::now();
            let progress = ImportProgress::default();
            let shown = progress.clone();
            let result =
                import::import_csv(&db, &org, std::io::BufReader::new(input), move |step| shown.show(step)).await;
            progress.finish(if result.is_ok() { "done" } else { "stopped" });
            match result {
                Ok(outcome) => {
                    let seconds = started.elapsed().as_secs_f64();
                    println!(
                        "imported {} tickets into {} ({} new files, {} new contacts) in {seconds:.2} s ({:.0} rows/s)",
                        outcome.tickets_created,
                        org.code,
                        outcome.files_created,
                        outcome.contacts_created,
                        outcome.rows as f64 / seconds.max(1e-9),
                    );
                    Ok(ExitCode::SUCCESS)
                }
                Err(ImportError::BadRows { rows, count }) => {
                    for bad in &rows {
                        println!("row {} (line {}): {}: {}", bad.row, bad.line, bad.field, bad.error);
                    }
                    println!("{count} bad rows; nothing was written");
                    Ok(ExitCode::FAILURE)
                }
                Err(other) => Err(anyhow::anyhow!("{other}")),
            }
        }
    }
}

/// A box-office refusal as the command's error: the field and the rule.
fn refused(err: tixbridge_boxoffice::BoxOfficeError) -> anyhow::Error {
    anyhow::anyhow!("{err}")
}

async fn find_organization(
    db: &tixbridge_store::Db,
    code: &str,
) -> anyhow::Result<tixbridge_boxoffice::organizations::Organization> {
    tixbridge_boxoffice::organizations::find(db, code).await.with_context(|| format!("--organization {code:?}"))
}

/// The password piped on standard input (first line), or `None` on a terminal: then one is
/// generated, so a password never has to appear on a command line or in shell history.
fn read_password_from_stdin() -> anyhow::Result<Option<String>> {
    use std::io::{BufRead, IsTerminal};
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        return Ok(None);
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line).context("reading the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    Ok((!password.is_empty()).then_some(password))
}

/// The import's progress (docs/observability.md): first the rows checked, then the tickets
/// written, each as a bar on a terminal and plain lines elsewhere.
#[derive(Clone, Default)]
struct ImportProgress(std::sync::Arc<std::sync::Mutex<Option<(&'static str, crate::progress::Progress)>>>);

impl ImportProgress {
    fn show(&self, step: Progress) {
        let (phase, done, total) = match step {
            Progress::Parsed(rows) => ("checking", rows as u64, None),
            Progress::Written { done, total } => ("writing", done as u64, Some(total as u64)),
        };
        let Ok(mut current) = self.0.lock() else { return };
        if current.as_ref().is_none_or(|(shown, _)| *shown != phase) {
            if let Some((_, previous)) = current.take() {
                previous.finish("done");
            }
            let (task, unit) =
                if phase == "checking" { ("import-csv checking", "rows") } else { ("import-csv writing", "tickets") };
            *current = Some((phase, crate::progress::Progress::start(task, unit, total)));
        }
        if let Some((_, progress)) = current.as_mut() {
            progress.set(done, total);
        }
    }

    fn finish(&self, word: &str) {
        if let Ok(mut current) = self.0.lock()
            && let Some((_, progress)) = current.take()
        {
            progress.finish(word);
        }
    }
}

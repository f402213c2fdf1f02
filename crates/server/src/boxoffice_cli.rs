//! `tixbridge boxoffice …`: box-office administration from the command line.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;
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
}

pub async fn run(command: BoxofficeCommand) -> anyhow::Result<ExitCode> {
    match command {
        BoxofficeCommand::ImportCsv { db, organization, file } => {
            let db = crate::cli::open(&db.database).await?;
            let org = tixbridge_boxoffice::organizations::find(&db, &organization)
                .await
                .with_context(|| format!("--organization {organization:?}"))?;
            let input = std::fs::File::open(&file).with_context(|| format!("opening {}", file.display()))?;
            let started = std::time::Instant::now();
            let result = import::import_csv(&db, &org, std::io::BufReader::new(input), show_progress).await;
            eprintln!();
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

fn show_progress(progress: Progress) {
    let line = match progress {
        Progress::Parsed(rows) => format!("checked {rows} rows"),
        Progress::Written { done, total } => format!("written {done}/{total} tickets"),
    };
    let mut err = std::io::stderr();
    let _ = write!(err, "\r{line:<40}");
    let _ = err.flush();
}

//! Starting a process right, or failing at once saying why: the server key the database
//! expects (by its fingerprint), a database that does not answer, the listen address from the
//! environment — each run with the real binary as a user would.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::json;
use tixbridge_store::sql;

use crate::common::seed::injection_settings;
use crate::common::test_key;

/// `tixbridge interface run` of `function` on `database_url`, started in `dir` with `key` as
/// `TIXBRIDGE_SERVER_KEY` (none when `None`).
fn interface_run(dir: &Path, database_url: &str, function: i64, key: Option<[u8; 32]>) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tixbridge"));
    command
        .args(["interface", "run", "--database", database_url, &function.to_string()])
        .current_dir(dir)
        .env_remove("TIXBRIDGE_SERVER_KEY")
        .env("TIXBRIDGE_MAIL_FOLDER", dir.join("mail"));
    if let Some(key) = key {
        command.env("TIXBRIDGE_SERVER_KEY", base64::engine::general_purpose::STANDARD.encode(key));
    }
    command.output().unwrap()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

on_both_databases! {
    async fn a_process_without_the_key_the_database_expects_stops_at_start_naming_the_key_and_creates_none(app: TestApp) {
        let seeded = app.seed_match("KEY", 2).await;
        app.configure_interface(&seeded, None, json!({})).await;
        let function = app.function("KEY", "INJECTION", injection_settings()).await;
        let expected = test_key().fingerprint();
        let folder = tempfile::tempdir().unwrap();
        let key_file = folder.path().join("tixbridge-server.key");

        // no key file where the process looks for it: refused, and no new key beside the data
        let output = interface_run(folder.path(), &app.database_url, function, None);
        assert!(!output.status.success());
        let message = stderr(&output);
        assert!(message.contains("tixbridge-server.key") && message.contains("missing"), "{message}");
        assert!(message.contains(&expected), "names the expected fingerprint: {message}");
        assert!(!key_file.exists(), "no key file was created next to sealed data");

        // a key file holding another key: refused naming the file, its key and the expected one
        let other = base64::engine::general_purpose::STANDARD.encode([9u8; 32]);
        std::fs::write(&key_file, &other).unwrap();
        let output = interface_run(folder.path(), &app.database_url, function, None);
        assert!(!output.status.success());
        let message = stderr(&output);
        assert!(message.contains("server key file tixbridge-server.key"), "{message}");
        assert!(message.contains(&expected), "{message}");
        assert!(message.contains(&tixbridge_vault::ServerKey::from_bytes([9; 32]).fingerprint()), "{message}");
        assert!(!message.contains("cannot be opened"), "refused at start, not at the sealed secret: {message}");
        assert!(!message.contains(&other), "the key itself is never shown");
        assert_eq!(std::fs::read_to_string(&key_file).unwrap(), other, "the key file is left as it was");

        // the variable, when set, is named instead
        let output = interface_run(folder.path(), &app.database_url, function, Some([9; 32]));
        assert!(!output.status.success());
        let message = stderr(&output);
        assert!(message.contains("TIXBRIDGE_SERVER_KEY") && message.contains(&expected), "{message}");

        // the right key runs the function
        let output = interface_run(folder.path(), &app.database_url, function, Some([7; 32]));
        assert!(output.status.success(), "{}", stderr(&output));
        let summary: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert_eq!(summary["counts"]["accepted"], 2, "{summary}");
    }

    async fn a_database_from_before_fingerprints_with_sealed_secrets_gets_no_new_key_file(app: TestApp) {
        let seeded = app.seed_match("OLD", 1).await;
        app.configure_interface(&seeded, None, json!({})).await;
        let function = app.function("OLD", "INJECTION", injection_settings()).await;
        sql("DELETE FROM server_key_fingerprint").execute(&mut app.app.db.writer().await.unwrap()).await.unwrap();
        let folder = tempfile::tempdir().unwrap();

        let output = interface_run(folder.path(), &app.database_url, function, None);
        assert!(!output.status.success());
        let message = stderr(&output);
        assert!(message.contains("tixbridge-server.key") && message.contains("missing"), "{message}");
        assert!(!folder.path().join("tixbridge-server.key").exists(), "no key file was created");

        let output = interface_run(folder.path(), &app.database_url, function, Some([9; 32]));
        assert!(!output.status.success());
        assert!(stderr(&output).contains("does not open the secrets sealed"), "{}", stderr(&output));

        // the right key opens them, and its fingerprint is recorded from then on
        let output = interface_run(folder.path(), &app.database_url, function, Some([7; 32]));
        assert!(output.status.success(), "{}", stderr(&output));
        let output = interface_run(folder.path(), &app.database_url, function, Some([9; 32]));
        assert!(stderr(&output).contains(&test_key().fingerprint()), "{}", stderr(&output));
    }
}

/// Waits for `child` at most `limit`; kills it and fails when it is still running.
fn wait_at_most(mut child: std::process::Child, limit: Duration) -> (Output, Duration) {
    let started = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            return (child.wait_with_output().unwrap(), started.elapsed());
        }
        if started.elapsed() > limit {
            child.kill().unwrap();
            let output = child.wait_with_output().unwrap();
            panic!("still running after {limit:?}; stderr so far: {}", stderr(&output));
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn a_refused_database_server_is_reported_within_seconds_naming_its_url_without_the_password() {
    let folder = tempfile::tempdir().unwrap();
    for args in [&["migrate"][..], &["serve", "--listen", "127.0.0.1:0"]] {
        let child = Command::new(env!("CARGO_BIN_EXE_tixbridge"))
            .args(args)
            .args(["--database", "postgres://u:secret@127.0.0.1:1/x"])
            .current_dir(folder.path())
            .env_remove("TIXBRIDGE_SERVER_KEY")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let (output, took) = wait_at_most(child, Duration::from_secs(15));
        assert!(!output.status.success(), "{args:?}");
        assert!(took < Duration::from_secs(5), "{args:?} took {took:?}");
        let message = stderr(&output);
        assert!(message.contains("postgres://u:***@127.0.0.1:1/x"), "{args:?}: {message}");
        assert!(!message.contains("secret"), "{args:?}: {message}");
    }
    assert!(!folder.path().join("tixbridge-server.key").exists(), "no key made for a database never opened");
}

#[test]
fn the_demo_and_serve_listen_where_tixbridge_listen_says_and_the_demo_names_its_key_file() {
    let folder = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_tixbridge"))
        .args(["demo", "--exit"])
        .current_dir(folder.path())
        .env("TIXBRIDGE_LISTEN", "127.0.0.1:0")
        .env_remove("TIXBRIDGE_SERVER_KEY")
        .env_remove("TIXBRIDGE_SMTP_URL")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let first = stdout.lines().next().unwrap();
    let port: u16 = first
        .strip_prefix("tixbridge demo on http://127.0.0.1:")
        .and_then(|rest| rest.split('/').next())
        .and_then(|port| port.parse().ok())
        .unwrap_or_else(|| panic!("{first}"));
    assert_ne!(port, 8080, "an ephemeral port from TIXBRIDGE_LISTEN, not the default: {first}");
    assert!(stdout.contains("server key file tixbridge-demo.key"), "{stdout}");
    assert!(folder.path().join("tixbridge-demo.key").exists());

    // serve takes it from there too
    use std::io::BufRead;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tixbridge"))
        .args(["serve", "--database"])
        .arg(format!("sqlite://{}/serve.db", folder.path().display()))
        .current_dir(folder.path())
        .env("TIXBRIDGE_LISTEN", "127.0.0.1:0")
        .env("TIXBRIDGE_MAIL_FOLDER", folder.path().join("mail"))
        .env("NO_COLOR", "1")
        .env_remove("TIXBRIDGE_SERVER_KEY")
        .env_remove("TIXBRIDGE_SMTP_URL")
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let serving = lines.map(Result::unwrap).find(|line| line.contains("serving"));
    child.kill().unwrap();
    child.wait().unwrap();
    let serving = serving.expect("a serving line");
    assert!(serving.contains("127.0.0.1:") && !serving.contains("127.0.0.1:8080"), "{serving}");
}

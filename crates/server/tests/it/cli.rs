//! The binary's command line, run as a user would.

use std::process::Command;

fn tixbridge(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tixbridge")).args(args).output().unwrap()
}

#[test]
fn create_organizer_prints_the_api_key_alone_on_its_last_line_and_stores_only_its_hash() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/cli.db", dir.path().display());
    let output =
        tixbridge(&["wallet", "create-organizer", "--database", &url, "--name", "FC", "--login", "admin@fc.org"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let key = stdout.lines().last().unwrap();
    assert!(key.starts_with("tbk_") && !key.contains(' '), "{stdout}");
    let file = std::fs::read(dir.path().join("cli.db")).unwrap();
    assert!(!file.windows(key.len()).any(|w| w == key.as_bytes()), "the key itself must not be stored");

    let again =
        tixbridge(&["wallet", "create-organizer", "--database", &url, "--name", "FC", "--login", "admin@fc.org"]);
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already exists"));
}

#[test]
fn every_command_explains_itself_with_help() {
    for args in [&["--help"][..], &["serve", "--help"], &["wallet", "create-organizer", "--help"], &["demo", "--help"]]
    {
        let output = tixbridge(args);
        assert!(output.status.success());
        assert!(String::from_utf8_lossy(&output.stdout).contains("Usage"));
    }
}

#[test]
fn an_unknown_part_or_database_is_refused_with_a_clear_message() {
    let output = tixbridge(&["serve", "--parts", "wallet,kitchen", "--listen", "127.0.0.1:0"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("unknown part \"kitchen\""));
    let output = tixbridge(&["migrate", "--database", "mysql://x"]);
    assert!(!output.status.success());
    assert!(String::from_utf8_lossy(&output.stderr).contains("not supported"));
}

#[test]
fn the_demo_runs_on_a_fresh_directory_and_ends_with_a_json_summary() {
    let dir = tempfile::tempdir().unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_tixbridge"))
        .args(["demo", "--exit", "--listen", "127.0.0.1:0"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let summary: serde_json::Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(summary["demo"], "ok");
    let functions = &summary["functions"];
    assert_eq!(
        functions["injection"]["accepted"], functions["box_office"]["tickets"],
        "injected = printed: {functions}"
    );
    assert_eq!(functions["injection"]["result"], "OK");
    assert_eq!(functions["push_cancelled"]["accepted"], functions["box_office"]["cancelled"]);
    assert_eq!(functions["push_controlled"]["accepted"], functions["box_office"]["controlled"]);
    assert_eq!(functions["privileges"]["accepted"], 1, "the season card: {functions}");
    assert!(functions["feedback"]["accepted"].as_u64().unwrap() > 0);
}

/// Runs the binary with `stdin` as its standard input.
fn tixbridge_with_input(args: &[&str], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_tixbridge"))
        .args(args)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test]
async fn the_first_organization_token_and_operator_are_created_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}/cli.db", dir.path().display());
    let created = tixbridge(&["boxoffice", "create-organization", "--database", &url, "--code", "FCX", "--name", "FC X"]);
    assert!(created.status.success(), "{}", String::from_utf8_lossy(&created.stderr));
    let child = tixbridge(&[
        "boxoffice", "create-organization", "--database", &url, "--code", "SHOP", "--name", "Shop", "--parent", "FCX",
        "--owns-inventory", "false",
    ]);
    assert!(child.status.success(), "{}", String::from_utf8_lossy(&child.stderr));

    let output = tixbridge(&["boxoffice", "create-token", "--database", &url, "--organization", "FCX", "--role", "admin"]);
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let token = stdout.lines().last().unwrap().to_owned();
    assert!(token.starts_with("tbt_") && !token.contains(' '), "{stdout}");

    let refused = tixbridge(&["boxoffice", "create-token", "--database", &url, "--organization", "FCX", "--role", "boss"]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("role"), "the refusal names the field");

    let piped = tixbridge_with_input(
        &["boxoffice", "create-operator", "--database", &url, "--organization", "FCX", "--email", "anna@fcx.org", "--role", "operator"],
        "correct horse battery\n",
    );
    assert!(piped.status.success(), "{}", String::from_utf8_lossy(&piped.stderr));
    assert!(!String::from_utf8_lossy(&piped.stdout).contains("correct horse"), "a given password is never printed");
    let generated = tixbridge_with_input(
        &["boxoffice", "create-operator", "--database", &url, "--organization", "FCX", "--email", "bob@fcx.org", "--role", "viewer"],
        "",
    );
    let stdout = String::from_utf8(generated.stdout).unwrap();
    let password = stdout.lines().last().unwrap().to_owned();
    assert!(stdout.contains("shown only this once") && password.len() >= 12, "{stdout}");

    let db = tixbridge_store::Db::connect(&url).await.unwrap();
    let caller = tixbridge_boxoffice::access::tokens::authenticate(&db, &token).await.unwrap().expect("the token works");
    assert_eq!(caller.role, tixbridge_boxoffice::access::Role::Admin);
    let org = tixbridge_boxoffice::organizations::find(&db, "FCX").await.unwrap();
    for (email, password) in [("anna@fcx.org", "correct horse battery"), ("bob@fcx.org", password.as_str())] {
        let session = tixbridge_boxoffice::access::sessions::sign_in(&db, org.id, email, password).await.unwrap();
        assert!(session.is_some(), "{email} signs in with the password set from the command line");
    }
    let file = std::fs::read(dir.path().join("cli.db")).unwrap();
    assert!(!file.windows(token.len()).any(|w| w == token.as_bytes()), "the token itself is not stored");
}

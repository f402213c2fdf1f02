//! The configuration file (`tixbridge.toml` or `--config FILE`): its values are used, each
//! variable overrides its key, `config check` shows where every value comes from with secrets
//! masked, and a bad file is refused naming the key and the rule — run with the real binary.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The binary in `dir`, with none of the variables a setting reads (the tests set their own).
fn tixbridge(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_tixbridge"));
    command.args(args).current_dir(dir);
    for key in tixbridge_server::settings::KEYS {
        if let Some(var) = key.var {
            command.env_remove(var);
        }
    }
    command
}

fn text(output: &[u8]) -> String {
    String::from_utf8_lossy(output).into_owned()
}

/// The line `config check` prints for `key`.
fn line_of<'a>(stdout: &'a str, key: &str) -> &'a str {
    stdout
        .lines()
        .find(|line| line.starts_with(&format!("{key} = ")))
        .unwrap_or_else(|| panic!("no {key} in:\n{stdout}"))
}

on_both_databases! {
    async fn a_command_takes_its_database_from_the_file_in_the_current_folder_unless_the_variable_names_another(app: TestApp) {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tixbridge.toml"), format!("database_url = {:?}\n", app.database_url)).unwrap();

        let output = tixbridge(dir.path(), &["wallet", "create-organizer", "--name", "File FC", "--login", "file@fc.org"])
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", text(&output.stderr));
        let key = text(&output.stdout).lines().last().unwrap().to_owned();
        let (status, _) = app.get_json("/api/organizer/tickets/diff?limit=1", &key).await;
        assert_eq!(status, 200, "the organizer was created in the file's database, the one the server uses");

        let other = format!("sqlite://{}/other.db", dir.path().display());
        let output = tixbridge(dir.path(), &["wallet", "create-organizer", "--name", "Env FC", "--login", "env@fc.org"])
            .env("TIXBRIDGE_DATABASE_URL", &other)
            .output()
            .unwrap();
        assert!(output.status.success(), "{}", text(&output.stderr));
        let key = text(&output.stdout).lines().last().unwrap().to_owned();
        let (status, _) = app.get_json("/api/organizer/tickets/diff?limit=1", &key).await;
        assert_eq!(status, 401, "the variable's database got the organizer, not the file's");
        assert!(dir.path().join("other.db").exists());
    }
}

#[test]
fn config_check_prints_every_setting_with_its_source_and_masks_the_secrets() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("settings.toml");
    std::fs::write(
        &file,
        "smtp_url = \"smtp://mailer:s3cret-pass@relay.example.org:25\"\n\
         wallet_timeout_secs = 45\n\
         lease_ttl_secs = 20\n\
         wallet_hosts = [\"wallet.example.org\", \"backup.example.org:8443\"]\n",
    )
    .unwrap();
    let output = tixbridge(dir.path(), &["config", "check", "--config", file.to_str().unwrap()])
        .env("TIXBRIDGE_LEASE_TTL_SECS", "90")
        .env("TIXBRIDGE_SERVER_KEY", "c2VjcmV0LWtleS1ub3QtdG8tYmUtc2hvd24tYW55d2hlcmU=")
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", text(&output.stderr));
    let stdout = text(&output.stdout);
    let from_file = format!("(file {})", file.display());

    let smtp = line_of(&stdout, "smtp_url");
    assert!(smtp.contains("smtp://mailer:***@relay.example.org:25") && smtp.ends_with(&from_file), "{smtp}");
    assert!(!stdout.contains("s3cret-pass"), "a password is never printed:\n{stdout}");
    assert!(line_of(&stdout, "wallet_timeout_secs").starts_with("wallet_timeout_secs = 45 "));
    assert!(line_of(&stdout, "wallet_timeout_secs").ends_with(&from_file));
    let lease = line_of(&stdout, "lease_ttl_secs");
    assert!(
        lease.starts_with("lease_ttl_secs = 90 ") && lease.ends_with("(environment TIXBRIDGE_LEASE_TTL_SECS)"),
        "{lease}"
    );
    let hosts = line_of(&stdout, "wallet_hosts");
    assert!(hosts.starts_with("wallet_hosts = wallet.example.org,backup.example.org:8443 "), "{hosts}");
    let mail = line_of(&stdout, "mail_timeout_secs");
    assert!(mail.starts_with("mail_timeout_secs = 10 ") && mail.ends_with("(default)"), "{mail}");
    let key = line_of(&stdout, "server_key");
    assert!(key.starts_with("server_key = ******** ") && key.ends_with("(environment TIXBRIDGE_SERVER_KEY)"), "{key}");
    assert!(!stdout.contains("c2VjcmV0"), "the server key is never printed:\n{stdout}");
}

#[test]
fn a_bad_configuration_file_is_refused_naming_the_key_and_the_rule_before_anything_is_done() {
    let cases = [
        ("wallet_timeout = 5\n", "key wallet_timeout: unknown key"),
        ("wallet_timeout_secs = \"soon\"\n", "key wallet_timeout_secs: must be a whole number of seconds"),
        ("wallet_timeout_secs = 0\n", "key wallet_timeout_secs: must be a whole number of seconds, at least 1"),
        ("listen = \"8080\"\n", "key listen: must be HOST:PORT"),
        ("database_url = \"mysql://db/tix\"\n", "key database_url: must start with sqlite:// or postgres://"),
        ("smtp_url = \"smtps://relay.example.org\"\n", "key smtp_url:"),
        ("wallet_hosts = [\"wallet.example.org/path\"]\n", "key wallet_hosts:"),
        ("server_key = \"c2VjcmV0\"\n", "key server_key: the server key is never kept in the configuration file"),
        ("listen = \n", "not TOML"),
    ];
    for (content, expected) in cases {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("tixbridge.toml"), content).unwrap();
        let database = format!("sqlite://{}/untouched.db", dir.path().display());
        let output = tixbridge(dir.path(), &["migrate", "--database", &database]).output().unwrap();
        let stderr = text(&output.stderr);
        assert!(!output.status.success(), "{content:?} was accepted");
        assert!(stderr.contains(expected), "{content:?}: expected {expected:?} in {stderr}");
        assert!(stderr.contains("tixbridge.toml"), "the refusal names the file: {stderr}");
        assert!(!dir.path().join("untouched.db").exists(), "{content:?}: nothing is done with a bad file");
    }

    let dir = tempfile::tempdir().unwrap();
    let output = tixbridge(dir.path(), &["config", "check", "--config", "missing.toml"]).output().unwrap();
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("missing.toml"), "{}", text(&output.stderr));
}

#[test]
fn serve_listens_where_the_named_file_says_and_a_flag_wins_over_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let file = dir.path().join("elsewhere.toml");
    std::fs::write(
        &file,
        format!(
            "listen = \"127.0.0.1:{port}\"\ndatabase_url = \"sqlite://{}/served.db\"\nmail_folder = \"{}\"\n",
            dir.path().display(),
            dir.path().join("mail").display()
        ),
    )
    .unwrap();
    let mut child = tixbridge(dir.path(), &["serve", "--config", file.to_str().unwrap(), "--parts", "wallet"])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    let served = loop {
        if let Ok(mut stream) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            use std::io::{Read, Write};
            stream.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).unwrap();
            break answer;
        }
        assert!(Instant::now() < deadline && child.try_wait().unwrap().is_none(), "serve did not listen on {port}");
        std::thread::sleep(Duration::from_millis(100));
    };
    child.kill().unwrap();
    let _ = child.wait();
    assert!(served.starts_with("HTTP/1.1 200"), "{served}");
    assert!(dir.path().join("served.db").exists(), "the file's database was used");

    // a flag wins over the file: --listen with a bad address is the one refused
    let output =
        tixbridge(dir.path(), &["serve", "--config", file.to_str().unwrap(), "--listen", "nowhere"]).output().unwrap();
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("nowhere"), "{}", text(&output.stderr));
}

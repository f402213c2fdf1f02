//! `mailer_from_env` reads the process environment, which tests may not change in place
//! (`set_var` is unsafe and this workspace forbids unsafe code), so each case re-runs this
//! test binary as a child process with the variables set.

use std::process::Command;

use tixbridge_mail::mailer_from_env;

/// In the child: print what `mailer_from_env` chose; in the parent: nothing.
#[test]
fn child_prints_the_mailer_from_its_environment() {
    if std::env::var_os("MAIL_ENV_CHILD").is_none() {
        return;
    }
    match mailer_from_env() {
        Ok(mailer) => println!("CHOSE {}", mailer.describe()),
        Err(error) => println!("ERROR {error}"),
    }
}

fn choice(vars: &[(&str, &str)]) -> String {
    let mut child = Command::new(std::env::current_exe().unwrap());
    child
        .args(["--exact", "child_prints_the_mailer_from_its_environment", "--nocapture"])
        .env("MAIL_ENV_CHILD", "1")
        .env_remove("TIXBRIDGE_SMTP_URL")
        .env_remove("TIXBRIDGE_MAIL_FOLDER");
    for (name, value) in vars {
        child.env(name, value);
    }
    let output = String::from_utf8(child.output().unwrap().stdout).unwrap();
    let line = output.lines().find(|l| l.starts_with("CHOSE") || l.starts_with("ERROR"));
    line.unwrap_or_else(|| panic!("no choice in:\n{output}")).to_owned()
}

#[test]
fn the_environment_chooses_between_the_relay_and_the_outbox_folder() {
    assert_eq!(choice(&[]), "CHOSE folder ./mail-outbox");
    assert_eq!(choice(&[("TIXBRIDGE_SMTP_URL", " "), ("TIXBRIDGE_MAIL_FOLDER", "/var/tix")]), "CHOSE folder /var/tix");
    assert_eq!(
        choice(&[("TIXBRIDGE_SMTP_URL", "smtp://u:pw@relay.local:2525")]),
        "CHOSE SMTP relay smtp://u:***@relay.local:2525 (from tixbridge@localhost)"
    );
    assert_eq!(
        choice(&[("TIXBRIDGE_SMTP_URL", "relay.local:25")]),
        "ERROR TIXBRIDGE_SMTP_URL is invalid: must start with smtp://, as in smtp://user:pass@relay.example.com:25"
    );
}

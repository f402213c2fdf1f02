//! The folder outbox, choosing a mailer from the URL, and what configuration errors say.

use tixbridge_mail::{Email, FolderMailer, MailError, Mailer, SmtpMailer, mailer_from_url};

fn sign_in_code() -> Email {
    Email::new(["spectator@example.com"], "Your sign-in code", "Your code is 481516.\n").unwrap()
}

#[tokio::test]
async fn folder_mailer_writes_a_readable_eml_file_creating_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("outbox/nested");
    let mailer = FolderMailer::new(&folder);

    mailer.send(&sign_in_code()).await.unwrap();
    mailer.send(&sign_in_code()).await.unwrap();

    let mut files: Vec<_> = std::fs::read_dir(&folder).unwrap().map(|entry| entry.unwrap().path()).collect();
    files.sort();
    assert_eq!(files.len(), 2, "{files:?}");
    assert!(files.iter().all(|f| f.extension().unwrap() == "eml"));
    let text = std::fs::read_to_string(&files[0]).unwrap();
    for expected in [
        "From: tixbridge@localhost\r\n",
        "To: spectator@example.com\r\n",
        "Subject: Your sign-in code\r\n",
        "Date: ",
        "\r\n\r\nYour code is 481516.",
    ] {
        assert!(text.contains(expected), "{expected:?} missing from:\n{text}");
    }
    assert!(mailer.describe().contains(&folder.display().to_string()));
}

#[test]
fn without_a_relay_the_folder_mailer_is_chosen_and_says_so() {
    let mailer = mailer_from_url(None, "/tmp/tix-outbox").unwrap();
    let notice = mailer.startup_notice().unwrap();
    assert_eq!(notice, "no SMTP relay configured (TIXBRIDGE_SMTP_URL); mails are written to /tmp/tix-outbox");
    let relay = mailer_from_url(Some("smtp://127.0.0.1:2525"), "unused").unwrap();
    assert_eq!(relay.startup_notice(), None);
    assert!(relay.describe().contains("127.0.0.1:2525"));
}

#[test]
fn a_malformed_url_is_refused_naming_the_variable_and_the_problem() {
    let cases = [
        ("not a url", "not a URL"),
        ("http://mail.example.com", "must start with smtp://"),
        ("smtps://mail.example.com:465", "needs TLS"),
        ("smtp://mail.example.com:99999", "not a URL"),
        ("smtp://mail.example.com?form=a@b.c", "unknown parameter \"form\""),
        ("smtp://mail.example.com?from=not-an-address", "from:"),
        ("smtp://:secret@mail.example.com", "password without a user"),
    ];
    for (url, problem) in cases {
        let error = mailer_from_url(Some(url), "unused").err().unwrap();
        assert!(matches!(error, MailError::Config { .. }), "{url}: {error:?}");
        let message = error.to_string();
        assert!(message.starts_with("TIXBRIDGE_SMTP_URL is invalid"), "{message}");
        assert!(message.contains(problem), "{url}: {message}");
    }
}

#[test]
fn the_password_never_appears_in_describe_debug_or_errors() {
    let url = "smtp://alice:hunter2secret@mail.example.com:587?from=tix@example.com";
    let mailer = SmtpMailer::from_url(url).unwrap();
    let described = mailer.describe();
    assert_eq!(described, "SMTP relay smtp://alice:***@mail.example.com:587 (from tix@example.com)");
    assert!(!format!("{mailer:?}").contains("hunter2secret"));

    let bad = "smtp://alice:hunter2secret@mail.example.com:587?from=nope";
    let error = SmtpMailer::from_url(bad).unwrap_err().to_string();
    assert!(!error.contains("hunter2secret"), "{error}");
}

#[test]
fn a_bad_recipient_is_refused_naming_it() {
    let error = Email::new(["ok@example.com", "not an address"], "s", "b").unwrap_err();
    assert!(error.to_string().contains("\"not an address\""), "{error}");
    assert!(Email::new(Vec::<String>::new(), "s", "b").is_err());
    assert!(Email::new(["ok@example.com"], "two\r\nBcc: x@y.z", "b").is_err());
    assert!(Email::new(["ok@example.com\r\nBcc: x@y.z"], "s", "b").is_err());
}

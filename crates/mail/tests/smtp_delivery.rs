//! SmtpMailer against the real test receiver: what arrives, and how a refusal surfaces.

use std::time::Duration;

use tixbridge_mail::testing::TestSmtpServer;
use tixbridge_mail::{Email, MailError, Mailer, SmtpMailer};

const WAIT: Duration = Duration::from_secs(10);

fn failure_notice() -> Email {
    Email::new(
        ["ops@example.com", "Night Desk <desk@example.org>"],
        "Interface Paris: run 42 of injection failed",
        "The wallet refused the credentials.\n.A line starting with a dot\nEnd.",
    )
    .unwrap()
}

#[tokio::test]
async fn a_mail_sent_by_smtp_mailer_arrives_with_subject_body_and_every_recipient() {
    let server = TestSmtpServer::start().await;
    let mailer = SmtpMailer::from_url(&server.url()).unwrap();

    mailer.send(&failure_notice()).await.unwrap();

    let received = server.wait_for(1, WAIT).await;
    assert_eq!(received.len(), 1);
    let mail = &received[0];
    assert_eq!(mail.envelope_from, "tixbridge@localhost");
    assert_eq!(mail.recipients, ["ops@example.com", "desk@example.org"]);
    assert_eq!(mail.subject, "Interface Paris: run 42 of injection failed");
    assert_eq!(mail.body.trim_end(), "The wallet refused the credentials.\n.A line starting with a dot\nEnd.");
    assert!(mail.header("Date").is_some());
    assert_eq!(mail.auth_user, None);
}

#[tokio::test]
async fn the_sender_and_the_user_name_come_from_the_url() {
    let server = TestSmtpServer::start().await;
    let url = format!("smtp://mailer%40corp:s3cr%3At@{}?from=noreply@tix.example", server.addr());
    let mailer = SmtpMailer::from_url(&url).unwrap();

    mailer.send(&failure_notice()).await.unwrap();

    let mail = &server.wait_for(1, WAIT).await[0];
    assert_eq!(mail.envelope_from, "noreply@tix.example");
    assert_eq!(mail.header("From"), Some("noreply@tix.example"));
    assert_eq!(mail.auth_user.as_deref(), Some("mailer@corp"));
}

#[tokio::test]
async fn accented_subject_and_body_arrive_readable() {
    let server = TestSmtpServer::start().await;
    let mailer = SmtpMailer::from_url(&server.url()).unwrap();
    let email = Email::new(
        ["spectateur@example.com"],
        "Votre code de connexion : 481 516 — Théâtre du Châtelet",
        "Bonjour Hélène,\nvotre code est 481516. Il expire dans 10 minutes.\n",
    )
    .unwrap();

    mailer.send(&email).await.unwrap();

    let mail = &server.wait_for(1, WAIT).await[0];
    assert_eq!(mail.subject, email.subject());
    assert_eq!(mail.body.trim_end(), email.body().trim_end());
}

#[tokio::test]
async fn mails_sent_concurrently_all_arrive() {
    let server = TestSmtpServer::start().await;
    let mailer = std::sync::Arc::new(SmtpMailer::from_url(&server.url()).unwrap());

    let sends = (0..5).map(|i| {
        let mailer = mailer.clone();
        tokio::spawn(async move {
            let email = Email::new(["ops@example.com"], format!("run {i}"), "failed").unwrap();
            mailer.send(&email).await
        })
    });
    for send in sends {
        send.await.unwrap().unwrap();
    }

    let mut subjects: Vec<String> = server.wait_for(5, WAIT).await.into_iter().map(|m| m.subject).collect();
    subjects.sort();
    assert_eq!(subjects, ["run 0", "run 1", "run 2", "run 3", "run 4"]);
}

#[tokio::test]
async fn a_refusing_relay_yields_an_error_naming_its_reply() {
    let server = TestSmtpServer::start_refusing().await;
    let mailer = SmtpMailer::from_url(&server.url()).unwrap();

    let error = mailer.send(&failure_notice()).await.unwrap_err();

    assert!(matches!(error, MailError::Relay { .. }), "{error:?}");
    let message = error.to_string();
    assert!(message.contains("554"), "{message}");
    assert!(message.contains("Relay access denied"), "{message}");
    assert!(server.messages().is_empty());
}

#[tokio::test]
async fn an_unreachable_relay_yields_an_error_naming_it() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let mailer = SmtpMailer::from_url(&format!("smtp://127.0.0.1:{port}")).unwrap();

    let error = mailer.send(&failure_notice()).await.unwrap_err();

    let message = error.to_string();
    assert!(message.contains(&format!("127.0.0.1:{port}")), "{message}");
}

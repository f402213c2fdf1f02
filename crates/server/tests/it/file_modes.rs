//! Files the product creates hold secrets and personal data — the database and its `-wal` and
//! `-shm` files, the server key, the mail folder and its mails, the dumps of a run — so they
//! are readable by their owner only: 0600 files in 0700 folders.

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use crate::common::seed::injection_settings;
use serde_json::json;

fn mode(path: &Path) -> u32 {
    std::fs::metadata(path).unwrap_or_else(|err| panic!("{}: {err}", path.display())).permissions().mode() & 0o777
}

on_both_databases! {
    async fn files_the_product_creates_are_readable_by_their_owner_only(app: TestApp) {
        let seeded = app.seed_match("FCF", 3).await;
        app.configure_interface(&seeded, None, json!({ "customParameters": "dumpTnPRvariables=true" })).await;
        let function = app.function("FCF", "INJECTION", injection_settings()).await;
        let summary = app.run(function).await;
        assert_eq!(summary["counts"]["accepted"], 3, "{summary}");

        if app.database_url.starts_with("sqlite://") {
            for name in ["test.db", "test.db-wal", "test.db-shm"] {
                assert_eq!(mode(&app.dir.path().join(name)), 0o600, "{name}");
            }
        }
        let dumps = app.dir.path().join("dumps");
        assert_eq!(mode(&dumps), 0o700, "the dump folder");
        let files: Vec<_> = std::fs::read_dir(&dumps).unwrap().map(|e| e.unwrap().path()).collect();
        assert!(!files.is_empty(), "a variables dump was written");
        for file in files {
            assert_eq!(mode(&file), 0o600, "{}", file.display());
        }

        let outbox = app.dir.path().join("outbox");
        let mailer = tixbridge_mail::FolderMailer::new(&outbox);
        let mail = tixbridge_mail::Email::new(["fan@example.org"], "Your sign-in code", "123456".to_owned()).unwrap();
        tixbridge_mail::Mailer::send(&mailer, &mail).await.unwrap();
        assert_eq!(mode(&outbox), 0o700, "the mail folder");
        let mails: Vec<_> = std::fs::read_dir(&outbox).unwrap().map(|e| e.unwrap().path()).collect();
        assert_eq!(mails.len(), 1);
        assert_eq!(mode(&mails[0]), 0o600, "{}", mails[0].display());

        let key_file = app.dir.path().join("tixbridge-server.key");
        if std::env::var("TIXBRIDGE_SERVER_KEY").is_err() {
            tixbridge_vault::ServerKey::from_env_or_file(&key_file).unwrap();
            assert_eq!(mode(&key_file), 0o600, "the server key file");
        }
    }
}

//! `tixbridge bench mixed` on a short, slow load against a real server (its scheduler on, as
//! under `serve`): every kind of change happens and the scenario's own checks pass — sales
//! injected, cancellations DELETED, scans CONTROLLED, phones' changes fed back. Correctness
//! only: speed figures come from the release build's `tixbridge bench`.

use crate::common;

use tixbridge_server::bench::mixed::{MixedArgs, Target, run_on};

/// Six seconds of a little of everything.
fn short_load() -> MixedArgs {
    MixedArgs {
        minutes: 0.1,
        sales_per_minute: 60,
        cancels_per_minute: 30,
        scans_per_minute: 60,
        downloads_per_minute: 30,
        transfers_per_minute: 20,
        against: None,
        server_key_file: "unused.key".into(),
        server_pid: None,
        rss_every_secs: 1.0,
    }
}

on_both_databases! {
    async fn a_short_mixed_load_carries_every_change_between_box_office_and_wallet(app: TestApp) {
        let app = app.restart_with(|config| config.run_scheduler = true).await;
        let target = Target::against(&app.url(""), &app.database_url, common::test_key()).await.unwrap();
        let report = run_on(target, &short_load()).await.unwrap();
        let figures = report.to_json();
        assert!(report.checks_passed, "{:#?}\n{figures:#}", report.checks);
        let functions = &figures["functions"];
        for (function, key, at_least) in [
            ("injection", "arrived", 6),
            ("push_cancelled", "arrived", 3),
            ("push_controlled", "arrived", 6),
            ("downloads", "done", 3),
            ("transfers", "done", 1),
        ] {
            let n = functions[function][key].as_u64().unwrap_or(0);
            assert!(n >= at_least, "{function}: {key} {n}, expected at least {at_least}: {figures:#}");
        }
        // three fans, two tickets each, one of them transferred
        assert_eq!(functions["feedback"]["count"].as_u64(), Some(6), "{figures:#}");
    }
}

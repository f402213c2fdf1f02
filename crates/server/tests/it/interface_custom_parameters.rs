//! Each custom parameter of the interface (docs/interface.md#custom-parameters) changes what a
//! run does — shown on a run over real HTTP, with the value set and with the other value, on
//! both databases. `killRatio`, `doContinueInCaseOfSyncError` and
//! `overrideVisibilityFlagForInvalidationReasons` have their tests with the functions they steer
//! (interface_fidelity.rs, interface_push_feedback.rs).

use crate::common;

use crate::common::boxoffice::bo_put;
use crate::common::seed::{Seeded, injection_settings, merge};
use crate::support::sign_in;
use chrono::{DateTime, FixedOffset};
use serde_json::{Value, json};

/// Sets the interface's custom parameters to `params` (the URL, login and stored key unchanged).
async fn set_parameters(app: &common::TestApp, seeded: &Seeded, kind: &str, params: &str) {
    let body = json!({ "name": "Wallet", "type": kind, "url": app.url("/api/organizer/tickets"),
        "login": format!("wallet@{}.example.org", seeded.org.to_lowercase()),
        "notificationEmails": "ops@example.org", "customParameters": params });
    let (status, answer) = bo_put(app, &format!("/organizations/{}/interface", seeded.org), &body).await;
    assert_eq!(status.as_u16(), 200, "{answer}");
}

/// Seeds `n` tickets and points the interface at the wallet with `params`.
async fn configured(app: &common::TestApp, org: &str, n: usize, params: &str) -> Seeded {
    let seeded = app.seed_match(org, n).await;
    app.configure_interface(&seeded, None, json!({ "customParameters": params })).await;
    seeded
}

fn settings(extra: Value) -> Value {
    let mut settings = injection_settings();
    merge(&mut settings, extra);
    settings
}

/// The stored record of a run: its log, counts and (for admins) dump.
async fn record(app: &common::TestApp, summary: &Value) -> Value {
    app.bo_get(&format!("/api/boxoffice/runs/{}", summary["runId"])).await
}

/// The log lines of a run about ticket `id`.
fn lines_about(run: &Value, id: i64) -> Vec<String> {
    let id = id.to_string();
    let lines = run["log"].as_array().unwrap().iter();
    lines
        .filter(|l| l["ticket"].as_str() == Some(id.as_str()))
        .map(|l| l["message"].as_str().unwrap().to_owned())
        .collect()
}

/// The request bodies of the wallet calls kept in a run's dump.
fn dumped_requests(run: &Value) -> Vec<Value> {
    let dump = run["dump"].as_str().unwrap_or_else(|| panic!("no dump: {run}"));
    dump.lines().filter_map(|l| l.strip_prefix(">>> ")).map(|body| serde_json::from_str(body).unwrap()).collect()
}

fn at(text: &Value) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text.as_str().unwrap_or_else(|| panic!("not a time: {text}"))).unwrap()
}

async fn act(app: &common::TestApp, org: &str, id: i64, action: &str, body: Value) -> Value {
    let (status, answer) =
        app.post_json(&format!("/api/boxoffice/organizations/{org}/tickets/{id}/{action}"), "", &body).await;
    assert!(status.is_success(), "{action} {id}: {answer}");
    answer
}

/// Reprints ticket `id`; returns the new ticket's id.
async fn reprint(app: &common::TestApp, org: &str, id: i64) -> i64 {
    act(app, org, id, "reprint", json!({})).await["new"]["id"].as_i64().unwrap()
}

/// `from` offers wallet ticket `ticket` to `to`, who accepts: the spectators' own calls.
async fn transfer_in_wallet(app: &common::TestApp, ticket: i64, from: &str, to: &str) {
    let sender = sign_in(app, from).await;
    let (id, _) = sender.fetch(app, &ticket.to_string()).await;
    let (status, offer) = sender.offer(app, id, to).await;
    assert_eq!(status.as_u16(), 200, "{offer}");
    let recipient = sign_in(app, to).await;
    let (_, offers) = recipient.get(app, "/api/spectator/transfers").await;
    let transfer = offers["results"][0]["transferId"].as_i64().unwrap_or_else(|| panic!("no offer: {offers}"));
    let (status, done) = recipient.post(app, &format!("/api/spectator/transfers/{transfer}/accept"), json!({})).await;
    assert_eq!(status.as_u16(), 200, "{done}");
}

/// The wallet owner's e-mail of box-office ticket `id`.
async fn wallet_owner(app: &common::TestApp, seeded: &Seeded, id: i64) -> String {
    let (status, wallet) = app.wallet_ticket(seeded, id).await;
    assert_eq!(status, 200, "{wallet}");
    wallet["owner"]["email"].as_str().unwrap().to_owned()
}

/// Issues one ticket of the seeded match owned by `owner`, held by `holder`.
async fn issue_held(app: &common::TestApp, org: &str, owner: i64, holder: i64) -> i64 {
    // a seat is sold once: each ticket its own
    static SEATS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(1);
    let seat = SEATS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let ticket = json!({ "productCode": "FINAL", "performanceCode": "P1", "seatCategoryCode": "CAT1",
        "tariffCode": "FULL", "shipmentModeCode": "MOB", "block": "C", "row": "1", "seat": seat.to_string(),
        "priceCents": 4500, "currency": "CHF", "holderContactId": holder });
    let file = app
        .create(
            &format!("/api/boxoffice/organizations/{org}/files"),
            json!({ "contactId": owner, "salesChannelCode": "WEB", "tickets": [ticket] }),
        )
        .await;
    file["tickets"][0]["id"].as_i64().unwrap()
}

async fn contact(app: &common::TestApp, org: &str, first: &str, email: &str) -> i64 {
    let created = app
        .create(
            &format!("/api/boxoffice/organizations/{org}/contacts"),
            json!({ "firstName": first, "lastName": "Holder", "email": email }),
        )
        .await;
    created["id"].as_i64().unwrap()
}

async fn contacts_with(app: &common::TestApp, org: &str, email: &str) -> Vec<Value> {
    let list = app.bo_get(&format!("/api/boxoffice/organizations/{org}/contacts?email={email}")).await;
    list["results"].as_array().unwrap().clone()
}

on_both_databases! {
    async fn stick_to_the_hour_plans_runs_on_the_clock_and_false_one_period_after_the_last_start(app: TestApp) {
        let seeded = configured(&app, "FPS", 2, "stickToTheHour=false").await;
        let hourly = |start: Option<&str>| {
            let mut body = json!({ "kind": "INJECTION", "name": "hourly", "launch": "AUTOMATIC", "frequencyMinutes": 60,
                                   "settings": injection_settings() });
            if let Some(start) = start {
                body["start"] = json!(start);
            }
            body
        };
        let functions = "/api/boxoffice/organizations/FPS/interface/functions";
        let starting = app.create(functions, hourly(Some("2099-01-01T10:07:00Z"))).await;
        assert_eq!(at(&starting["nextRunAt"]), at(&json!("2099-01-01T10:07:00Z")), "off the clock the first run is at start");
        let now_function = app.create(functions, hourly(None)).await;
        let id = now_function["id"].as_i64().unwrap();
        let run = app.run(id).await;
        assert_eq!(run["counts"]["accepted"], 2, "{run}");
        let next = at(&app.bo_get(&format!("/api/boxoffice/functions/{id}")).await["nextRunAt"]);
        let after_start = (next - at(&run["startedAt"])).num_milliseconds();
        assert!((3_595_000..=3_605_000).contains(&after_start), "one period after the run's start: {next}, {run}");
        assert_ne!(next.timestamp_millis() % 3_600_000, 0, "not on the hour: {next}");

        set_parameters(&app, &seeded, "TIXNGO", "stickToTheHour=true").await;
        let starting = app.create(functions, hourly(Some("2099-01-01T10:07:00Z"))).await;
        assert_eq!(at(&starting["nextRunAt"]), at(&json!("2099-01-01T11:00:00Z")), "on the clock: the first whole hour from start");
        let run = app.run(id).await;
        let next = at(&app.bo_get(&format!("/api/boxoffice/functions/{id}")).await["nextRunAt"]);
        assert_eq!(next.timestamp_millis() % 3_600_000, 0, "the next whole hour: {next}");
        let after_end = (next - at(&run["endedAt"])).num_milliseconds();
        assert!((0..=3_600_000).contains(&after_end), "the first whole hour after the run ended: {next}, {run}");
    }

    async fn ticket_iteration_size_bounds_the_tickets_of_each_wallet_call_of_a_push(app: TestApp) {
        let seeded = configured(&app, "FPI", 5, "ticketIterationSize=2\nmaxLengthDumpedCallsInKbs=64").await;
        let injection = app.function("FPI", "INJECTION", injection_settings()).await;
        let injected = app.run(injection).await;
        let sizes = |run: &Value| {
            let mut sizes: Vec<usize> = dumped_requests(run).iter().map(|r| r.as_array().unwrap().len()).collect();
            sizes.sort_unstable_by(|a, b| b.cmp(a));
            sizes
        };
        assert_eq!(sizes(&record(&app, &injected).await), [2, 2, 1], "injection: {injected}");
        for id in &seeded.ticket_ids {
            act(&app, "FPI", *id, "cancel", json!({ "reason": "CANCELLATION" })).await;
        }
        let push = app.function("FPI", "PUSH_CANCELLED", json!({ "batchSize": 1000, "shipmentModes": ["MOB"] })).await;
        let pushed = app.run(push).await;
        assert_eq!((pushed["result"].as_str(), pushed["counts"]["accepted"].as_u64()), (Some("OK"), Some(5)), "{pushed}");
        assert_eq!(sizes(&record(&app, &pushed).await), [2, 2, 1], "three calls of at most 2 tickets");

        set_parameters(&app, &seeded, "TIXNGO", "ticketIterationSize=500\nmaxLengthDumpedCallsInKbs=64").await;
        for id in &seeded.ticket_ids {
            act(&app, "FPI", *id, "reason", json!({ "reason": "FRAUD" })).await;
        }
        let again = app.run(push).await;
        assert_eq!(again["counts"]["accepted"], 5, "{again}");
        assert_eq!(sizes(&record(&app, &again).await), [5], "one call when they fit");
    }

    async fn enforce_mandatory_parameters_refuses_a_ticket_without_recipient_before_the_wallet_and_false_lets_the_wallet_refuse_it(app: TestApp) {
        let seeded = configured(&app, "FPE", 2, "").await;
        let (_, walk_in) = app.post_json("/api/boxoffice/organizations/FPE/contacts", "",
            &json!({ "firstName": "Walk-in", "lastName": "Buyer" })).await;
        let no_email = app.issue_tickets("FPE", walk_in["id"].as_i64().unwrap(), 1, "MOB").await[0];
        let injection = app.function("FPE", "INJECTION", injection_settings()).await;

        let enforced = app.run(injection).await;
        let counts = &enforced["counts"];
        assert_eq!((counts["sent"].as_u64(), counts["accepted"].as_u64(), counts["rejected"].as_u64()), (Some(2), Some(2), Some(1)),
            "refused before the call: {enforced}");
        let lines = lines_about(&record(&app, &enforced).await, no_email);
        assert!(lines.len() == 1 && lines[0].starts_with("not sent, the wallet would refuse it: spectatorDetails.email"), "{lines:?}");

        set_parameters(&app, &seeded, "TIXNGO", "enforceMandatoryParameters=false").await;
        let sent = app.run(injection).await;
        let counts = &sent["counts"];
        assert_eq!((counts["sent"].as_u64(), counts["accepted"].as_u64(), counts["rejected"].as_u64()), (Some(1), Some(0), Some(1)),
            "sent, and refused by the wallet: {sent}");
        assert_eq!(sent["result"], "ERROR");
        let lines = lines_about(&record(&app, &sent).await, no_email);
        assert!(lines.len() == 1 && lines[0].starts_with("wallet REJECTED: spectatorDetails.email"), "{lines:?}");
        assert_eq!(app.ticket("FPE", no_email).await["status"], "NOT_PRINTED");
        assert_eq!(app.wallet_ticket(&seeded, no_email).await.0, 404);
    }

    async fn max_length_dumped_calls_in_kbs_keeps_the_wallet_calls_up_to_that_size_and_nothing_when_unset(app: TestApp) {
        let seeded = configured(&app, "FPD", 10, "").await;
        let injection = app.function("FPD", "INJECTION", injection_settings()).await;
        let unset = app.run(injection).await;
        assert_eq!(unset["counts"]["accepted"], 10);
        assert!(record(&app, &unset).await["dump"].is_null(), "no dump when unset");

        for (kb, more) in [(64, 10), (1, 10)] {
            set_parameters(&app, &seeded, "TIXNGO", &format!("maxLengthDumpedCallsInKbs={kb}")).await;
            app.issue_tickets("FPD", seeded.contact_id, more, "MOB").await;
            let run = app.run(injection).await;
            assert_eq!(run["counts"]["accepted"], more as u64, "{run}");
            let dump = record(&app, &run).await["dump"].as_str().unwrap().to_owned();
            assert!(dump.starts_with(">>> [{"), "the request first: {dump}");
            assert!(dump.len() <= kb * 1024, "at most {kb} KB: {} bytes", dump.len());
            match kb {
                1 => assert!(!dump.contains("<<< 200"), "10 tickets do not fit in 1 KB: cut before the answer"),
                _ => assert!(dump.contains("<<< 200 {\"results\""), "the whole call and its answer: {dump}"),
            }
        }
    }

    async fn dump_tnpr_variables_writes_each_tickets_variables_and_payload_to_a_file_only_when_true(app: TestApp) {
        let seeded = configured(&app, "FPV", 2, "").await;
        let injection = app.function("FPV", "INJECTION", injection_settings()).await;
        let dumps = app.dir.path().join("dumps");
        let files = || std::fs::read_dir(&dumps).map(|d| d.map(|e| e.unwrap().path()).collect::<Vec<_>>()).unwrap_or_default();
        let off = app.run(injection).await;
        assert_eq!(off["counts"]["accepted"], 2);
        assert!(files().is_empty(), "no file when false: {:?}", files());

        set_parameters(&app, &seeded, "TIXNGO", "dumpTnPRvariables=true").await;
        let more = app.issue_tickets("FPV", seeded.contact_id, 2, "MOB").await;
        let on = app.run(injection).await;
        let file = dumps.join(format!("run-{}-variables.json", on["runId"]));
        assert_eq!(files(), std::slice::from_ref(&file));
        let run = record(&app, &on).await;
        assert!(run["log"].as_array().unwrap().iter().any(|l| l["message"].as_str().unwrap().contains(&*file.to_string_lossy())),
            "the run log names the file: {run}");
        let written: Value = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        let entries = written.as_array().unwrap();
        assert_eq!(entries.len(), 2, "one entry per ticket of the run");
        for (entry, id) in entries.iter().zip(&more) {
            assert_eq!(entry["ticketId"], id.to_string());
            assert_eq!(entry["variables"]["Performance_hostTeam"], "Lions");
            assert_eq!(entry["variables"]["Site_externalName"], "National Stadium");
            let (_, wallet) = app.wallet_ticket(&seeded, *id).await;
            assert_eq!(entry["payload"], wallet["ticket"], "the payload the wallet received");
        }
    }

    async fn dump_data_modified_by_template_logs_each_field_the_template_changed_only_when_true(app: TestApp) {
        let seeded = app.seed_match("FPT", 1).await;
        app.configure_interface(&seeded, None, json!({ "type": "TIXNGO_WITH_TEMPLATE", "customParameters": "dumpDataModifiedByTemplate=true" })).await;
        let template = app.create("/api/boxoffice/organizations/FPT/templates", json!({ "name": "Match", "fields": {
            "event.name": "${Product_externalName}", "ticketDetails.main.0.value": "${SeatCategory_name}" } })).await;
        let injection = app.function("FPT", "INJECTION", settings(json!({ "templateId": template["id"] }))).await;
        let logged = app.run(injection).await;
        assert_eq!(logged["result"], "OK", "a logged change is no problem: {logged}");
        let first = seeded.ticket_ids[0];
        let lines = lines_about(&record(&app, &logged).await, first);
        assert_eq!(lines, [r#"template changed event.name: "Lions - Eagles" -> "The Final""#], "only what changed");
        assert_eq!(app.wallet_ticket(&seeded, first).await.1["ticket"]["event"]["name"], "The Final");

        set_parameters(&app, &seeded, "TIXNGO_WITH_TEMPLATE", "dumpDataModifiedByTemplate=false").await;
        let second = app.issue_tickets("FPT", seeded.contact_id, 1, "MOB").await[0];
        let quiet = app.run(injection).await;
        assert_eq!(quiet["counts"]["accepted"], 1, "{quiet}");
        assert!(record(&app, &quiet).await["log"].as_array().unwrap().is_empty(), "nothing logged when false");
        assert_eq!(app.wallet_ticket(&seeded, second).await.1["ticket"]["event"]["name"], "The Final", "the template still applies");
    }

    async fn a_reprint_goes_to_the_last_wallet_owner_unless_overlay_spectator_details_with_last_owner_is_false(app: TestApp) {
        // the distribution mirror would make the new owner the ticket's contact, and the
        // reprint would go to them anyway: off, the box office keeps its owner
        let seeded = configured(&app, "FPO", 2, "enableTicketDistributionToCulturalContact=false").await;
        let injection = app.function("FPO", "INJECTION", injection_settings()).await;
        let feedback = app.function("FPO", "FEEDBACK", json!({ "batchSize": 100 })).await;
        assert_eq!(app.run(injection).await["counts"]["accepted"], 2);
        let owner = "ada@fpo.example.org";
        for id in &seeded.ticket_ids {
            transfer_in_wallet(&app, *id, owner, &format!("bob{id}@example.org")).await;
        }
        assert_eq!(app.run(feedback).await["result"], "OK");
        let (first, second) = (seeded.ticket_ids[0], seeded.ticket_ids[1]);
        assert_eq!(app.ticket("FPO", first).await["walletOwnerEmail"], format!("bob{first}@example.org"));

        set_parameters(&app, &seeded, "TIXNGO", "enableTicketDistributionToCulturalContact=false\noverlaySpectatorDetailsWithLastOwner=false").await;
        let to_box_office_owner = reprint(&app, "FPO", first).await;
        assert_eq!(app.run(injection).await["counts"]["accepted"], 1);
        assert_eq!(wallet_owner(&app, &seeded, to_box_office_owner).await, owner, "false: the box-office owner");

        set_parameters(&app, &seeded, "TIXNGO", "enableTicketDistributionToCulturalContact=false\noverlaySpectatorDetailsWithLastOwner=true").await;
        let to_last_owner = reprint(&app, "FPO", second).await;
        assert_eq!(app.run(injection).await["counts"]["accepted"], 1);
        assert_eq!(wallet_owner(&app, &seeded, to_last_owner).await, format!("bob{second}@example.org"), "true: the last wallet owner");
    }

    async fn a_reprint_whose_replaced_ticket_has_a_reset_reason_goes_to_the_box_office_holder(app: TestApp) {
        let seeded = configured(&app, "FPR", 0, "enableTicketDistributionToCulturalContact=false\nresetInjectionInvalidationReasons=MOBILE_TAKE_BACK").await;
        let holder = contact(&app, "FPR", "Grace", "grace@example.org").await;
        let tickets = [issue_held(&app, "FPR", seeded.contact_id, holder).await, issue_held(&app, "FPR", seeded.contact_id, holder).await];
        let injection = app.function("FPR", "INJECTION", injection_settings()).await;
        let feedback = app.function("FPR", "FEEDBACK", json!({ "batchSize": 100 })).await;
        assert_eq!(app.run(injection).await["counts"]["accepted"], 2);
        for id in tickets {
            assert_eq!(wallet_owner(&app, &seeded, id).await, "ada@fpr.example.org", "a first injection goes to the owner");
            transfer_in_wallet(&app, id, "ada@fpr.example.org", "bob@example.org").await;
        }
        assert_eq!(app.run(feedback).await["result"], "OK");

        let reset = reprint(&app, "FPR", tickets[0]).await;
        act(&app, "FPR", tickets[0], "reason", json!({ "reason": "MOBILE_TAKE_BACK" })).await;
        assert_eq!(app.run(injection).await["counts"]["accepted"], 1);
        assert_eq!(wallet_owner(&app, &seeded, reset).await, "grace@example.org", "a listed reason: the box-office holder");

        set_parameters(&app, &seeded, "TIXNGO", "enableTicketDistributionToCulturalContact=false").await;
        let kept = reprint(&app, "FPR", tickets[1]).await;
        act(&app, "FPR", tickets[1], "reason", json!({ "reason": "MOBILE_TAKE_BACK" })).await;
        assert_eq!(app.run(injection).await["counts"]["accepted"], 1);
        assert_eq!(wallet_owner(&app, &seeded, kept).await, "bob@example.org", "the reason not listed: the last wallet owner");
    }

    async fn send_multilingual_as_json_object_sends_every_shown_text_as_a_language_object(app: TestApp) {
        let seeded = configured(&app, "FPM", 1, "sendMultilingualAsJsonObject=true").await;
        let injection = app.function("FPM", "INJECTION", injection_settings()).await;
        let multilingual = app.run(injection).await;
        assert_eq!(multilingual["result"], "OK", "the wallet takes them: {multilingual}");
        let first = seeded.ticket_ids[0];
        let (_, wallet) = app.wallet_ticket(&seeded, first).await;
        let sent = &wallet["ticket"];
        for (path, text) in [
            ("/event/name", "Lions - Eagles"),
            ("/event/address/site", "National Stadium"),
            ("/event/address/line1", "1 Main St"),
            ("/event/address/city", "Geneva"),
            ("/purchaseDetails/category", "CAT1 name"),
            ("/ticketDetails/main/0/value", "CAT1 name"),
            ("/ticketDetails/main/1/value", "FULL name"),
        ] {
            assert_eq!(sent.pointer(path), Some(&json!({ "en": text })), "{path}: {sent}");
        }
        for (path, code) in [("/event/address/zip", "1201"), ("/event/address/countryCode", "CH")] {
            assert_eq!(sent.pointer(path), Some(&json!(code)), "codes stay text: {path}");
        }
        let block = sent.pointer("/block").and_then(Value::as_str);
        assert!(block.is_some_and(|b| b.starts_with('B')), "a block stays text: {sent}");
        let spectator = sign_in(&app, "ada@fpm.example.org").await;
        let (_, shown) = spectator.fetch(&app, &first.to_string()).await;
        assert_eq!(shown["event"]["name"], "Lions - Eagles", "the wallet shows the English text: {shown}");
        assert_eq!(shown["details"]["event"]["name"], json!({ "en": "Lions - Eagles" }));

        set_parameters(&app, &seeded, "TIXNGO", "sendMultilingualAsJsonObject=false").await;
        let second = app.issue_tickets("FPM", seeded.contact_id, 1, "MOB").await[0];
        assert_eq!(app.run(injection).await["counts"]["accepted"], 1);
        let (_, wallet) = app.wallet_ticket(&seeded, second).await;
        for path in ["/event/name", "/event/address/site", "/purchaseDetails/category", "/ticketDetails/main/0/value"] {
            assert!(wallet["ticket"].pointer(path).is_some_and(Value::is_string), "false: plain text at {path}: {wallet}");
        }
    }

    async fn tixngo_lifecycle_mode_takes_only_lifecycle_which_reports_like_the_default(app: TestApp) {
        let explicit = configured(&app, "FPL", 2, "TIXNGO_LIFECYCLE_MODE=lifecycle").await;
        let default = configured(&app, "FPN", 2, "").await;
        for bad in ["legacy", "LIFECYCLE", ""] {
            let body = json!({ "name": "Wallet", "type": "TIXNGO", "url": app.url("/api/organizer/tickets"),
                "login": "wallet@fpl.example.org", "customParameters": format!("TIXNGO_LIFECYCLE_MODE={bad}") });
            let (status, answer) = bo_put(&app, "/organizations/FPL/interface", &body).await;
            assert_eq!(status.as_u16(), 422, "{bad}: {answer}");
            assert_eq!(answer["field"], "customParameters");
            assert!(answer["error"].as_str().unwrap().contains("TIXNGO_LIFECYCLE_MODE"), "{answer}");
        }
        let shown = app.bo_get("/api/boxoffice/organizations/FPL/interface").await;
        assert_eq!(shown["customParameters"], "TIXNGO_LIFECYCLE_MODE=lifecycle", "nothing changed");

        let mut reported = Vec::new();
        for seeded in [&explicit, &default] {
            let org = seeded.org.as_str();
            let injection = app.function(org, "INJECTION", injection_settings()).await;
            assert_eq!(app.run(injection).await["counts"]["accepted"], 2);
            let control = json!([{ "ticketId": seeded.ticket_ids[0].to_string() }]);
            let (_, answer) = app.post_json("/api/organizer/tickets/control", &seeded.wallet_key, &control).await;
            assert_eq!(answer["results"][0]["status"], "ACCEPTED");
            let feedback = app.function(org, "FEEDBACK", json!({ "batchSize": 100 })).await;
            assert_eq!(app.run(feedback).await["counts"]["accepted"], 2);
            let mut statuses = Vec::new();
            for id in &seeded.ticket_ids {
                let ticket = app.ticket(org, *id).await;
                let actions: Vec<Value> = ticket["mobileHistory"].as_array().unwrap().iter()
                    .map(|h| json!([h["status"], h["action"]])).collect();
                statuses.push(json!([ticket["mobileStatus"], actions, ticket["status"]]));
            }
            reported.push(statuses);
        }
        assert_eq!(reported[0], reported[1], "lifecycle is the default");
        assert_eq!(reported[0][0], json!(["CONTROLLED", [["INJECTED", "INJECT"], ["CONTROLLED", "CONTROL"]], "CONTROLLED"]),
            "the wallet's own statuses, and the control brought back to the box office");
    }

    async fn enable_ticket_distribution_to_cultural_contact_false_writes_the_wallet_fields_but_no_contact_or_distribution(app: TestApp) {
        let seeded = configured(&app, "FPC", 2, "enableTicketDistributionToCulturalContact=false").await;
        let injection = app.function("FPC", "INJECTION", injection_settings()).await;
        let feedback = app.function("FPC", "FEEDBACK", json!({ "batchSize": 100 })).await;
        assert_eq!(app.run(injection).await["counts"]["accepted"], 2);
        let (first, second) = (seeded.ticket_ids[0], seeded.ticket_ids[1]);

        transfer_in_wallet(&app, first, "ada@fpc.example.org", "bob@example.org").await;
        assert_eq!(app.run(feedback).await["result"], "OK");
        let ticket = app.ticket("FPC", first).await;
        assert_eq!((ticket["mobileStatus"].as_str(), ticket["walletOwnerEmail"].as_str()),
            (Some("TRANSFERRED"), Some("bob@example.org")), "the wallet fields are written: {ticket}");
        assert_eq!(ticket["contactId"], seeded.contact_id, "the contact stays: {ticket}");
        assert_eq!(ticket["distributionHistory"], json!([]), "no distribution entry: {ticket}");
        assert!(contacts_with(&app, "FPC", "bob@example.org").await.is_empty(), "no contact created");

        set_parameters(&app, &seeded, "TIXNGO", "enableTicketDistributionToCulturalContact=true").await;
        transfer_in_wallet(&app, second, "ada@fpc.example.org", "carl@example.org").await;
        assert_eq!(app.run(feedback).await["result"], "OK");
        let carl = contacts_with(&app, "FPC", "carl@example.org").await;
        assert_eq!(carl.len(), 1, "true: the new owner becomes a contact: {carl:?}");
        let ticket = app.ticket("FPC", second).await;
        assert_eq!(ticket["contactId"], carl[0]["id"], "and the ticket's contact: {ticket}");
        let statuses: Vec<&str> = ticket["distributionHistory"].as_array().unwrap().iter().map(|d| d["status"].as_str().unwrap()).collect();
        assert_eq!(statuses, ["PENDING", "CONFIRMED"]);
    }

    async fn visibility_flag_default_value_true_keeps_every_cancelled_ticket_visible_in_the_wallet(app: TestApp) {
        for (org, params, shown) in [("FVT", "visibilityFlagDefaultValue=true", true), ("FVF", "", false)] {
            let seeded = configured(&app, org, 2, params).await;
            let injection = app.function(org, "INJECTION", injection_settings()).await;
            assert_eq!(app.run(injection).await["counts"]["accepted"], 2);
            act(&app, org, seeded.ticket_ids[0], "cancel", json!({ "reason": "CANCELLATION" })).await;
            let push = app.function(org, "PUSH_CANCELLED", json!({ "batchSize": 1000, "shipmentModes": ["MOB"] })).await;
            assert_eq!(app.run(push).await["counts"]["accepted"], 1);
            let (_, wallet) = app.wallet_ticket(&seeded, seeded.ticket_ids[0]).await;
            assert_eq!(wallet["status"], "DELETED", "{org}: {wallet}");
            assert_eq!(wallet["showDeletedTicket"], shown, "{org} with {params:?}: {wallet}");
        }
    }
}

//! Handlers of the interface API, named verb_noun.

use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{Value, json};
use tixbridge_web::{ApiError, JsonBody, Page, PageParams, PageQuery};
use tixbridge_web::{Path, Query};

use tixbridge_boxoffice::access::Access;
use tixbridge_boxoffice::access::audit::AuditEntry;
use tixbridge_boxoffice::idempotency::{Answer as IdempotentAnswer, Idempotency, Idempotent};
use tixbridge_boxoffice::openapi::IdempotencyKey;

use crate::config::{self, InterfaceInput};
use crate::engine::Engine;
use crate::functions::{self, FunctionInput};
use crate::runs::{LineFilter, LineKind, RunOptions};

pub(super) type Answer = Result<(StatusCode, Json<Value>), ApiError>;

pub(super) fn ok(value: Value) -> Answer {
    Ok((StatusCode::OK, Json(value)))
}

/// The audit entry of a change to the interface's configuration: the fields a request sets
/// (the password only named, never its value).
fn interface_audit(access: &Access, action: &str, input: &InterfaceInput) -> AuditEntry {
    let mut fields = vec!["name", "type", "url", "login", "notificationEmails", "customParameters"];
    if input.password.is_some() {
        fields.push("password");
    }
    AuditEntry::new(access.organization_id, access.caller.actor(), action, "interface").with_fields(fields)
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/interface",
    summary = "Create the organization's wallet interface (one per organization, in the inventory owner)",
    params(tixbridge_boxoffice::openapi::OrgPath, IdempotencyKey),
    request_body = InterfaceInput,
    responses((status = 201, description = "done (or the first answer to its Idempotency-Key)", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn create_interface(
    State(engine): State<Engine>,
    Extension(access): Extension<Access>,
    Path(org): Path<String>,
    Idempotent(key, input): Idempotent<InterfaceInput>,
) -> Result<IdempotentAnswer, ApiError> {
    if let Some(replay) = key.replay(&engine.db, access.organization_id).await? {
        return Ok(replay);
    }
    let audit = interface_audit(&access, "interface.create", &input);
    let mut tx = engine.db.begin_write().await?;
    if let Some(replay) = key.claim(&mut tx, access.organization_id).await? {
        return Ok(replay);
    }
    let (db, server_key, hosts) = (&engine.db, &engine.key, &engine.wallet_hosts);
    let made = config::create_interface_in(&mut tx, db, server_key, hosts, &org, input, &audit).await?;
    Ok(key.finish(tx, access.organization_id, StatusCode::CREATED, &made.public_view()).await?)
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/organizations/{org}/interface",
    summary = "The interface, without its password",
    params(tixbridge_boxoffice::openapi::OrgPath),
    responses((status = 200, description = "done", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn show_interface(State(engine): State<Engine>, Path(org): Path<String>) -> Answer {
    ok(config::load_interface_of_org(&engine.db, &engine.key, &org).await?.public_view())
}

#[utoipa::path(
    put,
    path = "/api/boxoffice/organizations/{org}/interface",
    summary = "Change the interface; an absent password keeps the stored one, unless the url or the login changes (422 naming password)",
    params(tixbridge_boxoffice::openapi::OrgPath),
    request_body = InterfaceInput,
    responses((status = 200, description = "done", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn update_interface(
    State(engine): State<Engine>,
    Extension(access): Extension<Access>,
    Path(org): Path<String>,
    JsonBody(input): JsonBody<InterfaceInput>,
) -> Answer {
    let audit = interface_audit(&access, "interface.update", &input);
    ok(config::update_interface(&engine.db, &engine.key, &engine.wallet_hosts, &org, input, &audit)
        .await?
        .public_view())
}

/// The audit entry of a change to a function: every field of its definition.
fn function_audit(access: &Access, action: &str, object: String) -> AuditEntry {
    AuditEntry::new(access.organization_id, access.caller.actor(), action, object).with_fields([
        "kind",
        "name",
        "launch",
        "frequencyMinutes",
        "start",
        "end",
        "active",
        "settings",
    ])
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/interface/functions",
    summary = "Create a function",
    params(tixbridge_boxoffice::openapi::OrgPath, IdempotencyKey),
    request_body = FunctionInput,
    responses((status = 201, description = "done (or the first answer to its Idempotency-Key)", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn create_function(
    State(engine): State<Engine>,
    Extension(access): Extension<Access>,
    Path(org): Path<String>,
    Idempotent(key, input): Idempotent<FunctionInput>,
) -> Result<IdempotentAnswer, ApiError> {
    if let Some(replay) = key.replay(&engine.db, access.organization_id).await? {
        return Ok(replay);
    }
    let interface = config::load_interface_of_org(&engine.db, &engine.key, &org).await?;
    let audit = function_audit(&access, "function.create", "function".to_owned());
    let mut tx = engine.db.begin_write().await?;
    if let Some(replay) = key.claim(&mut tx, access.organization_id).await? {
        return Ok(replay);
    }
    let made = functions::create_function_in(&mut tx, &engine.db, &interface, input, &audit).await?;
    Ok(key.finish(tx, access.organization_id, StatusCode::CREATED, &made.view()).await?)
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/organizations/{org}/interface/functions",
    summary = "The interface's functions by id, a page at a time",
    params(tixbridge_boxoffice::openapi::OrgPath, PageParams),
    responses((status = 200, description = "done", body = Page<serde_json::Value>), (status = 400, response = tixbridge_web::openapi::BadRequest), (status = 404, response = tixbridge_web::openapi::NotFound))
)]
pub async fn list_functions(State(engine): State<Engine>, Path(org): Path<String>, page: PageQuery) -> Answer {
    let interface = config::load_interface_of_org(&engine.db, &engine.key, &org).await?;
    let after = page.after("functions")?.unwrap_or(0);
    let found = functions::page_functions(&engine.db, interface.id, after, page.rows_to_read()).await?;
    let page = page.page("functions", found, |function| function.id);
    ok(
        json!({ "results": page.results.iter().map(functions::FunctionDef::view).collect::<Vec<_>>(), "next": page.next }),
    )
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/functions/{id}",
    summary = "One function",
    params(("id" = i64, Path)),
    responses((status = 200, description = "done", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn show_function(State(engine): State<Engine>, Path(id): Path<i64>) -> Answer {
    ok(functions::load_function(&engine.db, id).await?.view())
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/functions/{id}/waiting",
    summary = "How many tickets the function's next run would select now, at most its batchSize (null for feedback and reconcile, whose selection is the wallet's): its selection counted, nothing read or changed",
    params(("id" = i64, Path)),
    responses((status = 200, description = "done", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound))
)]
pub async fn show_waiting(State(engine): State<Engine>, Path(id): Path<i64>) -> Answer {
    let function = functions::load_function(&engine.db, id).await?;
    let interface = config::load_interface(&engine.db, &engine.key, function.interface_id).await?;
    let waiting = crate::waiting::tickets_waiting(&engine.db, &interface, &function).await?;
    ok(json!({ "functionId": id, "waiting": waiting }))
}

#[utoipa::path(
    put,
    path = "/api/boxoffice/functions/{id}",
    summary = "Change a function",
    params(("id" = i64, Path)),
    request_body = FunctionInput,
    responses((status = 200, description = "done", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn update_function(
    State(engine): State<Engine>,
    Extension(access): Extension<Access>,
    Path(id): Path<i64>,
    JsonBody(input): JsonBody<FunctionInput>,
) -> Answer {
    let current = functions::load_function(&engine.db, id).await?;
    let interface = config::load_interface(&engine.db, &engine.key, current.interface_id).await?;
    let audit = function_audit(&access, "function.update", format!("function {id}"));
    ok(functions::update_function(&engine.db, &interface, id, input, &audit).await?.view())
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunRequest {
    /// Admins only. Process this file as if the wallet had returned it, else refuse it whole
    /// (422): feedback, a diff page naming only tickets this organization injected; pushes, a
    /// batch answer naming only tickets the function would select.
    file_to_upload: Option<String>,
    /// Injection and privileges: `true` makes this run a simulation — what would be sent is
    /// selected, built, checked and kept as the run's dump; nothing is sent or printed.
    #[serde(default)]
    simulate: bool,
}

#[derive(Default, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RunQuery {
    /// `true` (default): answer 200 with the run's summary once it has ended. `false`: answer
    /// 202 with the run's id as soon as it has started, and a `Location` to poll. Either way
    /// the run finishes, whatever becomes of the caller's connection.
    #[param(value_type = Option<bool>)]
    wait: Option<String>,
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/functions/{id}/runs",
    summary = "Run the function now: 200 with the summary once it ended, or with wait=false 202 with the run's id and a Location to poll (409 while it runs; 403 naming fileToUpload when the caller may not upload files)",
    params(("id" = i64, Path), RunQuery, IdempotencyKey),
    request_body = RunRequest,
    responses((status = 200, description = "the run ended", body = serde_json::Value), (status = 202, description = "the run started; GET the Location for its progress", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn run_function(
    State(engine): State<Engine>,
    Extension(access): Extension<Access>,
    Path(id): Path<tixbridge_domain::FunctionId>,
    Query(pairs): Query<Vec<(String, String)>>,
    headers: HeaderMap,
    uri: Uri,
    body: axum::body::Bytes,
) -> Result<Response, ApiError> {
    let mut query = RunQuery::default();
    for (key, value) in pairs {
        match key.as_str() {
            "wait" => query.wait = Some(value),
            _ => return Err(ApiError::bad_request(key, "unknown query parameter (only wait)")),
        }
    }
    let wait = match query.wait.as_deref() {
        None | Some("true") => true,
        Some("false") => false,
        Some(_) => return Err(ApiError::bad_request("wait", "wait must be true or false")),
    };
    // `wait` is part of the request: the same key with another `wait` is another request
    let request_path = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    let key = Idempotency::new(&headers, &Method::POST, request_path, &body)?;
    if let Some(replay) = key.replay(&engine.db, access.organization_id).await? {
        return Ok(run_answer(replay));
    }
    let request: RunRequest = if body.iter().all(u8::is_ascii_whitespace) {
        RunRequest::default()
    } else {
        tixbridge_web::parse_json::<Option<RunRequest>>(&body)?.unwrap_or_default()
    };
    if !wait && request.file_to_upload.is_some() {
        // a refused file leaves no run to poll: its 422 comes with the answer
        return Err(ApiError::bad_request("wait", "wait=false cannot be combined with fileToUpload"));
    }
    // a file stands in for the wallet's answer: only an admin may put words in its mouth
    let options = RunOptions { file: request.file_to_upload, simulate: request.simulate, ..Default::default() };
    let started = engine.start_manual(id, options, access.caller.is_admin()).await?;
    let (status, view) = if wait {
        // the run is the server's: a caller that goes away stops waiting, the run goes on
        let summary = started.finished().await?;
        (StatusCode::OK, serde_json::to_value(summary).unwrap_or_default())
    } else {
        let view = json!({ "runId": started.run_id, "functionId": started.function_id, "result": "RUNNING" });
        (StatusCode::ACCEPTED, view)
    };
    // The run has its own transactions (it belongs to the server), so its answer is kept for
    // the key once it is known: a retry then answers it instead of starting another run.
    let mut tx = engine.db.begin_write().await?;
    if let Some(replay) = key.claim(&mut tx, access.organization_id).await? {
        return Ok(run_answer(replay));
    }
    Ok(run_answer(key.finish(tx, access.organization_id, status, &view).await?))
}

/// A run's answer; a started run's (202) with the `Location` to poll.
fn run_answer(answer: IdempotentAnswer) -> Response {
    let location = (answer.status == StatusCode::ACCEPTED)
        .then(|| serde_json::from_str::<Value>(&answer.body).ok()?["runId"].as_i64())
        .flatten()
        .map(|run| format!("/api/boxoffice/runs/{run}"));
    let mut response = answer.into_response();
    if let Some(location) = location.and_then(|l| header::HeaderValue::from_str(&l).ok()) {
        response.headers_mut().insert(header::LOCATION, location);
    }
    response
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/functions/{id}/runs",
    summary = "The function's runs, newest first, a page at a time",
    params(("id" = i64, Path), PageParams),
    responses((status = 200, description = "done", body = Page<serde_json::Value>), (status = 400, response = tixbridge_web::openapi::BadRequest), (status = 404, response = tixbridge_web::openapi::NotFound))
)]
pub async fn list_runs(State(engine): State<Engine>, Path(id): Path<i64>, page: PageQuery) -> Answer {
    functions::load_function(&engine.db, id).await?;
    let runs = crate::runs::list_runs(&engine.db, id, page.after("runs")?, page.rows_to_read()).await?;
    ok(json!(page.page("runs", runs, |run| run["id"].as_i64().unwrap_or_default())))
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/runs/{id}",
    summary = "One run with its first page of per-ticket log lines (`log`, the following ones at `logNext`) and, for admins, its dump",
    params(("id" = i64, Path)),
    responses((status = 200, description = "done", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 422, response = tixbridge_web::openapi::BadRequest))
)]
pub async fn show_run(
    State(engine): State<Engine>,
    Extension(access): Extension<Access>,
    Path(id): Path<i64>,
    page: PageQuery,
) -> Answer {
    // dumped calls hold what was sent to and answered by the wallet: admins only
    let Some(mut run) = crate::runs::load_run(&engine.db, id, access.caller.is_admin()).await? else {
        return Err(ApiError::not_found(format!("no run {id}")));
    };
    let lines = page.first_page_of(&format!("/api/boxoffice/runs/{id}/lines"));
    let every = LineFilter::default();
    let first = crate::runs::log_lines(&engine.db, id, &every, 0, lines.rows_to_read()).await?;
    let first = lines.page(every.list_name(), first, |line| line.id);
    run["log"] = json!(first.results);
    run["logNext"] = json!(first.next);
    ok(run)
}

/// The filters of `GET /api/boxoffice/runs/{id}/lines`.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LinesQuery {
    /// only the lines of this kind: `accepted` (the tickets the wallet accepted from this run),
    /// `rejected`, `skipped` or `note`; absent: every log line (not the accepted tickets)
    kind: Option<LineKind>,
    /// only the lines about this ticket: its reference as the line holds it (the box-office
    /// ticket id, or the id the wallet holds it under), at most 256 characters, no control
    /// character
    #[param(max_length = 256)]
    ticket: Option<String>,
}

#[utoipa::path(
    get,
    path = "/api/boxoffice/runs/{id}/lines",
    summary = "The run's per-ticket lines, a page at a time: its log lines in the order written, or with kind=accepted the tickets the wallet accepted from it by id; filtered by kind and by ticket",
    params(("id" = i64, Path), LinesQuery, PageParams),
    responses((status = 200, description = "done", body = Page<crate::runs::LogLine>), (status = 400, response = tixbridge_web::openapi::BadRequest), (status = 404, response = tixbridge_web::openapi::NotFound))
)]
pub async fn list_run_lines(
    State(engine): State<Engine>,
    Path(id): Path<i64>,
    Query(query): Query<LinesQuery>,
    page: PageQuery,
) -> Answer {
    let ticket = query.ticket.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty());
    if ticket.as_ref().is_some_and(|t| t.chars().count() > 256 || t.chars().any(char::is_control)) {
        return Err(ApiError::bad_request("ticket", "at most 256 characters, none of them a control character"));
    }
    if crate::runs::load_run(&engine.db, id, false).await?.is_none() {
        return Err(ApiError::not_found(format!("no run {id}")));
    }
    let filter = LineFilter { kind: query.kind, ticket };
    let after = page.after(filter.list_name())?.unwrap_or(0);
    let lines = crate::runs::log_lines(&engine.db, id, &filter, after, page.rows_to_read()).await?;
    ok(json!(page.page(filter.list_name(), lines, |line| line.id)))
}

/// The longest a wallet check waits for the wallet (the runs' own timeout when shorter).
const WALLET_CHECK_WITHIN: std::time::Duration = std::time::Duration::from_secs(3);

#[utoipa::path(
    get,
    path = "/api/boxoffice/organizations/{org}/interface/wallet-check",
    summary = "Whether the interface's wallet answers with its credentials within 3 seconds: one read of the wallet's feed (nothing changed on either side)",
    params(tixbridge_boxoffice::openapi::OrgPath),
    responses((status = 200, description = "`reachable`, and when not the `reason` in plain words", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound))
)]
pub async fn check_wallet(State(engine): State<Engine>, Path(org): Path<String>) -> Answer {
    let interface = config::load_interface_of_org(&engine.db, &engine.key, &org).await?;
    let reason = match config::check_url(&interface.url, &engine.wallet_hosts) {
        Err(refused) => Some(refused.to_string()),
        Ok(_) => {
            // a probe, not a run: a page that asks must not wait the runs' wallet timeout
            let within = WALLET_CHECK_WITHIN.min(engine.wallet_timeout);
            let client = engine.wallet_client(&interface, crate::dump::CallDump::new(None));
            match tokio::time::timeout(within, client.diff("", 1)).await {
                Ok(answer) => answer.err().map(|err| err.to_string()),
                Err(_) => Some(format!("the wallet did not answer within {} s", within.as_secs_f64())),
            }
        }
    };
    ok(json!({ "reachable": reason.is_none(), "reason": reason }))
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/runs/{id}/cancel",
    summary = "Cancel a running run: it stops before its next wallet call and ends ERROR naming who cancelled it; what it committed stays (409 naming run once it has ended)",
    params(("id" = i64, Path)),
    responses((status = 202, description = "the run will stop", body = serde_json::Value), (status = 404, response = tixbridge_web::openapi::NotFound), (status = 409, description = "the run has ended", body = tixbridge_web::openapi::ErrorBody))
)]
pub async fn cancel_run(
    State(engine): State<Engine>,
    Extension(access): Extension<Access>,
    Path(id): Path<i64>,
) -> Answer {
    if !crate::runs::request_cancel(&engine.db, id, &access.caller.actor(), crate::runs::now_ms()).await? {
        return Err(ApiError::conflict("run", format!("run {id} is not running")));
    }
    Ok((StatusCode::ACCEPTED, Json(json!({ "runId": id, "cancelRequested": true }))))
}

#[derive(Deserialize, Default, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ReconcileInput {
    /// The wallet event (`P12`, …), at most 256 characters; absent: every ticket of the interface.
    event: Option<String>,
    /// Send what the functions would have sent so both sides agree, as a run of the
    /// interface's RECONCILE function (409 naming repair when it has none).
    #[serde(default)]
    repair: bool,
}

#[utoipa::path(
    post,
    path = "/api/boxoffice/organizations/{org}/interface/reconcile",
    summary = "Compare the box office with the wallet by digest; each differing ticket with both views and the cause class; with repair, send what the functions would have sent",
    params(tixbridge_boxoffice::openapi::OrgPath),
    request_body = ReconcileInput,
    responses(
        (status = 200, description = "the counts (tickets checked, digest calls, tickets listed, differences by class), each differing ticket with both views and its class (none: both sides agree), and with repair the run", body = serde_json::Value),
        (status = 404, response = tixbridge_web::openapi::NotFound),
        (status = 409, description = "repair asked, but the interface has no active RECONCILE function or it is running; `field` says which", body = tixbridge_web::openapi::ErrorBody),
        (status = 422, response = tixbridge_web::openapi::BadRequest),
        (status = 502, description = "the wallet could not be asked (unreachable, refused credentials, not the wallet's answer)", body = tixbridge_web::openapi::ErrorBody)
    )
)]
pub async fn reconcile_interface(
    State(engine): State<Engine>,
    Path(org): Path<String>,
    body: axum::body::Bytes,
) -> Answer {
    let input: ReconcileInput = if body.iter().all(u8::is_ascii_whitespace) {
        ReconcileInput::default()
    } else {
        tixbridge_web::parse_json::<Option<ReconcileInput>>(&body)?.unwrap_or_default()
    };
    let request = crate::runs::ReconcileRequest { event: input.event, repair: input.repair };
    let report = crate::reconcile::reconcile(&engine, &org, request).await?;
    ok(serde_json::to_value(report).unwrap_or_default())
}

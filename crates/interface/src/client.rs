//! The wallet client: the organizer API over real HTTP. Every endpoint is derived from the
//! configured URL (which ends with `organizer/tickets`). A call either yields one answer per
//! ticket sent, or a [`CallError`] for the whole batch — the caller never has to guess which
//! tickets went through.
//!
//! The wallet API key goes with every call, and whatever comes back may end up in run records
//! (dumps, causes, per-ticket lines). So redirects are never followed, and an answer that is
//! not the wallet's JSON is described by its status and size only — pointing an interface at
//! some other server never reads that server's content back.

use std::time::Duration;

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::dump::CallDump;

/// Why a whole wallet call failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum CallError {
    #[error("wallet unreachable at {url}: {detail}")]
    Unreachable { url: String, detail: String },
    #[error("wallet did not answer within {0:?}")]
    Timeout(Duration),
    #[error("wallet refused the credentials (HTTP {0}): check the interface login and password")]
    Refused(u16),
    #[error("wallet answered HTTP {status}: {detail}")]
    Status { status: u16, detail: String },
    #[error("wallet answered HTTP {0}, a redirect: not followed (the API key goes to the configured URL only)")]
    Redirect(u16),
    #[error("wallet answer is not what the API promises: {0}")]
    BadAnswer(String),
}

/// The HTTP client for wallet calls: redirects are never followed, so the API key and the
/// ticket data reach the configured URL and nothing else.
pub fn wallet_http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap_or_else(|_| reqwest::Client::new())
}

/// How an answer that is not the wallet's is told: its size, never its content.
fn not_a_wallet_answer(len: usize) -> String {
    format!("{len} bytes, not a wallet answer")
}

/// The wallet's error answer (`{"error", "field"}`); anything else is summarized.
#[derive(Deserialize)]
struct WalletError {
    error: String,
    #[serde(default)]
    field: Option<String>,
}

impl WalletError {
    fn describe(&self) -> String {
        let error: String = self.error.chars().take(300).collect();
        match &self.field {
            Some(field) => format!("{error} (field {})", field.chars().take(100).collect::<String>()),
            None => error,
        }
    }
}

/// The wallet's answer for one ticket.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TicketAnswer {
    pub ticket_id: String,
    pub status: String,
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub current_status: Option<String>,
}

impl TicketAnswer {
    pub fn accepted(&self) -> bool {
        self.status == "ACCEPTED"
    }
}

#[derive(Deserialize)]
struct BatchAnswer {
    results: Vec<TicketAnswer>,
}

/// The wallet's answer for one privilege instance.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PrivilegeAnswer {
    pub privilege_id: String,
    pub status: String,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Deserialize)]
pub struct PrivilegesAnswer {
    pub results: Vec<PrivilegeAnswer>,
}

/// One page of the diff feed.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiffPage {
    /// Each entry's JSON text as the wallet sent it, read into a ticket when its turn comes:
    /// a page of 10,000 is not held as a tree of values (docs/interface.md#retrieve-ticket-status).
    pub tickets: Vec<Box<serde_json::value::RawValue>>,
    pub next_pagination_key: String,
    /// The wallet's latest feed position, from the answer's `X-Feed-Position` header (a
    /// wallet that does not send it leaves the feedback lag unknown).
    #[serde(skip)]
    pub feed_position: Option<i64>,
}

/// The header in which the wallet's diff answer carries its latest feed position.
pub const FEED_POSITION_HEADER: &str = "x-feed-position";

/// The wallet's digest of a range of ticket ids (docs/wallet-api.md#digest).
#[derive(Debug, Clone, Deserialize)]
pub struct DigestAnswer {
    pub count: u64,
    pub hash: String,
    pub parts: Vec<DigestPart>,
    #[serde(default)]
    pub tickets: Option<Vec<ListedTicket>>,
}

/// One part of a digested range: `from` ≤ ticketId < `to`.
#[derive(Debug, Clone, Deserialize)]
pub struct DigestPart {
    pub from: Option<String>,
    pub to: Option<String>,
    pub count: u64,
    pub hash: String,
}

/// A ticket of a listed range, as the digest covers it, and its event.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ListedTicket {
    #[serde(flatten)]
    pub state: tixbridge_domain::digest::TicketState,
    #[serde(default)]
    pub event_id: Option<String>,
}

#[derive(Clone)]
pub struct WalletClient {
    http: reqwest::Client,
    base: String,
    login: String,
    password: String,
    timeout: Duration,
    pub dump: CallDump,
    /// Where each call's latency is recorded (`tixbridge_wallet_call_duration_seconds`).
    metrics: tixbridge_store::Metrics,
}

impl WalletClient {
    pub fn new(
        http: reqwest::Client,
        url: &str,
        login: &str,
        password: &str,
        timeout: Duration,
        dump: CallDump,
        metrics: tixbridge_store::Metrics,
    ) -> Self {
        Self {
            http,
            base: url.trim_end_matches('/').to_owned(),
            login: login.to_owned(),
            password: password.to_owned(),
            timeout,
            dump,
            metrics,
        }
    }

    /// Injects tickets already serialized as one JSON array of `count` tickets (a page is
    /// serialized off the async workers by the caller).
    pub async fn inject(&self, body: Vec<u8>, count: usize) -> Result<Vec<TicketAnswer>, CallError> {
        self.batch_body("", body, count).await
    }

    pub async fn delete(&self, items: &[Value]) -> Result<Vec<TicketAnswer>, CallError> {
        self.batch("/delete", items).await
    }

    pub async fn control(&self, items: &[Value]) -> Result<Vec<TicketAnswer>, CallError> {
        self.batch("/control", items).await
    }

    /// Privilege definitions and instances (the answer has one result per instance).
    pub async fn privileges(&self, body: &Value) -> Result<PrivilegesAnswer, CallError> {
        let base = self.base.trim_end_matches("/tickets");
        self.send("privileges", self.http.post(format!("{base}/privileges")).json(body), || body.to_string()).await
    }

    pub async fn diff(&self, pagination_key: &str, limit: usize) -> Result<DiffPage, CallError> {
        let request = self
            .http
            .get(format!("{}/diff", self.base))
            .query(&[("paginationKey", pagination_key), ("limit", &limit.to_string())]);
        let (mut page, feed_position): (DiffPage, _) = self.exchange("diff", request, String::new).await?;
        page.feed_position = feed_position;
        Ok(page)
    }

    /// The digest of the tickets in `range` (of `event`, if any), cut into `parts`, with the
    /// tickets listed when the range holds at most `list`.
    pub async fn digest(
        &self,
        event: Option<&str>,
        range: &tixbridge_domain::digest::IdRange,
        parts: usize,
        list: usize,
    ) -> Result<DigestAnswer, CallError> {
        let mut query: Vec<(&str, String)> = vec![("parts", parts.to_string()), ("list", list.to_string())];
        for (key, value) in [("eventId", event), ("from", range.from.as_deref()), ("to", range.to.as_deref())] {
            if let Some(value) = value {
                query.push((key, value.to_owned()));
            }
        }
        let request = self.http.get(format!("{}/digest", self.base)).query(&query);
        self.send("digest", request, String::new).await
    }

    async fn batch(&self, suffix: &str, items: &[Value]) -> Result<Vec<TicketAnswer>, CallError> {
        let body = serde_json::to_vec(items).map_err(|e| CallError::BadAnswer(e.to_string()))?;
        self.batch_body(suffix, body, items.len()).await
    }

    async fn batch_body(&self, suffix: &str, body: Vec<u8>, count: usize) -> Result<Vec<TicketAnswer>, CallError> {
        let body = axum::body::Bytes::from(body);
        let request = self
            .http
            .post(format!("{}{suffix}", self.base))
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .body(body.clone());
        let call = match suffix {
            "/delete" => "delete",
            "/control" => "control",
            _ => "inject",
        };
        let answer: BatchAnswer = self.send(call, request, || String::from_utf8_lossy(&body).into_owned()).await?;
        if answer.results.len() != count {
            return Err(CallError::BadAnswer(format!("{} results for {count} tickets sent", answer.results.len())));
        }
        Ok(answer.results)
    }

    /// Sends `request` and reads a 2xx answer straight into `T` (no intermediate JSON tree:
    /// an injection answer holds a thousand results). Only an answer of the wallet's shape is
    /// dumped or quoted; a redirect is a failed call.
    async fn send<T: DeserializeOwned>(
        &self,
        call: &'static str,
        request: reqwest::RequestBuilder,
        dump_request: impl FnOnce() -> String,
    ) -> Result<T, CallError> {
        self.exchange(call, request, dump_request).await.map(|(answer, _)| answer)
    }

    /// [`send`](Self::send), also returning the wallet's feed position when it gave one
    /// (`X-Feed-Position`), timed into the metrics.
    async fn exchange<T: DeserializeOwned>(
        &self,
        call: &'static str,
        request: reqwest::RequestBuilder,
        dump_request: impl FnOnce() -> String,
    ) -> Result<(T, Option<i64>), CallError> {
        let started = std::time::Instant::now();
        let answer = self.exchange_untimed(request, dump_request).await;
        self.metrics.wallet_call(call, answer.is_ok(), started.elapsed());
        answer
    }

    async fn exchange_untimed<T: DeserializeOwned>(
        &self,
        request: reqwest::RequestBuilder,
        dump_request: impl FnOnce() -> String,
    ) -> Result<(T, Option<i64>), CallError> {
        let request = request.basic_auth(&self.login, Some(&self.password)).timeout(self.timeout);
        let response = request.send().await.map_err(|e| self.transport_error(e))?;
        let status = response.status().as_u16();
        let feed_position = response
            .headers()
            .get(FEED_POSITION_HEADER)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<i64>().ok());
        if (300..400).contains(&status) {
            self.dump.record(dump_request, status, "redirect, not followed");
            return Err(CallError::Redirect(status));
        }
        let bytes = response.bytes().await.map_err(|e| self.transport_error(e))?;
        if (200..300).contains(&status) {
            return match serde_json::from_slice::<T>(&bytes) {
                Ok(answer) => {
                    self.dump.record(dump_request, status, &String::from_utf8_lossy(&bytes));
                    Ok((answer, feed_position))
                }
                Err(_) => {
                    let summary = not_a_wallet_answer(bytes.len());
                    self.dump.record(dump_request, status, &summary);
                    Err(CallError::BadAnswer(format!("HTTP {status}, {summary}")))
                }
            };
        }
        let detail = match serde_json::from_slice::<WalletError>(&bytes) {
            Ok(error) => {
                self.dump.record(dump_request, status, &String::from_utf8_lossy(&bytes));
                error.describe()
            }
            Err(_) => {
                let summary = not_a_wallet_answer(bytes.len());
                self.dump.record(dump_request, status, &summary);
                summary
            }
        };
        match status {
            401 | 403 => Err(CallError::Refused(status)),
            _ => Err(CallError::Status { status, detail }),
        }
    }

    fn transport_error(&self, err: reqwest::Error) -> CallError {
        if err.is_timeout() {
            CallError::Timeout(self.timeout)
        } else {
            let detail = std::error::Error::source(&err).map_or_else(|| err.to_string(), |s| s.to_string());
            CallError::Unreachable { url: self.base.clone(), detail }
        }
    }
}

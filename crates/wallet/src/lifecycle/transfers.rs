//! `POST /api/organizer/tickets/transfers/cancel`: the organizer cancels pending offers; each
//! ticket goes back to its sender as `FAILURE`
//! (docs/products-and-statuses.md#wallet-statuses, docs/wallet-api.md#transfers).

use axum::Json;
use axum::extract::State;
use serde::Deserialize;
use tixbridge_store::sql;
use tixbridge_web::{ApiError, BodyBytes};

use crate::WalletState;
use crate::auth::Organizer;
use crate::results::{BatchAnswer, TicketResult};
use crate::spectator::transfers::{FailedBy, fail_open_transfer};

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct CancelItem {
    ticket_id: String,
}

#[utoipa::path(
    post,
    path = "/api/organizer/tickets/transfers/cancel",
    summary = "Cancel pending transfers: each ticket goes back to its sender as FAILURE",
    request_body(content = Vec<crate::openapi::tickets::CancelTransferRequest>, description = "at most 10,000 tickets"),
    responses(
        (status = 200, description = "one result per ticket, in order; REJECTED names the status when no offer is pending", body = crate::openapi::tickets::BatchAnswer),
        (status = 400, response = tixbridge_web::openapi::BadRequest),
        (status = 401, response = tixbridge_web::openapi::Unauthorized)
    ),
    security(("basic" = []), ("apiKey" = []))
)]
pub(crate) async fn post_cancel_transfers(
    State(state): State<WalletState>,
    Organizer(organizer): Organizer,
    BodyBytes(body): BodyBytes,
) -> Result<Json<BatchAnswer>, ApiError> {
    let items: Vec<CancelItem> = super::parse_items(&body)?;
    let now = crate::millis(chrono::Utc::now());
    let mut results = Vec::with_capacity(items.len());
    for item in items {
        let found: Option<(i64, String, Option<i64>)> = sql(
            "SELECT t.id, t.status, (SELECT tr.id FROM wallet_transfers tr WHERE tr.ticket_pk = t.id AND tr.state = 'OPEN'
                                      ORDER BY tr.id DESC LIMIT 1)
             FROM wallet_tickets t WHERE t.organizer_id = $1 AND t.ticket_id = $2",
        )
        .bind(organizer)
        .bind(&item.ticket_id)
        .fetch_optional(&mut state.db.reader().await?)
        .await?;
        let result = match found {
            None => TicketResult::rejected(&item.ticket_id, "ticketId: no such ticket for this organizer"),
            Some((pk, _, Some(transfer)))
                if fail_open_transfer(&state.db, transfer, pk, FailedBy::Organizer, now).await? =>
            {
                TicketResult::accepted(&item.ticket_id, tixbridge_domain::WalletStatus::Failure)
            }
            Some((_, status, _)) => match status.parse() {
                Ok(current) => {
                    TicketResult::refused_move(&item.ticket_id, "cancelling a transfer (none is pending)", current)
                }
                Err(_) => TicketResult::rejected(&item.ticket_id, "no pending transfer"),
            },
        };
        results.push(result);
    }
    Ok(Json(BatchAnswer { results }))
}

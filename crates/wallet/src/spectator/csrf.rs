//! The spectator API's cross-site request guard. Every write under `/api/spectator/` carries
//! the header `X-CSRF-Token`: a custom header, which a page on another site cannot make a
//! browser send without a CORS preflight (and this server allows none). Before sign-in any
//! non-empty value does; once signed in it must be the session's own token (`csrfToken` in the
//! answer of `POST /api/spectator/session`, the same one the web wallet's forms carry), so a
//! session cookie alone never authorizes a change.

use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;
use tixbridge_web::ApiError;

use super::session::SpectatorSession;
use crate::WalletState;

/// The header every spectator API write carries.
pub const CSRF_HEADER: &str = "x-csrf-token";

fn is_write(method: &Method) -> bool {
    matches!(*method, Method::POST | Method::PUT | Method::PATCH | Method::DELETE)
}

fn refused(why: &str) -> ApiError {
    ApiError::new(StatusCode::FORBIDDEN, why).with_field("X-CSRF-Token")
}

/// Middleware of the spectator API routes: a write without the header is refused.
pub(crate) async fn require_header(request: Request, next: Next) -> Response {
    let present = request.headers().get(CSRF_HEADER).is_some_and(|v| !v.as_bytes().is_empty());
    if is_write(request.method()) && !present {
        return refused("send the header X-CSRF-Token with every change (the csrfToken of your session)")
            .into_response();
    }
    next.run(request).await
}

/// For a write made with `session`: the header must be that session's token.
pub(crate) fn check_session(parts: &Parts, state: &WalletState, session: &SpectatorSession) -> Result<(), ApiError> {
    if !is_write(&parts.method) {
        return Ok(());
    }
    let given = parts.headers.get(CSRF_HEADER).map(|v| v.as_bytes()).unwrap_or_default();
    let expected = crate::pages::csrf_token(state, session);
    if bool::from(expected.as_bytes().ct_eq(given)) {
        Ok(())
    } else {
        Err(refused("X-CSRF-Token is not this session's csrfToken"))
    }
}

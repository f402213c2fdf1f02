//! The spectators' device limits of the organizer (one pair for all its events), shown and
//! edited; checked and written by `settings::set_device_limits`, as through the API.

use axum::Form;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::fields::{FieldErrors, input, sentence};
use super::{OrgPageError, OrganizerSession, frame};
use crate::WalletState;
use crate::error::WalletError;
use crate::pages::html::form;
use crate::settings::{device_limits, set_device_limits};

fn label_of(field: &str) -> String {
    match field {
        "maxActiveDevices" => "Devices signed in at once",
        "maxDevicesEver" => "Devices ever used",
        other => other,
    }
    .to_owned()
}

fn limits_page(
    state: &WalletState,
    session: &OrganizerSession,
    values: (&str, &str),
    errors: &FieldErrors,
    notice: Option<&str>,
) -> String {
    let csrf = session.csrf(state);
    let fields = [
        input(
            "maxActiveDevices",
            &label_of("maxActiveDevices"),
            "number",
            values.0,
            Some("1 to 10: how many devices one spectator may be signed in on at the same time."),
            errors,
            "min=\"1\" max=\"10\" required",
        ),
        input(
            "maxDevicesEver",
            &label_of("maxDevicesEver"),
            "number",
            values.1,
            Some("1 to 50, at least the number above: how many different devices one spectator may ever use."),
            errors,
            "min=\"1\" max=\"50\" required",
        ),
    ]
    .concat();
    let notice = notice.map_or_else(String::new, |n| format!("<div class=\"notice\" role=\"status\">{n}</div>"));
    let body = format!(
        "<h1>Device limits</h1><p>They hold for the tickets of all your events.</p>{notice}{}{}",
        errors.summary(label_of),
        form("/wallet/organizer/device-limits", &csrf, &fields, "Save the limits")
    );
    frame("Device limits", Some((session, &csrf)), &body)
}

#[derive(Deserialize)]
pub(crate) struct SavedQuery {
    saved: Option<String>,
}

pub(crate) async fn get_limits(
    State(state): State<WalletState>,
    session: OrganizerSession,
    Query(query): Query<SavedQuery>,
) -> Result<Html<String>, OrgPageError> {
    let (active, ever) = device_limits(&state, session.organizer_id).await?;
    let notice = query.saved.map(|_| "The limits are saved.");
    let values = (active.to_string(), ever.to_string());
    Ok(Html(limits_page(&state, &session, (&values.0, &values.1), &FieldErrors::default(), notice)))
}

#[derive(Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub(crate) struct LimitsForm {
    csrf: String,
    max_active_devices: String,
    max_devices_ever: String,
}

pub(crate) async fn post_limits(
    State(state): State<WalletState>,
    session: OrganizerSession,
    Form(sent): Form<LimitsForm>,
) -> Result<Response, OrgPageError> {
    session.check_csrf(&state, &sent.csrf)?;
    let mut errors = FieldErrors::default();
    let mut number = |field: &str, text: &str| match text.trim().parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            errors.add(field, "Enter a whole number.");
            None
        }
    };
    let (active, ever) =
        (number("maxActiveDevices", &sent.max_active_devices), number("maxDevicesEver", &sent.max_devices_ever));
    if let (Some(active), Some(ever)) = (active, ever) {
        match set_device_limits(&state, session.organizer_id, active, ever).await {
            Ok(()) => return Ok(Redirect::to("/wallet/organizer/device-limits?saved=1").into_response()),
            Err(WalletError::Invalid { field, rule }) => {
                let rule = rule.replace("maxActiveDevices", "the number of devices signed in at once");
                errors.add(field, sentence(field, &rule));
            }
            Err(err) => return Err(err.into()),
        }
    }
    let page = limits_page(&state, &session, (&sent.max_active_devices, &sent.max_devices_ever), &errors, None);
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Html(page)).into_response())
}

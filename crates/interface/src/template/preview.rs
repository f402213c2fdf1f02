//! Previewing a template (docs/interface.md#previewing-a-template), as SecuTix's Ticket
//! Template Editor does: a real ticket rendered the way the injection would send it, without
//! and with the template, the fields the template changed (each with the line it is written
//! on), and whether the wallet would take the result. Nothing is sent nor written.

use serde::Deserialize;
use serde_json::{Map, Value, json};
use tixbridge_boxoffice::wallet_side::injection_catalog::Catalog;
use tixbridge_boxoffice::wallet_side::injection_selection::injection_ticket;
use tixbridge_domain::inject::check_ticket;
use tixbridge_store::Db;

use super::{FieldsInput, Template, apply, line_of, refuse};
use crate::config::{Interface, InterfaceError};
use crate::functions::settings::InjectionSettings;
use crate::functions::{FunctionKind, Settings, list_functions, load_function};
use crate::injection::payload;
use crate::params::CustomParameters;

/// What to render.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PreviewRequest {
    /// the box-office ticket to render (a ticket of this organization's catalog that the
    /// injection sends as a wallet ticket), whatever its status
    pub ticket_id: i64,
    /// the injection function whose settings (barcode prefix and postfix, main applicant)
    /// apply; default: the first one naming this template, else none
    pub function_id: Option<i64>,
    /// a draft to render instead of the saved fields, not saved (an object)
    #[schema(value_type = Option<std::collections::HashMap<String, String>>)]
    pub fields: Option<Map<String, Value>>,
    /// a draft to render instead of the saved fields, not saved (the object's text)
    pub source: Option<String>,
}

/// Renders `template` (or the request's draft) against the request's ticket, with the
/// custom parameters of `interface` (the defaults without one).
pub async fn preview(
    db: &Db,
    organization_id: i64,
    interface: Option<&Interface>,
    template: &Template,
    request: &PreviewRequest,
) -> Result<Value, InterfaceError> {
    let (fields, source) = match (&request.fields, &request.source) {
        (None, None) => (template.fields.clone(), template.source.clone()),
        (fields, source) => FieldsInput { fields: fields.clone(), source: source.clone() }.check()?,
    };
    let (settings, function_id) = settings_for(db, interface, template.id, request.function_id).await?;
    let params = interface.map_or_else(CustomParameters::default, |i| i.params.clone());
    let row = {
        let mut conn = db.reader().await?;
        let ticket = injection_ticket(&mut conn, organization_id, request.ticket_id).await?.ok_or_else(|| {
            InterfaceError::NotFound(format!(
                "ticketId: no ticket {} of this organization that the injection sends to the wallet",
                request.ticket_id
            ))
        })?;
        Catalog::default().rows(&mut conn, vec![ticket]).await?.pop().ok_or(sqlx::Error::RowNotFound)?
    };
    let untemplated = payload::build(&row, &settings, &params)
        .map_err(|err| refuse("ticketId".into(), format!("this ticket cannot be sent: {}", err.0)))?;
    let variables = payload::variables(&row);
    let mut templated = untemplated.clone();
    let changes: Vec<Value> = apply(&mut templated, &fields, &variables)
        .into_iter()
        .map(|(path, before, after)| {
            json!({ "path": path, "line": line_of(&source, &path), "before": before, "after": after })
        })
        .collect();
    let wallet_check = match check_ticket(&templated, chrono::Utc::now()) {
        Ok(()) => json!({ "accepted": true }),
        Err(rejection) => {
            // the template line that set the refused field, if a template line did
            let line =
                fields.keys().filter(|path| related(path, &rejection.field)).find_map(|path| line_of(&source, path));
            json!({ "accepted": false, "field": rejection.field, "reason": rejection.rule, "line": line })
        }
    };
    let variables: Map<String, Value> = variables.into_iter().map(|(k, v)| (k.to_owned(), json!(v))).collect();
    Ok(json!({
        "templateId": template.id,
        "ticketId": request.ticket_id,
        "functionId": function_id,
        "untemplated": untemplated,
        "templated": templated,
        "changes": changes,
        "variables": variables,
        "walletCheck": wallet_check,
    }))
}

/// Whether template path `path` and wallet field `field` name the same value or one holds
/// the other (`event.address` and `event.address.city`).
fn related(path: &str, field: &str) -> bool {
    path == field || path.starts_with(&format!("{field}.")) || field.starts_with(&format!("{path}."))
}

/// The injection settings the preview applies: those of `function_id` (an injection function
/// of `interface`), else of the first injection function naming template `template_id`, else
/// none (no prefix, postfix or main applicant).
async fn settings_for(
    db: &Db,
    interface: Option<&Interface>,
    template_id: i64,
    function_id: Option<i64>,
) -> Result<(InjectionSettings, Option<i64>), InterfaceError> {
    let wrong = || refuse("functionId".into(), "must name an injection function of this organization's interface");
    let Some(interface) = interface else {
        return match function_id {
            Some(_) => Err(wrong().into()),
            None => Ok((InjectionSettings::default(), None)),
        };
    };
    if let Some(id) = function_id {
        let function = match load_function(db, id).await {
            Ok(function) => function,
            Err(InterfaceError::NotFound(_)) => return Err(wrong().into()),
            Err(err) => return Err(err),
        };
        return match function.settings {
            Settings::Injection(settings) if function.interface_id == interface.id => Ok((*settings, Some(id))),
            _ => Err(wrong().into()),
        };
    }
    let naming = list_functions(db, interface.id).await?.into_iter().find_map(|f| match f.settings {
        Settings::Injection(s) if f.kind == FunctionKind::Injection && s.template_id == Some(template_id) => {
            Some((s, f.id))
        }
        _ => None,
    });
    Ok(match naming {
        Some((settings, id)) => (*settings, Some(id)),
        None => (InjectionSettings::default(), None),
    })
}

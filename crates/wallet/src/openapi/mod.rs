//! The wallet's part of the OpenAPI document, generated from its handlers' `#[utoipa::path]`
//! annotations: the organizer API, the spectator API and the gate's wallet calls.

pub mod privileges;
pub mod spectator;
pub mod tickets;

use utoipa::openapi::path::{ParameterBuilder, ParameterIn};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
use utoipa::{IntoResponses, Modify, OpenApi, ToResponse};

use crate::{changes_audit, csv_inject, digest, feed, gate, inject, lifecycle, settings, spectator as s};

#[derive(OpenApi)]
#[openapi(
    modifiers(&WalletSchemes, &CrossSiteGuard),
    components(
        schemas(spectator::GateResult, tixbridge_web::openapi::ErrorBody),
        responses(
            RuleRefusal,
            tixbridge_web::openapi::BadRequest,
            tixbridge_web::openapi::Unauthorized,
            tixbridge_web::openapi::NotFound
        )
    ),
    paths(
        inject::post_tickets,
        lifecycle::post_delete,
        lifecycle::post_control,
        lifecycle::transfers::post_cancel_transfers,
        feed::get_diff,
        feed::get_ticket,
        digest::get_digest,
        csv_inject::post_csv,
        csv_inject::get_job,
        crate::privileges::post_privileges,
        crate::privileges::post_use,
        crate::privileges::get_privilege,
        settings::put_event_settings,
        settings::get_event_settings,
        settings::put_device_limits,
        settings::get_device_limits,
        changes_audit::get_audit,
        gate::post_verify,
        gate::post_offline_scans,
        gate::get_bundle,
        gate::get_public_key,
        s::post_sign_in,
        s::post_session,
        s::post_sign_out,
        s::get_tickets,
        s::get_ticket,
        s::get_code,
        crate::entry::offline::get_offline_code,
        s::post_holder,
        s::post_activate,
        s::post_transfer,
        s::post_return,
        s::get_transfers,
        s::post_close_transfer,
        s::post_sync,
        s::profile::get_profile,
        s::profile::put_profile,
    )
)]
pub struct WalletApi;

/// A refusal of the spectator API or the event settings by a ticket's status or an event rule.
#[derive(ToResponse)]
#[response(description = "the ticket's status or an event rule forbids it now (the reason names it)")]
pub struct RuleRefusal(#[allow(dead_code)] tixbridge_web::openapi::ErrorBody);

/// The refusals every spectator call and every event or device setting may give.
#[derive(IntoResponses)]
#[allow(dead_code)] // responses only
pub enum Refusals {
    #[response(status = 400)]
    BadRequest(#[ref_response] tixbridge_web::openapi::BadRequest),
    #[response(status = 401)]
    Unauthorized(#[ref_response] tixbridge_web::openapi::Unauthorized),
    #[response(status = 404)]
    NotFound(#[ref_response] tixbridge_web::openapi::NotFound),
    #[response(status = 409)]
    RuleRefusal(#[ref_response] RuleRefusal),
}

/// The wallet's credentials: the organizer's login and API key, or a spectator's session.
struct WalletSchemes;

impl Modify for WalletSchemes {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        let basic =
            HttpBuilder::new().scheme(HttpAuthScheme::Basic).description(Some("organizer admin login and API key"));
        components.add_security_scheme("basic", SecurityScheme::Http(basic.build()));
        components.add_security_scheme("apiKey", SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Api-Key"))));
        let session = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("a spectator session token (the web wallet sends it as the tb_session cookie)"));
        components.add_security_scheme("spectatorSession", SecurityScheme::Http(session.build()));
    }
}

/// Every spectator API write names the `X-CSRF-Token` header it needs and the refusals of the
/// cross-site guard (`tixbridge_web::WriteGuard`), which stands in front of all of them.
struct CrossSiteGuard;

const CSRF_HEADER: &str = "cross-site request guard: before sign-in (sign-in, session) any non-empty value; with a \
    session, the csrfToken the session answer gave (the web wallet's forms carry the same token). A page on another \
    site cannot send a custom header without a CORS preflight, which this server never allows.";

impl Modify for CrossSiteGuard {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let error = || ContentBuilder::new().schema(Some(Ref::from_schema_name("Error"))).build();
        for (_, item) in api.paths.paths.iter_mut().filter(|(path, _)| path.starts_with("/api/spectator/")) {
            let Some(post) = item.post.as_mut() else { continue };
            let header = ParameterBuilder::new()
                .name("X-CSRF-Token")
                .parameter_in(ParameterIn::Header)
                .required(utoipa::openapi::Required::True)
                .schema(Some(utoipa::openapi::schema::Object::with_type(utoipa::openapi::schema::Type::String)))
                .description(Some(CSRF_HEADER))
                .build();
            post.parameters.get_or_insert_with(Vec::new).push(header);
            let forbidden = ResponseBuilder::new()
                .description(
                    "X-CSRF-Token missing or not this session's, or an Origin header of another site (or, at \
                     session: past the device limits)",
                )
                .content("application/json", error());
            post.responses.responses.insert("403".into(), forbidden.build().into());
            let not_json = ResponseBuilder::new()
                .description("the body is not Content-Type: application/json")
                .content("application/json", error());
            post.responses.responses.insert("415".into(), not_json.build().into());
        }
    }
}

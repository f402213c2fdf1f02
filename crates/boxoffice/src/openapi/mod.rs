//! The box office's part of the OpenAPI document, generated from its handlers' `#[utoipa::path]`
//! annotations and their types. Who may call each operation is not written here: the server
//! adds it from the access policy ([`crate::access::policy`]).

pub mod access;
pub mod answers;

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{IntoParams, Modify, OpenApi};

use crate::access::routes as access_routes;
use crate::{
    away, contacts, files, import, organizations, performances, products, references, scans, seasons, tickets,
};

#[derive(OpenApi)]
#[openapi(
    modifiers(&AccessSchemes),
    components(responses(tixbridge_web::openapi::Unauthorized, tixbridge_web::openapi::Forbidden, tixbridge_web::openapi::NotFound, tixbridge_web::openapi::TooManyRequests)),
    paths(
    access_routes::create_session,
    access_routes::show_session,
    access_routes::delete_session,
    access_routes::create_token,
    access_routes::list_tokens,
    access_routes::revoke_token,
    access_routes::create_operator,
    access_routes::list_operators,
    access_routes::disable_operator,
    access_routes::list_audit,
    organizations::create_organization,
    organizations::get_organization,
    seasons::create_season,
    products::create_product,
    performances::create_performance,
    performances::get_performance,
    references::create_seat_category,
    references::create_tariff,
    references::create_contingent,
    references::create_sales_channel,
    references::create_point_of_sale,
    references::create_shipment_mode,
    contacts::create_contact,
    contacts::list_contacts,
    contacts::get_contact,
    contacts::change::patch_contact,
    contacts::merge::merge_contact,
    files::create_file,
    files::get_file,
    tickets::list_tickets,
    tickets::get_ticket,
    tickets::cancel_ticket,
    tickets::invalidate_ticket,
    tickets::amend_ticket_reason,
    tickets::reprint_ticket,
    tickets::control_ticket,
    scans::create_scan,
    import::import_tickets_csv,
    away::post_away_export,
    away::xlsx::post_away_export_xlsx,
)
)]
pub struct BoxOfficeApi;

/// The two credentials of the box office: an API token or an operator's session cookie.
struct AccessSchemes;

impl Modify for AccessSchemes {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        let components = api.components.get_or_insert_with(Default::default);
        let token = HttpBuilder::new()
            .scheme(HttpAuthScheme::Bearer)
            .description(Some("a box-office API token (tbt_…) of one organization and one role"));
        components.add_security_scheme("boxofficeToken", SecurityScheme::Http(token.build()));
        let session = ApiKeyValue::with_description(
            crate::access::sessions::COOKIE,
            "an operator's session, set by POST /api/boxoffice/session",
        );
        components.add_security_scheme("operatorSession", SecurityScheme::ApiKey(ApiKey::Cookie(session)));
    }
}

/// `{org}`: the organization an operation is about.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)] // parameters only: the handlers read the path themselves
pub struct OrgPath {
    /// the organization's code
    org: String,
}

/// `{org}` and the `{id}` of an object of it.
#[derive(IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct OrgIdPath {
    /// the organization's code
    org: String,
    id: i64,
}

/// The `Idempotency-Key` header of a create (docs/boxoffice-api.md#idempotent-creates).
#[derive(IntoParams)]
#[into_params(parameter_in = Header)]
#[allow(dead_code)]
pub struct IdempotencyKey {
    /// 1 to 255 visible ASCII characters chosen by the client (e.g. a UUID): the same key and
    /// request within 24 hours answers the first answer without creating anything; the same
    /// key with another request is refused (422, `field` `Idempotency-Key`). Keys are per
    /// organization.
    #[param(rename = "Idempotency-Key", required = false, min_length = 1, max_length = 255, pattern = "^[!-~]+$")]
    idempotency_key: String,
}

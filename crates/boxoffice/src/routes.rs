//! Every route of the box office, under `/api/boxoffice`. `{org}` is an organization code;
//! other segments are codes, except those named `id`.

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware::from_fn_with_state;
use axum::routing::{delete, get, post};

use crate::access::{self, Guard, routes as access_routes};
use crate::{
    BoxOfficeState, away, contacts, files, import, organizations, performances, products, references, scans, seasons,
    tickets,
};

/// The box office's routes, each behind `guard` (see [`access`]).
pub fn router(state: BoxOfficeState, guard: Guard) -> Router {
    let org = "/api/boxoffice/organizations/{org}";
    Router::new()
        .route(
            "/api/boxoffice/session",
            post(access_routes::create_session).get(access_routes::show_session).delete(access_routes::delete_session),
        )
        .route(&format!("{org}/tokens"), post(access_routes::create_token).get(access_routes::list_tokens))
        .route(&format!("{org}/tokens/{{id}}"), delete(access_routes::revoke_token))
        .route(&format!("{org}/operators"), post(access_routes::create_operator).get(access_routes::list_operators))
        .route(&format!("{org}/operators/{{id}}"), delete(access_routes::disable_operator))
        .route(&format!("{org}/audit"), get(access_routes::list_audit))
        .route("/api/boxoffice/organizations", post(organizations::create_organization))
        .route(org, get(organizations::get_organization))
        .route(&format!("{org}/seasons"), post(seasons::create_season))
        .route(&format!("{org}/products"), post(products::create_product))
        .route(&format!("{org}/products/{{product}}/performances"), post(performances::create_performance))
        .route(&format!("{org}/products/{{product}}/performances/{{performance}}"), get(performances::get_performance))
        .route(&format!("{org}/seat-categories"), post(references::create_seat_category))
        .route(&format!("{org}/tariffs"), post(references::create_tariff))
        .route(&format!("{org}/contingents"), post(references::create_contingent))
        .route(&format!("{org}/sales-channels"), post(references::create_sales_channel))
        .route(&format!("{org}/sales-channels/{{channel}}/points-of-sale"), post(references::create_point_of_sale))
        .route(&format!("{org}/shipment-modes"), post(references::create_shipment_mode))
        .route(&format!("{org}/contacts"), post(contacts::create_contact).get(contacts::list_contacts))
        .route(&format!("{org}/contacts/{{id}}"), get(contacts::get_contact).patch(contacts::change::patch_contact))
        .route(&format!("{org}/contacts/{{id}}/merge"), post(contacts::merge::merge_contact))
        .route(&format!("{org}/files"), post(files::create_file))
        .route(&format!("{org}/files/{{file_number}}"), get(files::get_file))
        .route(&format!("{org}/tickets"), get(tickets::list_tickets))
        .route(&format!("{org}/tickets/{{id}}"), get(tickets::get_ticket))
        .route(&format!("{org}/tickets/{{id}}/cancel"), post(tickets::cancel_ticket))
        .route(&format!("{org}/tickets/{{id}}/invalidate"), post(tickets::invalidate_ticket))
        .route(&format!("{org}/tickets/{{id}}/reason"), post(tickets::amend_ticket_reason))
        .route(&format!("{org}/tickets/{{id}}/reprint"), post(tickets::reprint_ticket))
        .route(&format!("{org}/tickets/{{id}}/control"), post(tickets::control_ticket))
        .route(&format!("{org}/scans"), post(scans::create_scan))
        .route(
            &format!("{org}/import/csv"),
            post(import::import_tickets_csv).layer(DefaultBodyLimit::max(import::MAX_IMPORT_BYTES)),
        )
        .route(&format!("{org}/performances/{{product}}/{{performance}}/away-export"), post(away::post_away_export))
        .route(
            &format!("{org}/performances/{{product}}/{{performance}}/away-export.xlsx"),
            post(away::xlsx::post_away_export_xlsx),
        )
        .route_layer(from_fn_with_state(guard, access::guard::guard))
        .layer(DefaultBodyLimit::max(tixbridge_web::MAX_BODY_BYTES))
        .with_state(state)
}

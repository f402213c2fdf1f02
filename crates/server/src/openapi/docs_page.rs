//! `GET /api/docs`: the API's documentation page, Swagger UI reading `/api/openapi.json`.
//! Its HTML, scripts and styles are the `utoipa-swagger-ui` crate's, vendored at build time and
//! embedded in the binary: the page works offline and loads nothing from another site (no CDN,
//! no online spec validator). See docs/openapi.md.

use axum::Router;
use utoipa_swagger_ui::{Config, SwaggerUi};

/// Where the page is served.
pub const DOCS_PATH: &str = "/api/docs";

/// The page and its assets under [`DOCS_PATH`]; the document itself is served by
/// [`super::get_openapi`], so it is only named here.
pub fn router() -> Router {
    let config = Config::from("/api/openapi.json")
        .validator_url("none")
        .try_it_out_enabled(true)
        .persist_authorization(false)
        .display_operation_id(true)
        .filter(true);
    SwaggerUi::new(DOCS_PATH).config(config).into()
}

//! The interface's part of the OpenAPI document, generated from its handlers' annotations.

use utoipa::OpenApi;

use super::{handlers, templates};

#[derive(OpenApi)]
#[openapi(
    components(responses(tixbridge_web::openapi::NotFound, tixbridge_web::openapi::BadRequest)),
    paths(
        handlers::create_interface,
        handlers::show_interface,
        handlers::update_interface,
        handlers::create_function,
        handlers::list_functions,
        handlers::reconcile_interface,
        handlers::check_wallet,
        templates::create_template,
        templates::list_templates,
        templates::show_template,
        templates::update_template,
        templates::delete_template,
        templates::preview_template,
        handlers::show_function,
        handlers::show_waiting,
        handlers::update_function,
        handlers::run_function,
        handlers::list_runs,
        handlers::show_run,
        handlers::list_run_lines,
        handlers::cancel_run,
    )
)]
pub struct InterfaceApi;

//! The OpenAPI side of [`crate::ApiError`]: the JSON shape of every refusal and the reusable
//! answers (`BadRequest`, `Unauthorized`, `NotFound`, `Forbidden`) the parts' documents point at.

use utoipa::{ToResponse, ToSchema};

/// Every refusal's JSON body: the message and, when one is at fault, the field.
#[derive(ToSchema)]
#[schema(as = Error)]
#[allow(dead_code)] // a schema only: the answer itself is built by `ApiError`
pub struct ErrorBody {
    error: String,
    #[schema(required = false)]
    field: String,
}

#[derive(ToResponse)]
#[response(description = "malformed request; nothing was written")]
pub struct BadRequest(#[allow(dead_code)] ErrorBody);

#[derive(ToResponse)]
#[response(description = "missing or wrong credentials")]
pub struct Unauthorized(#[allow(dead_code)] ErrorBody);

#[derive(ToResponse)]
#[response(description = "no such resource for this caller")]
pub struct NotFound(#[allow(dead_code)] ErrorBody);

#[derive(ToResponse)]
#[response(description = "the caller's role may not do this")]
pub struct Forbidden(#[allow(dead_code)] ErrorBody);

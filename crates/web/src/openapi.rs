//! The OpenAPI side of [`crate::ApiError`]: the JSON shape of every refusal (docs/errors.md)
//! and the reusable answers the parts' documents point at.

use utoipa::{ToResponse, ToSchema};

/// Every refusal's JSON body: the message, the field at fault when one is, and every bad field
/// with the rule it breaks (one entry per field; empty when no field is at fault).
#[derive(ToSchema)]
#[schema(as = Error)]
#[allow(dead_code)] // a schema only: the answer itself is built by `ApiError`
pub struct ErrorBody {
    /// what is wrong, in a sentence
    error: String,
    /// the first field at fault: a JSON path into the body (`tickets[2].priceCents`), a path or
    /// query parameter, a header (`Content-Type`), `body` or `method`
    #[schema(required = false)]
    field: String,
    /// every bad field and the rule it breaks
    errors: Vec<FieldRuleBody>,
}

/// One bad field and the rule it breaks.
#[derive(ToSchema)]
#[schema(as = FieldRule)]
#[allow(dead_code)]
pub struct FieldRuleBody {
    field: String,
    rule: String,
}

#[derive(ToResponse)]
#[response(description = "malformed request; nothing was written")]
pub struct BadRequest(#[allow(dead_code)] ErrorBody);

#[derive(ToResponse)]
#[response(description = "missing or wrong credentials")]
pub struct Unauthorized(#[allow(dead_code)] ErrorBody);

#[derive(ToResponse)]
#[response(description = "too many sign-in attempts for this account or address; the message says when to try again")]
pub struct TooManyRequests(#[allow(dead_code)] ErrorBody);

#[derive(ToResponse)]
#[response(description = "no such resource for this caller")]
pub struct NotFound(#[allow(dead_code)] ErrorBody);

#[derive(ToResponse)]
#[response(description = "the caller's role may not do this")]
pub struct Forbidden(#[allow(dead_code)] ErrorBody);

#[derive(ToResponse)]
#[response(
    description = "this method is not one of the path's; the `Allow` header lists those that are",
    headers(("Allow" = String, description = "the methods of this path"))
)]
pub struct MethodNotAllowed(#[allow(dead_code)] ErrorBody);

#[derive(ToResponse)]
#[response(description = "the request body is larger than the limit (16 MiB; an import 64 MiB)")]
pub struct PayloadTooLarge(#[allow(dead_code)] ErrorBody);

#[derive(ToResponse)]
#[response(description = "the request body is not sent as application/json (or the CSV type the operation names)")]
pub struct UnsupportedMediaType(#[allow(dead_code)] ErrorBody);

#[derive(ToResponse)]
#[response(description = "an unexpected failure, logged by the server; nothing was written")]
pub struct InternalError(#[allow(dead_code)] ErrorBody);

//! The shapes of the access API's answers that its handlers build as JSON in place.

use utoipa::ToSchema;

use crate::access::Role;

/// A signed-in operator.
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // schemas only
pub struct Session {
    organization: String,
    operator_id: i64,
    role: Role,
}

/// Who a credential speaks for.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct Caller {
    organization: String,
    role: Role,
    /// `token` or `operator`
    kind: String,
    id: i64,
    name: String,
}

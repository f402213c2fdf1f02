//! The shapes of the access API's answers that its handlers build as JSON in place.

use utoipa::ToSchema;

use crate::access::Role;
use crate::access::audit::AuditRecord;
use crate::access::operators::OperatorInfo;
use crate::access::tokens::TokenInfo;

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

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct TokenList {
    tokens: Vec<TokenInfo>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct OperatorList {
    operators: Vec<OperatorInfo>,
}

#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AuditPage {
    changes: Vec<AuditRecord>,
}

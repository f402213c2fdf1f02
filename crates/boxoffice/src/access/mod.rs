//! Who may act on the box office, and how that is decided — in one place.
//!
//! Every `/api/boxoffice/…` route (and the gate's scan) passes [`guard::guard`], which
//! authenticates the caller (an API token `Authorization: Bearer tbt_…`, or an operator's
//! session cookie), looks the route up in [`policy`] (default deny: a route without a rule is
//! refused), resolves the organization the route acts on (from `{org}`, or from the object a
//! numeric `{id}` names) and checks that the caller may act there with its role. Another
//! organization's object answers 404, exactly like a missing one. Handlers receive the
//! outcome as an [`Access`] request extension and never check credentials themselves.

pub mod audit;
pub mod guard;
pub mod operators;
pub mod policy;
pub(crate) mod routes;
mod secret;
pub mod sessions;
pub mod tokens;

use serde::{Deserialize, Serialize};

use crate::BoxOfficeError;
use crate::organizations::Organization;

pub use guard::{Guard, ObjectKind, OwnerLookup};

/// What a credential may do in its organization.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
/// admin: everything in its organization; operator: catalog, files, tickets, runs; viewer: read only; gate: scans only
pub enum Role {
    /// Everything in its organization: interface, functions, templates, operators, tokens.
    Admin,
    /// Catalog, files, tickets, runs.
    Operator,
    /// Reads only.
    Viewer,
    /// Scans only.
    Gate,
}

/// The kind of act a route is, which decides the roles that may perform it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Any authenticated caller (who am I, sign out).
    Identify,
    Read,
    Scan,
    Write,
    Administer,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Admin, Role::Operator, Role::Viewer, Role::Gate];

    pub fn parse(text: &str) -> Result<Role, BoxOfficeError> {
        Self::ALL
            .into_iter()
            .find(|role| role.as_str() == text.trim())
            .ok_or_else(|| BoxOfficeError::invalid("role", "must be one of admin, operator, viewer, gate"))
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Operator => "operator",
            Role::Viewer => "viewer",
            Role::Gate => "gate",
        }
    }

    /// Whether this role may perform an act of kind `need`.
    pub fn may(self, need: Need) -> bool {
        match self {
            Role::Admin => true,
            _ if need == Need::Identify => true,
            Role::Operator => matches!(need, Need::Read | Need::Scan | Need::Write),
            Role::Viewer => need == Need::Read,
            Role::Gate => need == Need::Scan,
        }
    }
}

/// Who a credential speaks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Token { id: i64, name: String },
    Operator { id: i64, email: String },
}

/// An authenticated caller: its organization, its role, and for a gate token the events it is
/// bound to.
#[derive(Debug, Clone)]
pub struct Caller {
    pub organization_id: i64,
    pub role: Role,
    pub principal: Principal,
    /// Wallet event ids a token may scan for; `None` when it is not bound to events.
    pub events: Option<Vec<String>>,
}

impl Caller {
    /// How the audit record names this caller (never a secret).
    pub fn actor(&self) -> String {
        match &self.principal {
            Principal::Token { id, name } => format!("token {id} ({name})"),
            Principal::Operator { email, .. } => format!("operator {email}"),
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }

    /// Whether this caller may act on `org`: its own organization, or — for an admin of an
    /// inventory-owning organization — an organization that sells from its inventory.
    pub fn reaches(&self, org: &Organization) -> bool {
        org.id == self.organization_id || (self.is_admin() && org.inventory_owner_id == Some(self.organization_id))
    }
}

/// What [`guard::guard`] established for a request, handed to the handler as an extension.
#[derive(Debug, Clone)]
pub struct Access {
    pub caller: Caller,
    /// The organization the route acts on; for routes without one, the caller's own.
    pub organization_id: i64,
}

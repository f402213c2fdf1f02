//! The organization an interface is configured for, as the interface's rules need it.

use tixbridge_store::{Conn, sql};

/// An organization's id and whether it owns the inventory (only such an organization may
/// hold the wallet interface).
#[derive(Debug, Clone, Copy, sqlx::FromRow)]
pub struct InterfaceOrganization {
    pub id: i64,
    pub owns_inventory: bool,
}

/// The organization with `code`, if any: one lookup, without the inventory-owner walk of
/// [`crate::organizations::find`].
pub async fn by_code(conn: &mut impl Conn, code: &str) -> Result<Option<InterfaceOrganization>, sqlx::Error> {
    sql("SELECT id, owns_inventory FROM bo_organizations WHERE code = $1").bind(code).fetch_optional(conn).await
}

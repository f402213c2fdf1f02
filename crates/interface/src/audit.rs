//! Recording a configuration change in the box office's audit trail, inside the transaction
//! of the change.

use tixbridge_boxoffice::access::audit::{self, AuditEntry};
use tixbridge_store::Tx;

/// Appends `entry` inside `tx`. The box office's `record` still takes an sqlx executor, so
/// the transaction is handed over as the backend's own.
pub(crate) async fn record(tx: &mut Tx, entry: &AuditEntry) -> Result<(), sqlx::Error> {
    match tx {
        Tx::Sqlite(tx) => audit::record(&mut **tx, entry).await,
        Tx::Postgres(tx) => audit::record(&mut **tx, entry).await,
    }
}

//! How many tickets a function's next run would select now (docs/console.md, the dashboard's
//! "tickets waiting"): the kind's own selection — the one its runs page through — counted by
//! the database up to the function's `batchSize`, without reading a row. Feedback and
//! reconcile read the wallet, not the box office: they have no count here.

use tixbridge_boxoffice::wallet_side::injection_selection::injection_count;
use tixbridge_boxoffice::wallet_side::privilege_selection::privilege_cards_count;
use tixbridge_boxoffice::wallet_side::push_selection::push_count;
use tixbridge_domain::OrganizationId;
use tixbridge_store::{Db, sql};

use crate::config::Interface;
use crate::functions::{FunctionDef, Settings};
use crate::processed::{injected_by_interface, not, processed_by_interface};

/// The tickets (cards, for privileges) `function`'s next run would select, at most its
/// `batchSize`; `None` for a kind whose selection is the wallet's (feedback, reconcile).
pub async fn tickets_waiting(
    db: &Db,
    interface: &Interface,
    function: &FunctionDef,
) -> Result<Option<i64>, sqlx::Error> {
    let organization = interface.organization_id;
    let count = match &function.settings {
        Settings::Injection(settings) => {
            let (force, not_sent) = (settings.force(), not(injected_by_interface(interface.id)));
            let filter = crate::injection::select::filter(organization, settings, &force, &not_sent);
            injection_count(&mut db.reader().await?, &filter, batch(settings.batch_size)).await?
        }
        Settings::Privileges(settings) => {
            let not_sent = not(processed_by_interface(interface.id, "PRIVILEGES"));
            let (organization, products) = (OrganizationId::new(organization), &settings.products);
            privilege_cards_count(
                &mut db.reader().await?,
                organization,
                products,
                &not_sent,
                batch(settings.batch_size),
            )
            .await?
        }
        Settings::Push(settings) => {
            let mut conn = db.reader().await?;
            let injections: Vec<i64> =
                sql("SELECT id FROM itf_functions WHERE interface_id = $1 AND kind = 'INJECTION'")
                    .bind(interface.id)
                    .scalars(&mut conn)
                    .await?;
            // as the run would: a pending dateFrom re-selects what changed since
            let date_from = settings.date_from_ms().filter(|_| function.date_from_armed_at.is_some());
            let selection = crate::push::select::Selection::new(
                function.kind,
                settings,
                organization,
                function.id,
                &injections,
                None,
                date_from,
            );
            push_count(&mut conn, &selection.filter(), batch(settings.batch_size)).await?
        }
        Settings::Feedback(_) | Settings::Reconcile(_) => return Ok(None),
    };
    Ok(Some(count))
}

fn batch(size: usize) -> i64 {
    i64::try_from(size).unwrap_or(i64::MAX)
}

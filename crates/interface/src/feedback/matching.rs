//! Which box-office ticket each feed entry speaks of. The interface injects tickets under
//! their box-office id; the away club's CSV (docs/interface.md#away-fans) reaches the wallet
//! with the barcodes the away export gave, under the export's ticket ids or ids of the club's
//! own. So an entry whose barcode is that of an exported away ticket is that ticket; else an
//! entry whose id is a ticket of the organization's catalog is that ticket; else it reached
//! the wallet some other way, and feedback passes it by.

use std::collections::HashMap;

use tixbridge_boxoffice::wallet_side::feedback::{KnownTicket, exported_by_barcode, known_tickets};
use tixbridge_domain::OrganizationId;
use tixbridge_store::Tx;

use super::FeedTicket;

/// The box-office ticket of each entry of `page`, in order; `None` for an entry that names
/// none.
pub(super) async fn match_tickets(
    tx: &mut Tx,
    organization: OrganizationId,
    page: &[FeedTicket],
) -> Result<Vec<Option<KnownTicket>>, sqlx::Error> {
    let ids: Vec<i64> = page.iter().filter_map(|t| t.ticket_id.parse().ok()).collect();
    let by_id = known_tickets(tx, organization, &ids).await?;
    let barcodes: Vec<&str> = page.iter().filter_map(|t| t.barcode.as_deref()).filter(|b| !b.is_empty()).collect();
    let by_barcode: HashMap<String, KnownTicket> =
        if barcodes.is_empty() { HashMap::new() } else { exported_by_barcode(tx, organization, &barcodes).await? };
    Ok(page
        .iter()
        .map(|feed| {
            let exported = feed.barcode.as_ref().and_then(|b| by_barcode.get(b));
            let named = || feed.ticket_id.parse::<i64>().ok().and_then(|id| by_id.get(&id));
            exported.or_else(named).cloned()
        })
        .collect())
}

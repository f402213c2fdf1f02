//! Which tickets a push function selects, as one box-office filter shared by its runs (paged
//! by id windows) and by the check of a file to upload (which may only name tickets the
//! function would select).

use tixbridge_boxoffice::wallet_side::push_selection::PushFilter;
use tixbridge_domain::TicketStatus;

use crate::functions::FunctionKind;
use crate::functions::settings::PushSettings;
use crate::processed::{not_processed_by, processed_by_any};

/// The selection of one push function, ready to be written into a query.
pub(crate) struct Selection {
    pub cancelled: bool,
    pub organization: i64,
    pub function_id: i64,
    /// The interface's injection functions ("injected before"); may be empty, when only
    /// exported away tickets reached the wallet.
    pub injections: Vec<i64>,
    pub shipment_modes: Vec<String>,
    /// Re-select tickets changed at or after this time (ms); `i64::MAX` when no recovery is
    /// pending.
    pub date_from: i64,
    pub force: Vec<String>,
    pub skip: Vec<String>,
    pub changed_since: Option<i64>,
}

impl Selection {
    /// The selection of `function_id` (kind `kind`) in `organization`. `date_from` (ms): the
    /// recovery to apply, when one is pending.
    pub fn new(
        kind: FunctionKind,
        settings: &PushSettings,
        organization: i64,
        function_id: i64,
        injection_ids: &[i64],
        changed_since: Option<i64>,
        date_from: Option<i64>,
    ) -> Self {
        Self {
            cancelled: kind == FunctionKind::PushCancelled,
            organization,
            function_id,
            injections: injection_ids.to_vec(),
            shipment_modes: settings.shipment_modes.clone(),
            date_from: date_from.unwrap_or(i64::MAX),
            force: settings.force(),
            skip: settings.skip(),
            changed_since,
        }
    }

    /// The statuses this push sends.
    pub fn statuses(&self) -> &'static str {
        if self.cancelled { "CANCELLED or INVALIDATED" } else { "CONTROLLED" }
    }

    /// The box office's filter for this selection.
    pub fn filter(&self) -> PushFilter<'_> {
        let statuses: &'static [TicketStatus] = if self.cancelled {
            &[TicketStatus::Cancelled, TicketStatus::Invalidated]
        } else {
            &[TicketStatus::Controlled]
        };
        PushFilter {
            organization_id: self.organization,
            statuses,
            shipment_modes: &self.shipment_modes,
            changed_since: self.changed_since,
            // "injected before": processed by one of this interface's injection functions (or
            // exported to the away club, which the box office knows)
            injected: processed_by_any(&self.injections),
            // not yet processed by this function (push cancelled: not with this reason)
            not_done: not_processed_by(self.function_id, self.cancelled),
            date_from: self.date_from,
            force_tax_numbers: &self.force,
            skip_tax_numbers: &self.skip,
        }
    }
}

//! Which tickets an injection function selects (docs/interface.md#functions): its settings
//! as the box office's filter. The box office runs the selection; skip lists are applied by
//! the caller, which counts them.

use tixbridge_boxoffice::wallet_side::TicketCondition;
use tixbridge_boxoffice::wallet_side::injection_selection::InjectionFilter;

use crate::functions::settings::{InjectionSettings, TicketRefs};

/// The filter of a function with `settings` in `organization_id`, `force` its forced tickets;
/// `not_sent` holds for a ticket the interface's injection has not yet sent.
pub fn filter<'a>(
    organization_id: i64,
    settings: &'a InjectionSettings,
    force: &'a TicketRefs,
    not_sent: &'a TicketCondition,
) -> InjectionFilter<'a> {
    InjectionFilter {
        organization_id,
        file_number: settings.file_number.as_deref(),
        sales_channels: &settings.sales_channels,
        seasons: &settings.seasons,
        product_families: &settings.product_families,
        products: &settings.products,
        performances: &settings.performances,
        tariffs: &settings.tariffs,
        seat_categories: &settings.seat_categories,
        contingents: &settings.contingents,
        mandatory_holder_fields: &settings.mandatory_holder_fields,
        force_ids: &force.ids,
        force_tax_numbers: &force.tax_numbers,
        not_sent_as_ticket: not_sent,
    }
}

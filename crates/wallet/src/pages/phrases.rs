//! A ticket's status as a phrase for people ("Ready — show this code at the gate"), never the
//! status name the API uses (docs/wallet-pages.md#statuses).

use tixbridge_domain::WalletStatus;

use crate::i18n::{t, tf};

/// What the page says about a ticket in `status`: `pending_to` is the recipient of its open
/// offer, `code_from` when its entry code appears (none once that time has come), `manual`
/// whether the organizer's activation code is the way to reveal it.
pub(crate) fn status_phrase(
    status: WalletStatus,
    pending_to: Option<&str>,
    code_from: Option<&str>,
    manual: bool,
) -> String {
    use WalletStatus::*;
    match status {
        OnlineActivated | OfflineActivated | ManualActivated | BtActivated => t("status.ready").into(),
        PendingTransfer => tf("status.pending", &[("email", pending_to.unwrap_or("…"))]),
        Transferred => t("status.received").into(),
        FailureTransfer => t("status.transfer_refused").into(),
        Failure => t("status.transfer_expired").into(),
        Controlled => t("status.used").into(),
        DeletionPending | Deleted => t("status.cancelled").into(),
        Injected | Downloaded | Assigned if manual => t("status.not_yet_manual").into(),
        Injected | Downloaded | Assigned => match code_from {
            Some(date) => tf("status.not_yet", &[("date", date)]),
            None => t("status.due").into(),
        },
    }
}

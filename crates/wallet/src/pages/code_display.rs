//! The entry code block of a ticket page (docs/offline-entry-code.md). The server draws the
//! code of the current period; the block also carries what this device got at activation
//! (reference, device secret, period, end of the codes) so the page's script
//! (`assets/app.js`) makes each next code itself with WebCrypto, network or not. Without
//! JavaScript the block says the code cannot refresh by itself and a `<noscript>` meta refresh
//! reloads the ticket's page (by its own address: the page may be the answer to the sign-in
//! form) when the period ends, so the code shown is never older than claimed.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use chrono::Utc;

use super::PageError;
use super::html::escape;
use super::views::qr_svg;
use crate::WalletState;
use crate::entry::offline::{OfflineEntry, entry_of};
use crate::entry::step_at;
use crate::i18n::{t, tf};
use crate::spectator::session::SpectatorSession;

/// The block of own ticket `pk`, activated: its code now, and the material to make the next.
/// `alt` is the code's text alternative (event, seat, how often it changes).
pub(crate) async fn code_block(
    state: &WalletState,
    session: &SpectatorSession,
    pk: i64,
    alt: &str,
) -> Result<String, PageError> {
    let entry = entry_of(state, session, pk).await?;
    Ok(render(&entry, crate::millis(Utc::now()), alt))
}

/// Seconds from `now_ms` to the end of its period: when the page without script reloads.
fn seconds_left(now_ms: i64, period_seconds: i64) -> i64 {
    let next = (step_at(now_ms, period_seconds) + 1) * period_seconds * 1000;
    ((next - now_ms + 999) / 1000).max(1)
}

fn render(entry: &OfflineEntry, now_ms: i64, alt: &str) -> String {
    let period = entry.period_seconds;
    let Some(code) = entry.code_at(now_ms) else {
        return "<p id=\"codes-ended\">This event has ended: the ticket has no entry code any more.</p>".into();
    };
    format!(
        "<section class=\"code\" aria-label=\"{alt}\"><div id=\"qr\" role=\"img\" aria-label=\"{alt}\" data-page=\"/wallet/tickets/{id}\" data-src=\"/wallet/tickets/{id}/code.svg\" \
         data-reference=\"{reference}\" data-secret=\"{secret}\" data-period-seconds=\"{period}\" \
         data-step=\"{step}\" data-codes-end=\"{end}\">{svg}</div>\
         <p id=\"code-note\">{note}</p>\
         <button type=\"button\" id=\"brighten\" aria-pressed=\"false\" hidden>{brighten}</button>\
         <noscript><meta http-equiv=\"refresh\" content=\"{reload}; url=/wallet/tickets/{id}\">\
         <p id=\"code-noscript\">JavaScript is off, so this code cannot refresh by itself: \
         the page reloads every {period} s to show the new one (it needs the network for that).</p></noscript></section>",
        alt = escape(alt),
        note = escape(&tf("ticket.code_note", &[("period", &period.to_string())])),
        brighten = escape(t("ticket.brighten")),
        id = entry.ticket,
        reference = escape(&entry.reference),
        secret = STANDARD.encode(entry.secret),
        step = step_at(now_ms, period),
        end = entry.codes_end.map(|end| end.to_string()).unwrap_or_default(),
        svg = qr_svg(&code),
        reload = seconds_left(now_ms, period),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_without_script_reloads_when_its_code_is_replaced() {
        assert_eq!(seconds_left(30_000, 15), 15);
        assert_eq!(seconds_left(30_001, 15), 15);
        assert_eq!(seconds_left(44_000, 15), 1);
        assert_eq!(seconds_left(44_999, 15), 1);
    }
}

//! The closed vocabularies of the box-office catalog
//! (docs/products-and-statuses.md#products-that-go-to-the-wallet): product kinds,
//! season-ticket shapes and shipment-mode types, each parsed once at the edge from its
//! exact code.

use std::fmt;

use serde::Serialize;

/// A code that is not one of an enum's names; `expected` lists the names.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not one of {expected}")]
pub struct UnknownCode {
    pub value: String,
    pub expected: &'static str,
}

macro_rules! code_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
        pub enum $name {
            $(#[serde(rename = $code)] $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$(Self::$variant),+];
            const NAMES: &'static str = concat!($($code, " "),+);

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $code),+
                }
            }

            pub fn parse(code: &str) -> Result<Self, UnknownCode> {
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == code)
                    .ok_or_else(|| UnknownCode { value: code.to_owned(), expected: Self::NAMES.trim_ascii_end() })
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

code_enum! {
    /// What a product is; decides whether it has performances and how it reaches the wallet.
    ProductKind {
        Event => "EVENT",
        Match => "MATCH",
        OpenPass => "OPEN_PASS",
        Service => "SERVICE",
        MembershipCard => "MEMBERSHIP_CARD",
        SeasonTicketCard => "SEASON_TICKET_CARD",
    }
}

code_enum! {
    /// The three shapes of a season ticket
    /// (docs/products-and-statuses.md#products-that-go-to-the-wallet).
    SeasonShape {
        CardOnly => "CARD_ONLY",
        CardAndTickets => "CARD_AND_TICKETS",
        TicketsOnly => "TICKETS_ONLY",
    }
}

code_enum! {
    /// How a ticket reaches its owner. Only `MOBILE` tickets go to the wallet through the
    /// functions; `MOBILE_EXTERNAL` ("Mobile – External (Away)") is exported for the away club.
    ShipmentType {
        Mobile => "MOBILE",
        MobileExternal => "MOBILE_EXTERNAL",
        PrintAtHome => "PRINT_AT_HOME",
        Postal => "POSTAL",
    }
}

impl ProductKind {
    /// Events and matches: their tickets belong to a performance, which gives the dates.
    pub fn is_dated(self) -> bool {
        matches!(self, Self::Event | Self::Match)
    }

    /// Membership and season cards: they go to the wallet as digital privileges.
    pub fn is_privilege(self) -> bool {
        matches!(self, Self::MembershipCard | Self::SeasonTicketCard)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_parse_exactly_and_refusals_list_the_known_names() {
        for kind in ProductKind::ALL {
            assert_eq!(ProductKind::parse(kind.as_str()).unwrap(), *kind);
        }
        let err = ProductKind::parse("match").unwrap_err();
        assert!(err.to_string().contains("EVENT MATCH OPEN_PASS"), "{err}");
        assert_eq!(SeasonShape::parse("CARD_AND_TICKETS").unwrap(), SeasonShape::CardAndTickets);
        assert_eq!(ShipmentType::parse("MOBILE_EXTERNAL").unwrap(), ShipmentType::MobileExternal);
        assert!(ShipmentType::parse("BLOCKCHAIN").is_err());
    }

    #[test]
    fn only_events_and_matches_are_dated() {
        let dated: Vec<_> = ProductKind::ALL.iter().filter(|k| k.is_dated()).collect();
        assert_eq!(dated, [&ProductKind::Event, &ProductKind::Match]);
        assert!(ProductKind::SeasonTicketCard.is_privilege() && !ProductKind::OpenPass.is_privilege());
    }
}

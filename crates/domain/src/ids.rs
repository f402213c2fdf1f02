//! Typed ids for the numbers that are easy to mix up at a crate boundary: an organization, a
//! box-office ticket, an interface function and one of its runs are all `i64` in the database,
//! and a call such as `apply(db, organization, ticket, …)` compiles with its arguments swapped
//! unless each has a type of its own. Inside a module that only ever handles one kind of id a
//! plain `i64` is fine; the public functions of each part take these.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

macro_rules! typed_id {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(i64);

        impl $name {
            /// Wraps a number read from the database or a request.
            pub const fn new(id: i64) -> Self {
                Self(id)
            }

            /// The number, for SQL and JSON.
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = std::num::ParseIntError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                s.parse().map(Self)
            }
        }

        impl From<$name> for i64 {
            fn from(id: $name) -> i64 {
                id.0
            }
        }
    };
}

typed_id!(
    /// An organization of the box office (a club, a federation, a venue).
    OrganizationId
);
typed_id!(
    /// A box-office ticket; the wallet knows it by the same number as its `ticketId`.
    TicketId
);
typed_id!(
    /// A function of the interface (an injection, a push, a feedback, …).
    FunctionId
);
typed_id!(
    /// One run of an interface function.
    RunId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_reads_and_prints_as_its_number() {
        let id: TicketId = "42".parse().unwrap();
        assert_eq!(id, TicketId::new(42));
        assert_eq!(id.to_string(), "42");
        assert_eq!(serde_json::to_string(&id).unwrap(), "42");
    }
}

//! The words of tixbridge, free of I/O: wallet and box-office statuses and their state
//! machines, the box-office catalog vocabularies and comfort variables, the validated shape of
//! an injected ticket, the hash chain of the status log, and the digest both sides compute to
//! prove they agree.

pub mod boxoffice_catalog;
pub mod boxoffice_status;
pub mod chain;
pub mod comfort;
pub mod digest;
pub mod ids;
pub mod inject;
pub mod wallet_status;

pub use boxoffice_catalog::{ProductKind, SeasonShape, ShipmentType, UnknownCode};
pub use boxoffice_status::{IllegalTicketMove, InvalidationReason, TicketAction, TicketStatus};
pub use comfort::{ComfortError, ComfortValue, ComfortVariables};
pub use ids::{FunctionId, OrganizationId, RunId, TicketId};
pub use wallet_status::{IllegalTransition, WalletAction, WalletStatus};

//! The words of tixbridge, free of I/O: wallet statuses and their one state machine, the
//! validated shape of an injected ticket, and the hash chain of the status log.

pub mod chain;
pub mod inject;
pub mod wallet_status;

pub use wallet_status::{IllegalTransition, WalletAction, WalletStatus};

//! The external printing interface: lives inside the box office, holds the functions that
//! move data between the box office and the wallet over HTTP (docs/interface.md), and
//! records every run.

pub mod client;
pub mod config;
pub mod continuous;
pub mod dump;
pub mod engine;
pub mod feedback;
pub mod functions;
pub mod http;
pub mod injection;
mod kinds;
mod notify;
pub mod outbox;
pub mod params;
mod privileges;
pub mod processed;
mod push;
pub mod reconcile;
pub mod runs;
pub mod scheduler;
pub mod template;
mod waiting;

pub use engine::{Engine, RunError, StartedRun};
pub use runs::RunOptions;

//! The one binary's library half: configuration, the router of every part, the demo, and the
//! command line. `main.rs` only parses arguments and calls in here, so tests start the very
//! same application.

pub mod app;
pub mod bench;
pub mod boxoffice_cli;
pub mod cli;
pub mod demo;
pub mod gate;
pub mod health;
pub mod logging;
pub mod observe;
pub mod openapi;
mod openapi_access;
mod openapi_errors;
pub mod progress;
pub mod serve;
pub mod server_key;
pub mod settings;

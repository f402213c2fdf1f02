//! The external printing interface: lives inside the box office, holds the functions that
//! move data between the box office and the wallet over HTTP (SPEC §6), and records every run.

pub mod config;
pub mod functions;
pub mod params;
pub mod client;
pub mod dump;
pub mod runs;

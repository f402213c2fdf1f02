//! One module per screen of the console.

pub mod away;
pub mod dashboard;
pub mod functions;
pub mod interface;
pub mod run_lines;
pub mod runs;
pub mod templates;
pub mod tickets;

use minijinja::Value as Context;

/// A JSON value handed to a template.
pub fn ctx(value: &serde_json::Value) -> Context {
    Context::from_serialize(value)
}

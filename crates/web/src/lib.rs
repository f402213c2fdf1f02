//! What every HTTP surface of tixbridge shares: the one error type and its JSON shape
//! (`{"error", "field", "errors": [{"field", "rule"}]}`, docs/errors.md), the middleware that
//! puts every other refusal into it, body, path and query extractors whose refusals say what
//! is wrong in the API's words, and the guard that keeps other sites' pages from writing
//! through a visitor's browser.

mod error;
mod extract;
mod json_body;
pub mod openapi;
pub mod page;
pub mod serde_words;
mod shape;
mod write_guard;

pub use error::{ApiError, FieldRule};
pub use extract::{Path, Query, parse_query};
pub use json_body::{BodyBytes, JsonBody, MAX_BODY_BYTES, parse_json};
pub use page::{Page, PageParams, PageQuery};
pub use shape::{method_not_allowed, shape_errors};
pub use write_guard::{WriteGuard, guard_writes};

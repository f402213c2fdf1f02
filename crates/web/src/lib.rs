//! What every HTTP surface of tixbridge shares: the one error type and its JSON shape
//! (`{"error": …, "field": …}`), a JSON body reader whose refusals say what is wrong, and the
//! guard that keeps other sites' pages from writing through a visitor's browser.

mod error;
mod json_body;
pub mod openapi;
pub mod page;
mod write_guard;

pub use error::ApiError;
pub use json_body::{BodyBytes, JsonBody, MAX_BODY_BYTES, parse_json};
pub use page::{Page, PageParams, PageQuery};
pub use write_guard::{WriteGuard, guard_writes};

//! What every HTTP surface of tixbridge shares: the one error type and its JSON shape
//! (`{"error": …, "field": …}`), and a JSON body reader whose refusals say what is wrong.

mod error;
mod json_body;

pub use error::ApiError;
pub use json_body::{BodyBytes, JsonBody, MAX_BODY_BYTES, parse_json};

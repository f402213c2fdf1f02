//! One pagination for every list of every part (docs/boxoffice-api.md#lists): a request takes
//! `limit` (1 to 1,000, default 100) and `cursor` (opaque, from the last page's `next`); the
//! answer is `{"results": [...], "next": URL-or-null}`, `next` being this same request (its other
//! query parameters kept) with the cursor of the following page.
//!
//! A cursor holds the position of the last item given (e.g. its id) and the name of its list,
//! with a checksum: a garbled cursor, or one made for another list, is refused naming `cursor`
//! instead of silently starting elsewhere. It grants nothing: every list still reads only what
//! the caller may read, from that position on.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::Serialize;
use serde::de::DeserializeOwned;
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::ApiError;

/// Items per page when `limit` is not given.
pub const DEFAULT_LIMIT: i64 = 100;
/// The largest `limit`.
pub const MAX_LIMIT: i64 = 1000;

/// The `limit` and `cursor` of a list request, with what is needed to write its `next` link.
#[derive(Debug, Clone)]
pub struct PageQuery {
    /// Items on this page, at most.
    pub limit: i64,
    cursor: Option<String>,
    /// `scheme://host` of the request, when it had a `Host`.
    origin: Option<String>,
    path: String,
    /// The request's other query parameters, in their order.
    others: Vec<(String, String)>,
}

/// One page of a list.
#[derive(Debug, Serialize, ToSchema)]
pub struct Page<T> {
    pub results: Vec<T>,
    /// The address of the following page, or `null` on the last one.
    #[schema(required = true)]
    pub next: Option<String>,
}

/// `limit` and `cursor` as the OpenAPI document shows them.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)] // a description only: `PageQuery` reads the parameters
pub struct PageParams {
    /// items on the page
    #[param(minimum = 1, maximum = 1000, default = 100)]
    limit: Option<i64>,
    /// the following page: copied from the last page's `next`, never made by hand
    cursor: Option<String>,
}

impl PageQuery {
    /// Reads `limit` and `cursor` from a request's query; a bad `limit` is refused naming it.
    pub fn from_request(parts: &Parts) -> Result<Self, ApiError> {
        let mut limit = None;
        let mut cursor = None;
        let mut others = Vec::new();
        for (name, value) in url::form_urlencoded::parse(parts.uri.query().unwrap_or_default().as_bytes()) {
            match name.as_ref() {
                "limit" if limit.is_some() => return Err(ApiError::bad_request("limit", "given more than once")),
                "cursor" if cursor.is_some() => return Err(ApiError::bad_request("cursor", "given more than once")),
                "limit" => limit = Some(parse_limit(&value)?),
                "cursor" => cursor = Some(value.into_owned()),
                _ => others.push((name.into_owned(), value.into_owned())),
            }
        }
        Ok(Self {
            limit: limit.unwrap_or(DEFAULT_LIMIT),
            cursor,
            origin: origin(&parts.headers),
            path: parts.uri.path().to_owned(),
            others,
        })
    }

    /// The first page, of the default size, of the list at `path` on the same server: for an
    /// answer that embeds the start of another list (a run and its log lines).
    pub fn first_page_of(&self, path: &str) -> Self {
        Self {
            limit: DEFAULT_LIMIT,
            cursor: None,
            origin: self.origin.clone(),
            path: path.to_owned(),
            others: Vec::new(),
        }
    }

    /// The position this page starts after (none for the first page), from a cursor made for
    /// `list`; a garbled cursor or one of another list is refused naming `cursor`.
    pub fn after<P: DeserializeOwned>(&self, list: &str) -> Result<Option<P>, ApiError> {
        let Some(cursor) = &self.cursor else { return Ok(None) };
        let refused =
            || ApiError::bad_request("cursor", "is not a cursor of this list: copy it from the last page's `next`");
        let (payload, check) = cursor.split_once('.').ok_or_else(refused)?;
        let payload = URL_SAFE_NO_PAD.decode(payload).map_err(|_| refused())?;
        if check != checksum(&payload) {
            return Err(refused());
        }
        let (name, position): (String, P) = serde_json::from_slice(&payload).map_err(|_| refused())?;
        if name != list {
            return Err(refused());
        }
        Ok(Some(position))
    }

    /// How many rows to read: one more than a page, to know whether another page follows.
    pub fn rows_to_read(&self) -> i64 {
        self.limit + 1
    }

    /// The page of `rows` (read with [`Self::rows_to_read`], in the list's order): at most
    /// `limit` of them, and `next` when more follow, its cursor the `position` of the last.
    pub fn page<T, P: Serialize>(&self, list: &str, mut rows: Vec<T>, position: impl Fn(&T) -> P) -> Page<T> {
        let limit = usize::try_from(self.limit).unwrap_or(usize::MAX);
        if rows.len() <= limit {
            return Page { results: rows, next: None };
        }
        rows.truncate(limit);
        let next = rows.last().map(|last| self.link(&cursor_for(list, &position(last))));
        Page { results: rows, next }
    }

    /// This request's address with `cursor` and this page's `limit`.
    fn link(&self, cursor: &str) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in &self.others {
            query.append_pair(name, value);
        }
        if self.limit != DEFAULT_LIMIT {
            query.append_pair("limit", &self.limit.to_string());
        }
        query.append_pair("cursor", cursor);
        format!("{}{}?{}", self.origin.as_deref().unwrap_or_default(), self.path, query.finish())
    }
}

impl<S: Send + Sync> FromRequestParts<S> for PageQuery {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Self::from_request(parts)
    }
}

fn parse_limit(value: &str) -> Result<i64, ApiError> {
    value
        .parse::<i64>()
        .ok()
        .filter(|limit| (1..=MAX_LIMIT).contains(limit))
        .ok_or_else(|| ApiError::bad_request("limit", format!("must be a whole number from 1 to {MAX_LIMIT}")))
}

/// The cursor that starts a page of `list` after `position`.
pub fn cursor_for<P: Serialize>(list: &str, position: &P) -> String {
    let payload = serde_json::to_vec(&(list, position)).unwrap_or_default();
    format!("{}.{}", URL_SAFE_NO_PAD.encode(&payload), checksum(&payload))
}

fn checksum(payload: &[u8]) -> String {
    let digest = Sha256::new().chain_update(b"tixbridge list cursor\n").chain_update(payload).finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// `scheme://host` the caller used, from `Host` (and `X-Forwarded-Proto` behind a proxy).
fn origin(headers: &HeaderMap) -> Option<String> {
    let host = headers.get(header::HOST)?.to_str().ok()?;
    if host.is_empty() || !host.bytes().all(|b| b.is_ascii_graphic()) || host.contains(['/', '?', '#', '@']) {
        return None;
    }
    let scheme = match headers.get("x-forwarded-proto").and_then(|v| v.to_str().ok()) {
        Some("https") => "https",
        _ => "http",
    };
    Some(format!("{scheme}://{host}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(uri: &str) -> Result<PageQuery, ApiError> {
        let request = axum::http::Request::builder().uri(uri).header("host", "example.test:8080").body(()).unwrap();
        PageQuery::from_request(&request.into_parts().0)
    }

    #[test]
    fn a_cursor_reads_back_only_on_its_own_list_and_not_when_garbled() {
        let cursor = cursor_for("tickets", &41_i64);
        let page = query(&format!("/x?cursor={cursor}")).unwrap();
        assert_eq!(page.after::<i64>("tickets").unwrap(), Some(41));
        assert_eq!(page.after::<i64>("contacts").unwrap_err().field.as_deref(), Some("cursor"));
        let garbled = format!("{}A{}", &cursor[..3], &cursor[4..]);
        let page = query(&format!("/x?cursor={garbled}")).unwrap();
        assert!(page.after::<i64>("tickets").is_err());
    }

    #[test]
    fn next_keeps_the_other_parameters_and_the_limit() {
        let page = query("/api/x?status=SOLD&limit=2").unwrap();
        let page = page.page("x", vec![1_i64, 2, 3], |n| *n);
        assert_eq!(page.results, vec![1, 2]);
        let next = page.next.unwrap();
        assert!(next.starts_with("http://example.test:8080/api/x?status=SOLD&limit=2&cursor="), "{next}");
    }

    #[test]
    fn limit_must_be_from_1_to_1000() {
        for bad in ["0", "1001", "-1", "ten", ""] {
            assert_eq!(query(&format!("/x?limit={bad}")).unwrap_err().field.as_deref(), Some("limit"), "{bad}");
        }
        assert_eq!(query("/x?limit=1000").unwrap().limit, 1000);
        assert_eq!(query("/x").unwrap().limit, DEFAULT_LIMIT);
    }
}

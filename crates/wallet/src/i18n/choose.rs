//! Which language a page speaks: `?lang=` on the address (the switcher's links; remembered in
//! the `tb_lang` cookie), else that cookie, else the browser's `Accept-Language`, else English.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;

use super::Lang;

/// Remembers the language the fan chose with the switcher.
pub(crate) const LANG_COOKIE: &str = "tb_lang";

/// The language `?lang=` asks for, if any.
fn from_query(query: Option<&str>) -> Option<Lang> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('='))
        .find(|(key, _)| *key == "lang")
        .and_then(|(_, v)| Lang::parse(v))
}

/// The supported language the browser prefers most (`fr-CH;q=0.9, de;q=0.8, *;q=0.1`); ties go
/// to the one listed first.
pub(crate) fn from_accept_language(value: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    for item in value.split(',') {
        let mut parts = item.split(';');
        let Some(lang) = parts.next().and_then(Lang::parse) else { continue };
        let quality =
            parts.filter_map(|p| p.trim().strip_prefix("q=")).find_map(|q| q.trim().parse::<f32>().ok()).unwrap_or(1.0);
        if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

fn from_headers(headers: &HeaderMap) -> Option<Lang> {
    let chosen = crate::pages::cookie(headers, LANG_COOKIE).and_then(|v| Lang::parse(&v));
    chosen.or_else(|| headers.get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()).and_then(from_accept_language))
}

/// The address of the switcher's links: this page again when it was a GET (its other query
/// parameters kept), the wallet's home after a form.
#[derive(Debug, Clone)]
pub(crate) struct Here(pub String);

tokio::task_local! {
    static HERE: Here;
}

/// `href` of the switcher's link to `lang`.
pub(crate) fn switch_link(lang: Lang) -> String {
    let here = HERE.try_with(|h| h.0.clone()).unwrap_or_else(|_| "/wallet/".to_owned());
    let (path, query) = here.split_once('?').unwrap_or((&here, ""));
    let mut pairs: Vec<&str> = query.split('&').filter(|p| !p.is_empty() && !p.starts_with("lang=")).collect();
    let chosen = format!("lang={}", lang.code());
    pairs.push(&chosen);
    format!("{path}?{}", pairs.join("&"))
}

/// The middleware of every wallet page: picks the language, runs the page in it, and
/// remembers a language chosen with `?lang=`.
pub(crate) async fn choose_language(request: Request, next: Next) -> Response {
    let asked = from_query(request.uri().query());
    let lang = asked.or_else(|| from_headers(request.headers())).unwrap_or(Lang::En);
    let here = if request.method() == Method::GET {
        request.uri().path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/wallet/".into())
    } else {
        "/wallet/".to_owned()
    };
    let mut response = HERE.scope(Here(here), super::scope(lang, next.run(request))).await;
    if let Some(lang) = asked {
        // not a secret: readable by the page, sent on every wallet request
        let value = format!("{LANG_COOKIE}={}; Path=/; SameSite=Lax; Max-Age=31536000", lang.code());
        if let Ok(value) = HeaderValue::from_str(&value) {
            response.headers_mut().append(header::SET_COOKIE, value);
        }
    }
    response.headers_mut().insert(header::VARY, HeaderValue::from_static("Accept-Language, Cookie"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_preferred_supported_language_wins() {
        assert_eq!(from_accept_language("fr-CH, fr;q=0.9, en;q=0.8"), Some(Lang::Fr));
        assert_eq!(from_accept_language("es, de;q=0.7, en;q=0.8"), Some(Lang::En));
        assert_eq!(from_accept_language("de-AT"), Some(Lang::De));
        assert_eq!(from_accept_language("es, it;q=0.5"), None);
        assert_eq!(from_accept_language("fr;q=0, de;q=0.1"), Some(Lang::De));
    }

    #[test]
    fn the_query_names_a_language() {
        assert_eq!(from_query(Some("token=abc&lang=de")), Some(Lang::De));
        assert_eq!(from_query(Some("lang=xx")), None);
        assert_eq!(from_query(None), None);
    }
}

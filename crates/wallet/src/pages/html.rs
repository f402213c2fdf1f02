//! The page frame and HTML escaping of the web wallet.

use crate::i18n::choose::switch_link;
use crate::i18n::{self, Lang, t};

/// Escapes text for an HTML element or a double-quoted attribute.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The wallet's style sheet, served as `/wallet/app.css`. Focus is always visible; colours
/// keep a contrast of at least 4.5:1; `body.bright` is the gate view (the QR code alone, large).
pub(crate) const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:32rem;margin:0 auto;padding:1rem;color:#123;background:#fff}
h1{font-size:1.4rem}a{color:#0b5cad}.card{border:1px solid #99a;border-radius:.6rem;padding:.8rem;margin:.8rem 0}
.status{font-size:.9rem;background:#eef;border-radius:.3rem;padding:.1rem .4rem}.error{color:#a00;margin:.2rem 0}
input,button{font-size:1rem;padding:.4rem;margin:.2rem 0}form{margin:.6rem 0}#qr svg{width:320px;height:320px;background:#fff}
#qr{padding:16px;background:#fff;display:inline-block}.field{margin:.4rem 0}.field label{display:block}
input[aria-invalid=true]{border:2px solid #a00}
a:focus-visible,button:focus-visible,input:focus-visible{outline:3px solid #0b5cad;outline-offset:2px}
.skip{position:absolute;left:-999px}.skip:focus{left:1rem;top:1rem;background:#fff;padding:.4rem}
header{display:flex;justify-content:space-between;align-items:center;border-bottom:1px solid #99a}
header p{margin:.4rem 0;font-weight:bold}nav ul{list-style:none;display:flex;gap:.8rem;margin:0;padding:0}
body.bright{max-width:none;background:#fff}body.bright header,body.bright main>*:not(.code){display:none}
body.bright .code>*:not(#qr):not(#brighten){display:none}body.bright #qr svg{width:90vmin;height:90vmin}";

/// A whole page around `body` (already HTML), in the current language: a banner with the
/// language switcher, and the content in the page's `main` landmark.
pub(crate) fn page(title: &str, body: &str) -> String {
    let lang = i18n::current();
    let languages: String = Lang::ALL
        .into_iter()
        .map(|other| {
            let current = if other == lang { " aria-current=\"true\"" } else { "" };
            format!(
                "<li><a href=\"{}\" lang=\"{}\" hreflang=\"{}\"{current}>{}</a></li>",
                escape(&switch_link(other)),
                other.code(),
                other.code(),
                other.own_name()
            )
        })
        .collect();
    format!(
        "<!doctype html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{} · {}</title><link rel=\"stylesheet\" href=\"/wallet/app.css\">\
         <link rel=\"manifest\" href=\"/wallet/manifest.webmanifest\">\
         <script src=\"/wallet/app.js\" defer></script><script src=\"/wallet/gate.js\" defer></script></head>\
         <body><a class=\"skip\" href=\"#main\">{}</a><header><p>{}</p><nav aria-label=\"{}\"><ul>{languages}</ul></nav></header>\
         <main id=\"main\">{body}</main></body></html>",
        lang.code(),
        escape(title),
        escape(t("site.name")),
        escape(t("nav.skip")),
        escape(t("site.name")),
        escape(t("nav.languages")),
    )
}

/// A POST form with the CSRF token and one submit button.
pub(crate) fn form(action: &str, csrf: &str, fields: &str, button: &str) -> String {
    format!(
        "<form method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"csrf\" value=\"{csrf}\">{fields}\
         <button type=\"submit\">{}</button></form>",
        escape(action),
        escape(button)
    )
}

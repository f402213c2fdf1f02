//! The page frame and HTML escaping of the web wallet.

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

/// The wallet's style sheet, served as `/wallet/app.css`.
pub(crate) const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:32rem;margin:0 auto;padding:1rem;color:#123}
h1{font-size:1.4rem}a{color:#0b5cad}.card{border:1px solid #ccd;border-radius:.6rem;padding:.8rem;margin:.8rem 0}
.status{font-size:.8rem;background:#eef;border-radius:.3rem;padding:.1rem .4rem}.error{color:#a00}
input,button{font-size:1rem;padding:.4rem;margin:.2rem 0}form{margin:.6rem 0}#qr svg{width:320px;height:320px;background:#fff}
#qr{padding:16px;background:#fff;display:inline-block}";

/// A whole page around `body` (already HTML).
pub(crate) fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"stylesheet\" href=\"/wallet/app.css\">\
         <link rel=\"manifest\" href=\"/wallet/manifest.webmanifest\">\
         <script src=\"/wallet/app.js\" defer></script></head><body>{body}</body></html>",
        escape(title)
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

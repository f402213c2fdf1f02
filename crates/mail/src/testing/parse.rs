//! [`ReceivedMessage`]: one message as the test receiver got it, with its headers unfolded
//! and the subject and body decoded, so tests assert on what a person would read.

use base64::Engine;

/// One accepted message: the SMTP envelope, the raw DATA and the decoded parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedMessage {
    /// `MAIL FROM` address.
    pub envelope_from: String,
    /// Every `RCPT TO` address, in order.
    pub recipients: Vec<String>,
    /// The user name given with `AUTH PLAIN`, if the client authenticated.
    pub auth_user: Option<String>,
    /// The message as transmitted (after dot-unstuffing), CRLF line ends.
    pub data: String,
    /// Header fields in order, unfolded, values as transmitted.
    pub headers: Vec<(String, String)>,
    /// The `Subject` with RFC 2047 encoded words decoded.
    pub subject: String,
    /// The body, transfer-decoded (quoted-printable, base64), with LF line ends.
    pub body: String,
}

impl ReceivedMessage {
    pub(crate) fn parse(
        envelope_from: String,
        recipients: Vec<String>,
        auth_user: Option<String>,
        data: String,
    ) -> Self {
        let (head, raw_body) = match data.split_once("\r\n\r\n") {
            Some((head, body)) => (head, body),
            None => (data.as_str(), ""),
        };
        let headers = unfold(head);
        let find = |name: &str| headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());
        let subject = decode_words(find("Subject").unwrap_or(""));
        let encoding = find("Content-Transfer-Encoding").unwrap_or("7bit");
        let body = decode_body(raw_body, encoding).replace("\r\n", "\n");
        Self { envelope_from, recipients, auth_user, headers: headers.clone(), subject, body, data }
    }

    /// The first header field called `name` (case-insensitive), as transmitted.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

/// Joins continuation lines (starting with a space or tab) to the field they continue.
fn unfold(head: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for line in head.split("\r\n") {
        if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push_str(line);
            }
        } else if let Some((name, value)) = line.split_once(':') {
            headers.push((name.trim().to_owned(), value.trim().to_owned()));
        }
    }
    headers
}

fn decode_body(body: &str, encoding: &str) -> String {
    match encoding.trim().to_ascii_lowercase().as_str() {
        "base64" => {
            let compact: String = body.split_whitespace().collect();
            let bytes =
                base64::engine::general_purpose::STANDARD.decode(compact).unwrap_or_else(|_| body.as_bytes().to_vec());
            String::from_utf8_lossy(&bytes).into_owned()
        }
        "quoted-printable" => String::from_utf8_lossy(&quoted_printable(body, false)).into_owned(),
        _ => body.to_owned(),
    }
}

/// Decodes `=XX` escapes and soft line breaks; `underscore_is_space` for RFC 2047 `Q` words.
fn quoted_printable(text: &str, underscore_is_space: bool) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'=' if bytes[i + 1..].starts_with(b"\r\n") => i += 3,
            b'=' if bytes[i + 1..].starts_with(b"\n") => i += 2,
            b'=' => {
                let hex = text.get(i + 1..i + 3).and_then(|h| u8::from_str_radix(h, 16).ok());
                match hex {
                    Some(byte) => {
                        out.push(byte);
                        i += 3;
                    }
                    None => {
                        out.push(b'=');
                        i += 1;
                    }
                }
            }
            b'_' if underscore_is_space => {
                out.push(b' ');
                i += 1;
            }
            byte => {
                out.push(byte);
                i += 1;
            }
        }
    }
    out
}

/// Decodes RFC 2047 `=?charset?B|Q?text?=` words (UTF-8 assumed); the whitespace between
/// two adjacent encoded words is dropped, as the RFC says.
fn decode_words(value: &str) -> String {
    let mut out: Vec<u8> = Vec::new();
    let mut rest = value;
    let mut after_word = false;
    while !rest.is_empty() {
        let Some(start) = rest.find("=?") else {
            out.extend_from_slice(rest.as_bytes());
            break;
        };
        let (before, candidate) = rest.split_at(start);
        match encoded_word(candidate) {
            Some((decoded, used)) => {
                if !(after_word && before.trim().is_empty()) {
                    out.extend_from_slice(before.as_bytes());
                }
                out.extend_from_slice(&decoded);
                rest = &candidate[used..];
                after_word = true;
            }
            None => {
                out.extend_from_slice(&rest.as_bytes()[..start + 2]);
                rest = &rest[start + 2..];
                after_word = false;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Decodes the encoded word at the start of `text`; returns its bytes and length.
fn encoded_word(text: &str) -> Option<(Vec<u8>, usize)> {
    let inner = text.strip_prefix("=?")?;
    let (_charset, inner) = inner.split_once('?')?;
    let (encoding, inner) = inner.split_once('?')?;
    let end = inner.find("?=")?;
    let payload = &inner[..end];
    let used = text.len() - inner.len() + end + 2;
    let decoded = match encoding {
        "B" | "b" => base64::engine::general_purpose::STANDARD.decode(payload).ok()?,
        "Q" | "q" => quoted_printable(payload, true),
        _ => return None,
    };
    Some((decoded, used))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoded_words_in_a_subject_are_decoded_and_joined() {
        let subject = "=?utf-8?b?w4ljaGVj?= =?utf-8?q?_de_la_s=C3=A9ance?= 12";
        assert_eq!(decode_words(subject), "Échec de la séance 12");
    }

    #[test]
    fn a_quoted_printable_body_is_decoded_with_soft_breaks_removed() {
        let body = "S=C3=A9ance annul=\r\n=C3=A9e\r\n";
        assert_eq!(decode_body(body, "quoted-printable"), "Séance annulée\r\n");
    }
}

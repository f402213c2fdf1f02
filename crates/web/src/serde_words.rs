//! serde's refusals in the API's own words. A client reads "priceCents: must be a whole number
//! (got text)", never "invalid type: string, expected i64 at line 1 column 17".

use serde_json::error::Category;

/// The field at fault and the rule it breaks, from the path serde was at (`tickets[0]`, or `.`
/// at the top) and serde's message.
pub fn field_and_rule(path: &str, message: &str) -> (String, String) {
    let message = message.split(" at line ").next().unwrap_or(message);
    let parent = if path == "." { "" } else { path };
    let child = |name: &str| {
        if parent.is_empty() || parent.ends_with(name) { name.to_owned() } else { format!("{parent}.{name}") }
    };
    let here = if parent.is_empty() { "body".to_owned() } else { parent.to_owned() };
    if let Some(name) = quoted_after(message, "missing field ") {
        return (child(&name), "is required".to_owned());
    }
    if let Some(name) = quoted_after(message, "duplicate field ") {
        return (child(&name), "is given twice".to_owned());
    }
    if let Some(name) = quoted_after(message, "unknown field ") {
        let known = names_after(message, "expected ");
        let rule = if known.is_empty() {
            "is not a field here".to_owned()
        } else {
            format!("is not a field here (known: {})", known.join(", "))
        };
        return (child(&name), rule);
    }
    if let Some(name) = quoted_after(message, "unknown variant ") {
        let known = names_after(message, "expected ");
        return (here, format!("must be one of {} (got {name:?})", known.join(", ")));
    }
    for (prefix, verb) in
        [("invalid type: ", "must be"), ("invalid value: ", "must be"), ("invalid length ", "must have")]
    {
        if let Some(rest) = message.strip_prefix(prefix) {
            let (got, wanted) = rest.split_once(", expected ").unwrap_or((rest, "another value"));
            return (here, format!("{verb} {} (got {})", expected(wanted), got_words(got)));
        }
    }
    // a query or path value parsed from text by the standard library
    let parsed = match message {
        "invalid digit found in string" | "cannot parse integer from empty string" => Some("must be a whole number"),
        "number too large to fit in target type" => Some("is too large"),
        "number too small to fit in target type" => Some("is too small"),
        "invalid float literal" => Some("must be a number"),
        "provided string was not `true` or `false`" => Some("must be true or false"),
        _ => None,
    };
    // otherwise our own types' messages (ids, dates), already in our words
    (here, parsed.map_or_else(|| message.to_owned(), str::to_owned))
}

/// What kind of broken JSON `category` is.
pub fn syntax(category: Category) -> &'static str {
    match category {
        Category::Eof => "it ends too early",
        Category::Syntax => "a syntax error",
        Category::Io => "it could not be read",
        Category::Data => "a value of the wrong kind",
    }
}

/// What serde expected (`i64`, `a string`, a Rust type's name), said as a rule.
pub fn expected(expected: &str) -> String {
    let expected = expected.trim();
    let word = match expected {
        "i8" | "i16" | "i32" | "i64" | "i128" | "isize" => "a whole number",
        "u8" | "u16" | "u32" | "u64" | "u128" | "usize" => "a whole number of at least 0",
        "f32" | "f64" => "a number",
        "a string" | "a borrowed string" | "a character" | "a char" => "text",
        "a boolean" | "bool" => "true or false",
        "a sequence" | "a tuple" => "a list",
        "a map" => "an object",
        "unit" => "null",
        _ if expected.starts_with("struct ") => "an object",
        _ if expected.starts_with("enum ") || expected.starts_with("variant identifier") => "one of its named values",
        _ if expected.starts_with("tuple of") || expected.starts_with("an array of length") => {
            return expected.replace("an array of length", "a list of length");
        }
        _ if expected.contains("::") => "a value of the documented form",
        _ => return expected.to_owned(),
    };
    word.to_owned()
}

/// What the client sent, said plainly.
fn got_words(got: &str) -> String {
    let got = got.trim();
    let kind = got.split([' ', ':']).next().unwrap_or(got);
    match kind {
        "string" => "text".to_owned(),
        "integer" | "floating" => format!("the number {}", got.split('`').nth(1).unwrap_or("given")),
        "boolean" => got.split('`').nth(1).unwrap_or("a boolean").to_owned(),
        "null" => "null".to_owned(),
        "sequence" => "a list".to_owned(),
        "map" => "an object".to_owned(),
        _ => got.to_owned(),
    }
}

/// The first back-quoted name after `prefix`, when the message starts with it.
fn quoted_after(message: &str, prefix: &str) -> Option<String> {
    message.strip_prefix(prefix)?.split('`').nth(1).map(str::to_owned)
}

/// Every back-quoted name after the first `marker`.
fn names_after(message: &str, marker: &str) -> Vec<String> {
    let Some((_, rest)) = message.split_once(marker) else { return Vec::new() };
    rest.split('`').skip(1).step_by(2).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::field_and_rule;

    #[test]
    fn serde_wording_becomes_a_field_and_a_rule() {
        let cases = [
            (".", "missing field `code` at line 1 column 2", "code", "is required"),
            (
                "tickets[0]",
                "invalid type: string \"x\", expected i64 at line 1 column 9",
                "tickets[0]",
                "must be a whole number (got text)",
            ),
            ("limit", "invalid digit found in string", "limit", "must be a whole number"),
            (
                "n",
                "invalid value: integer `-1`, expected usize",
                "n",
                "must be a whole number of at least 0 (got the number -1)",
            ),
            (".", "unknown field `nme`, expected `name` or `code`", "nme", "is not a field here (known: name, code)"),
        ];
        for (path, message, field, rule) in cases {
            assert_eq!(field_and_rule(path, message), (field.to_owned(), rule.to_owned()), "{message}");
        }
    }
}

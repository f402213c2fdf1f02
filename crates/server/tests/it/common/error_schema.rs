//! Checks an answer against the OpenAPI document's own schemas: as much of JSON Schema as the
//! document uses (`$ref`, `type` — one or a list —, `properties`, `required`, `items`, `enum`,
//! `allOf`/`oneOf`/`anyOf`). The error-shape tests hold every refusal to what is documented.

use serde_json::Value;

/// The JSON schema `document` declares for `status` of `method path`, following a response
/// `$ref`; `None` when that status is not documented for the operation.
pub fn documented(document: &Value, path: &str, method: &str, status: u16) -> Option<Value> {
    let response = &document["paths"][path][method]["responses"][status.to_string()];
    let response = resolve(document, response)?;
    Some(response["content"]["application/json"]["schema"].clone()).filter(|schema| !schema.is_null())
}

/// The schema of a reusable response, e.g. `MethodNotAllowed`.
pub fn component_response(document: &Value, name: &str) -> Value {
    document["components"]["responses"][name]["content"]["application/json"]["schema"].clone()
}

fn resolve<'a>(document: &'a Value, value: &'a Value) -> Option<&'a Value> {
    if value.is_null() {
        return None;
    }
    match value["$ref"].as_str() {
        Some(pointer) => resolve(document, document.pointer(pointer.trim_start_matches('#'))?),
        None => Some(value),
    }
}

/// Whether `value` fits `schema`; the error says where it does not.
pub fn check(document: &Value, schema: &Value, value: &Value) -> Result<(), String> {
    check_at(document, schema, value, "$")
}

fn check_at(document: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(document, schema).ok_or_else(|| format!("{at}: unresolved schema {schema}"))?;
    if let Some(all) = schema["allOf"].as_array() {
        for part in all {
            check_at(document, part, value, at)?;
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(choices) = schema[key].as_array()
            && !choices.iter().any(|choice| check_at(document, choice, value, at).is_ok())
        {
            return Err(format!("{at}: {value} fits none of {key}"));
        }
    }
    if let Some(allowed) = schema["enum"].as_array()
        && !allowed.contains(value)
    {
        return Err(format!("{at}: {value} is not one of {allowed:?}"));
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    if !types.is_empty() && !types.iter().any(|t| has_type(value, t)) {
        return Err(format!("{at}: {value} is not of type {types:?}"));
    }
    if let Some(object) = value.as_object() {
        for name in schema["required"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            if !object.contains_key(name) {
                return Err(format!("{at}: required member {name:?} missing in {value}"));
            }
        }
        if let Some(properties) = schema["properties"].as_object() {
            for (name, member) in object {
                if let Some(property) = properties.get(name) {
                    check_at(document, property, member, &format!("{at}.{name}"))?;
                }
            }
        }
    }
    if let (Some(items), Some(array)) = (schema.get("items"), value.as_array()) {
        for (i, item) in array.iter().enumerate() {
            check_at(document, items, item, &format!("{at}[{i}]"))?;
        }
    }
    Ok(())
}

fn has_type(value: &Value, kind: &str) -> bool {
    match kind {
        "object" => value.is_object(),
        "array" => value.is_array(),
        "string" => value.is_string(),
        "integer" => value.is_i64() || value.is_u64(),
        "number" => value.is_number(),
        "boolean" => value.is_boolean(),
        "null" => value.is_null(),
        _ => true,
    }
}

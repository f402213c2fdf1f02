//! The security of every box-office operation in the OpenAPI document, taken from the access
//! policy itself (`tixbridge_boxoffice::access::policy`) so the document cannot claim a rule
//! the server does not apply. The operations and their credentials' schemes are generated with
//! the handlers; this only says, per operation, which credential and which roles.

use serde_json::{Value, json};
use tixbridge_boxoffice::access::policy::{self, Scope};
use tixbridge_boxoffice::access::{Need, Role};

/// The roles that may perform an act of kind `need`.
fn roles_for(need: Need) -> Vec<&'static str> {
    Role::ALL.iter().filter(|role| role.may(need)).map(|role| role.as_str()).collect()
}

/// Sets the security of every operation the access policy governs: a box-office token or an
/// operator session, the roles that may call it, and the 401/403 answers; none for public ones.
pub fn secure(document: &mut Value) {
    let Some(paths) = document["paths"].as_object_mut() else { return };
    for (path, item) in paths.iter_mut() {
        let Some(item) = item.as_object_mut() else { continue };
        for (method, operation) in item.iter_mut() {
            let Some(rule) = policy::rule(&method.to_uppercase(), path) else { continue };
            if rule.scope == Scope::Public {
                operation["security"] = json!([]);
                continue;
            }
            operation["security"] = json!([{ "boxofficeToken": [] }, { "operatorSession": [] }]);
            operation["x-roles"] = json!(roles_for(rule.need));
            let responses = &mut operation["responses"];
            responses["401"] = json!({ "$ref": "#/components/responses/Unauthorized" });
            responses["403"] = json!({ "$ref": "#/components/responses/Forbidden" });
        }
    }
}

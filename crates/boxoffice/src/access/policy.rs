//! The access rule of every box-office route, in one table: what kind of act it is (which
//! decides the roles that may perform it) and which organization it acts on. A route missing
//! here is refused to everyone ([`super::guard`]), and a test walks the API document to prove
//! every served operation has its rule.

use super::Need;

/// Which organization a route acts on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Answers without a credential.
    Public,
    /// The caller's own organization.
    Own,
    /// The organization whose code is the `{org}` path segment.
    Org,
    /// The organization owning the object whose number is the `{id}` path segment.
    Object(super::ObjectKind),
}

/// The rule of one route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rule {
    pub need: Need,
    pub scope: Scope,
}

const ORG: &str = "/api/boxoffice/organizations/{org}";

/// `(method, route as registered minus the [`ORG`] prefix when it starts with `~`, need, scope)`.
const RULES: &[(&str, &str, Need, Scope)] = {
    use super::ObjectKind::{Function, Run};
    use Need::*;
    use Scope::*;
    &[
        // Who is calling; operators sign in and out.
        ("POST", "/api/boxoffice/session", Identify, Public),
        ("GET", "/api/boxoffice/session", Identify, Own),
        ("DELETE", "/api/boxoffice/session", Identify, Own),
        // Organizations: a new one is created under the caller's own (the handler checks the parent).
        ("POST", "/api/boxoffice/organizations", Administer, Own),
        ("GET", "~", Read, Org),
        // Credentials and the audit record.
        ("GET", "~/tokens", Administer, Org),
        ("POST", "~/tokens", Administer, Org),
        ("DELETE", "~/tokens/{id}", Administer, Org),
        ("GET", "~/operators", Administer, Org),
        ("POST", "~/operators", Administer, Org),
        ("DELETE", "~/operators/{id}", Administer, Org),
        ("GET", "~/audit", Administer, Org),
        // Catalog and references.
        ("POST", "~/seasons", Write, Org),
        ("POST", "~/products", Write, Org),
        ("POST", "~/products/{product}/performances", Write, Org),
        ("GET", "~/products/{product}/performances/{performance}", Read, Org),
        ("POST", "~/seat-categories", Write, Org),
        ("POST", "~/tariffs", Write, Org),
        ("POST", "~/contingents", Write, Org),
        ("POST", "~/sales-channels", Write, Org),
        ("POST", "~/sales-channels/{channel}/points-of-sale", Write, Org),
        ("POST", "~/shipment-modes", Write, Org),
        // Contacts, files, tickets.
        ("POST", "~/contacts", Write, Org),
        ("GET", "~/contacts", Read, Org),
        ("GET", "~/contacts/{id}", Read, Org),
        ("PATCH", "~/contacts/{id}", Write, Org),
        ("POST", "~/contacts/{id}/merge", Write, Org),
        ("POST", "~/files", Write, Org),
        ("GET", "~/files/{file_number}", Read, Org),
        ("GET", "~/tickets", Read, Org),
        ("GET", "~/tickets/{id}", Read, Org),
        ("POST", "~/tickets/{id}/cancel", Write, Org),
        ("POST", "~/tickets/{id}/invalidate", Write, Org),
        ("POST", "~/tickets/{id}/reason", Write, Org),
        ("POST", "~/tickets/{id}/reprint", Write, Org),
        ("POST", "~/tickets/{id}/control", Write, Org),
        ("POST", "~/scans", Scan, Org),
        ("POST", "~/import/csv", Write, Org),
        // The away club's spreadsheet holds barcodes, and exporting prints: operators only.
        ("POST", "~/performances/{product}/{performance}/away-export", Write, Org),
        ("POST", "~/performances/{product}/{performance}/away-export.xlsx", Write, Org),
        // The interface: configured by admins, run by operators, read by viewers.
        ("GET", "~/interface", Read, Org),
        ("POST", "~/interface", Administer, Org),
        ("PUT", "~/interface", Administer, Org),
        ("GET", "~/interface/functions", Read, Org),
        ("POST", "~/interface/functions", Administer, Org),
        // A reconcile reads both sides; with repair it sends to the wallet, as running a function does.
        ("POST", "~/interface/reconcile", Write, Org),
        // One read of the wallet's feed with the interface's credentials: nothing changes.
        ("GET", "~/interface/wallet-check", Read, Org),
        // Ticket templates: read like the interface, changed and previewed (a real ticket's
        // payload, barcode included) by admins.
        ("GET", "~/templates", Read, Org),
        ("POST", "~/templates", Administer, Org),
        ("GET", "~/templates/{id}", Read, Org),
        ("PUT", "~/templates/{id}", Administer, Org),
        ("DELETE", "~/templates/{id}", Administer, Org),
        ("POST", "~/templates/{id}/preview", Administer, Org),
        ("GET", "/api/boxoffice/functions/{id}", Read, Object(Function)),
        ("PUT", "/api/boxoffice/functions/{id}", Administer, Object(Function)),
        ("GET", "/api/boxoffice/functions/{id}/runs", Read, Object(Function)),
        ("GET", "/api/boxoffice/functions/{id}/waiting", Read, Object(Function)),
        ("POST", "/api/boxoffice/functions/{id}/runs", Write, Object(Function)),
        ("GET", "/api/boxoffice/runs/{id}", Read, Object(Run)),
        ("GET", "/api/boxoffice/runs/{id}/lines", Read, Object(Run)),
        ("POST", "/api/boxoffice/runs/{id}/cancel", Write, Object(Run)),
        // The gate: a scanner's token, in its own organization.
        ("POST", "/api/gate/scan", Scan, Own),
    ]
};

/// The rule of `method` on the route registered as `route`; `None`: no rule, refuse. Path
/// parameters match whatever their names (`{fileNumber}` is `{file_number}`).
pub fn rule(method: &str, route: &str) -> Option<Rule> {
    let method = if method == "HEAD" { "GET" } else { method };
    let wanted = shape(route);
    RULES.iter().find_map(|(m, pattern, need, scope)| {
        let path = match pattern.strip_prefix('~') {
            Some(rest) => format!("{ORG}{rest}"),
            None => (*pattern).to_owned(),
        };
        (*m == method && shape(&path) == wanted).then_some(Rule { need: *need, scope: *scope })
    })
}

/// The methods the policy has a rule for on `route` (for a 405's `Allow`); empty for a route
/// it does not know. `HEAD` goes with `GET`.
pub fn methods(route: &str) -> Vec<&'static str> {
    let wanted = shape(route);
    let mut methods: Vec<&'static str> = RULES
        .iter()
        .filter(|(_, pattern, _, _)| {
            let path = match pattern.strip_prefix('~') {
                Some(rest) => format!("{ORG}{rest}"),
                None => (*pattern).to_owned(),
            };
            shape(&path) == wanted
        })
        .map(|(method, _, _, _)| *method)
        .collect();
    if methods.contains(&"GET") {
        methods.push("HEAD");
    }
    methods
}

/// A route with each `{parameter}` segment reduced to `{}`.
fn shape(route: &str) -> String {
    route
        .split('/')
        .map(|seg| if seg.starts_with('{') && seg.ends_with('}') { "{}" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes_under_an_organization_are_found_by_their_registered_pattern() {
        let cancel = rule("POST", "/api/boxoffice/organizations/{org}/tickets/{id}/cancel").unwrap();
        assert_eq!(cancel, Rule { need: Need::Write, scope: Scope::Org });
        assert_eq!(rule("GET", "/api/boxoffice/organizations/{org}").unwrap().need, Need::Read);
    }

    #[test]
    fn a_route_or_method_without_a_rule_has_none() {
        assert!(rule("DELETE", "/api/boxoffice/organizations/{org}/tickets/{id}").is_none());
        assert!(rule("GET", "/api/boxoffice/organizations/{org}/unknown").is_none());
    }
}

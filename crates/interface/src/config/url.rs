//! Where an interface may send the stored wallet API key: the URL rules, and the optional
//! allow-list of wallet hosts (`TIXBRIDGE_WALLET_HOSTS`). The key travels with every call, so
//! a URL is accepted only when it can mean nothing but "this wallet's organizer API".

use super::{ConfigError, refuse};

/// The environment variable limiting the hosts an interface may point at.
pub const WALLET_HOSTS_VAR: &str = "TIXBRIDGE_WALLET_HOSTS";

/// The hosts an interface may point at: host names (any port) or `host:port`. Unset means
/// any host, for installations whose wallet address is not known in advance.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WalletHosts {
    entries: Option<Vec<String>>,
}

impl WalletHosts {
    /// Any host.
    pub fn any() -> Self {
        Self { entries: None }
    }

    /// Parses the comma-separated list of `TIXBRIDGE_WALLET_HOSTS`; blank means any host.
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut entries = Vec::new();
        for entry in text.split(',').map(str::trim).filter(|e| !e.is_empty()) {
            let probe = reqwest::Url::parse(&format!("http://{entry}/"))
                .map_err(|_| format!("{WALLET_HOSTS_VAR}: {entry:?} is not a host name or host:port"))?;
            let bare = probe.host_str().is_some() && probe.path() == "/" && probe.username().is_empty();
            if !bare || entry.contains(['/', '@', '?', '#']) {
                return Err(format!("{WALLET_HOSTS_VAR}: {entry:?} is not a host name or host:port"));
            }
            entries.push(entry.to_ascii_lowercase());
        }
        Ok(Self { entries: (!entries.is_empty()).then_some(entries) })
    }

    /// Whether `url` names an allowed host (an entry without a port allows every port).
    fn allows(&self, url: &reqwest::Url) -> bool {
        let Some(entries) = &self.entries else { return true };
        let Some(host) = url.host_str().map(str::to_ascii_lowercase) else { return false };
        let with_port = url.port_or_known_default().map(|port| format!("{host}:{port}"));
        entries.iter().any(|entry| *entry == host || Some(entry) == with_port.as_ref())
    }

    fn describe(&self) -> String {
        self.entries.as_ref().map(|e| e.join(", ")).unwrap_or_default()
    }
}

/// Checks an interface URL; returns it as stored (trimmed, without a trailing `/`).
pub fn check_url(text: &str, hosts: &WalletHosts) -> Result<String, ConfigError> {
    let url = text.trim().trim_end_matches('/').to_owned();
    let parsed = reqwest::Url::parse(&url).map_err(|_| refuse("url", "is required and must be an http(s) URL"))?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return Err(refuse("url", "must be an http(s) URL"));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(refuse("url", "must not carry a user name or password (the login and password fields do)"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(refuse("url", "must not have a query (?…) or a fragment (#…)"));
    }
    if !parsed.path().ends_with("/organizer/tickets") {
        return Err(refuse(
            "url",
            "its path must end with /organizer/tickets (e.g. http://127.0.0.1:8080/api/organizer/tickets)",
        ));
    }
    if !hosts.allows(&parsed) {
        return Err(refuse(
            "url",
            format!("its host is not one of the wallet hosts allowed here ({})", hosts.describe()),
        ));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allow_list_matches_host_names_on_any_port_and_host_port_exactly() {
        let hosts = WalletHosts::parse(" wallet.example.org , 127.0.0.1:8080").unwrap();
        let ok = |u: &str| check_url(u, &hosts).is_ok();
        assert!(ok("https://Wallet.Example.org/api/organizer/tickets"));
        assert!(ok("http://wallet.example.org:9000/api/organizer/tickets"));
        assert!(ok("http://127.0.0.1:8080/api/organizer/tickets"));
        assert!(!ok("http://127.0.0.1:8081/api/organizer/tickets"));
        assert!(!ok("http://evil.example.org/api/organizer/tickets"));
        assert_eq!(WalletHosts::parse("  ").unwrap(), WalletHosts::any());
        assert!(WalletHosts::parse("http://x/").is_err());
        assert!(WalletHosts::parse("a@b").is_err());
    }

    #[test]
    fn each_url_rule_is_refused() {
        let any = WalletHosts::any();
        for bad in [
            "ftp://h/api/organizer/tickets",
            "http://user:pw@h/api/organizer/tickets",
            "http://user@h/api/organizer/tickets",
            "http://h/api/organizer/tickets?x=1",
            "http://h/api/organizer/tickets#x",
            "http://h/api/x?organizer/tickets",
            "http://h/api/myorganizer/tickets",
            "http://h/api/organizer/tickets/diff",
        ] {
            assert_eq!(check_url(bad, &any).unwrap_err().field, "url", "{bad}");
        }
        assert_eq!(check_url(" http://h/api/organizer/tickets/ ", &any).unwrap(), "http://h/api/organizer/tickets");
    }
}

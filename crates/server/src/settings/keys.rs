//! Every setting a process reads: its key in `tixbridge.toml`, the `TIXBRIDGE_*` variable that
//! overrides it, whether it is a secret, and the rule its value must follow. The one list both
//! the loader and `tixbridge config check` walk; docs/configuration.md describes each.

/// One setting.
pub struct Key {
    /// Its name in `tixbridge.toml`.
    pub name: &'static str,
    /// The environment variable that overrides the file; `None` for a command-line flag only.
    pub var: Option<&'static str>,
    /// What a process uses when neither is set.
    pub default: &'static str,
    /// Shown masked by `config check` (a URL's password; the whole value otherwise).
    pub secret: bool,
    /// The value's kind in the file.
    pub kind: Kind,
    /// Checks a value; the error is the rule it breaks.
    pub check: fn(&str) -> Result<(), String>,
}

/// How a value is written in `tixbridge.toml`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Seconds,
    /// A string of comma-separated entries, or an array of strings.
    List,
}

fn any(_: &str) -> Result<(), String> {
    Ok(())
}

fn not_blank(value: &str) -> Result<(), String> {
    if value.trim().is_empty() { Err("must not be empty".into()) } else { Ok(()) }
}

fn database_url(value: &str) -> Result<(), String> {
    let supported = ["sqlite://", "postgres://", "postgresql://"];
    if supported.iter().any(|prefix| value.starts_with(prefix)) {
        Ok(())
    } else {
        Err("must start with sqlite:// or postgres://".into())
    }
}

fn listen(value: &str) -> Result<(), String> {
    match value.rsplit_once(':') {
        Some((host, port)) if !host.is_empty() && port.parse::<u16>().is_ok() => Ok(()),
        _ => Err("must be HOST:PORT, as in 127.0.0.1:8080".into()),
    }
}

fn seconds(value: &str) -> Result<(), String> {
    match value.parse::<u64>() {
        Ok(seconds) if seconds > 0 => Ok(()),
        _ => Err("must be a whole number of seconds, at least 1".into()),
    }
}

fn smtp_url(value: &str) -> Result<(), String> {
    if value.trim().is_empty() {
        return Ok(());
    }
    tixbridge_mail::SmtpMailer::from_url(value).map(drop).map_err(|err| err.to_string())
}

fn wallet_hosts(value: &str) -> Result<(), String> {
    tixbridge_interface::config::WalletHosts::parse(value).map(drop)
}

fn public_url(value: &str) -> Result<(), String> {
    if value.trim().is_empty() || value.starts_with("http://") || value.starts_with("https://") {
        Ok(())
    } else {
        Err("must start with http:// or https://".into())
    }
}

fn log_format(value: &str) -> Result<(), String> {
    match value.trim().to_ascii_lowercase().as_str() {
        "" | "text" | "json" => Ok(()),
        _ => Err("must be text or json".into()),
    }
}

fn log_filter(value: &str) -> Result<(), String> {
    tracing_subscriber::EnvFilter::try_new(value).map(drop).map_err(|err| format!("not a log filter ({err})"))
}

/// The settings, in the order `config check` prints them.
pub const KEYS: &[Key] = &[
    Key {
        name: "database_url",
        var: Some("TIXBRIDGE_DATABASE_URL"),
        default: "sqlite://tixbridge.db",
        secret: true,
        kind: Kind::Text,
        check: database_url,
    },
    Key {
        name: "listen",
        var: Some("TIXBRIDGE_LISTEN"),
        default: "127.0.0.1:8080",
        secret: false,
        kind: Kind::Text,
        check: listen,
    },
    Key {
        name: "server_key_file",
        var: None,
        default: "tixbridge-server.key",
        secret: false,
        kind: Kind::Text,
        check: not_blank,
    },
    Key {
        name: "smtp_url",
        var: Some("TIXBRIDGE_SMTP_URL"),
        default: "",
        secret: true,
        kind: Kind::Text,
        check: smtp_url,
    },
    Key {
        name: "mail_folder",
        var: Some("TIXBRIDGE_MAIL_FOLDER"),
        default: tixbridge_mail::DEFAULT_MAIL_FOLDER,
        secret: false,
        kind: Kind::Text,
        check: not_blank,
    },
    Key {
        name: "mail_timeout_secs",
        var: Some("TIXBRIDGE_MAIL_TIMEOUT_SECS"),
        default: "10",
        secret: false,
        kind: Kind::Seconds,
        check: seconds,
    },
    Key {
        name: "wallet_timeout_secs",
        var: Some("TIXBRIDGE_WALLET_TIMEOUT_SECS"),
        default: "30",
        secret: false,
        kind: Kind::Seconds,
        check: seconds,
    },
    Key {
        name: "lease_ttl_secs",
        var: Some("TIXBRIDGE_LEASE_TTL_SECS"),
        default: "60",
        secret: false,
        kind: Kind::Seconds,
        check: seconds,
    },
    Key {
        name: "client_timeout_secs",
        var: Some("TIXBRIDGE_CLIENT_TIMEOUT_SECS"),
        default: "30",
        secret: false,
        kind: Kind::Seconds,
        check: seconds,
    },
    Key {
        name: "wallet_hosts",
        var: Some("TIXBRIDGE_WALLET_HOSTS"),
        default: "",
        secret: false,
        kind: Kind::List,
        check: wallet_hosts,
    },
    Key {
        name: "public_url",
        var: Some("TIXBRIDGE_PUBLIC_URL"),
        default: "",
        secret: false,
        kind: Kind::Text,
        check: public_url,
    },
    Key {
        name: "log",
        var: Some("TIXBRIDGE_LOG"),
        default: "info,sqlx=warn",
        secret: false,
        kind: Kind::Text,
        check: log_filter,
    },
    Key {
        name: "log_format",
        var: Some("TIXBRIDGE_LOG_FORMAT"),
        default: "text",
        secret: false,
        kind: Kind::Text,
        check: log_format,
    },
    Key {
        name: "progress_every_secs",
        var: Some("TIXBRIDGE_PROGRESS_EVERY_SECS"),
        default: "5",
        secret: false,
        kind: Kind::Seconds,
        check: seconds,
    },
    Key {
        name: "metrics_token",
        var: Some("TIXBRIDGE_METRICS_TOKEN"),
        default: "",
        secret: true,
        kind: Kind::Text,
        check: any,
    },
    Key {
        name: "server_key",
        var: Some("TIXBRIDGE_SERVER_KEY"),
        default: "",
        secret: true,
        kind: Kind::Text,
        check: any,
    },
];

/// The key whose variable is `var`.
pub fn by_var(var: &str) -> Option<&'static Key> {
    KEYS.iter().find(|key| key.var == Some(var))
}

/// The key named `name` in the file.
pub fn by_name(name: &str) -> Option<&'static Key> {
    KEYS.iter().find(|key| key.name == name)
}

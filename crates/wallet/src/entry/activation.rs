//! When and how a ticket's entry code may be revealed: the ticket's own
//! `activationParameters.time`, else the event's rule (an absolute time, N hours before the
//! start, or HH:MM on the event day), else [`DEFAULT_HOURS_BEFORE`] hours before the start.

use chrono::{DateTime, Duration, NaiveTime};
use serde_json::Value;

use crate::settings::EventSettings;

/// Hours before the start at which codes reveal when neither ticket nor event says.
pub const DEFAULT_HOURS_BEFORE: i64 = 3;

/// How a ticket activates, from its `activationParameters.method`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Method {
    /// At the server's clock; the key is handed over at or after the time.
    Online,
    /// The key is handed over ahead with the time; the device reports activation.
    Offline,
}

/// The activation plan of one ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Plan {
    pub method: Method,
    /// Milliseconds UTC.
    pub at: i64,
    pub group_id: String,
}

/// The group a ticket's key belongs to when `groupId` is absent: the whole event.
pub(crate) const DEFAULT_GROUP: &str = "event";

pub(crate) fn plan(activation_parameters: &Value, event_start: &str, settings: &EventSettings) -> Plan {
    let method = match activation_parameters.get("method").and_then(Value::as_str) {
        Some("offline") => Method::Offline,
        _ => Method::Online,
    };
    let group_id = activation_parameters
        .get("groupId")
        .and_then(Value::as_str)
        .filter(|g| !g.is_empty())
        .unwrap_or(DEFAULT_GROUP)
        .to_owned();
    let own_time = activation_parameters
        .get("time")
        .and_then(Value::as_str)
        .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
        .map(|t| t.timestamp_millis());
    let start = DateTime::parse_from_rfc3339(event_start).ok();
    let at = own_time
        .or(settings.activation_at)
        .or_else(|| Some((start? - Duration::hours(settings.activation_hours_before?)).timestamp_millis()))
        .or_else(|| {
            let start = start?;
            let time = NaiveTime::parse_from_str(settings.activation_time_of_day.as_deref()?, "%H:%M").ok()?;
            Some(start.date_naive().and_time(time).and_local_timezone(start.timezone()).single()?.timestamp_millis())
        })
        .or_else(|| start.map(|s| (s - Duration::hours(DEFAULT_HOURS_BEFORE)).timestamp_millis()))
        .unwrap_or(0);
    Plan { method, at, group_id }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const START: &str = "2099-06-14T21:00:00+02:00";

    fn ms(text: &str) -> i64 {
        DateTime::parse_from_rfc3339(text).unwrap().timestamp_millis()
    }

    #[test]
    fn the_ticket_time_wins_then_the_event_rule_then_the_default() {
        let settings = EventSettings { activation_hours_before: Some(5), ..EventSettings::default() };
        let own = json!({ "time": "2099-06-14T10:00:00Z", "method": "offline", "groupId": "G1" });
        assert_eq!(
            plan(&own, START, &settings),
            Plan { method: Method::Offline, at: ms("2099-06-14T10:00:00Z"), group_id: "G1".into() }
        );
        assert_eq!(plan(&Value::Null, START, &settings).at, ms("2099-06-14T16:00:00+02:00"));
        let at_time = EventSettings { activation_time_of_day: Some("18:30".into()), ..EventSettings::default() };
        assert_eq!(plan(&Value::Null, START, &at_time).at, ms("2099-06-14T18:30:00+02:00"));
        let default = plan(&Value::Null, START, &EventSettings::default());
        assert_eq!(
            (default.at, default.method, default.group_id.as_str()),
            (ms("2099-06-14T18:00:00+02:00"), Method::Online, "event")
        );
    }
}

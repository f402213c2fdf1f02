//! Dates and times written for people, in the event's own time zone: "Sat 14 June 2027, 21:00".
//! The zone is the event's `timeZone` (an IANA name, docs/wallet-api.md#injected-ticket-fields)
//! when the organizer sent one, else the offset its `startTime` was sent with.

use chrono::{DateTime, Datelike, FixedOffset, TimeZone, Timelike, Utc};
use serde_json::Value;

use super::{Lang, t_in};

/// Where an event's times are read.
#[derive(Debug, Clone, Copy)]
pub(crate) enum EventZone {
    Named(chrono_tz::Tz),
    Offset(FixedOffset),
}

impl EventZone {
    /// The zone of an event from its injected body (`timeZone`) and its `startTime`.
    pub(crate) fn of(event_body: &Value, start_time: &str) -> EventZone {
        if let Some(tz) = event_body.get("timeZone").and_then(Value::as_str).and_then(|name| name.parse().ok()) {
            return EventZone::Named(tz);
        }
        let offset = DateTime::parse_from_rfc3339(start_time).map(|at| *at.offset());
        EventZone::Offset(offset.unwrap_or_else(|_| FixedOffset::east_opt(0).expect("zero is an offset")))
    }
}

/// `at` in `zone`, written in `lang`.
pub(crate) fn human(at: DateTime<Utc>, zone: EventZone, lang: Lang) -> String {
    match zone {
        EventZone::Named(tz) => write(&tz.from_utc_datetime(&at.naive_utc()), lang),
        EventZone::Offset(offset) => write(&offset.from_utc_datetime(&at.naive_utc()), lang),
    }
}

/// An RFC 3339 time (as the API gives them) in `zone`; the text as it is when it is not one.
pub(crate) fn human_text(text: &str, zone: EventZone, lang: Lang) -> String {
    DateTime::parse_from_rfc3339(text)
        .map(|at| human(at.with_timezone(&Utc), zone, lang))
        .unwrap_or_else(|_| text.into())
}

/// Milliseconds since the epoch in `zone`.
pub(crate) fn human_ms(ms: i64, zone: EventZone, lang: Lang) -> String {
    DateTime::from_timestamp_millis(ms).map(|at| human(at, zone, lang)).unwrap_or_default()
}

fn write<Z: TimeZone>(local: &DateTime<Z>, lang: Lang) -> String {
    let weekday = t_in(lang, "date.weekdays").split(',').nth(local.weekday().num_days_from_monday() as usize);
    let month = t_in(lang, "date.months").split(',').nth(local.month0() as usize);
    super::tf_in(
        lang,
        "date.format",
        &[
            ("weekday", weekday.unwrap_or("")),
            ("day", &local.day().to_string()),
            ("month", month.unwrap_or("")),
            ("year", &local.year().to_string()),
            ("time", &format!("{:02}:{:02}", local.hour(), local.minute())),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn the_start_time_is_written_in_its_own_offset_in_each_language() {
        let zone = EventZone::of(&json!({}), "2027-06-14T21:00:00+02:00");
        let start = at("2027-06-14T19:00:00Z");
        assert_eq!(human(start, zone, Lang::En), "Mon 14 June 2027, 21:00");
        assert_eq!(human(start, zone, Lang::Fr), "lun. 14 juin 2027, 21:00");
        assert_eq!(human(start, zone, Lang::De), "Mo. 14. Juni 2027, 21:00");
    }

    #[test]
    fn a_named_zone_follows_summer_time() {
        let zone = EventZone::of(&json!({ "timeZone": "Europe/Paris" }), "2027-06-14T19:00:00Z");
        assert_eq!(human(at("2027-06-14T19:00:00Z"), zone, Lang::En), "Mon 14 June 2027, 21:00");
        assert_eq!(human(at("2027-01-14T19:00:00Z"), zone, Lang::En), "Thu 14 January 2027, 20:00");
    }

    #[test]
    fn an_unknown_zone_name_falls_back_to_the_offset() {
        let zone = EventZone::of(&json!({ "timeZone": "Mars/Olympus" }), "2027-06-14T21:00:00-04:00");
        assert_eq!(human_text("2027-06-15T01:00:00Z", zone, Lang::En), "Mon 14 June 2027, 21:00");
    }
}

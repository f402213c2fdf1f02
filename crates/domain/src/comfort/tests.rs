use chrono::{DateTime, Duration, FixedOffset};
use serde_json::{Value, json};

use super::*;

fn at(text: &str) -> DateTime<FixedOffset> {
    DateTime::parse_from_rfc3339(text).unwrap()
}

fn paris() -> FixedOffset {
    FixedOffset::east_opt(2 * 3600).unwrap()
}

fn vars(object: Value) -> Result<ComfortVariables, ComfortError> {
    ComfortVariables::parse(object.as_object().unwrap())
}

#[test]
fn season_words_resolve_to_the_season_bounds() {
    let (start, end) = (at("2026-07-01T00:00:00+02:00"), at("2027-06-30T23:59:00+02:00"));
    let reference = at("2026-08-01T10:00:00+02:00");
    let value = ComfortValue::parse("start_of_season").unwrap();
    assert_eq!(resolve(value, reference, Some(start), Some(end), paris()).unwrap(), start);
    let value = ComfortValue::parse("end_of_season").unwrap();
    assert_eq!(resolve(value, reference, Some(start), Some(end), paris()).unwrap(), end);
}

#[test]
fn a_season_word_without_a_season_is_refused_when_resolved() {
    let value = ComfortValue::parse("end_of_season").unwrap();
    let err = resolve(value, at("2026-08-01T10:00:00+02:00"), None, None, paris()).unwrap_err();
    assert!(err.rule.contains("season"), "{err}");
}

#[test]
fn relative_values_count_from_the_reference_in_hours_days_or_weeks() {
    let reference = at("2026-08-01T10:00:00+02:00");
    let cases = [
        ("+1d", "2026-08-02T10:00:00+02:00"),
        ("-2w", "2026-07-18T10:00:00+02:00"),
        ("3h", "2026-08-01T13:00:00+02:00"),
        ("-12h", "2026-07-31T22:00:00+02:00"),
        ("+0d", "2026-08-01T10:00:00+02:00"),
    ];
    for (text, expected) in cases {
        let value = ComfortValue::parse(text).unwrap();
        assert_eq!(resolve(value, reference, None, None, paris()).unwrap(), at(expected), "{text}");
    }
    assert_eq!(ComfortValue::parse("-2w").unwrap(), ComfortValue::Relative(Duration::weeks(-2)));
}

#[test]
fn a_result_is_shown_in_the_venue_offset() {
    let reference = at("2026-08-01T08:00:00Z");
    let resolved = resolve(ComfortValue::parse("+1h").unwrap(), reference, None, None, paris()).unwrap();
    assert_eq!(resolved.to_rfc3339(), "2026-08-01T11:00:00+02:00");
}

#[test]
fn absolute_values_are_read_in_the_venue_offset() {
    let value = ComfortValue::parse("14/06/26 21:00").unwrap();
    let resolved = resolve(value, at("2026-01-01T00:00:00Z"), None, None, paris()).unwrap();
    assert_eq!(resolved.to_rfc3339(), "2026-06-14T21:00:00+02:00");
}

#[test]
fn malformed_dates_are_refused_with_the_formats_named() {
    for bad in [
        "",
        "1",
        "d",
        "+d",
        "1m",
        "1D",
        "+-1d",
        "1.5d",
        "123456h",
        "tomorrow",
        "Start_of_season",
        "14/06/2026 21:00",
        "14/6/26 21:00",
        "31/02/26 21:00",
        "14/06/26 25:00",
        "14-06-26 21:00",
        "14/06/26",
    ] {
        let err = ComfortValue::parse(bad).unwrap_err();
        assert!(err.contains("dd/mm/yy hh:mm"), "{bad:?}: {err}");
    }
}

#[test]
fn a_product_s_variables_parse_whole_and_remember_what_needs_a_season() {
    let parsed =
        vars(json!({ "TIXAct": "-2h", "TIXStart": "start_of_season", "TIXExp": "30/06/27 23:59", "TIXRGrp": "NORTH" }))
            .unwrap();
    assert_eq!(parsed.activation, Some(ComfortValue::Relative(Duration::hours(-2))));
    assert_eq!(parsed.group.as_deref(), Some("NORTH"));
    assert_eq!(parsed.first_needing_season(), Some("TIXStart"));
    assert_eq!(vars(json!({ "TIXAct": "+1d" })).unwrap().first_needing_season(), None);
    assert_eq!(ComfortVariables::from_json_text("{}").unwrap(), ComfortVariables::default());
}

#[test]
fn unknown_keys_non_text_values_and_long_groups_are_refused_naming_the_variable() {
    let cases = [
        (json!({ "TIXFoo": "+1d" }), "comfortVariables.TIXFoo"),
        (json!({ "TIXAct": 3 }), "comfortVariables.TIXAct"),
        (json!({ "TIXExp": "next week" }), "comfortVariables.TIXExp"),
        (json!({ "TIXRGrp": "g".repeat(51) }), "comfortVariables.TIXRGrp"),
        (json!({ "TIXRGrp": "" }), "comfortVariables.TIXRGrp"),
    ];
    for (object, field) in cases {
        assert_eq!(vars(object).unwrap_err().field, field);
    }
    assert!(vars(json!({ "TIXRGrp": "g".repeat(50) })).is_ok());
    assert_eq!(ComfortVariables::from_json_text("[]").unwrap_err().field, "comfortVariables");
}

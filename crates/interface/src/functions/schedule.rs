//! When an automatic function runs next (docs/interface.md#functions): aligned on the clock when
//! `stickToTheHour=true` (a 5-minute function started at 13:35 that ran 7 minutes next runs at
//! 13:45), else start + duration.

/// The next run time (ms) of a function with period `frequency_ms`, whose run started at
/// `started` and ended at `ended`, limited by its `end_at`.
pub fn next_run(
    frequency_ms: i64,
    started: i64,
    ended: i64,
    stick_to_the_hour: bool,
    end_at: Option<i64>,
) -> Option<i64> {
    let frequency_ms = frequency_ms.max(1);
    let next = if stick_to_the_hour {
        // the first clock-aligned slot after the run ended
        (ended.div_euclid(frequency_ms) + 1) * frequency_ms
    } else {
        // one period after the start, or at once when the run outlasted its period
        started + frequency_ms.max(ended - started)
    };
    match end_at {
        Some(end) if next > end => None,
        _ => Some(next),
    }
}

/// The first run of a function that starts at `start_at` (or now).
pub fn first_run(frequency_ms: i64, start_at: Option<i64>, now: i64, stick_to_the_hour: bool) -> i64 {
    let start = start_at.unwrap_or(now).max(now);
    if stick_to_the_hour {
        let frequency_ms = frequency_ms.max(1);
        let aligned = start.div_euclid(frequency_ms) * frequency_ms;
        if aligned == start { start } else { aligned + frequency_ms }
    } else {
        start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000;

    #[test]
    fn a_five_minute_run_at_13_35_lasting_7_minutes_next_runs_at_13_45_on_the_clock() {
        let start = (13 * 60 + 35) * MIN;
        let end = start + 7 * MIN;
        assert_eq!(next_run(5 * MIN, start, end, true, None), Some((13 * 60 + 45) * MIN));
    }

    #[test]
    fn off_the_clock_the_next_run_is_start_plus_duration() {
        let start = (13 * 60 + 35) * MIN;
        let end = start + 7 * MIN;
        assert_eq!(next_run(5 * MIN, start, end, false, None), Some((13 * 60 + 42) * MIN));
        assert_eq!(next_run(5 * MIN, start, start + MIN, false, None), Some((13 * 60 + 40) * MIN));
    }

    #[test]
    fn no_run_is_planned_past_the_end() {
        assert_eq!(next_run(5 * MIN, 0, MIN, true, Some(4 * MIN)), None);
    }

    #[test]
    fn the_first_run_is_aligned_on_the_clock() {
        assert_eq!(first_run(5 * MIN, Some(12 * MIN), 0, true), 15 * MIN);
        assert_eq!(first_run(5 * MIN, Some(12 * MIN), 0, false), 12 * MIN);
    }
}

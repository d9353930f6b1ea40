//! Calendar dates as notes write them, and the date upward takes for "today".

pub use chrono::NaiveDate as Date;

/// Parses `YYYY-MM-DD`, or a date and time (`2026-11-20T10:30`, `2026-11-20 10:30:00`) whose
/// date part is taken, as Obsidian's date and date & time properties store them.
pub fn parse(text: &str) -> Option<Date> {
    let text = text.trim();
    let (day, rest) = match text.char_indices().nth(10) {
        Some((i, _)) => text.split_at(i),
        None => (text, ""),
    };
    if !(rest.is_empty() || rest.starts_with('T') || rest.starts_with(' ')) {
        return None;
    }
    let bytes = day.as_bytes();
    let shape = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape {
        return None;
    }
    if !rest.is_empty() && !valid_time(&rest[1..]) {
        return None;
    }
    // The shape is known: the numbers are read as they are, not through a format string.
    let number = |range: std::ops::Range<usize>| day[range].parse::<u32>().ok();
    Date::from_ymd_opt(number(0..4)? as i32, number(5..7)?, number(8..10)?)
}

fn valid_time(text: &str) -> bool {
    let text = text.trim_end_matches('Z');
    let time = text
        .split(['+', '-'])
        .next()
        .unwrap_or(text)
        .split('.')
        .next()
        .unwrap_or(text);
    ["%H:%M:%S", "%H:%M"]
        .iter()
        .any(|format| chrono::NaiveTime::parse_from_str(time, format).is_ok())
}

/// Today's date: the `UPWARD_TODAY` environment variable when it holds a date (for reproducible
/// output and tests), else the local calendar date.
pub fn today() -> Date {
    std::env::var("UPWARD_TODAY")
        .ok()
        .and_then(|value| parse(&value))
        .unwrap_or_else(|| chrono::Local::now().date_naive())
}

/// Whole days from `from` to `to` (never negative).
pub fn days_between(from: Date, to: Date) -> i64 {
    (to - from).num_days().max(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_dates_and_date_times() {
        let day = Date::from_ymd_opt(2026, 11, 20).unwrap();
        assert_eq!(parse("2026-11-20"), Some(day));
        assert_eq!(parse("2026-11-20T10:30"), Some(day));
        assert_eq!(parse("2026-11-20T10:30:00"), Some(day));
        assert_eq!(parse("2026-11-20 10:30:00"), Some(day));
        assert_eq!(parse(" 2026-11-20 "), Some(day));
    }

    #[test]
    fn rejects_what_is_not_a_real_date() {
        for text in [
            "2026-02-30",
            "2026-13-01",
            "20261120",
            "2026-1-5",
            "tomorrow",
            "",
            "2026-11-20x",
            "2026-11-20T99:00",
            "２０２６-11-20",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }
}

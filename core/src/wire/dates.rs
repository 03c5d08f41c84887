//! Calendar arithmetic on unix seconds, in UTC, for the few fields that need it: a
//! magic card's expiry month and a repeating discount's end.

/// Days since 1970-01-01 of a civil date (Howard Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The (year, month, day) of a day count since 1970-01-01 (`civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(month <= 2), month, day)
}

/// The (month, year) of a unix time.
pub fn month_and_year(unix: i64) -> (i64, i64) {
    let (year, month, _) = civil_from_days(unix.div_euclid(86_400));
    (month, year)
}

/// `unix` plus `months` calendar months, the day clamped to the target month's length.
pub fn add_months(unix: i64, months: i64) -> i64 {
    let days = unix.div_euclid(86_400);
    let seconds = unix.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let index = year * 12 + (month - 1) + months;
    let (year, month) = (index.div_euclid(12), index.rem_euclid(12) + 1);
    let next = if month == 12 {
        (year + 1, 1)
    } else {
        (year, month + 1)
    };
    let length = days_from_civil(next.0, next.1, 1) - days_from_civil(year, month, 1);
    days_from_civil(year, month, day.min(length)) * 86_400 + seconds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_are_added_on_the_calendar_with_the_day_clamped() {
        // 2024-01-31 12:00:00 UTC
        let jan31 = 1_706_702_400;
        assert_eq!(add_months(jan31, 1), 1_709_208_000, "2024-02-29 12:00");
        assert_eq!(add_months(jan31, 12), 1_738_324_800, "2025-01-31 12:00");
        assert_eq!(add_months(0, 3), 90 * 86_400, "1970-04-01");
    }

    #[test]
    fn the_month_and_year_of_a_time() {
        assert_eq!(month_and_year(0), (1, 1970));
        assert_eq!(month_and_year(1_692_000_000), (8, 2023));
        assert_eq!(month_and_year(1_709_251_200), (3, 2024));
        assert_eq!(month_and_year(1_709_251_199), (2, 2024));
    }
}

//! Small calendar arithmetic shared by the rules: month ends, month offsets, fiscal years
//! (年度, April–March) and the Japanese legal age (年齢計算ニ関スル法律: an age is attained
//! on the day before the birthday anniversary).
//!
//! Every function is total: arithmetic that would leave chrono's range saturates at
//! [`NaiveDate::MIN`] / [`NaiveDate::MAX`] instead of panicking, because dates come from
//! personas and other external input.

use chrono::{Datelike, Months, NaiveDate};

/// A date literal for tables and defaults; panics at compile time on a bad literal.
pub(crate) const fn ymd(year: i32, month: u32, day: u32) -> NaiveDate {
    match NaiveDate::from_ymd_opt(year, month, day) {
        Some(date) => date,
        None => panic!("invalid date literal"),
    }
}

/// The day after `date` (saturating).
pub(crate) fn next_day(date: NaiveDate) -> NaiveDate {
    date.succ_opt().unwrap_or(NaiveDate::MAX)
}

/// The day before `date` (saturating).
pub(crate) fn previous_day(date: NaiveDate) -> NaiveDate {
    date.pred_opt().unwrap_or(NaiveDate::MIN)
}

/// The first day of the month that contains `date`.
pub(crate) fn first_of_month(date: NaiveDate) -> NaiveDate {
    date.with_day(1).unwrap_or(date)
}

/// The last day of the month that contains `date`.
pub(crate) fn last_of_month(date: NaiveDate) -> NaiveDate {
    first_of_month(date)
        .checked_add_months(Months::new(1))
        .map_or(NaiveDate::MAX, previous_day)
}

/// `date` moved `months` forward; a day that does not exist in the target month is
/// clamped to its last day (01-31 + 1 month = 02-28/29). Saturating.
pub(crate) fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months))
        .unwrap_or(NaiveDate::MAX)
}

/// `date` moved `months` back, clamped like [`add_months`]. Saturating.
pub(crate) fn sub_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_sub_months(Months::new(months))
        .unwrap_or(NaiveDate::MIN)
}

/// The fiscal year (年度) of `date`: April 1 of year Y to March 31 of Y+1 is 年度 Y.
pub(crate) fn fiscal_year(date: NaiveDate) -> i32 {
    if date.month() >= 4 {
        date.year()
    } else {
        date.year() - 1
    }
}

/// The `years`-th birthday anniversary of `birth`. A 29 February birth has its
/// anniversary on 1 March in common years (the day after 28 February), which is what
/// the legal-age rule implies: the age is attained at the end of 28 February.
pub(crate) fn anniversary(birth: NaiveDate, years: u32) -> NaiveDate {
    let year = birth.year().saturating_add_unsigned(years);
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, 3, 1))
        .unwrap_or(NaiveDate::MAX)
}

/// The day on which a person born on `birth` legally attains `years` years of age: the
/// day before the anniversary (年齢計算ニ関スル法律, 民法第143条).
pub(crate) fn age_attained_on(birth: NaiveDate, years: u32) -> NaiveDate {
    previous_day(anniversary(birth, years))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_ends_and_leap_years() {
        let cases = [
            (ymd(2025, 1, 15), ymd(2025, 1, 31)),
            (ymd(2024, 2, 1), ymd(2024, 2, 29)),
            (ymd(2025, 2, 28), ymd(2025, 2, 28)),
            (ymd(2100, 2, 3), ymd(2100, 2, 28)),
            (ymd(2000, 2, 3), ymd(2000, 2, 29)),
            (ymd(2025, 12, 31), ymd(2025, 12, 31)),
        ];
        for (date, end) in cases {
            assert_eq!(last_of_month(date), end, "{date}");
        }
    }

    #[test]
    fn month_offsets_clamp() {
        assert_eq!(add_months(ymd(2025, 1, 31), 1), ymd(2025, 2, 28));
        assert_eq!(add_months(ymd(2024, 1, 31), 1), ymd(2024, 2, 29));
        assert_eq!(sub_months(ymd(2025, 5, 31), 3), ymd(2025, 2, 28));
        assert_eq!(sub_months(ymd(2025, 5, 10), 3), ymd(2025, 2, 10));
        assert_eq!(add_months(NaiveDate::MAX, 1), NaiveDate::MAX);
        assert_eq!(sub_months(NaiveDate::MIN, 1), NaiveDate::MIN);
    }

    #[test]
    fn fiscal_year_turns_in_april() {
        assert_eq!(fiscal_year(ymd(2025, 3, 31)), 2024);
        assert_eq!(fiscal_year(ymd(2025, 4, 1)), 2025);
    }

    #[test]
    fn legal_age_is_attained_the_day_before_the_birthday() {
        assert_eq!(age_attained_on(ymd(1955, 6, 15), 70), ymd(2025, 6, 14));
        assert_eq!(age_attained_on(ymd(1955, 6, 1), 70), ymd(2025, 5, 31));
        // 29 February: anniversary 1 March in a common year, attained 28 February.
        assert_eq!(anniversary(ymd(1952, 2, 29), 73), ymd(2025, 3, 1));
        assert_eq!(age_attained_on(ymd(1952, 2, 29), 73), ymd(2025, 2, 28));
        assert_eq!(anniversary(ymd(1952, 2, 29), 72), ymd(2024, 2, 29));
    }
}

//! Age bands for the copay (DOM-COPAY-AGE), by the statutory dates rather than by the
//! age in years:
//!
//! - 未就学: until the first 31 March on or after the day the child legally attains 6
//!   (義務教育就学前; the legal age is attained on the day before the birthday, so a
//!   child born on 1 April leaves on the 31 March just before its 6th birthday);
//! - 70–74 (高齢受給者): from the 1st of the month after the month in which 70 is
//!   attained — the birthday month itself for a birthday on the 1st;
//! - 75+ (後期高齢者): from the 75th birthday itself.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::dates::{age_attained_on, anniversary, first_of_month, last_of_month, next_day, ymd};

/// The copay age band.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AgeBand {
    /// 未就学 (義務教育就学前): 2割. Also used for dates before the birth.
    Preschool,
    /// 就学後〜69歳: 3割.
    WorkingAge,
    /// 70〜74歳 (高齢受給者): 2割, 現役並み 3割.
    Elderly,
    /// 75歳以上 (後期高齢者医療): 1割 (一般Ⅱ 2割, 現役並み 3割).
    LateStage,
}

impl AgeBand {
    /// Japanese name.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Preschool => "未就学",
            Self::WorkingAge => "6歳〜69歳",
            Self::Elderly => "70歳〜74歳",
            Self::LateStage => "75歳以上",
        }
    }
}

/// The dates on which a person's band changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct AgeMilestones {
    /// Last day of 未就学 (a 31 March).
    pub preschool_last_day: NaiveDate,
    /// First day of the 70–74 band (a 1st of the month).
    pub elderly_from: NaiveDate,
    /// First day of 後期高齢者 (the 75th birthday).
    pub late_stage_from: NaiveDate,
}

impl AgeMilestones {
    /// The milestones of a person born on `birth`.
    pub fn of(birth: NaiveDate) -> Self {
        let six = age_attained_on(birth, 6);
        let march_31 = ymd(six.year(), 3, 31);
        let preschool_last_day = if six <= march_31 {
            march_31
        } else {
            NaiveDate::from_ymd_opt(six.year() + 1, 3, 31).unwrap_or(NaiveDate::MAX)
        };
        let seventy = age_attained_on(birth, 70);
        Self {
            preschool_last_day,
            elderly_from: next_day(last_of_month(first_of_month(seventy))),
            late_stage_from: anniversary(birth, 75),
        }
    }

    /// The band on `as_of`.
    pub fn band(&self, as_of: NaiveDate) -> AgeBand {
        if as_of <= self.preschool_last_day {
            AgeBand::Preschool
        } else if as_of < self.elderly_from {
            AgeBand::WorkingAge
        } else if as_of < self.late_stage_from {
            AgeBand::Elderly
        } else {
            AgeBand::LateStage
        }
    }
}

/// The copay age band of a person born on `birth` on `as_of`.
pub fn age_band(birth: NaiveDate, as_of: NaiveDate) -> AgeBand {
    AgeMilestones::of(birth).band(as_of)
}

/// The age in completed years on `as_of` as people count it (it rises on the birthday;
/// 29 February birthdays on 1 March in common years); 0 before the birth. For display.
pub fn age_in_years(birth: NaiveDate, as_of: NaiveDate) -> u32 {
    if as_of < birth {
        return 0;
    }
    let mut years = u32::try_from(as_of.year() - birth.year()).unwrap_or(0);
    if years > 0 && anniversary(birth, years) > as_of {
        years -= 1;
    }
    years
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dates::previous_day;

    #[test]
    fn preschool_ends_on_the_31_march_after_attaining_six() {
        // (birth, last preschool day)
        let cases = [
            (ymd(2019, 4, 1), ymd(2025, 3, 31)),
            (ymd(2019, 4, 2), ymd(2026, 3, 31)),
            (ymd(2019, 3, 31), ymd(2025, 3, 31)),
            (ymd(2019, 1, 1), ymd(2025, 3, 31)),
            (ymd(2019, 12, 31), ymd(2026, 3, 31)),
            (ymd(2020, 2, 29), ymd(2026, 3, 31)),
        ];
        for (birth, last) in cases {
            let m = AgeMilestones::of(birth);
            assert_eq!(m.preschool_last_day, last, "{birth}");
            assert_eq!(m.band(last), AgeBand::Preschool, "{birth}");
            assert_eq!(m.band(next_day(last)), AgeBand::WorkingAge, "{birth}");
        }
    }

    #[test]
    fn seventy_starts_the_month_after_the_birthday_or_on_it_for_the_1st() {
        // (birth, first day of 70–74)
        let cases = [
            (ymd(1955, 6, 15), ymd(2025, 7, 1)),
            (ymd(1955, 6, 1), ymd(2025, 6, 1)),
            (ymd(1955, 6, 2), ymd(2025, 7, 1)),
            (ymd(1955, 12, 31), ymd(2026, 1, 1)),
            (ymd(1955, 12, 1), ymd(2025, 12, 1)),
            (ymd(1955, 1, 1), ymd(2025, 1, 1)),
            (ymd(1956, 2, 29), ymd(2026, 3, 1)),
            (ymd(1954, 3, 1), ymd(2024, 3, 1)),
        ];
        for (birth, from) in cases {
            let m = AgeMilestones::of(birth);
            assert_eq!(m.elderly_from, from, "{birth}");
            assert_eq!(m.band(previous_day(from)), AgeBand::WorkingAge, "{birth}");
            assert_eq!(m.band(from), AgeBand::Elderly, "{birth}");
        }
    }

    #[test]
    fn late_stage_starts_on_the_75th_birthday() {
        let cases = [
            (ymd(1950, 6, 15), ymd(2025, 6, 15)),
            (ymd(1950, 6, 1), ymd(2025, 6, 1)),
            (ymd(1952, 2, 29), ymd(2027, 3, 1)),
            (ymd(1948, 2, 29), ymd(2023, 3, 1)),
            (ymd(1949, 2, 28), ymd(2024, 2, 28)),
        ];
        for (birth, from) in cases {
            let m = AgeMilestones::of(birth);
            assert_eq!(m.late_stage_from, from, "{birth}");
            assert_eq!(m.band(previous_day(from)), AgeBand::Elderly, "{birth}");
            assert_eq!(m.band(from), AgeBand::LateStage, "{birth}");
        }
    }

    #[test]
    fn before_birth_is_preschool_and_age_zero() {
        assert_eq!(
            age_band(ymd(2025, 1, 1), ymd(2024, 1, 1)),
            AgeBand::Preschool
        );
        assert_eq!(age_in_years(ymd(2025, 1, 1), ymd(2024, 1, 1)), 0);
    }

    #[test]
    fn age_in_years_rises_on_the_birthday() {
        let birth = ymd(1955, 6, 15);
        assert_eq!(age_in_years(birth, ymd(2025, 6, 14)), 69);
        assert_eq!(age_in_years(birth, ymd(2025, 6, 15)), 70);
        assert_eq!(age_in_years(ymd(2000, 2, 29), ymd(2025, 2, 28)), 24);
        assert_eq!(age_in_years(ymd(2000, 2, 29), ymd(2025, 3, 1)), 25);
        assert_eq!(age_in_years(birth, birth), 0);
    }

    #[test]
    fn bands_are_monotonic_over_a_lifetime() {
        for birth in [ymd(1944, 4, 1), ymd(1960, 2, 29), ymd(2018, 4, 2)] {
            let mut previous = AgeBand::Preschool;
            let mut day = birth;
            let end = ymd(2040, 1, 1);
            while day < end {
                let band = age_band(birth, day);
                assert!(band >= previous, "{birth} {day}");
                previous = band;
                day = day + chrono::Days::new(5);
            }
        }
    }
}

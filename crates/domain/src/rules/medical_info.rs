//! Medical-information rules: which consent screens the reader shows (DOM-CONSENT) and
//! how far back drug, checkup and expense data reach (FLY-DATA).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::{DateWindow, RulesCalendar};
use super::dates::{fiscal_year, sub_months};

/// One consent screen at the 顔認証付きカードリーダー.
///
/// The 特定疾病 screen and the 電子処方箋 choice are not modelled here (their fate after
/// 2024-10-07 is UNCERTAIN in the sources).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConsentScreen {
    /// 薬剤情報の提供に同意 (per item, before 2024-10-07).
    DrugInformation,
    /// 診療情報の提供に同意 (per item).
    DiagnosisInformation,
    /// 手術情報の提供に同意 (per item).
    OperationInformation,
    /// 特定健診情報の提供に同意 (per item).
    CheckupInformation,
    /// 限度額情報 (高額療養費) の提供に同意 — dropped on 2024-10-07: provided by law.
    LimitInformation,
    /// 包括同意: one screen for all medical information (from 2024-10-07).
    ComprehensiveMedicalInformation,
}

/// How consent to share medical information is asked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConsentRegime {
    /// One screen per item, including the 限度額 screen (before 2024-10-07).
    PerItem,
    /// One 包括同意 screen; limit information without consent (from 2024-10-07).
    Comprehensive,
}

impl ConsentRegime {
    /// The screens of this regime, in the order the reader shows them.
    pub const fn screens(self) -> &'static [ConsentScreen] {
        match self {
            Self::PerItem => &[
                ConsentScreen::DrugInformation,
                ConsentScreen::DiagnosisInformation,
                ConsentScreen::OperationInformation,
                ConsentScreen::CheckupInformation,
                ConsentScreen::LimitInformation,
            ],
            Self::Comprehensive => &[ConsentScreen::ComprehensiveMedicalInformation],
        }
    }
}

/// FLY-DATA: the checkup (特定健診) records visible on a date: fiscal years from
/// `first_fiscal_year` to `last_fiscal_year`, at most `max_records` of the most recent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct CheckupWindow {
    /// The first fiscal year (年度) with data (令和2年度 = 2020).
    pub first_fiscal_year: i32,
    /// The fiscal year of the as-of date.
    pub last_fiscal_year: i32,
    /// How many of the most recent records are shown (直近5回分).
    pub max_records: u32,
}

impl CheckupWindow {
    /// The fiscal years that are shown out of those a person has records for: inside
    /// the window, most recent first, at most `max_records`.
    pub fn visible(&self, record_fiscal_years: &[i32]) -> Vec<i32> {
        let mut years: Vec<i32> = record_fiscal_years
            .iter()
            .copied()
            .filter(|fy| (self.first_fiscal_year..=self.last_fiscal_year).contains(fy))
            .collect();
        years.sort_unstable_by(|a, b| b.cmp(a));
        years.dedup();
        years.truncate(usize::try_from(self.max_records).unwrap_or(usize::MAX));
        years
    }
}

impl RulesCalendar {
    /// DOM-CONSENT: the consent regime on `as_of`.
    pub fn consent_regime(&self, as_of: NaiveDate) -> ConsentRegime {
        if as_of < self.config().comprehensive_consent {
            ConsentRegime::PerItem
        } else {
            ConsentRegime::Comprehensive
        }
    }

    /// DOM-CONSENT: the consent screens shown on `as_of`.
    pub fn consent_screens(&self, as_of: NaiveDate) -> &'static [ConsentScreen] {
        self.consent_regime(as_of).screens()
    }

    /// DOM-CONSENT / FAQ-4-1: whether limit information (限度額区分) needs the patient's
    /// consent on `as_of`; from 2024-10-07 it is provided by law without a screen.
    pub fn limit_info_requires_consent(&self, as_of: NaiveDate) -> bool {
        self.consent_regime(as_of) == ConsentRegime::PerItem
    }

    /// FLY-DATA: the treatment dates of drug data (薬剤情報) visible on `as_of`: from
    /// 2021-09 and at most `drug_data_years` back (date-exact, month ends clamped).
    /// `None` before any data exists.
    pub fn drug_data_window(&self, as_of: NaiveDate) -> Option<DateWindow> {
        let c = self.config();
        let back = sub_months(as_of, c.drug_data_years.saturating_mul(12));
        let from = back.max(c.drug_data_from);
        (from <= as_of).then_some(DateWindow { from, to: as_of })
    }

    /// FLY-DATA: the months of medical-expense notices (医療費通知情報) visible on
    /// `as_of`: from 2021-09 on. `None` before any data exists.
    pub fn expense_notice_window(&self, as_of: NaiveDate) -> Option<DateWindow> {
        let from = self.config().expense_notice_from;
        (from <= as_of).then_some(DateWindow { from, to: as_of })
    }

    /// FLY-DATA: the checkup records visible on `as_of` (年度 2020 on, 直近5回分).
    /// `None` before the first fiscal year.
    pub fn checkup_window(&self, as_of: NaiveDate) -> Option<CheckupWindow> {
        let c = self.config();
        let last = fiscal_year(as_of);
        (last >= c.checkup_first_fiscal_year).then_some(CheckupWindow {
            first_fiscal_year: c.checkup_first_fiscal_year,
            last_fiscal_year: last,
            max_records: c.checkup_recent_count,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dates::ymd;

    fn cal() -> RulesCalendar {
        RulesCalendar::reference()
    }

    #[test]
    fn consent_screens_change_on_2024_10_07() {
        let c = cal();
        let before = c.consent_screens(ymd(2024, 10, 6));
        assert!(before.contains(&ConsentScreen::LimitInformation));
        assert!(before.contains(&ConsentScreen::DrugInformation));
        assert!(!before.contains(&ConsentScreen::ComprehensiveMedicalInformation));
        assert!(c.limit_info_requires_consent(ymd(2024, 10, 6)));

        let after = c.consent_screens(ymd(2024, 10, 7));
        assert_eq!(after, &[ConsentScreen::ComprehensiveMedicalInformation]);
        assert!(!after.contains(&ConsentScreen::LimitInformation));
        assert!(!c.limit_info_requires_consent(ymd(2024, 10, 7)));
    }

    #[test]
    fn drug_data_reaches_three_years_back_but_not_before_2021_09() {
        let c = cal();
        let cases = [
            (ymd(2021, 8, 31), None),
            (ymd(2021, 9, 1), Some(ymd(2021, 9, 1))),
            (ymd(2024, 8, 31), Some(ymd(2021, 9, 1))),
            (ymd(2024, 9, 1), Some(ymd(2021, 9, 1))),
            (ymd(2024, 9, 2), Some(ymd(2021, 9, 2))),
            (ymd(2026, 5, 31), Some(ymd(2023, 5, 31))),
            (ymd(2028, 2, 29), Some(ymd(2025, 2, 28))),
        ];
        for (as_of, from) in cases {
            let window = c.drug_data_window(as_of);
            assert_eq!(window.map(|w| w.from), from, "{as_of}");
            if let Some(w) = window {
                assert_eq!(w.to, as_of);
            }
        }
    }

    #[test]
    fn expense_notices_from_2021_09() {
        let c = cal();
        assert_eq!(c.expense_notice_window(ymd(2021, 8, 31)), None);
        assert_eq!(
            c.expense_notice_window(ymd(2027, 1, 1)),
            Some(DateWindow {
                from: ymd(2021, 9, 1),
                to: ymd(2027, 1, 1)
            })
        );
    }

    #[test]
    fn checkups_from_fy2020_five_most_recent() {
        let c = cal();
        assert_eq!(c.checkup_window(ymd(2020, 3, 31)), None);
        let w = c.checkup_window(ymd(2020, 4, 1)).unwrap();
        assert_eq!((w.first_fiscal_year, w.last_fiscal_year), (2020, 2020));

        let w = c.checkup_window(ymd(2026, 3, 31)).unwrap();
        assert_eq!(w.last_fiscal_year, 2025);
        let records = [2018, 2019, 2020, 2021, 2022, 2023, 2024, 2025];
        assert_eq!(w.visible(&records), vec![2025, 2024, 2023, 2022, 2021]);
        // Gaps: the five most recent records, not five fiscal years.
        assert_eq!(
            w.visible(&[2019, 2020, 2021, 2023, 2025, 2025]),
            vec![2025, 2023, 2021, 2020]
        );
        // A record dated after the as-of fiscal year is not shown.
        let w = c.checkup_window(ymd(2025, 3, 31)).unwrap();
        assert_eq!(w.visible(&[2025, 2024]), vec![2024]);
    }
}

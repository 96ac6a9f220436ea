//! The window charge and the 高額療養費 ceiling at the window (TRN-Q1, FAQ-4-1,
//! OKA-PREMIUM): with the 適用区分 known at the desk — from the online answer, so no
//! 限度額適用認定証 is needed — the patient pays at most the monthly ceiling, and only
//! 「同一月・同一医療機関の支払に限ります」 (004 Q1 ※1): the clinic adds up its own
//! window payments of the same calendar month; payments at another institution or in
//! another month do not count.
//!
//! The ceilings are the outpatient (外来) 自己負担限度額 per month:
//!
//! | 適用区分 | ceiling (円) |
//! |---|---|
//! | ア `A01`, 現役並みⅢ `B01` | 252,600 + (医療費 − 842,000) × 1% |
//! | イ `A02`, 現役並みⅡ `B02` | 167,400 + (医療費 − 558,000) × 1% |
//! | ウ `A03`, 現役並みⅠ `B03` | 80,100 + (医療費 − 267,000) × 1% |
//! | エ `A04` | 57,600 |
//! | オ `A05`, オ（境）`A06` | 35,400 |
//! | 一般 `B04`, 一般Ⅰ `B10` (外来・個人) | 18,000 |
//! | 一般Ⅱ `B09` (外来・個人) | 18,000; until 2025-09-30 (配慮措置) the lower of 18,000 and 6,000 + (医療費 − 30,000) × 10% |
//! | 低所得Ⅱ/Ⅰ `B05`–`B08` (外来・個人) | 8,000 |
//!
//! 医療費 is the month's total cost (10割) at this institution, this visit included;
//! the 1% term counts only above its threshold and is rounded to the yen. A charge is
//! the ratio of the visit's cost rounded to 10 円 (四捨五入), then capped.

use chrono::{Datelike, NaiveDate};

use crate::codes::{ContributionRatio, LimitClass};
use crate::message::MedicalInstitutionCode;

/// One window payment on record for the patient.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WindowPayment {
    /// The day paid.
    pub date: NaiveDate,
    /// Where it was paid.
    pub institution: MedicalInstitutionCode,
    /// The visit's cost (医療費, 10割), in yen.
    pub medical_fee: u64,
    /// What the patient paid at the window, in yen.
    pub paid: u64,
}

/// The charge at the window and how it was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WindowCharge {
    /// What the patient pays now, in yen.
    pub amount: u64,
    /// The ratio's share of this visit's cost before any ceiling.
    pub before_ceiling: u64,
    /// The month's ceiling at this institution, when a 適用区分 applied.
    pub ceiling: Option<u64>,
    /// What the patient had already paid here this month.
    pub paid_this_month: u64,
}

/// The last day of the 一般Ⅱ 配慮措置 (the 2割 increase held to 3,000 円 a month).
fn general_two_relief_ends() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 9, 30).unwrap_or(NaiveDate::MIN)
}

/// The monthly outpatient ceiling for `class` on `on`, given the month's total cost
/// here.
pub fn monthly_ceiling(class: LimitClass, month_fee: u64, on: NaiveDate) -> u64 {
    let graded =
        |base: u64, threshold: u64| base + (month_fee.saturating_sub(threshold) + 50) / 100;
    match class {
        LimitClass::A01 | LimitClass::B01 => graded(252_600, 842_000),
        LimitClass::A02 | LimitClass::B02 => graded(167_400, 558_000),
        LimitClass::A03 | LimitClass::B03 => graded(80_100, 267_000),
        LimitClass::A04 => 57_600,
        LimitClass::A05 | LimitClass::A06 => 35_400,
        LimitClass::B09 if on <= general_two_relief_ends() => {
            (6_000 + month_fee.saturating_sub(30_000) / 10).min(18_000)
        }
        LimitClass::B04 | LimitClass::B09 | LimitClass::B10 => 18_000,
        LimitClass::B05 | LimitClass::B06 | LimitClass::B07 | LimitClass::B08 => 8_000,
    }
}

/// The ratio's share of `fee`, rounded to 10 円 (5 円 and up rounds up).
pub fn ratio_share(ratio: ContributionRatio, fee: u64) -> u64 {
    let yen = fee * u64::from(ratio.percent());
    // yen is in hundredths of a yen: round to 10 yen = 1000 hundredths.
    (yen + 500) / 1000 * 10
}

/// Whether `p` counts toward the ceiling of a visit at `here` on `on`: the same
/// institution and the same calendar month (TRN-Q1).
pub fn counts_toward(p: &WindowPayment, here: &MedicalInstitutionCode, on: NaiveDate) -> bool {
    p.institution == *here && p.date.year() == on.year() && p.date.month() == on.month()
}

/// The charge for a visit costing `fee` at `here` on `on`, at `ratio`, with the
/// 適用区分 the desk knows (`None`: no ceiling at the window; the patient claims
/// 高額療養費 afterwards). 10割 (特別療養費) and 0割 are never capped.
pub fn window_charge(
    ratio: ContributionRatio,
    fee: u64,
    class: Option<LimitClass>,
    earlier: &[WindowPayment],
    here: &MedicalInstitutionCode,
    on: NaiveDate,
) -> WindowCharge {
    let before_ceiling = ratio_share(ratio, fee);
    let month: Vec<&WindowPayment> = earlier
        .iter()
        .filter(|p| counts_toward(p, here, on))
        .collect();
    let paid_this_month: u64 = month.iter().map(|p| p.paid).sum();
    let ceiling = class
        .filter(|_| !ratio.is_full_cost() && ratio != ContributionRatio::NONE)
        .map(|c| {
            monthly_ceiling(
                c,
                month.iter().map(|p| p.medical_fee).sum::<u64>() + fee,
                on,
            )
        });
    let amount = match ceiling {
        Some(c) => before_ceiling.min(c.saturating_sub(paid_this_month)),
        None => before_ceiling,
    };
    WindowCharge {
        amount,
        before_ceiling,
        ceiling,
        paid_this_month,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(s: &str) -> MedicalInstitutionCode {
        MedicalInstitutionCode::parse(s).unwrap()
    }

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).unwrap()
    }

    fn paid(m: u32, at: &str, fee: u64, paid: u64) -> WindowPayment {
        WindowPayment {
            date: day(m, 5),
            institution: code(at),
            medical_fee: fee,
            paid,
        }
    }

    const HERE: &str = "1310000011";
    const THERE: &str = "1310000029";

    /// A 100,000-yen visit here on 2026-11-20.
    fn charge_here(
        ratio: ContributionRatio,
        class: Option<LimitClass>,
        earlier: &[WindowPayment],
    ) -> WindowCharge {
        window_charge(ratio, 100_000, class, earlier, &code(HERE), day(11, 20))
    }

    #[test]
    fn ceilings_follow_the_class_the_months_cost_and_the_date() {
        let nov = day(11, 1);
        // 一般Ⅱ before 2025-10-01: the 配慮措置.
        let sept = NaiveDate::from_ymd_opt(2025, 9, 1).unwrap();
        let cases = [
            (LimitClass::A03, 300_000, nov, 80_430),
            (LimitClass::A03, 100_000, nov, 80_100),
            (LimitClass::A01, 1_000_000, nov, 254_180),
            (LimitClass::A02, 600_000, nov, 167_820),
            (LimitClass::A04, 900_000, nov, 57_600),
            (LimitClass::A06, 900_000, nov, 35_400),
            (LimitClass::B09, 900_000, nov, 18_000),
            (LimitClass::B07, 900_000, nov, 8_000),
            (LimitClass::B09, 50_000, sept, 8_000),
            (LimitClass::B09, 900_000, sept, 18_000),
            // 1% of 50 yen rounds up, of 49 yen down.
            (LimitClass::A03, 267_050, nov, 80_101),
            (LimitClass::A03, 267_049, nov, 80_100),
        ];
        for (class, fee, on, ceiling) in cases {
            assert_eq!(
                monthly_ceiling(class, fee, on),
                ceiling,
                "{class} {fee} {on}"
            );
        }
    }

    #[test]
    fn shares_round_to_ten_yen() {
        assert_eq!(ratio_share(ContributionRatio::THIRTY, 100_000), 30_000);
        assert_eq!(ratio_share(ContributionRatio::THIRTY, 1_234), 370);
        assert_eq!(ratio_share(ContributionRatio::THIRTY, 1_250), 380);
        assert_eq!(ratio_share(ContributionRatio::TEN, 44), 0);
        assert_eq!(ratio_share(ContributionRatio::FULL, 12_345), 12_350);
    }

    #[test]
    fn only_this_institution_this_month_counts() {
        let earlier = [
            paid(11, HERE, 200_000, 60_000),
            paid(11, THERE, 100_000, 30_000),
            paid(10, HERE, 100_000, 30_000),
        ];
        let c = charge_here(ContributionRatio::THIRTY, Some(LimitClass::A03), &earlier);
        assert_eq!(c.paid_this_month, 60_000);
        assert_eq!(c.ceiling, Some(80_430));
        assert_eq!(c.amount, 20_430);
        // A year later, the same month number does not count either.
        let next_year = WindowPayment {
            date: NaiveDate::from_ymd_opt(2025, 11, 5).unwrap(),
            ..paid(11, HERE, 200_000, 60_000)
        };
        let c = charge_here(
            ContributionRatio::THIRTY,
            Some(LimitClass::A03),
            &[next_year],
        );
        assert_eq!(c.amount, 30_000);
    }

    #[test]
    fn no_class_no_ceiling_and_ten_wari_is_never_capped() {
        let earlier = [paid(11, HERE, 300_000, 90_000)];
        let none = charge_here(ContributionRatio::THIRTY, None, &earlier);
        assert_eq!(none.amount, 30_000);
        let full = charge_here(ContributionRatio::FULL, Some(LimitClass::A03), &earlier);
        assert_eq!(full.amount, 100_000);
        let above = charge_here(ContributionRatio::THIRTY, Some(LimitClass::A03), &earlier);
        assert_eq!(
            above.amount, 0,
            "the ceiling was reached earlier this month"
        );
    }
}

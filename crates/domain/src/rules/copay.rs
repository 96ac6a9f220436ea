//! Copay (一部負担金の割合) derivation, domain.md §5 and 保発0710第1号.
//!
//! A ratio the result carries is used as is (DOM-COPAY-RATIO): for 後期高齢者 the
//! record's `InsuredPartialContributionRatio`, for 70–74 the
//! `ElderlyRecipientContributionRatio` (FAQ-4-8: no 高齢受給者証 needed). The clinic
//! trusts it, so a backend that returns a wrong ratio yields a wrong copay; the oracle
//! catches that. A missing ratio is derived from the age band (DOM-COPAY-AGE) and is
//! never 10割 (TRN-NO10, domain.md §11.2).
//!
//! The 被保険者証区分 comes first (DOM-COPAY-CLASS): `A1` 医療扶助 pays nothing at the
//! window — the 公費 pays the whole cost and the 医療券 says what the recipient pays
//! (本人支払額, an amount, 0 for most); `05` 被保険者資格証明書 / 特別療養費 pays 10割
//! and is refunded by the insurer — the one legitimate 10割 for an insured person. A
//! child under school age pays 2割 whatever ratio the record carries (未就学者).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::age::{AgeBand, age_band};
use super::catalogue::RuleId;
use crate::codes::{
    ContributionRatio, InsuredCardClassification, InsurerFamily, LimitClass,
    PreschoolClassification,
};

/// The ratio-related fields of one qualification record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct RatioFields {
    /// `InsuredPartialContributionRatio` 一部負担金割合.
    pub insured_ratio: Option<ContributionRatio>,
    /// `ElderlyRecipientCertificateInfo/ElderlyRecipientContributionRatio` 高齢受給者の
    /// 負担割合.
    pub elderly_ratio: Option<ContributionRatio>,
    /// `PreschoolClassification` 未就学区分.
    pub preschool: Option<PreschoolClassification>,
    /// `LimitApplicationCertificateClassificationFlag` 適用区分.
    pub limit_class: Option<LimitClass>,
    /// The insurer family (from the insurer number); 後期高齢者医療 also covers people of
    /// 65–74 with a disability certification (障害認定).
    pub insurer_family: Option<InsurerFamily>,
    /// `InsuredCardClassification` 被保険者証区分 (`A1` 医療扶助, `05` 特別療養費).
    pub card_classification: Option<InsuredCardClassification>,
}

/// Where the ratio came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RatioSource {
    /// The result's `InsuredPartialContributionRatio`.
    InsuredPartialContributionRatio,
    /// The result's `ElderlyRecipientContributionRatio`.
    ElderlyRecipientContributionRatio,
    /// The ratio printed on the document presented (資格確認書, 保険証, お知らせ, …).
    PrintedOnDocument,
    /// Derived from the age band (no ratio carried).
    DerivedFromAge,
    /// Derived from the age band and the 適用区分 (現役並み, 一般Ⅱ).
    DerivedFromLimitClass,
    /// The 被保険者証区分: `A1` 医療扶助 (0割) or `05` 特別療養費 (10割, refunded).
    CardClassification,
    /// A municipal 公費 受給者証 shown on paper (子ども医療費 and the like): the card
    /// does not carry it (FAQ-4-12; 003 「引き続き受給資格証等の提示が必要」).
    PublicExpenseCertificate,
}

impl RatioSource {
    /// Whether the ratio was derived rather than read.
    pub const fn is_derived(self) -> bool {
        matches!(self, Self::DerivedFromAge | Self::DerivedFromLimitClass)
    }
}

/// A copay with its reasoning.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct CopayDerivation {
    /// The ratio the patient pays.
    pub ratio: ContributionRatio,
    /// Where it came from.
    pub source: RatioSource,
    /// The patient's age band on the date.
    pub band: AgeBand,
    /// The rules applied.
    pub rules: &'static [RuleId],
}

const READ: &[RuleId] = &[RuleId::DomCopayRatio];
const READ_ELDERLY: &[RuleId] = &[RuleId::DomCopayRatio, RuleId::Faq4_8];
const DERIVED: &[RuleId] = &[RuleId::DomCopayAge, RuleId::TrnNo10];
const PRINTED: &[RuleId] = &[RuleId::DomCopayRatio];
const MEDICAL_AID: &[RuleId] = &[RuleId::DomCopayClass, RuleId::Faq4_12];
const SPECIAL_CARE: &[RuleId] = &[RuleId::DomCopayClass];

/// A municipal 公費負担医療 受給者証 (子ども医療費助成 and the like), shown on paper at
/// the window: FAQ-4-12 「各自治体が対応している子供医療費証明書は現在検討中」 and 003
/// 「公費負担医療等の対象になる場合は引き続き受給資格証等の提示が必要になります」 — the
/// online answer does not carry it, so without the paper the insurance ratio applies.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PublicExpenseCertificate {
    /// 公費負担者番号 (8 digits).
    pub payer_number: String,
    /// 公費受給者番号 (7 digits).
    pub recipient_number: String,
    /// First valid day.
    pub valid_from: NaiveDate,
    /// Last valid day.
    pub valid_to: NaiveDate,
    /// What the recipient pays at the window under the aid.
    pub copay: ContributionRatio,
}

impl PublicExpenseCertificate {
    /// Whether the certificate is valid on `on`.
    pub fn valid_on(&self, on: NaiveDate) -> bool {
        self.valid_from <= on && on <= self.valid_to
    }
}

/// The ratio after a 公費 certificate shown at the window: the certificate's ratio
/// when it is valid on `on` and lower than the insurance ratio; `None` when it does
/// not change the copay. 10割 (特別療養費, or no insurance) is never reduced here.
pub fn with_public_expense(
    insured: ContributionRatio,
    certificate: &PublicExpenseCertificate,
    on: NaiveDate,
) -> Option<ContributionRatio> {
    (!insured.is_full_cost() && certificate.valid_on(on) && certificate.copay < insured)
        .then_some(certificate.copay)
}

/// 現役並み所得者 (B01–B03): 3割 at 70 and over.
fn is_working_level(class: Option<LimitClass>) -> bool {
    matches!(
        class,
        Some(LimitClass::B01 | LimitClass::B02 | LimitClass::B03)
    )
}

/// The copay for a person born on `birth` on `as_of`, from the record's fields.
pub fn derive_copay(birth: NaiveDate, as_of: NaiveDate, fields: &RatioFields) -> CopayDerivation {
    let band = age_band(birth, as_of);
    let late_stage = band == AgeBand::LateStage
        || fields.insurer_family == Some(InsurerFamily::LateStageElderly);
    let read = |ratio, source, rules| CopayDerivation {
        ratio,
        source,
        band,
        rules,
    };
    let derived = |ratio, by_class: bool| CopayDerivation {
        ratio,
        source: if by_class {
            RatioSource::DerivedFromLimitClass
        } else {
            RatioSource::DerivedFromAge
        },
        band,
        rules: DERIVED,
    };

    match fields.card_classification {
        Some(InsuredCardClassification::MedicalAid) => {
            return read(
                ContributionRatio::NONE,
                RatioSource::CardClassification,
                MEDICAL_AID,
            );
        }
        Some(InsuredCardClassification::QualificationCertificate) => {
            return read(
                ContributionRatio::FULL,
                RatioSource::CardClassification,
                SPECIAL_CARE,
            );
        }
        _ => {}
    }
    if late_stage {
        if let Some(ratio) = fields.insured_ratio {
            return read(ratio, RatioSource::InsuredPartialContributionRatio, READ);
        }
        return match fields.limit_class {
            class if is_working_level(class) => derived(ContributionRatio::THIRTY, true),
            Some(LimitClass::B09) => derived(ContributionRatio::TWENTY, true),
            _ => derived(ContributionRatio::TEN, false),
        };
    }
    if band == AgeBand::Elderly {
        if let Some(ratio) = fields.elderly_ratio {
            return read(
                ratio,
                RatioSource::ElderlyRecipientContributionRatio,
                READ_ELDERLY,
            );
        }
        if let Some(ratio) = fields.insured_ratio {
            return read(ratio, RatioSource::InsuredPartialContributionRatio, READ);
        }
        return if is_working_level(fields.limit_class) {
            derived(ContributionRatio::THIRTY, true)
        } else {
            derived(ContributionRatio::TWENTY, false)
        };
    }
    if band == AgeBand::Preschool || fields.preschool.is_some() {
        return derived(ContributionRatio::TWENTY, false);
    }
    if let Some(ratio) = fields.insured_ratio {
        return read(ratio, RatioSource::InsuredPartialContributionRatio, READ);
    }
    derived(ContributionRatio::THIRTY, false)
}

/// The copay when a document's printed ratio is used (資格確認書, 保険証, お知らせ).
pub fn printed_copay(
    birth: NaiveDate,
    as_of: NaiveDate,
    ratio: ContributionRatio,
) -> CopayDerivation {
    CopayDerivation {
        ratio,
        source: RatioSource::PrintedOnDocument,
        band: age_band(birth, as_of),
        rules: PRINTED,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dates::ymd;
    use chrono::Days;

    const AS_OF: NaiveDate = ymd(2025, 10, 1);

    fn none() -> RatioFields {
        RatioFields::default()
    }

    #[test]
    fn derived_ratios_by_band() {
        // (birth, fields, ratio, source)
        let thirty = ContributionRatio::THIRTY;
        let twenty = ContributionRatio::TWENTY;
        let ten = ContributionRatio::TEN;
        let working = RatioFields {
            limit_class: Some(LimitClass::B02),
            ..none()
        };
        let general_two = RatioFields {
            limit_class: Some(LimitClass::B09),
            ..none()
        };
        let cases = [
            (ymd(2021, 5, 5), none(), twenty, RatioSource::DerivedFromAge),
            (ymd(2019, 4, 1), none(), thirty, RatioSource::DerivedFromAge),
            (ymd(2019, 4, 2), none(), twenty, RatioSource::DerivedFromAge),
            (ymd(1980, 1, 1), none(), thirty, RatioSource::DerivedFromAge),
            (
                ymd(1955, 10, 1),
                none(),
                twenty,
                RatioSource::DerivedFromAge,
            ),
            (
                ymd(1955, 10, 2),
                none(),
                thirty,
                RatioSource::DerivedFromAge,
            ),
            (
                ymd(1953, 1, 1),
                working,
                thirty,
                RatioSource::DerivedFromLimitClass,
            ),
            (
                ymd(1953, 1, 1),
                general_two,
                twenty,
                RatioSource::DerivedFromAge,
            ),
            (ymd(1945, 1, 1), none(), ten, RatioSource::DerivedFromAge),
            (
                ymd(1945, 1, 1),
                working,
                thirty,
                RatioSource::DerivedFromLimitClass,
            ),
            (
                ymd(1945, 1, 1),
                general_two,
                twenty,
                RatioSource::DerivedFromLimitClass,
            ),
        ];
        for (birth, fields, ratio, source) in cases {
            let d = derive_copay(birth, AS_OF, &fields);
            assert_eq!((d.ratio, d.source), (ratio, source), "{birth} {fields:?}");
            assert_eq!(d.rules, DERIVED);
        }
    }

    #[test]
    fn carried_ratios_are_used_by_band() {
        let fields = RatioFields {
            insured_ratio: Some(ContributionRatio::THIRTY),
            elderly_ratio: Some(ContributionRatio::TWENTY),
            ..none()
        };
        // 75+: InsuredPartialContributionRatio.
        let d = derive_copay(ymd(1945, 1, 1), AS_OF, &fields);
        assert_eq!(d.ratio, ContributionRatio::THIRTY);
        assert_eq!(d.source, RatioSource::InsuredPartialContributionRatio);
        // 70–74: ElderlyRecipientContributionRatio first.
        let d = derive_copay(ymd(1953, 1, 1), AS_OF, &fields);
        assert_eq!(d.ratio, ContributionRatio::TWENTY);
        assert_eq!(d.source, RatioSource::ElderlyRecipientContributionRatio);
        assert_eq!(d.rules, READ_ELDERLY);
        // 70–74 with only the insured ratio.
        let only_insured = RatioFields {
            elderly_ratio: None,
            ..fields
        };
        let d = derive_copay(ymd(1953, 1, 1), AS_OF, &only_insured);
        assert_eq!(d.source, RatioSource::InsuredPartialContributionRatio);
        // Under 70: the elderly ratio is not theirs; the insured one is used.
        let d = derive_copay(ymd(1980, 1, 1), AS_OF, &fields);
        assert_eq!(d.source, RatioSource::InsuredPartialContributionRatio);
        let elderly_only = RatioFields {
            insured_ratio: None,
            ..fields
        };
        let d = derive_copay(ymd(1980, 1, 1), AS_OF, &elderly_only);
        assert_eq!(
            (d.ratio, d.source),
            (ContributionRatio::THIRTY, RatioSource::DerivedFromAge)
        );
    }

    #[test]
    fn a_carried_ratio_is_trusted_even_when_wrong() {
        // The clinic trusts the backend; the oracle catches a wrong ratio.
        let fields = RatioFields {
            insured_ratio: Some(ContributionRatio::FULL),
            ..none()
        };
        let d = derive_copay(ymd(1980, 1, 1), AS_OF, &fields);
        assert_eq!(d.ratio, ContributionRatio::FULL);
        assert!(!d.source.is_derived());
    }

    #[test]
    fn late_stage_record_under_75_uses_the_late_stage_rules() {
        // 障害認定 at 68 with a 後期 insurer: 1割 when nothing is carried.
        let fields = RatioFields {
            insurer_family: Some(InsurerFamily::LateStageElderly),
            ..none()
        };
        let d = derive_copay(ymd(1957, 3, 3), AS_OF, &fields);
        assert_eq!(d.ratio, ContributionRatio::TEN);
        assert_eq!(d.band, AgeBand::WorkingAge);
    }

    #[test]
    fn preschool_flag_wins_when_deriving() {
        let fields = RatioFields {
            preschool: Some(PreschoolClassification::Preschool),
            ..none()
        };
        let d = derive_copay(ymd(2018, 4, 1), AS_OF, &fields);
        assert_eq!(d.ratio, ContributionRatio::TWENTY);
    }

    #[test]
    fn under_school_age_pays_two_tenths_whatever_the_record_carries() {
        // 未就学者 2割 outranks the insured's 3割 carried on a family member's record.
        let fields = RatioFields {
            insured_ratio: Some(ContributionRatio::THIRTY),
            preschool: Some(PreschoolClassification::Preschool),
            ..none()
        };
        let d = derive_copay(ymd(2021, 5, 5), AS_OF, &fields);
        assert_eq!(d.ratio, ContributionRatio::TWENTY);
    }

    #[test]
    fn medical_aid_pays_nothing_at_the_window() {
        // A1 医療扶助: whatever the age or a ratio, the 公費 pays (FAQ-4-12).
        for birth in [ymd(1958, 5, 5), ymd(1940, 1, 1), ymd(2020, 1, 1)] {
            let fields = RatioFields {
                insured_ratio: Some(ContributionRatio::THIRTY),
                card_classification: Some(InsuredCardClassification::MedicalAid),
                ..none()
            };
            let d = derive_copay(birth, AS_OF, &fields);
            assert_eq!(d.ratio, ContributionRatio::NONE, "{birth}");
            assert_eq!(d.source, RatioSource::CardClassification);
            assert!(d.rules.contains(&RuleId::DomCopayClass));
        }
    }

    #[test]
    fn a_special_care_member_pays_the_whole_cost_for_a_refund() {
        // 05 被保険者資格証明書 / 特別療養費: 10割 at the window, refunded by the insurer.
        let fields = RatioFields {
            card_classification: Some(InsuredCardClassification::QualificationCertificate),
            insurer_family: Some(InsurerFamily::NationalHealthInsurance),
            ..none()
        };
        let d = derive_copay(ymd(1980, 1, 1), AS_OF, &fields);
        assert!(d.ratio.is_full_cost());
        assert_eq!(d.source, RatioSource::CardClassification);
    }

    #[test]
    fn boundary_days_of_the_bands() {
        let birth = ymd(1955, 6, 15);
        let cases = [
            (ymd(2025, 6, 30), ContributionRatio::THIRTY),
            (ymd(2025, 7, 1), ContributionRatio::TWENTY),
            (ymd(2030, 6, 14), ContributionRatio::TWENTY),
            (ymd(2030, 6, 15), ContributionRatio::TEN),
        ];
        for (as_of, ratio) in cases {
            assert_eq!(derive_copay(birth, as_of, &none()).ratio, ratio, "{as_of}");
        }
    }

    #[test]
    fn printed_ratio_is_marked_as_such() {
        let d = printed_copay(ymd(1980, 1, 1), AS_OF, ContributionRatio::THIRTY);
        assert_eq!(d.source, RatioSource::PrintedOnDocument);
        assert_eq!(d.band, AgeBand::WorkingAge);
    }

    /// Property: whatever the date of birth, the as-of date and the non-ratio fields, a
    /// missing ratio is never 10割 and always 1, 2 or 3割.
    #[test]
    fn property_a_missing_ratio_is_never_full_cost() {
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let families = [
            None,
            Some(InsurerFamily::LateStageElderly),
            Some(InsurerFamily::NationalHealthInsurance),
            Some(InsurerFamily::KyokaiKenpo),
        ];
        // Every classification but the two that decide the window themselves.
        let classes = [
            None,
            Some(InsuredCardClassification::General),
            Some(InsuredCardClassification::ShortTermGeneral),
        ];
        let first_birth = ymd(1900, 1, 1);
        let first_as_of = ymd(2021, 1, 1);
        for _ in 0..200_000 {
            let birth = first_birth + Days::new(next() % 47_000);
            let as_of = first_as_of + Days::new(next() % 3_650);
            let limit_class = match next() % 18 {
                n if (n as usize) < LimitClass::ALL.len() => Some(LimitClass::ALL[n as usize]),
                _ => None,
            };
            let fields = RatioFields {
                insured_ratio: None,
                elderly_ratio: None,
                preschool: (next() % 4 == 0).then_some(PreschoolClassification::Preschool),
                limit_class,
                insurer_family: families[(next() % 4) as usize],
                card_classification: classes[(next() % 3) as usize],
            };
            let d = derive_copay(birth, as_of, &fields);
            assert!(!d.ratio.is_full_cost(), "{birth} {as_of} {fields:?}");
            assert!(
                [10, 20, 30].contains(&d.ratio.percent()),
                "{birth} {as_of} {fields:?}"
            );
            assert!(d.source.is_derived());
        }
    }
}

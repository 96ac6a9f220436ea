//! Rules of the マイナ保険証 system — pure, synchronous and date-effective: no I/O, no
//! clock, no randomness. The as-of date (or date-time) is always an argument.
//!
//! | file | concept | rules |
//! |---|---|---|
//! | [`calendar`] | [`RulesCalendar`] and its configurable dates | DOM-START, FAQ-4-2, FAQ-4-10, FAQ-4-12, FAQ-4-13, TRN-KAKUNIN, NOTICE-* |
//! | [`medical_info`] | consent screens, data windows | DOM-CONSENT, FLY-DATA |
//! | [`certificate`] | 利用者証明用電子証明書 status | DOM-CERT-RENEW, DOM-CERT-GRACE |
//! | [`registration`] | 保険証利用登録 | KQ-1, OKA-FACEONLY, OKA-REG-24H, OKA-REG-5D, FAQ-4-15 |
//! | [`age`] | copay age bands | DOM-COPAY-AGE |
//! | [`copay`] | copay derivation | DOM-COPAY-RATIO, DOM-COPAY-AGE, FAQ-4-8 |
//! | [`high_cost`] | the window charge under the 高額療養費 ceiling | TRN-Q1 |
//! | [`documents`] | documents at the desk and their validity | KQ-3, TRN-MAX1Y, DOM-NHI-EXPIRY, TRN-KAKUNIN, TRN-SCHOOL |
//! | [`visit`] | facility, reader outcome, the visit | FAQ-4-5, KQ-6, FAQ-4-17, FAQ-4-21, OKA-DV |
//! | [`decision`] | the clinic's decision | |
//! | [`clinic`] | the clinic step | TRN-NO10, FLY-NOTICE-ALONE, FAQ-4-6, FAQ-4-14 |
//! | [`rule_id`] | [`RuleId`], the typed requirement IDs | all |
//! | [`catalogue`] | every requirement (`requirements.md` rows and `DOM-…` rules) with kind, origin, texts, source and dates | all |

pub mod age;
pub mod calendar;
pub mod catalogue;
pub mod certificate;
pub mod clinic;
pub mod copay;
pub(crate) mod dates;
pub mod decision;
pub mod documents;
pub mod high_cost;
pub mod medical_info;
pub mod registration;
pub mod rule_id;
pub mod visit;

#[cfg(test)]
mod clinic_tests;
#[cfg(test)]
mod invariant_tests;

pub use age::{AgeBand, AgeMilestones, age_band, age_in_years};
pub use calendar::{
    CalendarConfig, CalendarError, CareSetting, DateKey, DateWindow, InsuranceScheme,
    KakuninDelivery, KakuninReason, Phase, RulesCalendar,
};
pub use catalogue::{
    AREAS, CATALOGUE, EndBound, Origin, Requirement, RequirementKind, ResolvedRule, RuleId,
};
pub use certificate::{CertificateStatus, UserAuthCertificate};
pub use clinic::decide;
pub use copay::{
    CopayDerivation, PublicExpenseCertificate, RatioFields, RatioSource, derive_copay,
    printed_copay, with_public_expense,
};
pub use decision::{Basis, ClinicDecision, NotInsuredEvidence, Note, TemporaryDocument, Via};
pub use documents::{
    ConfirmationCertificate, Document, DocumentKind, KakuninStatus, NoticeForm, OldCardStatus,
    OldInsuranceCard, PortalScreen, QualificationNotice, SchoolCopyForm, SchoolEventCopy,
};
pub use high_cost::{WindowCharge, WindowPayment, monthly_ceiling, window_charge};
pub use medical_info::{CheckupWindow, ConsentRegime, ConsentScreen};
pub use registration::{
    CardKind, RegistrationAttempt, RegistrationChannel, RegistrationOutcome, RegistrationRefusal,
};
pub use visit::{
    CardAtDesk, ConfirmationFailure, ConfirmationOutcome, Facility, NetworkState, PatientStance,
    QualificationResult, ReaderState, Unavailability, Visit,
};

#[cfg(test)]
mod purity {
    /// The functional core reads no clock, file, environment or randomness: no source
    /// file of this module mentions them (checked at compile time via `include_str!`).
    #[test]
    fn no_clock_io_or_randomness_in_the_sources() {
        let sources = [
            ("age.rs", include_str!("age.rs")),
            ("calendar.rs", include_str!("calendar.rs")),
            ("catalogue.rs", include_str!("catalogue.rs")),
            ("catalogue/entries.rs", include_str!("catalogue/entries.rs")),
            ("certificate.rs", include_str!("certificate.rs")),
            ("clinic.rs", include_str!("clinic.rs")),
            ("copay.rs", include_str!("copay.rs")),
            ("dates.rs", include_str!("dates.rs")),
            ("decision.rs", include_str!("decision.rs")),
            ("documents.rs", include_str!("documents.rs")),
            ("high_cost.rs", include_str!("high_cost.rs")),
            ("medical_info.rs", include_str!("medical_info.rs")),
            ("registration.rs", include_str!("registration.rs")),
            ("rule_id.rs", include_str!("rule_id.rs")),
            ("visit.rs", include_str!("visit.rs")),
        ];
        let forbidden = [
            concat!("::", "now("),
            concat!("System", "Time"),
            concat!("Instant", "::"),
            concat!("std::", "fs"),
            concat!("std::", "env"),
            concat!("std::", "io"),
            concat!("std::", "net"),
            concat!("ra", "nd::"),
            concat!("print", "ln!"),
        ];
        for (name, text) in sources {
            for pattern in forbidden {
                assert!(!text.contains(pattern), "{name} mentions {pattern}");
            }
        }
    }
}

//! Scenario tests of the clinic step at the calendar's boundaries.

use chrono::NaiveDate;

use super::calendar::{CareSetting, RulesCalendar};
use super::catalogue::RuleId;
use super::clinic::decide;
use super::copay::{RatioFields, RatioSource};
use super::dates::ymd;
use super::decision::{Basis, ClinicDecision, NotInsuredEvidence, Note, TemporaryDocument, Via};
use super::documents::{
    ConfirmationCertificate, Document, DocumentKind, KakuninStatus, NoticeForm, OldCardStatus,
    OldInsuranceCard, PortalScreen, QualificationNotice, SchoolCopyForm, SchoolEventCopy,
};
use super::visit::{
    CardAtDesk, ConfirmationFailure, ConfirmationOutcome, Facility, NetworkState, PatientStance,
    QualificationResult, ReaderState, Unavailability, Visit,
};
use crate::codes::{ContributionRatio, InsurerNumber, LimitClass, QualificationValidity};

const ADULT: NaiveDate = ymd(1980, 5, 5);
const ELDER: NaiveDate = ymd(1945, 5, 5);

pub(super) fn kyokai() -> InsurerNumber {
    InsurerNumber::parse("01130012").unwrap()
}

pub(super) fn nhi() -> InsurerNumber {
    InsurerNumber::with_check_digit("13800").unwrap()
}

pub(super) fn late_stage() -> InsurerNumber {
    InsurerNumber::parse("39131156").unwrap()
}

fn answered(
    validity: QualificationValidity,
    ratio: Option<ContributionRatio>,
) -> ConfirmationOutcome {
    ConfirmationOutcome::Answered(QualificationResult {
        validity,
        is_presented_person: true,
        ratios: RatioFields {
            insured_ratio: ratio,
            ..RatioFields::default()
        },
    })
}

fn valid() -> ConfirmationOutcome {
    answered(QualificationValidity::Valid, None)
}

fn card(outcome: ConfirmationOutcome) -> CardAtDesk {
    CardAtDesk::Presented {
        reader: Some(outcome),
    }
}

fn visit(as_of: NaiveDate) -> Visit {
    Visit {
        as_of,
        birth_date: ADULT,
        setting: CareSetting::Outpatient,
        facility: Facility::EQUIPPED,
        card: CardAtDesk::NotPresented,
        documents: Vec::new(),
        number_check: None,
        stance: PatientStance::Cooperates,
    }
}

fn old_card(insurer: InsurerNumber) -> Document {
    Document::OldInsuranceCard(OldInsuranceCard {
        insurer,
        issued_on: ymd(2023, 4, 1),
        expires_on: None,
        insurer_changed_on: None,
        ratio: None,
    })
}

fn notice(insurer: InsurerNumber) -> Document {
    Document::Notice(QualificationNotice {
        insurer,
        form: NoticeForm::Paper,
        ratio: None,
    })
}

fn portal() -> Document {
    Document::PortalScreen(PortalScreen {
        insurer: kyokai(),
        ratio: None,
    })
}

fn kakunin(insurer: InsurerNumber, from: NaiveDate, to: NaiveDate) -> Document {
    Document::ConfirmationCertificate(ConfirmationCertificate {
        insurer,
        valid_from: from,
        valid_to: to,
        ratio: None,
    })
}

fn school() -> Document {
    Document::SchoolEventCopy(SchoolEventCopy {
        form: SchoolCopyForm::NoticeCopy,
        insurer: kyokai(),
        ratio: None,
    })
}

fn run(v: &Visit) -> ClinicDecision {
    decide(&RulesCalendar::reference(), v)
}

fn assert_normal(d: &ClinicDecision, basis: Basis) {
    assert_eq!(d.basis, basis, "{d:?}");
    assert!(!d.is_full_cost(), "{d:?}");
    assert!(d.basis.is_insured_care());
}

#[test]
fn online_card_uses_the_carried_ratio() {
    let mut v = visit(ymd(2025, 5, 1));
    v.card = card(answered(
        QualificationValidity::Valid,
        Some(ContributionRatio::THIRTY),
    ));
    let d = run(&v);
    assert_normal(&d, Basis::OnlineCard);
    assert_eq!(d.copay, ContributionRatio::THIRTY);
    assert_eq!(
        d.ratio_source,
        Some(RatioSource::InsuredPartialContributionRatio)
    );
    assert!(d.rule_ids.contains(&RuleId::Faq4_5));
    assert!(!d.rule_ids.contains(&RuleId::TrnNo10));
    assert!(d.notes.is_empty());
}

#[test]
fn online_card_without_ratio_derives_never_full() {
    for (birth, ratio) in [
        (ADULT, ContributionRatio::THIRTY),
        (ELDER, ContributionRatio::TEN),
        (ymd(2022, 1, 1), ContributionRatio::TWENTY),
        (ymd(1953, 1, 1), ContributionRatio::TWENTY),
    ] {
        let mut v = visit(ymd(2025, 5, 1));
        v.birth_date = birth;
        v.card = card(valid());
        let d = run(&v);
        assert_normal(&d, Basis::OnlineCard);
        assert_eq!(d.copay, ratio, "{birth}");
        assert!(matches!(d.notes.as_slice(), [Note::RatioDerived(_)]));
        assert!(d.rule_ids.contains(&RuleId::DomCopayAge));
    }
}

#[test]
fn the_clinic_trusts_a_wrong_backend_ratio() {
    let mut v = visit(ymd(2025, 5, 1));
    v.card = card(answered(
        QualificationValidity::Valid,
        Some(ContributionRatio::FULL),
    ));
    let d = run(&v);
    assert_eq!(d.basis, Basis::OnlineCard);
    assert_eq!(d.copay, ContributionRatio::FULL);
}

#[test]
fn the_elderly_ratio_and_limit_class_reach_the_copay() {
    let mut v = visit(ymd(2025, 5, 1));
    v.birth_date = ymd(1953, 1, 1);
    v.card = card(ConfirmationOutcome::Answered(QualificationResult {
        validity: QualificationValidity::Valid,
        is_presented_person: true,
        ratios: RatioFields {
            limit_class: Some(LimitClass::B01),
            ..RatioFields::default()
        },
    }));
    assert_eq!(run(&v).copay, ContributionRatio::THIRTY);
}

#[test]
fn another_persons_result_is_never_used() {
    let mut v = visit(ymd(2025, 5, 1));
    v.card = card(ConfirmationOutcome::Answered(QualificationResult {
        validity: QualificationValidity::Valid,
        is_presented_person: false,
        ratios: RatioFields {
            insured_ratio: Some(ContributionRatio::TEN),
            ..RatioFields::default()
        },
    }));
    let d = run(&v);
    assert_normal(&d, Basis::Declaration);
    assert_eq!(d.copay, ContributionRatio::THIRTY);
    assert!(d.notes.contains(&Note::AnotherPerson(Via::Card)));
    assert!(d.rule_ids.contains(&RuleId::Faq4_17));
}

#[test]
fn invalid_results_fall_back_to_the_portal_screen_or_declaration() {
    for validity in [
        QualificationValidity::Invalid,
        QualificationValidity::InvalidNewQualificationExists,
        QualificationValidity::NoMatchingQualification,
        QualificationValidity::MultipleMatches,
    ] {
        let mut v = visit(ymd(2025, 5, 1));
        v.card = card(answered(validity, None));
        let d = run(&v);
        assert_normal(&d, Basis::Declaration);
        assert!(d.rule_ids.contains(&RuleId::Faq4_14));
        assert!(d.rule_ids.contains(&RuleId::TrnNo10));
        assert!(d.notes.contains(&Note::NotValid(Via::Card, validity)));

        v.documents = vec![portal()];
        assert_normal(&run(&v), Basis::CardWithPortalScreen);
        v.documents = vec![notice(kyokai())];
        assert_normal(&run(&v), Basis::CardWithNotice);
    }
}

#[test]
fn facility_without_online_confirmation_needs_card_and_notice() {
    let mut v = visit(ymd(2025, 5, 1));
    v.facility = Facility::WITHOUT_ONLINE_CONFIRMATION;
    v.card = card(valid()); // ignored: the facility cannot run the reader
    v.documents = vec![notice(kyokai())];
    let d = run(&v);
    assert_normal(&d, Basis::CardWithNotice);
    assert!(d.rule_ids.contains(&RuleId::Faq4_5));
    assert!(d.notes.contains(&Note::Unavailable(
        Via::Card,
        Unavailability::NoOnlineConfirmation
    )));
    v.documents.clear();
    assert_normal(&run(&v), Basis::Declaration);
}

#[test]
fn broken_or_absent_reader_and_network_down() {
    for (reader, network, why) in [
        (
            ReaderState::Broken,
            NetworkState::Up,
            Unavailability::ReaderBroken,
        ),
        (
            ReaderState::Absent,
            NetworkState::Up,
            Unavailability::ReaderAbsent,
        ),
        (
            ReaderState::Working,
            NetworkState::Down,
            Unavailability::NetworkDown,
        ),
    ] {
        let mut v = visit(ymd(2025, 5, 1));
        v.facility = Facility {
            online_confirmation: true,
            reader,
            network,
        };
        v.card = CardAtDesk::Presented { reader: None };
        v.documents = vec![portal()];
        let d = run(&v);
        assert_normal(&d, Basis::CardWithPortalScreen);
        assert!(d.rule_ids.contains(&RuleId::Kq6));
        assert!(d.notes.contains(&Note::Unavailable(Via::Card, why)));
    }
}

#[test]
fn every_reader_failure_falls_back_with_its_rule() {
    for &failure in ConfirmationFailure::ALL {
        let mut v = visit(ymd(2025, 5, 1));
        v.card = card(ConfirmationOutcome::Failed(failure));
        let d = run(&v);
        assert_normal(&d, Basis::Declaration);
        assert!(d.rule_ids.contains(&failure.rule_id()), "{failure:?}");
        assert!(d.notes.contains(&Note::Failed(Via::Card, failure)));
    }
}

#[test]
fn dv_non_disclosure_uses_the_kakunin_or_the_declaration() {
    let mut v = visit(ymd(2025, 5, 1));
    v.card = card(ConfirmationOutcome::Failed(
        ConfirmationFailure::NonDisclosure,
    ));
    let d = run(&v);
    assert_normal(&d, Basis::Declaration);
    assert!(d.rule_ids.contains(&RuleId::OkaDv));
    v.documents = vec![kakunin(kyokai(), ymd(2024, 12, 2), ymd(2029, 12, 1))];
    assert_normal(&run(&v), Basis::ConfirmationCertificate);
}

#[test]
fn old_card_boundaries_2024_12_01_and_2025_12_01() {
    // (issued, as_of, basis)
    let cases = [
        (ymd(2024, 12, 1), ymd(2024, 12, 2), Basis::OldInsuranceCard),
        (ymd(2024, 12, 2), ymd(2024, 12, 2), Basis::Declaration),
        (ymd(2023, 4, 1), ymd(2025, 12, 1), Basis::OldInsuranceCard),
        (ymd(2023, 4, 1), ymd(2025, 12, 2), Basis::Declaration),
    ];
    for (issued, as_of, basis) in cases {
        let mut v = visit(as_of);
        v.documents = vec![Document::OldInsuranceCard(OldInsuranceCard {
            insurer: kyokai(),
            issued_on: issued,
            expires_on: None,
            insurer_changed_on: None,
            ratio: Some(ContributionRatio::THIRTY),
        })];
        let d = run(&v);
        assert_normal(&d, basis);
        if basis == Basis::OldInsuranceCard {
            assert_eq!(d.ratio_source, Some(RatioSource::PrintedOnDocument));
            assert!(d.rule_ids.contains(&RuleId::Kq3));
        }
    }
}

#[test]
fn community_cards_expire_2025_07_31_then_temporary_measure() {
    let mut v = visit(ymd(2025, 7, 31));
    v.documents = vec![old_card(nhi())];
    assert_normal(&run(&v), Basis::OldInsuranceCard);

    v.as_of = ymd(2025, 8, 1);
    let d = run(&v);
    assert_normal(&d, Basis::Declaration);
    assert!(d.notes.contains(&Note::TemporaryMeasureNeedsNumberCheck(
        DocumentKind::OldInsuranceCard
    )));
    assert!(
        d.notes
            .contains(&Note::OldCardRejected(OldCardStatus::Expired {
                last_valid_day: ymd(2025, 7, 31),
                default_expiry: true
            }))
    );

    v.number_check = Some(valid());
    let d = run(&v);
    assert_normal(
        &d,
        Basis::TemporaryMeasure(TemporaryDocument::ExpiredInsuranceCard),
    );
    assert!(d.rule_ids.contains(&RuleId::Notice2025_06_27));
    // Accepting it is the post-seed notice's rule, not a seed's (FLY-NOTICE-ALONE).
    assert!(!d.rule_ids.contains(&RuleId::FlyNoticeAlone));
}

#[test]
fn expired_employee_card_temporary_measure_2025_12_02_to_2026_03_31() {
    // (as_of, number check valid?, basis)
    let temp = Basis::TemporaryMeasure(TemporaryDocument::ExpiredInsuranceCard);
    let cases = [
        (ymd(2025, 12, 1), false, Basis::OldInsuranceCard),
        (ymd(2025, 12, 2), true, temp),
        (ymd(2025, 12, 2), false, Basis::Declaration),
        (ymd(2026, 3, 31), true, temp),
        (ymd(2026, 4, 1), true, Basis::Declaration),
    ];
    for (as_of, checked, basis) in cases {
        let mut v = visit(as_of);
        v.documents = vec![old_card(kyokai())];
        v.number_check = checked.then(valid);
        let d = run(&v);
        assert_normal(&d, basis);
        if basis == temp {
            assert!(d.rule_ids.contains(&RuleId::Notice2025_11_12), "{as_of}");
        }
        if as_of == ymd(2026, 4, 1) {
            assert!(d.notes.iter().any(|n| matches!(
                n,
                Note::OutsideTemporaryMeasure(DocumentKind::OldInsuranceCard, _)
            )));
        }
    }
}

#[test]
fn temporary_measure_needs_the_number_check_to_be_usable() {
    let mut v = visit(ymd(2026, 1, 5));
    v.documents = vec![old_card(kyokai())];
    // Number check answered for someone else, or 無効, or at a facility without a line.
    let others = [
        ConfirmationOutcome::Answered(QualificationResult {
            validity: QualificationValidity::Valid,
            is_presented_person: false,
            ratios: RatioFields::default(),
        }),
        answered(QualificationValidity::Invalid, None),
        ConfirmationOutcome::Failed(ConfirmationFailure::BackendUnreachable),
    ];
    for outcome in others {
        v.number_check = Some(outcome);
        assert_normal(&run(&v), Basis::Declaration);
    }
    v.number_check = Some(valid());
    v.facility.network = NetworkState::Down;
    let d = run(&v);
    assert_normal(&d, Basis::Declaration);
    assert!(d.notes.contains(&Note::Unavailable(
        Via::Numbers,
        Unavailability::NetworkDown
    )));
}

#[test]
fn an_insurer_change_is_not_an_expired_card() {
    let mut v = visit(ymd(2026, 1, 5));
    v.documents = vec![Document::OldInsuranceCard(OldInsuranceCard {
        insurer: kyokai(),
        issued_on: ymd(2023, 4, 1),
        expires_on: None,
        insurer_changed_on: Some(ymd(2025, 4, 1)),
        ratio: None,
    })];
    v.number_check = Some(valid());
    let d = run(&v);
    assert_normal(&d, Basis::Declaration);
    assert!(d.rule_ids.contains(&RuleId::TrnMax1y));
}

#[test]
fn notice_alone_only_inside_the_temporary_measure() {
    let temp = Basis::TemporaryMeasure(TemporaryDocument::NoticeAlone);
    // (insurer, as_of, basis)
    let cases = [
        (nhi(), ymd(2025, 6, 26), Basis::Declaration),
        (nhi(), ymd(2025, 6, 27), temp),
        (late_stage(), ymd(2025, 6, 27), temp),
        (kyokai(), ymd(2025, 6, 27), Basis::Declaration),
        (kyokai(), ymd(2025, 11, 11), Basis::Declaration),
        (kyokai(), ymd(2025, 11, 12), temp),
        (kyokai(), ymd(2026, 3, 31), temp),
        (kyokai(), ymd(2026, 4, 1), Basis::Declaration),
        (nhi(), ymd(2026, 4, 1), Basis::Declaration),
    ];
    for (insurer, as_of, basis) in cases {
        let mut v = visit(as_of);
        v.documents = vec![notice(insurer.clone())];
        v.number_check = Some(valid());
        let d = run(&v);
        assert_normal(&d, basis);
        if basis == Basis::Declaration {
            assert!(
                d.notes
                    .contains(&Note::AloneNotAccepted(DocumentKind::Notice)),
                "{insurer} {as_of}"
            );
            assert!(d.rule_ids.contains(&RuleId::FlyNoticeAlone));
        }
    }
}

#[test]
fn portal_screen_alone_is_never_enough() {
    let mut v = visit(ymd(2026, 1, 5));
    v.documents = vec![portal()];
    v.number_check = Some(valid());
    let d = run(&v);
    assert_normal(&d, Basis::Declaration);
    assert!(
        d.notes
            .contains(&Note::AloneNotAccepted(DocumentKind::PortalScreen))
    );
}

#[test]
fn kakunin_from_2024_12_02_and_late_stage_to_2026_07_31() {
    let late_kakunin = kakunin(late_stage(), ymd(2024, 12, 2), ymd(2026, 7, 31));
    // (as_of, basis)
    let cases = [
        (ymd(2024, 12, 1), Basis::Declaration),
        (ymd(2024, 12, 2), Basis::ConfirmationCertificate),
        (ymd(2026, 7, 31), Basis::ConfirmationCertificate),
        (ymd(2026, 8, 1), Basis::Declaration),
    ];
    for (as_of, basis) in cases {
        let mut v = visit(as_of);
        v.birth_date = ELDER;
        v.documents = vec![late_kakunin.clone()];
        let d = run(&v);
        assert_normal(&d, basis);
        assert_eq!(d.copay, ContributionRatio::TEN, "{as_of}");
    }
    let mut v = visit(ymd(2026, 8, 1));
    v.documents = vec![late_kakunin];
    assert!(
        run(&v)
            .notes
            .contains(&Note::KakuninRejected(KakuninStatus::Expired {
                on: ymd(2026, 7, 31)
            }))
    );
}

#[test]
fn lost_card_uses_the_old_card_or_kakunin() {
    // FAQ-4-19: no card, an old card until 2025-12-01, else a 資格確認書.
    let mut v = visit(ymd(2025, 3, 1));
    v.documents = vec![
        old_card(kyokai()),
        kakunin(kyokai(), ymd(2025, 2, 1), ymd(2026, 1, 31)),
    ];
    assert_normal(&run(&v), Basis::OldInsuranceCard);
    v.as_of = ymd(2025, 12, 2);
    assert_normal(&run(&v), Basis::ConfirmationCertificate);
}

#[test]
fn school_copies_from_2024_12_02() {
    let mut v = visit(ymd(2024, 12, 1));
    v.birth_date = ymd(2012, 8, 8);
    v.documents = vec![school()];
    let d = run(&v);
    assert_normal(&d, Basis::Declaration);
    assert!(d.notes.contains(&Note::SchoolCopyTooEarly));
    v.as_of = ymd(2024, 12, 2);
    let d = run(&v);
    assert_normal(&d, Basis::SchoolEventCopy);
    assert!(d.rule_ids.contains(&RuleId::TrnSchool));
    assert_eq!(d.copay, ContributionRatio::THIRTY);
}

#[test]
fn home_visits_before_2024_04_use_documents() {
    let mut v = visit(ymd(2024, 3, 31));
    v.setting = CareSetting::HomeVisit;
    v.card = card(valid());
    let d = run(&v);
    assert_normal(&d, Basis::Declaration);
    assert!(d.rule_ids.contains(&RuleId::Faq4_13));
    v.as_of = ymd(2024, 4, 1);
    assert_normal(&run(&v), Basis::OnlineCard);
    v.setting = CareSetting::HomeNursing;
    v.as_of = ymd(2024, 5, 31);
    assert_normal(&run(&v), Basis::Declaration);
    v.as_of = ymd(2024, 6, 1);
    assert_normal(&run(&v), Basis::OnlineCard);
}

#[test]
fn before_operation_the_card_is_not_read() {
    let mut v = visit(ymd(2021, 10, 19));
    v.card = card(valid());
    let d = run(&v);
    assert_normal(&d, Basis::Declaration);
    assert!(d.rule_ids.contains(&RuleId::DomStart));
    v.as_of = ymd(2021, 10, 20);
    assert_normal(&run(&v), Basis::OnlineCard);
}

#[test]
fn fallback_copay_prefers_online_then_printed_then_age() {
    let mut v = visit(ymd(2025, 5, 1));
    v.card = card(ConfirmationOutcome::Failed(
        ConfirmationFailure::CardUnreadable,
    ));
    v.documents = vec![Document::Notice(QualificationNotice {
        insurer: kyokai(),
        form: NoticeForm::PortalPdf,
        ratio: Some(ContributionRatio::TWENTY),
    })];
    let d = run(&v);
    assert_eq!(
        (d.copay, d.ratio_source),
        (
            ContributionRatio::TWENTY,
            Some(RatioSource::PrintedOnDocument)
        )
    );
    v.number_check = Some(answered(
        QualificationValidity::Valid,
        Some(ContributionRatio::THIRTY),
    ));
    let d = run(&v);
    assert_eq!(
        (d.copay, d.ratio_source),
        (
            ContributionRatio::THIRTY,
            Some(RatioSource::InsuredPartialContributionRatio)
        )
    );
}

#[test]
fn full_cost_only_with_positive_evidence_of_no_insurance() {
    for (stance, evidence) in [
        (
            PatientStance::DeclinesDeclaration,
            NotInsuredEvidence::DeclinedDeclaration,
        ),
        (
            PatientStance::DeclaresUninsured,
            NotInsuredEvidence::DeclaredUninsured,
        ),
    ] {
        let mut v = visit(ymd(2026, 5, 1));
        v.card = card(answered(
            QualificationValidity::NoMatchingQualification,
            None,
        ));
        v.documents = vec![old_card(kyokai())];
        v.stance = stance;
        let d = run(&v);
        assert_eq!(d.basis, Basis::NotInsured(evidence));
        assert_eq!(d.copay, ContributionRatio::FULL);
        assert_eq!(d.ratio_source, None);
        assert!(d.notes.contains(&Note::NoDeclaration(evidence)));

        // A usable online answer for the person is evidence of insurance.
        v.number_check = Some(valid());
        assert_normal(&run(&v), Basis::Declaration);
        // A valid document wins over the stance.
        v.number_check = None;
        v.documents = vec![kakunin(kyokai(), ymd(2025, 1, 1), ymd(2027, 1, 1))];
        assert_normal(&run(&v), Basis::ConfirmationCertificate);
    }
}

#[test]
fn decisions_serialize_for_reports() {
    let mut v = visit(ymd(2025, 12, 2));
    v.documents = vec![old_card(kyokai())];
    v.number_check = Some(valid());
    let json = serde_json::to_value(run(&v)).unwrap();
    assert_eq!(json["copay"], "030");
    assert!(
        json["rule_ids"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("NOTICE-2025-11-12"))
    );
    let text: Vec<String> = run(&v).notes.iter().map(ToString::to_string).collect();
    assert!(text.iter().all(|t| !t.is_empty()));
}

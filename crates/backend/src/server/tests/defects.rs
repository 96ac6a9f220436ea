//! One test per defect: the clean engine gives the right answer, the defective one
//! flips exactly the outcome the defect names (and says so in the audit record).

use super::world::*;
use crate::server::Defect as D;
use onshi_domain::codes::{ContributionRatio, QualificationValidity as V};
use onshi_domain::protocol::ResultCode as C;
use onshi_domain::protocol::wire::*;

#[test]
fn wrong_person_shows_another_members_record() {
    let clean = world(&[]);
    let bad = world(&[D::WrongPerson]);
    let me = clean.person("standard-adult").person.name;
    let ok = clean.confirm_id("standard-adult");
    assert_eq!(ok.message_body.result_list[0].name, me);
    // The 1st valid answer and every 3rd after it are another member's.
    let mut names = Vec::new();
    for _ in 0..4 {
        let out = bad.confirm(&bad.card_request("standard-adult", AuthMethod::Pin));
        let res = out.result.unwrap();
        names.push(res.message_body.result_list[0].name.clone());
        if res.message_body.result_list[0].name != me {
            assert_eq!(out.audit.defects, vec!["wrong-person"]);
            assert!(out.audit.shown_person.is_some());
        }
    }
    assert_ne!(names[0], me);
    assert_eq!(names[1], me);
    assert_eq!(names[2], me);
    assert_ne!(names[3], me);
}

#[test]
fn missing_ratio_drops_both_ratios() {
    let clean = world(&[]);
    let bad = world(&[D::MissingRatio]);
    let r = clean.confirm_id("elderly-75-plus");
    assert_eq!(
        r.message_body.result_list[0].insured_partial_contribution_ratio,
        Some(ContributionRatio::TEN)
    );
    let out = bad.confirm(&bad.card_request("elderly-75-plus", AuthMethod::Pin));
    assert_eq!(out.audit.defects, vec!["missing-ratio"]);
    let r = out.result.unwrap();
    assert_eq!(
        r.message_body.result_list[0].insured_partial_contribution_ratio,
        None
    );
    let r = bad.confirm_id("elderly-70-74");
    let e = r.message_body.result_list[0]
        .elderly_recipient_certificate_info
        .as_ref()
        .unwrap();
    assert_eq!(e.elderly_recipient_contribution_ratio, None);
    assert!(
        clean.confirm_id("elderly-70-74").message_body.result_list[0]
            .elderly_recipient_certificate_info
            .as_ref()
            .unwrap()
            .elderly_recipient_contribution_ratio
            .is_some()
    );
}

#[test]
fn wrong_ratio_alternates_full_cost_and_a_shifted_ratio() {
    let clean = world(&[]);
    let bad = world(&[D::WrongRatio]);
    assert_eq!(
        clean.confirm_id("standard-adult").message_body.result_list[0]
            .insured_partial_contribution_ratio,
        None
    );
    let ratio = |w: &World| {
        w.confirm_id("standard-adult").message_body.result_list[0]
            .insured_partial_contribution_ratio
    };
    // 3割 is the truth for a working-age adult: 10割, then 1割, then 10割.
    assert_eq!(ratio(&bad), Some(ContributionRatio::FULL));
    assert_eq!(ratio(&bad), Some(ContributionRatio::TEN));
    assert_eq!(ratio(&bad), Some(ContributionRatio::FULL));
    let elderly = bad.confirm_id("elderly-75-plus");
    // 1割 → shifted to 2割.
    assert_eq!(
        elderly.message_body.result_list[0].insured_partial_contribution_ratio,
        Some(ContributionRatio::TWENTY)
    );
}

#[test]
fn ignore_lockout_accepts_a_locked_sessions_signature() {
    let clean = world(&[]);
    let bad = world(&[D::IgnoreLockout]);
    // A reader that signs with a locked card anyway (the key is known to the test).
    let err = clean
        .confirm(&clean.card_request("pin-locked", AuthMethod::Pin))
        .result
        .unwrap_err();
    assert_eq!(err.code, C::PinLockedSession);
    let out = bad.confirm(&bad.card_request("pin-locked", AuthMethod::Pin));
    assert_eq!(out.audit.defects, vec!["ignore-lockout"]);
    assert_eq!(out.result.unwrap().validity(), Some(V::Valid));
}

#[test]
fn picks_one_of_several_answers_the_first_twin_for_a_branchless_search() {
    let clean = world(&[]);
    let bad = world(&[D::PicksOneOfSeveral]);
    let mut req = clean.numbers_request("twins-younger", 0);
    req.insured_branch_number = None;
    assert_eq!(
        clean.numbers(&req).result.unwrap().validity(),
        Some(V::MultipleMatches)
    );
    let out = bad.numbers(&req);
    assert_eq!(out.audit.defects, vec!["picks-one-of-several"]);
    let res = out.result.unwrap();
    assert_eq!(res.validity(), Some(V::Valid));
    assert_eq!(
        res.message_body.result_list[0].name,
        bad.person("twins-elder").person.name
    );
}

#[test]
fn ignores_ticket_registration_answers_valid_with_a_ticket() {
    let clean = world(&[]);
    let bad = world(&[D::IgnoresTicketRegistration]);
    assert_eq!(
        clean.confirm_id("medical-aid-ticket-pending").validity(),
        Some(V::ValidUnregistered)
    );
    let out = bad.confirm(&bad.card_request("medical-aid-ticket-pending", AuthMethod::Pin));
    assert_eq!(out.audit.defects, vec!["ignores-ticket-registration"]);
    let res = out.result.unwrap();
    assert_eq!(res.validity(), Some(V::Valid));
    assert_eq!(
        res.message_body.result_list[0]
            .public_expense_result_list
            .len(),
        1
    );
    // A recipient whose 医療券 is registered: nothing changes, nothing noted.
    let out = bad.confirm(&bad.card_request("medical-aid", AuthMethod::Pin));
    assert!(out.audit.defects.is_empty());
}

#[test]
fn every_defect_has_a_test_here() {
    // Keep this list in step with Defect::ALL.
    let tested = [
        D::WrongPerson,
        D::MissingRatio,
        D::WrongRatio,
        D::IgnoreLockout,
        D::LeakMedicalWithoutConsent,
        D::AcceptMyNumber,
        D::NoRejectRevoked,
        D::ReplayAccepted,
        // In auth_defects.rs.
        D::AcceptAnySignature,
        D::AcceptUnknownIssuer,
        D::SkipCertificateSignature,
        D::AcceptExpiredCertificate,
        D::AcceptUnknownReader,
        D::IgnoreReaderFacility,
        D::AcceptExpiredReader,
        D::AcceptAnyAttestation,
        D::ChallengeAnyFacility,
        D::AcceptExpiredChallenge,
        // Above.
        D::PicksOneOfSeveral,
        D::IgnoresTicketRegistration,
    ];
    assert_eq!(tested.as_slice(), D::ALL);
}

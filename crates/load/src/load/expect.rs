//! What the central system should answer for a member, from the ground truth alone:
//! the oracle's side of the validity check. Pure; it reads the member's facts and the
//! rules calendar, never the reference backend's code.

use chrono::NaiveDateTime;
use serde::Serialize;

use onshi_domain::codes::{InsuredCardClassification, QualificationValidity};
use onshi_domain::protocol::ResultCode;
use onshi_domain::rules::{RulesCalendar, UserAuthCertificate};
use onshi_world::persona::ResolvedPersona;
use onshi_world::persona::model::{Qualification, RegistrationState};

/// The expected answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Expected {
    /// A normal answer (`ProcessingResultStatus` 1) with this 資格有効性.
    Answer(QualificationValidity),
    /// Refused for the person (`ProcessingResultStatus` 2) with one of these codes.
    Refused(&'static [ResultCode]),
}

const REGISTRATION: &[ResultCode] = &[
    ResultCode::RegistrationMissing,
    ResultCode::RegistrationCancelled,
];

/// Whether the central system shows `q` on the visit day: registered by the insurer,
/// past any accuracy hold, and 医療扶助 only once the calendar allows it.
pub fn visible(calendar: &RulesCalendar, q: &Qualification, now: NaiveDateTime) -> bool {
    let day = now.date();
    let medical_aid =
        q.card_classification == InsuredCardClassification::MedicalAid || q.medical_aid.is_some();
    q.visible_on(day) && (!medical_aid || calendar.medical_aid_via_card(day))
}

/// Whether the member counts as registered at `now` (`registered_here`: registered
/// on the spot earlier in this run).
pub fn registered(p: &ResolvedPersona, now: NaiveDateTime, registered_here: bool) -> bool {
    registered_here
        || match p.registration {
            RegistrationState::Registered(Some(at)) => at <= now,
            RegistrationState::Registered(None) => true,
            _ => false,
        }
}

fn certificate(p: &ResolvedPersona) -> UserAuthCertificate {
    UserAuthCertificate {
        issued_at: p.card.certificate.issued_at,
        expires_on: p.card.certificate.expires_on,
        renewed: p.card.certificate.renewed,
    }
}

/// The validity the card path shows: a visible record in force → 有効 (有効（未登録）
/// when it is only 医療扶助 without this month's 医療券); else the latest visible lost
/// record → 無効; else 該当資格なし.
pub fn card_validity(
    calendar: &RulesCalendar,
    p: &ResolvedPersona,
    now: NaiveDateTime,
) -> QualificationValidity {
    let day = now.date();
    let seen: Vec<&Qualification> = p
        .qualifications
        .iter()
        .filter(|q| visible(calendar, q, now))
        .collect();
    let active: Vec<&&Qualification> = seen.iter().filter(|q| q.active_on(day)).collect();
    if !active.is_empty() && active.iter().all(|q| q.ticket_pending(day)) {
        // 医療扶助 in force whose 医療券 is not registered yet.
        QualificationValidity::ValidUnregistered
    } else if !active.is_empty() {
        QualificationValidity::Valid
    } else if seen.iter().any(|q| q.acquired_on <= day) {
        QualificationValidity::Invalid
    } else {
        QualificationValidity::NoMatchingQualification
    }
}

/// The card-path answer (authentication passed).
pub fn card(
    calendar: &RulesCalendar,
    p: &ResolvedPersona,
    now: NaiveDateTime,
    registered_here: bool,
) -> Expected {
    let cert = &p.card.certificate;
    if now < cert.issued_at {
        return Expected::Refused(&[ResultCode::CertificateNotYetValid]);
    }
    if cert.revoked_by(now) {
        return Expected::Refused(&[ResultCode::CertificateRevoked]);
    }
    if calendar
        .certificate_status(&certificate(p), now.date())
        .registration_cancelled()
    {
        return Expected::Refused(&[ResultCode::CertificateExpired]);
    }
    if p.non_disclosure {
        return Expected::Refused(&[ResultCode::NonDisclosure]);
    }
    if !registered(p, now, registered_here) {
        return Expected::Refused(REGISTRATION);
    }
    Expected::Answer(card_validity(calendar, p, now))
}

/// The numbers-path answer for record `record`: the numbers alone decide it.
pub fn numbers(
    calendar: &RulesCalendar,
    p: &ResolvedPersona,
    record: usize,
    now: NaiveDateTime,
) -> Expected {
    let day = now.date();
    let Some(q) = p.qualifications.get(record) else {
        return Expected::Answer(QualificationValidity::NoMatchingQualification);
    };
    if !visible(calendar, q, now) || q.acquired_on > day {
        return Expected::Answer(QualificationValidity::NoMatchingQualification);
    }
    if q.ticket_pending(day) {
        return Expected::Answer(QualificationValidity::ValidUnregistered);
    }
    if q.active_on(day) {
        return Expected::Answer(QualificationValidity::Valid);
    }
    let newer = p.qualifications.iter().enumerate().any(|(i, n)| {
        i != record
            && n.acquired_on >= q.acquired_on
            && visible(calendar, n, now)
            && n.active_on(day)
    });
    Expected::Answer(if newer {
        QualificationValidity::InvalidNewQualificationExists
    } else {
        QualificationValidity::Invalid
    })
}

/// The record the clinic keys in for a numbers-path patient: the latest record
/// acquired by the visit day (else the first).
pub fn numbers_record(p: &ResolvedPersona, now: NaiveDateTime) -> usize {
    p.qualifications
        .iter()
        .rposition(|q| q.acquired_on <= now.date())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use onshi_world::defaults;

    fn member(id: &str) -> (ResolvedPersona, NaiveDateTime) {
        let as_of = defaults::default_as_of();
        let set = defaults::personas(None).expect("the embedded personas load");
        let p = set.get(id).expect("the persona exists").resolve(as_of, 1);
        (p, as_of)
    }

    /// 有効（未登録）: 医療扶助 whose 医療券 is not registered, on both paths; a
    /// registered one stays 有効.
    #[test]
    fn a_pending_ticket_is_valid_unregistered() {
        let calendar = RulesCalendar::reference();
        let (p, now) = member("medical-aid-ticket-pending");
        assert_eq!(
            card_validity(&calendar, &p, now),
            QualificationValidity::ValidUnregistered
        );
        assert_eq!(
            numbers(&calendar, &p, 0, now),
            Expected::Answer(QualificationValidity::ValidUnregistered)
        );
        let (p, now) = member("medical-aid");
        assert_eq!(
            card_validity(&calendar, &p, now),
            QualificationValidity::Valid
        );
    }
}

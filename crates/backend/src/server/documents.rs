//! The document rules of the numbers path (JSON API only — the XML interface does not
//! say which document the numbers came from): 資格確認書 by its validity (TRN-KAKUNIN),
//! the old 保険証 by its own expiry, the 2025-12-01 cut-off and an insurer change
//! (FAQ-4-10, TRN-MAX1Y, DOM-NHI-EXPIRY) with the temporary measure until 2026-03-31
//! (NOTICE-2025-06-27, NOTICE-2025-11-12), and 資格情報のお知らせ / the portal screen alone only
//! under the temporary measure (FLY-NOTICE-ALONE) — with the card, any time (FAQ-4-5,
//! KQ-6).

use chrono::NaiveDate;

use super::defects::{Defect, DefectSet};
use onshi_domain::protocol::result_code::ResultCode;
use onshi_domain::protocol::wire::PresentedDocument;
use onshi_domain::rules::{ConfirmationCertificate, OldInsuranceCard, RulesCalendar};
use onshi_world::persona::ResolvedPersona;
use onshi_world::persona::model::Qualification;

/// What the document rules say.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DocumentVerdict {
    /// Accepted.
    Accept,
    /// Accepted under the temporary measure (warning `ONS-W303`).
    AcceptTemporary,
    /// Refused.
    Refuse(ResultCode, String),
}

/// The verdict for `doc` of `person`'s record `r` on `day`, and the defect that
/// changed it, if any.
pub fn verdict(
    calendar: &RulesCalendar,
    defects: DefectSet,
    person: &ResolvedPersona,
    r: usize,
    doc: PresentedDocument,
    card_presented: bool,
    day: NaiveDate,
) -> (DocumentVerdict, Option<Defect>) {
    let Some(q) = person.qualifications.get(r) else {
        return (DocumentVerdict::Accept, None);
    };
    match doc {
        PresentedDocument::Unspecified => (DocumentVerdict::Accept, None),
        PresentedDocument::KakuninSho => (kakunin_verdict(calendar, person, q, day), None),
        PresentedDocument::OldCard => old_card_verdict(calendar, defects, person, r, q, day),
        PresentedDocument::Notice | PresentedDocument::PortalScreen => {
            notice_verdict(calendar, defects, q, card_presented, day)
        }
    }
}

/// 資格確認書: accepted while valid (TRN-KAKUNIN); refused when not issued or invalid.
fn kakunin_verdict(
    calendar: &RulesCalendar,
    person: &ResolvedPersona,
    q: &Qualification,
    day: NaiveDate,
) -> DocumentVerdict {
    let Some((valid_from, valid_to)) = person.documents.kakunin_sho else {
        return DocumentVerdict::Refuse(
            ResultCode::DocumentNotIssued,
            "資格確認書は交付されていません".into(),
        );
    };
    let status = calendar.kakunin_status(
        &ConfirmationCertificate {
            insurer: q.insurer_number.clone(),
            valid_from,
            valid_to,
            ratio: None,
        },
        day,
    );
    if status.is_valid() {
        DocumentVerdict::Accept
    } else {
        DocumentVerdict::Refuse(ResultCode::KakuninInvalid, format!("{status:?}"))
    }
}

/// The old 保険証 of record `r` (`q`): by its own expiry, the cut-off and an insurer change,
/// with the temporary measure (and the `AcceptOldCard` defect) for an expired one.
fn old_card_verdict(
    calendar: &RulesCalendar,
    defects: DefectSet,
    person: &ResolvedPersona,
    r: usize,
    q: &Qualification,
    day: NaiveDate,
) -> (DocumentVerdict, Option<Defect>) {
    let (issued_on, expires_on) = person.documents.old_card.unwrap_or((q.acquired_on, None));
    let insurer_changed_on = person
        .qualifications
        .get(r + 1)
        .filter(|n| n.insurer_number != q.insurer_number)
        .map(|n| n.acquired_on);
    let card = OldInsuranceCard {
        insurer: q.insurer_number.clone(),
        issued_on,
        expires_on,
        insurer_changed_on,
        ratio: None,
    };
    let status = calendar.old_card_status(&card, day);
    if status.is_valid() {
        (DocumentVerdict::Accept, None)
    } else if status.is_expired()
        && calendar.temporary_measure_applies(q.insurer_number.family(), day)
    {
        (DocumentVerdict::AcceptTemporary, None)
    } else if status.is_expired() && defects.has(Defect::AcceptOldCard) {
        (DocumentVerdict::Accept, Some(Defect::AcceptOldCard))
    } else if matches!(
        status,
        onshi_domain::rules::OldCardStatus::InsurerChanged { .. }
    ) {
        // The numbers lead to the old record; the answer (無効 / 無効（新しい資格
        // あり）) says what the clinic needs to know.
        (DocumentVerdict::Accept, None)
    } else {
        (
            DocumentVerdict::Refuse(ResultCode::OldCardInvalid, format!("{status:?}")),
            None,
        )
    }
}

/// 資格情報のお知らせ / the portal screen: with the card any time, alone only under the
/// temporary measure (or the `AcceptNoticeAlone` defect after it).
fn notice_verdict(
    calendar: &RulesCalendar,
    defects: DefectSet,
    q: &Qualification,
    card_presented: bool,
    day: NaiveDate,
) -> (DocumentVerdict, Option<Defect>) {
    if card_presented {
        (DocumentVerdict::Accept, None)
    } else if calendar.temporary_measure_applies(q.insurer_number.family(), day) {
        (DocumentVerdict::AcceptTemporary, None)
    } else if defects.has(Defect::AcceptNoticeAlone)
        && day > calendar.date(onshi_domain::rules::DateKey::TemporaryMeasureLastDay)
    {
        (DocumentVerdict::Accept, Some(Defect::AcceptNoticeAlone))
    } else {
        (
            DocumentVerdict::Refuse(ResultCode::NoticeAloneRefused, "暫定措置の期間外".into()),
            None,
        )
    }
}

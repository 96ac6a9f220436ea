//! The clinic step: apply the rules calendar to the reader's outcome and the documents
//! in hand, and decide the basis and the copay. A pure function of its inputs.
//!
//! The order follows KQ-3 and 保発0710第1号:
//!
//! 1. the card confirmed online (FAQ-4-5);
//! 2. a valid old 健康保険証 (KQ-3, TRN-MAX1Y, until 2025-12-01);
//! 3. the card (as identity) with the お知らせ or the マイナポータル screen (FAQ-4-5, KQ-6);
//! 4. a valid 資格確認書 (TRN-KAKUNIN, FAQ-4-19);
//! 5. a school-trip / nursery copy from a teacher or carer (TRN-SCHOOL);
//! 6. the temporary measure: an expired card, or the お知らせ without the card, checked
//!    online by the printed numbers (FLY-NOTICE-ALONE, NOTICE-2025-06-27, NOTICE-2025-11-12);
//! 7. the 被保険者資格申立書 with the normal copay (FAQ-4-6, FAQ-4-14, OKA-DV, TRN-NO10);
//! 8. only with positive evidence of no insurance — no valid document, no usable
//!    online answer, and the patient declines the 申立書 or declares no insurance — 10割.
//!
//! Copay: an online answer's ratio is trusted (a wrong one is the backend's defect,
//! caught by the oracle); else a printed ratio; else derived from age — never 10割
//! (DOM-COPAY-AGE). Invariant (TRN-NO10): an insured patient who cooperates never pays
//! 10割, whatever fails, unless the backend itself returns 10割.

use super::calendar::{InsuranceScheme, RulesCalendar};
use super::catalogue::RuleId;
use super::copay::{CopayDerivation, RatioFields, derive_copay, printed_copay};
use super::decision::{Basis, ClinicDecision, NotInsuredEvidence, Note, TemporaryDocument, Via};
use super::documents::{Document, DocumentKind};
use super::visit::{
    CardAtDesk, ConfirmationOutcome, PatientStance, QualificationResult, Unavailability, Visit,
};
use crate::codes::ContributionRatio;

/// Decides one visit.
pub fn decide(calendar: &RulesCalendar, visit: &Visit) -> ClinicDecision {
    Desk {
        calendar,
        visit,
        rules: Vec::new(),
        notes: Vec::new(),
    }
    .decide()
}

/// The working state of one decision: the rules cited and notes taken so far.
struct Desk<'a> {
    calendar: &'a RulesCalendar,
    visit: &'a Visit,
    rules: Vec<RuleId>,
    notes: Vec<Note>,
}

impl<'a> Desk<'a> {
    fn cite(&mut self, id: RuleId) {
        if !self.rules.contains(&id) {
            self.rules.push(id);
        }
    }

    fn cite_all(&mut self, ids: &[RuleId]) {
        for &id in ids {
            self.cite(id);
        }
    }

    fn card_presented(&self) -> bool {
        matches!(self.visit.card, CardAtDesk::Presented { .. })
    }

    fn decide(mut self) -> ClinicDecision {
        if let Some(result) = self.card_result() {
            let copay = derive_copay(self.visit.birth_date, self.visit.as_of, &result.ratios);
            return self.finish(Basis::OnlineCard, &[RuleId::Faq4_5], copay);
        }
        let numbers = self.number_result();
        let visit = self.visit;
        let documents = &visit.documents;

        if let Some(doc) = self.valid_old_card() {
            let copay = self.document_copay(Some(doc), numbers.as_ref());
            return self.finish(
                Basis::OldInsuranceCard,
                &[RuleId::Kq3, RuleId::TrnMax1y],
                copay,
            );
        }
        if self.card_presented() {
            let with_card = [
                (DocumentKind::Notice, Basis::CardWithNotice, RuleId::Faq4_5),
                (
                    DocumentKind::PortalScreen,
                    Basis::CardWithPortalScreen,
                    RuleId::Kq6,
                ),
            ];
            for (kind, basis, rule) in with_card {
                if let Some(doc) = documents.iter().find(|d| d.kind() == kind) {
                    let copay = self.document_copay(Some(doc), numbers.as_ref());
                    return self.finish(basis, &[rule, RuleId::Kq6, RuleId::Kq3], copay);
                }
            }
        }
        if let Some(doc) = self.valid_kakunin() {
            let copay = self.document_copay(Some(doc), numbers.as_ref());
            return self.finish(
                Basis::ConfirmationCertificate,
                &[RuleId::TrnKakunin, RuleId::Kq3],
                copay,
            );
        }
        if let Some(doc) = self.school_copy() {
            let copay = self.document_copay(Some(doc), numbers.as_ref());
            return self.finish(Basis::SchoolEventCopy, &[RuleId::TrnSchool], copay);
        }
        if let Some((kind, doc, scheme)) = self.temporary_measure(numbers.is_some()) {
            let copay = self.document_copay(Some(doc), numbers.as_ref());
            let window_rule = match scheme {
                InsuranceScheme::Community => RuleId::Notice2025_06_27,
                InsuranceScheme::Employee => RuleId::Notice2025_11_12,
            };
            // The post-seed notices' own rule: no seed ID says a document is accepted.
            return self.finish(Basis::TemporaryMeasure(kind), &[window_rule], copay);
        }
        self.note_alone_documents();
        self.declaration_or_not_insured(numbers)
    }

    /// Step 1: the card confirmed online, if it was.
    fn card_result(&mut self) -> Option<QualificationResult> {
        let CardAtDesk::Presented { reader } = self.visit.card else {
            return None;
        };
        let visit = self.visit;
        if let Err(why) = visit
            .facility
            .card_path(self.calendar, visit.as_of, visit.setting)
        {
            self.notes.push(Note::Unavailable(Via::Card, why));
            self.cite(why.rule_id());
            return None;
        }
        let Some(outcome) = reader else {
            self.notes
                .push(Note::Unavailable(Via::Card, Unavailability::NotAttempted));
            return None;
        };
        self.usable_answer(Via::Card, outcome)
    }

    /// The online check by printed numbers, if usable.
    fn number_result(&mut self) -> Option<QualificationResult> {
        let visit = self.visit;
        let outcome = visit.number_check?;
        if let Err(why) = visit.facility.number_path(self.calendar, visit.as_of) {
            self.notes.push(Note::Unavailable(Via::Numbers, why));
            return None;
        }
        self.usable_answer(Via::Numbers, outcome)
    }

    fn usable_answer(
        &mut self,
        via: Via,
        outcome: ConfirmationOutcome,
    ) -> Option<QualificationResult> {
        match outcome {
            ConfirmationOutcome::Failed(failure) => {
                self.notes.push(Note::Failed(via, failure));
                self.cite(failure.rule_id());
                None
            }
            ConfirmationOutcome::Answered(result) if !result.is_presented_person => {
                self.notes.push(Note::AnotherPerson(via));
                self.cite(RuleId::Faq4_17);
                None
            }
            ConfirmationOutcome::Answered(result) if !result.validity.is_valid() => {
                self.notes.push(Note::NotValid(via, result.validity));
                self.cite(RuleId::Faq4_14);
                None
            }
            ConfirmationOutcome::Answered(result) => Some(result),
        }
    }

    /// Step 2: the first valid old card; invalid ones are noted.
    fn valid_old_card(&mut self) -> Option<&'a Document> {
        let visit = self.visit;
        for doc in &visit.documents {
            if let Document::OldInsuranceCard(card) = doc {
                let status = self.calendar.old_card_status(card, visit.as_of);
                if status.is_valid() {
                    return Some(doc);
                }
                self.notes.push(Note::OldCardRejected(status));
                self.cite(status.rule_id());
            }
        }
        None
    }

    /// Step 4: the first valid 資格確認書; invalid ones are noted.
    fn valid_kakunin(&mut self) -> Option<&'a Document> {
        let visit = self.visit;
        for doc in &visit.documents {
            if let Document::ConfirmationCertificate(certificate) = doc {
                let status = self.calendar.kakunin_status(certificate, visit.as_of);
                if status.is_valid() {
                    return Some(doc);
                }
                self.notes.push(Note::KakuninRejected(status));
                self.cite(RuleId::DomKakuninMax5y);
            }
        }
        None
    }

    /// Step 5: a school-trip / nursery copy, if that handling is in force.
    fn school_copy(&mut self) -> Option<&'a Document> {
        let visit = self.visit;
        let doc = visit
            .documents
            .iter()
            .find(|d| d.kind() == DocumentKind::SchoolEventCopy)?;
        if self.calendar.school_copy_accepted(visit.as_of) {
            Some(doc)
        } else {
            self.notes.push(Note::SchoolCopyTooEarly);
            self.cite(RuleId::TrnSchool);
            None
        }
    }

    /// Step 6: a document the temporary measure accepts on this date, given a usable
    /// online check of its numbers.
    fn temporary_measure(
        &mut self,
        numbers_confirmed: bool,
    ) -> Option<(TemporaryDocument, &'a Document, InsuranceScheme)> {
        let visit = self.visit;
        let card_presented = self.card_presented();
        for doc in &visit.documents {
            let kind = match doc {
                Document::OldInsuranceCard(card)
                    if self
                        .calendar
                        .old_card_status(card, visit.as_of)
                        .is_expired() =>
                {
                    TemporaryDocument::ExpiredInsuranceCard
                }
                Document::Notice(_) if !card_presented => TemporaryDocument::NoticeAlone,
                _ => continue,
            };
            let scheme = InsuranceScheme::of(doc.insurer().family());
            let window = self.calendar.temporary_measure_window(scheme);
            if !window.contains(visit.as_of) {
                self.notes
                    .push(Note::OutsideTemporaryMeasure(doc.kind(), window));
                continue;
            }
            if !numbers_confirmed {
                self.notes
                    .push(Note::TemporaryMeasureNeedsNumberCheck(doc.kind()));
                self.cite(RuleId::FlyNoticeAlone);
                continue;
            }
            return Some((kind, doc, scheme));
        }
        None
    }

    /// FLY-NOTICE-ALONE: an お知らせ or portal screen without the card is not enough.
    fn note_alone_documents(&mut self) {
        if self.card_presented() {
            return;
        }
        for kind in [DocumentKind::Notice, DocumentKind::PortalScreen] {
            if self.visit.documents.iter().any(|d| d.kind() == kind) {
                self.notes.push(Note::AloneNotAccepted(kind));
                self.cite(RuleId::FlyNoticeAlone);
            }
        }
    }

    /// Steps 7 and 8.
    fn declaration_or_not_insured(
        mut self,
        numbers: Option<QualificationResult>,
    ) -> ClinicDecision {
        let evidence = match self.visit.stance {
            PatientStance::Cooperates => None,
            PatientStance::DeclinesDeclaration => Some(NotInsuredEvidence::DeclinedDeclaration),
            PatientStance::DeclaresUninsured => Some(NotInsuredEvidence::DeclaredUninsured),
        };
        // A usable online answer for the person is evidence of insurance: never 10割.
        match evidence.filter(|_| numbers.is_none()) {
            Some(evidence) => {
                self.notes.push(Note::NoDeclaration(evidence));
                self.cite(RuleId::Faq4_6);
                ClinicDecision {
                    basis: Basis::NotInsured(evidence),
                    copay: ContributionRatio::FULL,
                    ratio_source: None,
                    rule_ids: self.rules,
                    notes: self.notes,
                }
            }
            None => {
                let copay = match numbers {
                    Some(result) => {
                        derive_copay(self.visit.birth_date, self.visit.as_of, &result.ratios)
                    }
                    None => {
                        let family = self.visit.documents.first().map(|d| d.insurer().family());
                        let fields = RatioFields {
                            insurer_family: family,
                            ..RatioFields::default()
                        };
                        derive_copay(self.visit.birth_date, self.visit.as_of, &fields)
                    }
                };
                self.finish(
                    Basis::Declaration,
                    &[RuleId::Faq4_6, RuleId::Faq4_14],
                    copay,
                )
            }
        }
    }

    /// The copay on a document basis: the online answer for its numbers, else the
    /// printed ratio, else derived from age (with the document's insurer family).
    fn document_copay(
        &self,
        doc: Option<&Document>,
        numbers: Option<&QualificationResult>,
    ) -> CopayDerivation {
        let (birth, as_of) = (self.visit.birth_date, self.visit.as_of);
        if let Some(result) = numbers {
            return derive_copay(birth, as_of, &result.ratios);
        }
        if let Some(ratio) = doc.and_then(Document::printed_ratio) {
            return printed_copay(birth, as_of, ratio);
        }
        let fields = RatioFields {
            insurer_family: doc.map(|d| d.insurer().family()),
            ..RatioFields::default()
        };
        derive_copay(birth, as_of, &fields)
    }

    fn finish(mut self, basis: Basis, rules: &[RuleId], copay: CopayDerivation) -> ClinicDecision {
        self.cite_all(rules);
        self.cite_all(copay.rules);
        if basis != Basis::OnlineCard {
            self.cite(RuleId::TrnNo10);
        }
        if copay.source.is_derived() {
            self.notes.push(Note::RatioDerived(copay.band));
        }
        ClinicDecision {
            basis,
            copay: copay.ratio,
            ratio_source: Some(copay.source),
            rule_ids: self.rules,
            notes: self.notes,
        }
    }
}

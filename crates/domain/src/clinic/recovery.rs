//! After an outage (保発0710第1号, domain.md §6): the window took a 被保険者資格申立書 and
//! noted the patient's 基本4情報 (氏名, 性別, 生年月日, 住所) while the qualification
//! system was out of reach; once it is reachable again the clinic confirms the
//! qualification with the 緊急時医療情報・資格確認機能 — a search by those four — and
//! bills what it finds instead of 不詳. Pure: [`recovery_query`] says what to send,
//! [`recovery_answer`] reads the reply.

use super::defects::ClinicDefect;
use super::desk::{ClinicRequestError, NumbersReply, billed_from};
use super::wire::{ExchangeWire, RecoveryAnswer, RecoveryRequest};
use crate::message::MedicalInstitutionCode;
use crate::protocol::wire::EmergencyConfirmationRequest;
use crate::protocol::{PresentedPerson, confirmation_outcome};
use crate::rules::ConfirmationOutcome;

/// The 緊急時 query the clinic sends for `req`, or `None` when the reference clinic's
/// `skips-recovery-check` defect leaves the patient 不詳. A request whose facility code
/// or noted fields are bad is an error naming the field.
pub fn recovery_query(
    req: &RecoveryRequest,
    defects: &[ClinicDefect],
) -> Result<Option<EmergencyConfirmationRequest>, ClinicRequestError> {
    let facility = MedicalInstitutionCode::parse(&req.medical_institution_code)
        .map_err(|e| ClinicRequestError::FacilityCode(e.to_string()))?;
    if let Some((field, max)) =
        EmergencyConfirmationRequest::text_problem(&req.noted.name, &req.noted.address)
    {
        return Err(ClinicRequestError::Noted {
            field,
            detail: format!("must be 1 to {max} characters"),
        });
    }
    if defects.contains(&ClinicDefect::SkipsRecoveryCheck) {
        return Ok(None);
    }
    Ok(Some(EmergencyConfirmationRequest {
        medical_institution_code: facility,
        confirmation_time: Some(req.recovered_at),
        name: req.noted.name.clone(),
        sex: req.noted.sex,
        birthdate: req.noted.birth_date,
        address: req.noted.address.clone(),
    }))
}

/// What the clinic bills after the check: the qualification of a valid answer that
/// shows the noted person; else still 不詳 (`null`) — no answer, 該当なし, 複数該当, or
/// a record of somebody else.
pub fn recovery_answer(
    req: &RecoveryRequest,
    reply: Option<&NumbersReply>,
    queries: Vec<ExchangeWire>,
) -> RecoveryAnswer {
    let presented = PresentedPerson {
        name: &req.noted.name,
        birth_date: req.noted.birth_date,
    };
    let (billed, note) = match reply {
        None => (None, "no 緊急時 check made: billed as 不詳".to_owned()),
        Some(NumbersReply::Answered(r)) => match confirmation_outcome(r, presented) {
            ConfirmationOutcome::Answered(q) if q.validity.is_valid() && q.is_presented_person => {
                (billed_from(r), "confirmed by the 基本4情報".to_owned())
            }
            ConfirmationOutcome::Answered(q) => {
                (None, format!("{}: billed as 不詳", q.validity.label()))
            }
            ConfirmationOutcome::Failed(f) => (None, format!("{f:?}: billed as 不詳")),
        },
        Some(NumbersReply::Unreachable | NumbersReply::Failed) => {
            (None, "the 緊急時 check failed: billed as 不詳".to_owned())
        }
    };
    RecoveryAnswer {
        billed,
        queries,
        notes: vec![note],
    }
}

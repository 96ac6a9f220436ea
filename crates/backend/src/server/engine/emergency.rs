//! The 緊急時医療情報・資格確認機能 (qualification part): a search by the patient's
//! 基本4情報 — 氏名, 性別, 生年月日, 住所 — for a patient the window could not confirm
//! (the system was unreachable at the visit). No card, no numbers, never a My Number;
//! a search that fits several people names none of them (複数該当), as the numbers
//! path does, and a 不開示 person is not found.

use super::*;
use onshi_domain::protocol::wire::EmergencyConfirmationRequest;

impl Engine {
    /// `POST /v1/confirmations/emergency`.
    pub fn confirm_emergency(
        &self,
        req: &EmergencyConfirmationRequest,
        t: RequestTime,
    ) -> Outcome<QualificationResponse> {
        let now = req.confirmation_time.unwrap_or(t.now);
        let mut audit = self.audit(now, Operation::EmergencyConfirmation);
        audit.facility = Some(req.medical_institution_code.as_str().to_owned());
        let result = Self::check_basic_info(req)
            .map(|()| self.emergency_answer(req, now, &mut audit))
            .map(|pa| {
                pa.audit_into(&mut audit);
                QualificationResponse {
                    message_header: response_header(
                        &req.medical_institution_code,
                        None,
                        now,
                        ReferenceClassification::InsuranceCardNumbers,
                    ),
                    message_body: pa.into_body(None, None),
                }
            });
        Self::finish(result, audit)
    }

    /// The 基本4情報 present and bounded, and no My Number in them (FAQ-4-20).
    fn check_basic_info(req: &EmergencyConfirmationRequest) -> Result<(), EngineError> {
        for (field, value) in [("name", &req.name), ("address", &req.address)] {
            if my_number::is_valid(value.trim()) {
                return Err(EngineError::new(ResultCode::MyNumberRefused).field(field));
            }
        }
        match EmergencyConfirmationRequest::text_problem(&req.name, &req.address) {
            Some((field, max)) => Err(EngineError::detail(
                ResultCode::InvalidField,
                format!("1〜{max}文字"),
            )
            .field(field)),
            None => Ok(()),
        }
    }

    fn emergency_answer(
        &self,
        req: &EmergencyConfirmationRequest,
        now: NaiveDateTime,
        audit: &mut AuditRecord,
    ) -> PersonAnswer {
        let found = self
            .population
            .by_basic_info(&req.name, req.sex, req.birthdate, &req.address);
        let index = match found.as_slice() {
            [] => {
                audit.detail = Some("no member with these 基本4情報".into());
                return PersonAnswer::no_match();
            }
            [one] => *one,
            several => {
                audit.detail = Some(format!(
                    "{} members with these 基本4情報 (複数該当)",
                    several.len()
                ));
                return PersonAnswer::several_match();
            }
        };
        audit.person = self.population.id_of(index);
        let Some(p) = self.population.person(index) else {
            return PersonAnswer::refused(ResultCode::Internal, None);
        };
        if p.non_disclosure {
            // OKA-DV: nothing is shown, and nothing says why — a refusal would tell
            // anyone who knows the 基本4情報 that this person exists and is protected.
            audit.detail = Some("不開示: answered as no match".into());
            return PersonAnswer::no_match();
        }
        let by_law = !self.calendar().limit_info_requires_consent(now.date());
        let ctx = AnswerContext {
            calendar: self.calendar(),
            now,
            medical_info: MedicalInfo::Absent,
            limit_consent: by_law.then_some(now),
            treatment_month: year_month(now),
            tickets_assumed: self.has(Defect::IgnoresTicketRegistration),
        };
        let mut answer = answer::card_answer(&p, &ctx);
        self.ticket_defect(&p.qualifications, now, audit);
        self.wrong_person(index, &mut answer, &ctx, audit);
        self.ratio_defects(&mut answer.results, now, audit);
        PersonAnswer::answered(answer, Vec::new())
    }
}

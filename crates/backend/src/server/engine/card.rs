//! The card path: authentication done, the decisions in order (FAQ-4-15, OKA-DV,
//! DOM-CERT-GRACE, FAQ-4-13, …) and the answer.

use super::*;
use onshi_domain::rules::CertificateStatus;

impl Engine {
    /// Confirmation with the My Number Card (PIN, face or visual path).
    pub fn confirm_card(
        &self,
        req: &CardConfirmationRequest,
        t: RequestTime,
    ) -> Outcome<QualificationResponse> {
        let now = req.confirmation_time.unwrap_or(t.now);
        let mut audit = self.audit(now, Operation::CardConfirmation);
        audit.facility = Some(req.medical_institution_code.as_str().to_owned());
        let result = Self::check_file_identifier(req.arbitrary_file_identifier.as_deref())
            .and_then(|()| self.card_person_answer(req, now, t.tick, &mut audit))
            .map(|pa| {
                pa.audit_into(&mut audit);
                QualificationResponse {
                    message_header: response_header(
                        &req.medical_institution_code,
                        req.arbitrary_file_identifier.clone(),
                        now,
                        ReferenceClassification::MyNumberCard,
                    ),
                    message_body: pa.into_body(None, req.prescription_issue_select),
                }
            });
        Self::finish(result, audit)
    }

    /// The card path for one person: authentication, the refusals in order, then the
    /// answer with the medical information the certificate and consent allow.
    fn card_person_answer(
        &self,
        req: &CardConfirmationRequest,
        now: NaiveDateTime,
        tick: Tick,
        audit: &mut AuditRecord,
    ) -> Result<PersonAnswer, EngineError> {
        let authd =
            self.authenticate(&req.card, &req.medical_institution_code, now, tick, audit)?;
        let Some(index) = authd.index else {
            return Ok(PersonAnswer::refused(
                ResultCode::CertificateNotLinked,
                None,
            ));
        };
        let Some(p) = self.population.person(index) else {
            return Ok(PersonAnswer::refused(
                ResultCode::CertificateNotLinked,
                None,
            ));
        };
        let status = match self.card_checks(req, index, &p, now, audit) {
            Ok(status) => status,
            Err(refused) => return Ok(refused),
        };
        let day = now.date();

        let mut notes = Vec::new();
        let medical_info = self.medical_info(req, status, &mut notes, audit);
        let by_law = !self.calendar().limit_info_requires_consent(day);
        let limit_consent = (by_law || req.consents.limit_info).then_some(now);
        let ctx = AnswerContext {
            calendar: self.calendar(),
            now,
            medical_info,
            limit_consent,
            treatment_month: year_month(now),
            tickets_assumed: self.has(Defect::IgnoresTicketRegistration),
        };
        let mut answer = answer::card_answer(&p, &ctx);
        self.ticket_defect(&p.qualifications, now, audit);
        if !by_law && req.consents.limit_info && answer.limit_provided {
            // TRN-Q1: the consent holds for this facility in this month.
            self.record_grant(index, &req.medical_institution_code, now);
        }
        self.wrong_person(index, &mut answer, &ctx, audit);
        self.ratio_defects(&mut answer.results, now, audit);
        Ok(PersonAnswer::answered(answer, notes))
    }

    /// The card path's refusals in order (certificate not yet valid or revoked,
    /// registration cancelled by expiry, care setting, non-disclosure, not registered);
    /// otherwise the certificate's status.
    fn card_checks(
        &self,
        req: &CardConfirmationRequest,
        index: u64,
        p: &ResolvedPersona,
        now: NaiveDateTime,
        audit: &mut AuditRecord,
    ) -> Result<CertificateStatus, PersonAnswer> {
        let day = now.date();
        let cert = &p.card.certificate;
        if now < cert.issued_at {
            return Err(PersonAnswer::refused(
                ResultCode::CertificateNotYetValid,
                None,
            ));
        }
        if cert.revoked_by(now) {
            if !self.has(Defect::NoRejectRevoked) {
                return Err(PersonAnswer::refused(ResultCode::CertificateRevoked, None));
            }
            audit.defect(Defect::NoRejectRevoked.name());
        }
        let status = self
            .calendar()
            .certificate_status(&p.user_auth_certificate(), day);
        if status.registration_cancelled() {
            if !self.has(Defect::AcceptExpiredCertificate) {
                return Err(PersonAnswer::refused(ResultCode::CertificateExpired, None));
            }
            audit.defect(Defect::AcceptExpiredCertificate.name());
        }
        let setting = CareSetting::from(req.care_setting);
        if !self.calendar().card_usable_in(setting, day) {
            return Err(PersonAnswer::refused(
                ResultCode::CareSettingNotYetSupported,
                Some(format!(
                    "{setting:?}: {} から",
                    self.calendar().card_usable_from(setting)
                )),
            ));
        }
        if p.non_disclosure {
            return Err(PersonAnswer::refused(ResultCode::NonDisclosure, None));
        }
        if self.registered_at(index, p, now).is_none() {
            let code = if p.registration == RegistrationState::Cancelled {
                ResultCode::RegistrationCancelled
            } else {
                ResultCode::RegistrationMissing
            };
            return Err(PersonAnswer::refused(code, None));
        }
        Ok(status)
    }

    /// Medical information by the certificate's status (none in the grace period) and
    /// the consent (or the `LeakMedicalWithoutConsent` defect); the certificate notices
    /// go into `notes`.
    fn medical_info(
        &self,
        req: &CardConfirmationRequest,
        status: CertificateStatus,
        notes: &mut Vec<ResultCode>,
        audit: &mut AuditRecord,
    ) -> MedicalInfo {
        let medical_info = if !status.shares_medical_info() {
            notes.push(ResultCode::CertificateGrace);
            MedicalInfo::Absent
        } else if req.consents.medical_info {
            MedicalInfo::Shared
        } else if self.has(Defect::LeakMedicalWithoutConsent) {
            audit.defect(Defect::LeakMedicalWithoutConsent.name());
            MedicalInfo::Shared
        } else {
            MedicalInfo::NotConsented
        };
        if matches!(status, CertificateStatus::RenewalDue { .. }) {
            notes.push(ResultCode::CertificateExpiresSoon);
        }
        medical_info
    }
}

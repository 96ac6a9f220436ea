//! 保険証利用登録 at the reader.

use super::*;

impl Engine {
    /// 保険証利用登録 at the reader (KQ-1, OKA-FACEONLY, OKA-REG-24H, OKA-REG-5D,
    /// FAQ-4-15).
    pub fn register(
        &self,
        req: &RegistrationRequest,
        t: RequestTime,
    ) -> Outcome<RegistrationResponse> {
        let now = req.confirmation_time.unwrap_or(t.now);
        let mut audit = self.audit(now, Operation::Registration);
        audit.facility = Some(req.medical_institution_code.as_str().to_owned());
        let result = self.register_inner(req, now, t.tick, &mut audit);
        if let Ok(r) = &result {
            audit.result_code = r.code.clone();
            if r.outcome == RegistrationOutcome::Refused {
                audit.outcome = r.code.clone().unwrap_or_else(|| "refused".into());
            }
        }
        Self::finish(result, audit)
    }

    /// Registration for the authenticated card: the refusals (not linked, revoked,
    /// non-disclosure), then the calendar's registration rules.
    fn register_inner(
        &self,
        req: &RegistrationRequest,
        now: NaiveDateTime,
        tick: Tick,
        audit: &mut AuditRecord,
    ) -> Result<RegistrationResponse, EngineError> {
        let authd =
            self.authenticate(&req.card, &req.medical_institution_code, now, tick, audit)?;
        let Some((index, p)) = authd
            .index
            .and_then(|i| self.population.person(i).map(|p| (i, p)))
        else {
            return Ok(refused(ResultCode::CertificateNotLinked, None));
        };
        if p.card.certificate.revoked_by(now) {
            if !self.has(Defect::NoRejectRevoked) {
                return Ok(refused(ResultCode::CertificateRevoked, None));
            }
            audit.defect(Defect::NoRejectRevoked.name());
        }
        if p.non_disclosure {
            return Ok(refused(ResultCode::NonDisclosure, None));
        }
        let already = self.registered_at(index, &p, now);
        let attempt = self.registration_attempt(&p, now, already.is_some());
        match self.calendar().register(&attempt) {
            Ok(onshi_domain::rules::RegistrationOutcome::Registered) => {
                self.population.record_registration(index, now);
                Ok(RegistrationResponse {
                    outcome: RegistrationOutcome::Registered,
                    message: "登録完了".into(),
                    code: None,
                    rule: None,
                    registered_at: Some(now),
                })
            }
            Ok(onshi_domain::rules::RegistrationOutcome::AlreadyRegistered) => {
                Ok(RegistrationResponse {
                    outcome: RegistrationOutcome::AlreadyRegistered,
                    message: "登録済みです".into(),
                    code: None,
                    rule: None,
                    registered_at: already.filter(|a| *a != NaiveDateTime::MIN),
                })
            }
            Err(refusal) => {
                audit.detail = Some(refusal.to_string());
                Ok(refusal_response(&refusal))
            }
        }
    }

    /// The registration attempt of `p`'s card at the clinic's reader at `now`.
    fn registration_attempt(
        &self,
        p: &ResolvedPersona,
        now: NaiveDateTime,
        already_registered: bool,
    ) -> RegistrationAttempt {
        p.registration_attempt(
            now,
            RegistrationChannel::ClinicReader,
            already_registered,
            answer::has_valid_qualification(self.calendar(), p, now.date()),
        )
    }
}

/// A refused registration with `code`'s message (and `detail`, if any).
fn refused(code: ResultCode, detail: Option<String>) -> RegistrationResponse {
    RegistrationResponse {
        outcome: RegistrationOutcome::Refused,
        message: match detail {
            Some(d) => format!("{}（{d}）", code.message()),
            None => code.message().to_owned(),
        },
        code: Some(code.code().to_owned()),
        rule: code.rule().map(|r| r.code().to_owned()),
        registered_at: None,
    }
}

/// The answer to a registration the calendar's rules refuse: its code, and the rule
/// that refused it.
fn refusal_response(refusal: &RegistrationRefusal) -> RegistrationResponse {
    let code = match refusal {
        RegistrationRefusal::NoValidQualification => ResultCode::RegistrationNoValidQualification,
        RegistrationRefusal::RenewalCooldown { .. } => ResultCode::RegistrationRenewalCooldown,
        RegistrationRefusal::ExpiresTooSoon { .. } => ResultCode::RegistrationExpiresSoon,
        RegistrationRefusal::CertificateExpired { .. } => {
            ResultCode::RegistrationCertificateExpired
        }
        _ => ResultCode::RegistrationRefused,
    };
    let mut r = refused(
        code,
        (code == ResultCode::RegistrationRefused).then(|| refusal.to_string()),
    );
    r.rule = Some(refusal.rule_id().code().to_owned());
    r
}

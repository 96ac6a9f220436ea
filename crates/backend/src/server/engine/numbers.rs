//! The numbers path: the JSON request and `OQSsiquc01req`, and the shared per-search
//! answer (FAQ-4-20, lookup, answer, defects). The backend answers by the numbers
//! alone, as the real interface does: which document the numbers were read from is the
//! clinic's business (its document rules are judged on the clinic).

use super::*;

impl Engine {
    /// Confirmation by the printed numbers (JSON API).
    pub fn confirm_numbers(
        &self,
        req: &NumbersConfirmationRequest,
        t: RequestTime,
    ) -> Outcome<QualificationResponse> {
        let now = req.confirmation_time.unwrap_or(t.now);
        let mut audit = self.audit(now, Operation::NumbersConfirmation);
        audit.facility = Some(req.medical_institution_code.as_str().to_owned());
        let q = NumbersQuery {
            now,
            facility: &req.medical_institution_code,
            insurer: &req.insurer_number,
            symbol: req.insured_card_symbol.as_deref(),
            number: &req.insured_identification_number,
            branch: req.insured_branch_number.as_deref(),
            birthdate: req.birthdate,
            limit_consent: req.limit_consent == Some(true),
            treatment_month: None,
            care_setting: CareSetting::Outpatient,
        };
        let result = Self::check_file_identifier(req.arbitrary_file_identifier.as_deref())
            .and_then(|()| self.numbers_answer(&q, &mut audit))
            .map(|(pa, echo)| {
                pa.audit_into(&mut audit);
                self.numbers_response(
                    pa,
                    echo,
                    &req.medical_institution_code,
                    req.arbitrary_file_identifier.clone(),
                    now,
                )
            });
        Self::finish(result, audit)
    }

    /// `OQSsiquc01req`: the XML inquiry by numbers. Errors become `SegmentOfResult` 9 via
    /// [`xml_error_response`] in the shell.
    pub fn xml_inquiry(
        &self,
        req: &QualificationRequest,
        t: RequestTime,
    ) -> Outcome<QualificationResponse> {
        let h = &req.message_header;
        let s = &req.qualification_confirm_search_info;
        let now = xml_now(h.qualification_confirmation_date, t);
        let mut audit = self.audit(now, Operation::XmlInquiry);
        audit.facility = Some(h.medical_institution_code.as_str().to_owned());
        let q = NumbersQuery::xml(
            now,
            &h.medical_institution_code,
            s,
            None,
            CareSetting::Outpatient,
        );
        let result = Self::check_file_identifier(Some(&h.arbitrary_file_identifier))
            .and_then(|()| self.numbers_answer(&q, &mut audit))
            .map(|(pa, _)| {
                pa.audit_into(&mut audit);
                self.numbers_response(
                    pa,
                    Some(s.clone()),
                    &h.medical_institution_code,
                    Some(h.arbitrary_file_identifier.clone()),
                    now,
                )
            });
        Self::finish(result, audit)
    }

    fn numbers_response(
        &self,
        pa: PersonAnswer,
        echo: Option<QualificationConfirmSearchInfo>,
        facility: &MedicalInstitutionCode,
        file_id: Option<String>,
        now: NaiveDateTime,
    ) -> QualificationResponse {
        QualificationResponse {
            message_header: response_header(
                facility,
                file_id,
                now,
                ReferenceClassification::InsuranceCardNumbers,
            ),
            message_body: pa.into_body(echo, None),
        }
    }

    /// The numbers path for one search: FAQ-4-20, validation, lookup, answer, defects. Returns the answer and the echo of the search.
    pub(super) fn numbers_answer(
        &self,
        q: &NumbersQuery<'_>,
        audit: &mut AuditRecord,
    ) -> Result<(PersonAnswer, Option<QualificationConfirmSearchInfo>), EngineError> {
        let day = q.now.date();
        if let Some((field, value)) = my_number_in(q) {
            return self.my_number_answer(q, field, value, audit);
        }
        let echo = validated_echo(q)?;
        let candidates =
            self.population
                .candidates(&echo.insurer_number, q.symbol, q.number, q.branch);
        if candidates.is_empty() {
            audit.detail = Some("no record with these numbers".into());
            return Ok((PersonAnswer::no_match(), Some(echo)));
        }
        // The people (not records) the numbers and the birth date fit; of a person with
        // several records under these numbers, the one in force, else the latest.
        let one_person = candidates
            .first()
            .map(|(first, _)| *first)
            .filter(|first| candidates.iter().all(|(i, _)| i == first));
        let mut born: Vec<(u64, usize)> = Vec::new();
        for &(index, r) in &candidates {
            let p = self
                .population
                .person(index)
                .ok_or_else(|| EngineError::new(ResultCode::Internal))?;
            if p.person.birth_date != q.birthdate {
                continue;
            }
            match born.iter_mut().find(|(i, _)| *i == index) {
                Some(seen) => seen.1 = preferred_record(&p.qualifications, seen.1, r, day),
                None => born.push((index, r)),
            }
        }
        let (index, r) = match born.len() {
            0 => {
                audit.person = one_person.and_then(|i| self.population.id_of(i));
                audit.detail = Some("birth date does not match".into());
                return Ok((PersonAnswer::no_match(), Some(echo)));
            }
            1 => born[0],
            n if self.has(Defect::PicksOneOfSeveral) => {
                audit.defect(Defect::PicksOneOfSeveral.name());
                audit.detail = Some(format!(
                    "{n} members match without 枝番; answered the first"
                ));
                born[0]
            }
            n => {
                // 複数該当: the numbers fit several people; naming any of them would show
                // this clinic a record that may be another person's.
                audit.detail = Some(format!("{n} members match without 枝番 (複数該当)"));
                return Ok((PersonAnswer::several_match(), Some(echo)));
            }
        };
        let p = self
            .population
            .person(index)
            .ok_or_else(|| EngineError::new(ResultCode::Internal))?;
        audit.person = self.population.id_of(index);
        if q.care_setting != CareSetting::Outpatient
            && !self.calendar().card_usable_in(q.care_setting, day)
        {
            return Ok((
                PersonAnswer::refused(ResultCode::CareSettingNotYetSupported, None),
                Some(echo),
            ));
        }
        let ctx = self.numbers_ctx(q, index);
        let mut answer = answer::record_answer(&p, r, &ctx);
        self.ticket_defect(std::slice::from_ref(&p.qualifications[r]), q.now, audit);
        self.wrong_person(index, &mut answer, &ctx, audit);
        self.ratio_defects(&mut answer.results, q.now, audit);
        Ok((PersonAnswer::answered(answer, Vec::new()), Some(echo)))
    }

    /// FAQ-4-20: a My Number sent in `field` is refused, unless the `AcceptMyNumber`
    /// defect answers for its holder as on the card path.
    fn my_number_answer(
        &self,
        q: &NumbersQuery<'_>,
        field: &'static str,
        value: &str,
        audit: &mut AuditRecord,
    ) -> Result<(PersonAnswer, Option<QualificationConfirmSearchInfo>), EngineError> {
        audit.detail = Some(format!("a My Number was sent in {field} (redacted)"));
        if !self.has(Defect::AcceptMyNumber) {
            return Err(EngineError::new(ResultCode::MyNumberRefused).field(field));
        }
        audit.defect(Defect::AcceptMyNumber.name());
        let Some(index) = self.population.by_my_number(value.trim()) else {
            return Ok((PersonAnswer::no_match(), None));
        };
        audit.person = self.population.id_of(index);
        let p = self
            .population
            .person(index)
            .ok_or_else(|| EngineError::new(ResultCode::Internal))?;
        let ctx = self.numbers_ctx(q, index);
        let mut answer = answer::card_answer(&p, &ctx);
        self.ratio_defects(&mut answer.results, q.now, audit);
        Ok((PersonAnswer::answered(answer, Vec::new()), None))
    }

    fn numbers_ctx<'a>(&'a self, q: &NumbersQuery<'_>, index: u64) -> AnswerContext<'a> {
        let by_law = !self.calendar().limit_info_requires_consent(q.now.date());
        let limit_consent = if by_law || q.limit_consent {
            Some(q.now)
        } else {
            // TRN-Q1: a consent given at this facility's reader this month.
            self.limit_grant(index, q.facility, q.now)
        };
        AnswerContext {
            calendar: self.calendar(),
            now: q.now,
            medical_info: MedicalInfo::Absent,
            limit_consent,
            treatment_month: q.treatment_month.or_else(|| year_month(q.now)),
            tickets_assumed: self.has(Defect::IgnoresTicketRegistration),
        }
    }
}

/// FAQ-4-20: the first search field that holds a My Number, and its value.
fn my_number_in<'q>(q: &NumbersQuery<'q>) -> Option<(&'static str, &'q str)> {
    let fields = [
        ("insurer_number", Some(q.insurer)),
        ("insured_card_symbol", q.symbol),
        ("insured_identification_number", Some(q.number)),
        ("insured_branch_number", q.branch),
    ];
    fields
        .iter()
        .find_map(|(f, v)| v.filter(|v| my_number::is_valid(v.trim())).map(|v| (*f, v)))
}

/// The search's numbers checked (insurer number, 1–20 character number) and echoed.
fn validated_echo(q: &NumbersQuery<'_>) -> Result<QualificationConfirmSearchInfo, EngineError> {
    let insurer = onshi_domain::codes::InsurerNumber::parse(q.insurer).map_err(|e| {
        EngineError::detail(ResultCode::InvalidInsurerNumber, e.reason).field("insurer_number")
    })?;
    if q.number.trim().is_empty() || q.number.trim().len() > 20 {
        return Err(
            EngineError::detail(ResultCode::InvalidField, "番号は1〜20文字")
                .field("insured_identification_number"),
        );
    }
    Ok(QualificationConfirmSearchInfo {
        insurer_number: insurer,
        insured_card_symbol: q.symbol.map(str::to_owned),
        insured_identification_number: q.number.to_owned(),
        insured_branch_number: q.branch.map(str::to_owned),
        birthdate: q.birthdate,
        limit_application_certificate_related_cons_flg: None,
        arbitrary_identifier: None,
    })
}

/// Of two records of one person under the same numbers, the one a search without 枝番
/// answers: the one in force on `day`, else the later acquired.
fn preferred_record(
    records: &[onshi_world::persona::model::Qualification],
    a: usize,
    b: usize,
    day: chrono::NaiveDate,
) -> usize {
    let (Some(qa), Some(qb)) = (records.get(a), records.get(b)) else {
        return a;
    };
    match (qa.active_on(day), qb.active_on(day)) {
        (true, false) => a,
        (false, true) => b,
        _ if qb.acquired_on > qa.acquired_on => b,
        _ => a,
    }
}

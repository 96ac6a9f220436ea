//! 資格確認一括照会: upload answers every search at once, download returns it.

use super::*;
use onshi_domain::message::BulkSearchInfo;

impl Engine {
    /// `OQSmuquc01req`: answers every search at once and keeps the result for
    /// `OQSmuquc02req`.
    pub fn bulk_upload(
        &self,
        req: &BulkQualificationRequest,
        t: RequestTime,
    ) -> Outcome<BulkUploadAck> {
        let h = &req.message_header;
        let now = xml_now(h.qualification_confirmation_date, t);
        let mut audit = self.audit(now, Operation::BulkUpload);
        audit.facility = Some(h.medical_institution_code.as_str().to_owned());
        let n = req.qualification_confirm_search_info.len();
        if n > self.config.max_bulk_units {
            let e = EngineError::detail(
                ResultCode::BulkTooManyUnits,
                format!("{n} 件 > {}", self.config.max_bulk_units),
            );
            return Self::finish(Err(e), audit);
        }
        let mut units = Vec::with_capacity(n);
        let mut normal = 0u32;
        for info in &req.qualification_confirm_search_info {
            let unit = self.bulk_unit(info, &h.medical_institution_code, now, &mut audit);
            if unit.processing_result_status == ProcessingResultStatus::Normal {
                normal += 1;
            }
            units.push(unit);
        }
        let seq = self.receptions.fetch_add(1, Ordering::Relaxed) + 1;
        let reception_number = format!("{}{:06}", now.format("%Y%m%d"), seq % 1_000_000);
        let total = units.len() as u32;
        let response = BulkQualificationResponse {
            message_header: BulkResponseHeader {
                process_execution_time: now,
                qualification_confirmation_date: Some(now.date()),
                medical_institution_code: h.medical_institution_code.clone(),
                arbitrary_file_identifier: Some(h.arbitrary_file_identifier.clone()),
                reception_number: reception_number.clone(),
                segment_of_result: SegmentOfResult::Normal,
                error_code: None,
                error_message: None,
                number_of_processing_result: Some(total),
                number_of_normal_processing: Some(normal),
                number_of_error: Some(total - normal),
                character_code_identifier: CharacterEncoding::Utf8,
            },
            bulk_confirm_unit: units,
        };
        self.store_bulk_job(&reception_number, &h.medical_institution_code, response);
        audit.detail = Some(format!("{total} searches, reception {reception_number}"));
        let ack = BulkUploadAck {
            message_header: BulkUploadAckHeader {
                process_execution_time: now,
                medical_institution_code: h.medical_institution_code.clone(),
                arbitrary_file_identifier: Some(h.arbitrary_file_identifier.clone()),
                character_code_identifier: CharacterEncoding::Utf8,
            },
            reception_number,
            reception_date_time: now,
        };
        Self::finish(Ok(ack), audit)
    }

    /// One search of a bulk upload, answered as on the numbers path; its defects go
    /// into the upload's `audit`.
    fn bulk_unit(
        &self,
        info: &BulkSearchInfo,
        facility: &MedicalInstitutionCode,
        now: NaiveDateTime,
        audit: &mut AuditRecord,
    ) -> BulkConfirmUnit {
        let s = &info.search_info;
        let care_setting = match info.medical_treatment_flag {
            Some(MedicalTreatmentFlag::HomeVisit) => CareSetting::HomeVisit,
            Some(MedicalTreatmentFlag::Online) => CareSetting::OnlineConsultation,
            _ => CareSetting::Outpatient,
        };
        let q = NumbersQuery::xml(now, facility, s, info.medical_treatment_month, care_setting);
        let mut unit_audit = AuditRecord::new(0, now, Operation::BulkUpload);
        let pa = match self.numbers_answer(&q, &mut unit_audit) {
            Ok((pa, _)) => pa,
            Err(e) => PersonAnswer {
                status: ProcessingResultStatus::Error,
                code: Some(e.code),
                message: Some(e.message),
                validity: None,
                results: Vec::new(),
            },
        };
        for d in unit_audit.defects {
            audit.defect(d);
        }
        BulkConfirmUnit {
            qualification_confirm_search_info: Some(s.clone()),
            processing_result_status: pa.status,
            processing_result_code: pa.code.map(|c| c.code().to_owned()),
            processing_result_message: pa.message,
            qualification_validity: pa.validity,
            result_of_qualification_confirmation: pa.results,
            reference_number: None,
        }
    }

    /// Keeps an upload's result for download, dropping the oldest jobs beyond the
    /// configured number of jobs and of stored units.
    fn store_bulk_job(
        &self,
        reception_number: &str,
        facility: &MedicalInstitutionCode,
        response: BulkQualificationResponse,
    ) {
        let mut jobs = self.bulk.lock().unwrap_or_else(PoisonError::into_inner);
        jobs.units += response.bulk_confirm_unit.len();
        jobs.jobs
            .insert(reception_number.to_owned(), (facility.clone(), response));
        jobs.order.push_back(reception_number.to_owned());
        while jobs.order.len() > self.config.max_bulk_jobs
            || (jobs.units > self.config.max_bulk_stored_units && jobs.order.len() > 1)
        {
            let Some(old) = jobs.order.pop_front() else {
                break;
            };
            if let Some((_, r)) = jobs.jobs.remove(&old) {
                jobs.units -= r.bulk_confirm_unit.len();
            }
        }
    }

    /// `OQSmuquc02req`: the result of an earlier upload of the same facility.
    pub fn bulk_download(
        &self,
        req: &BulkDownloadRequest,
        t: RequestTime,
    ) -> Outcome<BulkQualificationResponse> {
        let mut audit = self.audit(t.now, Operation::BulkDownload);
        audit.facility = Some(req.medical_institution_code.as_str().to_owned());
        let found = self
            .bulk
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .jobs
            .get(req.reception_number.trim())
            .filter(|(facility, _)| *facility == req.medical_institution_code)
            .map(|(_, r)| r.clone());
        let result = found
            .map(|mut r| {
                r.message_header.process_execution_time = t.now;
                r.message_header.arbitrary_file_identifier = req
                    .arbitrary_file_identifier
                    .clone()
                    .or(r.message_header.arbitrary_file_identifier);
                r
            })
            .ok_or_else(|| {
                EngineError::new(ResultCode::BulkUnknownReception).field("ReceptionNumber")
            });
        Self::finish(result, audit)
    }
}

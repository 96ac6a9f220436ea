//! `OQSsiquc01res` (and the face-reader result file, which has the same layout).

use super::request::{read_search_info, write_search_info};
use super::result::{read_result, write_result};
use super::{
    Element, MessageKind, XmlError, XmlMessage, XmlWriter, read_character_code,
    write_character_code,
};
use chrono::{NaiveDate, NaiveDateTime};

use crate::codes::{CharacterEncoding, SegmentOfResult};
use crate::message::{MedicalInstitutionCode, MessageBody, MessageHeader, QualificationResponse};

impl XmlMessage for QualificationResponse {
    const KIND: MessageKind = MessageKind::QualificationResponse;

    fn write_xml(&self, out: &mut XmlWriter) {
        write_header(out, &self.message_header);
        write_body(out, &self.message_body);
    }

    fn read_xml(root: Element<'_, '_>) -> Result<Self, XmlError> {
        Ok(Self {
            message_header: read_header(root.required_child("MessageHeader")?)?,
            message_body: read_body(root.required_child("MessageBody")?)?,
        })
    }
}

fn write_header(out: &mut XmlWriter, h: &MessageHeader) {
    out.block("MessageHeader", |out| {
        out.leaf("ProcessExecutionTime", &h.process_execution_time);
        out.leaf(
            "QualificationConfirmationDate",
            &h.qualification_confirmation_date,
        );
        out.leaf("MedicalInstitutionCode", &h.medical_institution_code);
        out.opt("ArbitraryFileIdentifier", &h.arbitrary_file_identifier);
        out.leaf("ReferenceClassification", &h.reference_classification);
        write_outcome(out, &h.segment_of_result, &h.error_code, &h.error_message);
        write_character_code(out);
    });
}

/// Writes a response header's outcome: `SegmentOfResult`, `ErrorCode`, `ErrorMessage`.
pub(super) fn write_outcome(
    out: &mut XmlWriter,
    segment: &SegmentOfResult,
    error_code: &Option<String>,
    error_message: &Option<String>,
) {
    out.leaf("SegmentOfResult", segment);
    out.opt("ErrorCode", error_code);
    out.opt("ErrorMessage", error_message);
}

/// The children the single and the bulk response header share, read one at a time.
#[derive(Default)]
pub(super) struct HeaderFields {
    pub(super) time: Option<NaiveDateTime>,
    pub(super) date: Option<NaiveDate>,
    pub(super) code: Option<MedicalInstitutionCode>,
    pub(super) file_id: Option<String>,
    pub(super) segment: Option<SegmentOfResult>,
    pub(super) error_code: Option<String>,
    pub(super) error_message: Option<String>,
    pub(super) charset: Option<CharacterEncoding>,
}

impl HeaderFields {
    /// Reads `c` when it is one of the shared children; `false` leaves it to the caller.
    pub(super) fn read(&mut self, c: Element<'_, '_>) -> Result<bool, XmlError> {
        match c.name() {
            "ProcessExecutionTime" => self.time = c.value()?,
            "QualificationConfirmationDate" => self.date = c.value()?,
            "MedicalInstitutionCode" => self.code = c.value()?,
            "ArbitraryFileIdentifier" => self.file_id = c.value()?,
            "SegmentOfResult" => self.segment = c.value()?,
            "ErrorCode" => self.error_code = c.value()?,
            "ErrorMessage" => self.error_message = c.value()?,
            "CharacterCodeIdentifier" => self.charset = read_character_code(c)?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

fn read_header(el: Element<'_, '_>) -> Result<MessageHeader, XmlError> {
    let mut f = HeaderFields::default();
    let mut reference = None;
    for c in el.children() {
        if !f.read(c)? && c.name() == "ReferenceClassification" {
            reference = c.value()?;
        }
    }
    Ok(MessageHeader {
        process_execution_time: el.require("ProcessExecutionTime", f.time)?,
        qualification_confirmation_date: el.require("QualificationConfirmationDate", f.date)?,
        medical_institution_code: el.require("MedicalInstitutionCode", f.code)?,
        arbitrary_file_identifier: f.file_id,
        reference_classification: el.require("ReferenceClassification", reference)?,
        segment_of_result: el.require("SegmentOfResult", f.segment)?,
        error_code: f.error_code,
        error_message: f.error_message,
        character_code_identifier: el.require("CharacterCodeIdentifier", f.charset)?,
    })
}

fn write_body(out: &mut XmlWriter, b: &MessageBody) {
    out.block("MessageBody", |out| {
        if let Some(info) = &b.qualification_confirm_search_info {
            write_search_info(out, info, |_| {});
        }
        out.opt("PrescriptionIssueSelect", &b.prescription_issue_select);
        out.leaf("ProcessingResultStatus", &b.processing_result_status);
        out.opt("ProcessingResultCode", &b.processing_result_code);
        out.opt("ProcessingResultMessage", &b.processing_result_message);
        out.opt("QualificationValidity", &b.qualification_validity);
        if !b.result_list.is_empty() {
            out.block("ResultList", |out| {
                for r in &b.result_list {
                    write_result(out, r);
                }
            });
        }
    });
}

fn read_body(el: Element<'_, '_>) -> Result<MessageBody, XmlError> {
    let mut body = MessageBody {
        qualification_confirm_search_info: None,
        prescription_issue_select: None,
        processing_result_status: crate::codes::ProcessingResultStatus::Normal,
        processing_result_code: None,
        processing_result_message: None,
        qualification_validity: None,
        result_list: Vec::new(),
    };
    let mut status = None;
    for c in el.children() {
        match c.name() {
            "QualificationConfirmSearchInfo" => {
                body.qualification_confirm_search_info = Some(read_search_info(c, |_| Ok(()))?);
            }
            "PrescriptionIssueSelect" => body.prescription_issue_select = c.value()?,
            "ProcessingResultStatus" => status = c.value()?,
            "ProcessingResultCode" => body.processing_result_code = c.value()?,
            "ProcessingResultMessage" => body.processing_result_message = c.value()?,
            "QualificationValidity" => body.qualification_validity = c.value()?,
            "ResultList" => {
                for r in c.children() {
                    if r.name() == "ResultOfQualificationConfirmation" {
                        body.result_list.push(read_result(r)?);
                    }
                }
            }
            _ => {}
        }
    }
    body.processing_result_status = el.require("ProcessingResultStatus", status)?;
    Ok(body)
}

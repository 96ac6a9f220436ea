//! `OQSsiquc01res` (and the face-reader result file, which has the same layout).

use super::groups::{HeaderFields, write_origin, write_outcome, write_processing_result};
use super::request::{read_search_info, write_search_info};
use super::result::{read_result, write_result};
use super::{Element, MessageKind, XmlError, XmlMessage, XmlWriter, write_character_code};
use crate::message::{MessageBody, MessageHeader, QualificationResponse};

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
        write_origin(
            out,
            &h.process_execution_time,
            &Some(h.qualification_confirmation_date),
            &h.medical_institution_code,
            &h.arbitrary_file_identifier,
        );
        out.leaf("ReferenceClassification", &h.reference_classification);
        write_outcome(out, &h.segment_of_result, &h.error_code, &h.error_message);
        write_character_code(out);
    });
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
        write_processing_result(
            out,
            &b.processing_result_status,
            &b.processing_result_code,
            &b.processing_result_message,
            &b.qualification_validity,
        );
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

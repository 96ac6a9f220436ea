//! `OQSsiquc01res` (and the face-reader result file, which has the same layout).

use super::request::{read_search_info, write_search_info};
use super::result::{read_result, write_result};
use super::{
    Element, MessageKind, XmlError, XmlMessage, XmlWriter, read_character_code,
    write_character_code,
};
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
        out.leaf("ProcessExecutionTime", &h.process_execution_time);
        out.leaf(
            "QualificationConfirmationDate",
            &h.qualification_confirmation_date,
        );
        out.leaf("MedicalInstitutionCode", &h.medical_institution_code);
        out.opt("ArbitraryFileIdentifier", &h.arbitrary_file_identifier);
        out.leaf("ReferenceClassification", &h.reference_classification);
        out.leaf("SegmentOfResult", &h.segment_of_result);
        out.opt("ErrorCode", &h.error_code);
        out.opt("ErrorMessage", &h.error_message);
        write_character_code(out);
    });
}

fn read_header(el: Element<'_, '_>) -> Result<MessageHeader, XmlError> {
    let (mut time, mut date, mut code, mut file_id, mut reference, mut segment) =
        (None, None, None, None, None, None);
    let (mut error_code, mut error_message, mut charset) = (None, None, None);
    for c in el.children() {
        match c.name() {
            "ProcessExecutionTime" => time = c.value()?,
            "QualificationConfirmationDate" => date = c.value()?,
            "MedicalInstitutionCode" => code = c.value()?,
            "ArbitraryFileIdentifier" => file_id = c.value()?,
            "ReferenceClassification" => reference = c.value()?,
            "SegmentOfResult" => segment = c.value()?,
            "ErrorCode" => error_code = c.value()?,
            "ErrorMessage" => error_message = c.value()?,
            "CharacterCodeIdentifier" => charset = read_character_code(c)?,
            _ => {}
        }
    }
    Ok(MessageHeader {
        process_execution_time: el.require("ProcessExecutionTime", time)?,
        qualification_confirmation_date: el.require("QualificationConfirmationDate", date)?,
        medical_institution_code: el.require("MedicalInstitutionCode", code)?,
        arbitrary_file_identifier: file_id,
        reference_classification: el.require("ReferenceClassification", reference)?,
        segment_of_result: el.require("SegmentOfResult", segment)?,
        error_code,
        error_message,
        character_code_identifier: el.require("CharacterCodeIdentifier", charset)?,
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

//! Bulk messages `OQSmuquc01req/01res/02req/02res`.

use super::groups::{HeaderFields, write_origin, write_outcome, write_processing_result};
use super::request::{
    read_request_header, read_search_info, write_request_header, write_search_info,
};
use super::result::{read_result, write_result};
use super::{
    Element, MAX_BULK_MESSAGE_BYTES, MessageKind, XmlError, XmlMessage, XmlWriter,
    read_character_code, write_character_code,
};
use crate::codes::ProcessingResultStatus;
use crate::message::{
    BulkConfirmUnit, BulkDownloadRequest, BulkQualificationRequest, BulkQualificationResponse,
    BulkResponseHeader, BulkSearchInfo, BulkUploadAck, BulkUploadAckHeader,
};

impl XmlMessage for BulkQualificationRequest {
    const KIND: MessageKind = MessageKind::BulkRequest;
    const MAX_BYTES: usize = MAX_BULK_MESSAGE_BYTES;

    fn write_xml(&self, out: &mut XmlWriter) {
        write_request_header(out, &self.message_header);
        out.block("MessageBody", |out| {
            for s in &self.qualification_confirm_search_info {
                write_search_info(out, &s.search_info, |out| {
                    out.opt("MedicalTreatmentMonth", &s.medical_treatment_month);
                    out.opt("MedicalTreatmentFlag", &s.medical_treatment_flag);
                });
            }
        });
    }

    fn read_xml(root: Element<'_, '_>) -> Result<Self, XmlError> {
        let header = read_request_header(root.required_child("MessageHeader")?)?;
        let body = root.required_child("MessageBody")?;
        let mut infos = Vec::new();
        for c in body.children() {
            if c.name() != "QualificationConfirmSearchInfo" {
                continue;
            }
            let (mut month, mut flag) = (None, None);
            let search_info = read_search_info(c, |x| {
                match x.name() {
                    "MedicalTreatmentMonth" => month = x.value()?,
                    "MedicalTreatmentFlag" => flag = x.value()?,
                    _ => {}
                }
                Ok(())
            })?;
            infos.push(BulkSearchInfo {
                search_info,
                medical_treatment_month: month,
                medical_treatment_flag: flag,
            });
        }
        if infos.is_empty() {
            return Err(body.missing("QualificationConfirmSearchInfo"));
        }
        Ok(Self {
            message_header: header,
            qualification_confirm_search_info: infos,
        })
    }
}

impl XmlMessage for BulkUploadAck {
    const KIND: MessageKind = MessageKind::BulkUploadAck;

    fn write_xml(&self, out: &mut XmlWriter) {
        let h = &self.message_header;
        out.block("MessageHeader", |out| {
            out.leaf("ProcessExecutionTime", &h.process_execution_time);
            out.leaf("MedicalInstitutionCode", &h.medical_institution_code);
            out.opt("ArbitraryFileIdentifier", &h.arbitrary_file_identifier);
            write_character_code(out);
        });
        out.block("MessageBody", |out| {
            out.leaf("ReceptionNumber", &self.reception_number);
            out.leaf("ReceptionDateTime", &self.reception_date_time);
        });
    }

    fn read_xml(root: Element<'_, '_>) -> Result<Self, XmlError> {
        let header = root.required_child("MessageHeader")?;
        let (mut time, mut code, mut file_id, mut charset) = (None, None, None, None);
        for c in header.children() {
            match c.name() {
                "ProcessExecutionTime" => time = c.value()?,
                "MedicalInstitutionCode" => code = c.value()?,
                "ArbitraryFileIdentifier" => file_id = c.value()?,
                "CharacterCodeIdentifier" => charset = read_character_code(c)?,
                _ => {}
            }
        }
        let body = root.required_child("MessageBody")?;
        let (mut number, mut at) = (None, None);
        for c in body.children() {
            match c.name() {
                "ReceptionNumber" => number = c.value()?,
                "ReceptionDateTime" => at = c.value()?,
                _ => {}
            }
        }
        Ok(Self {
            message_header: BulkUploadAckHeader {
                process_execution_time: header.require("ProcessExecutionTime", time)?,
                medical_institution_code: header.require("MedicalInstitutionCode", code)?,
                arbitrary_file_identifier: file_id,
                character_code_identifier: header.require("CharacterCodeIdentifier", charset)?,
            },
            reception_number: body.require("ReceptionNumber", number)?,
            reception_date_time: body.require("ReceptionDateTime", at)?,
        })
    }
}

impl XmlMessage for BulkDownloadRequest {
    const KIND: MessageKind = MessageKind::BulkDownloadRequest;

    fn write_xml(&self, out: &mut XmlWriter) {
        out.block("MessageHeader", |out| {
            out.leaf("MedicalInstitutionCode", &self.medical_institution_code);
            out.opt("ArbitraryFileIdentifier", &self.arbitrary_file_identifier);
        });
        out.block("MessageBody", |out| {
            out.leaf("ReceptionNumber", &self.reception_number);
        });
    }

    fn read_xml(root: Element<'_, '_>) -> Result<Self, XmlError> {
        let header = root.required_child("MessageHeader")?;
        let (mut code, mut file_id) = (None, None);
        for c in header.children() {
            match c.name() {
                "MedicalInstitutionCode" => code = c.value()?,
                "ArbitraryFileIdentifier" => file_id = c.value()?,
                _ => {}
            }
        }
        let body = root.required_child("MessageBody")?;
        let number = match body.child("ReceptionNumber") {
            Some(c) => c.value()?,
            None => None,
        };
        Ok(Self {
            medical_institution_code: header.require("MedicalInstitutionCode", code)?,
            arbitrary_file_identifier: file_id,
            reception_number: body.require("ReceptionNumber", number)?,
        })
    }
}

impl XmlMessage for BulkQualificationResponse {
    const KIND: MessageKind = MessageKind::BulkResponse;
    const MAX_BYTES: usize = MAX_BULK_MESSAGE_BYTES;

    fn write_xml(&self, out: &mut XmlWriter) {
        let h = &self.message_header;
        out.block("MessageHeader", |out| {
            write_origin(
                out,
                &h.process_execution_time,
                &h.qualification_confirmation_date,
                &h.medical_institution_code,
                &h.arbitrary_file_identifier,
            );
            out.leaf("ReceptionNumber", &h.reception_number);
            write_outcome(out, &h.segment_of_result, &h.error_code, &h.error_message);
            out.opt("NumberOfProcessingResult", &h.number_of_processing_result);
            out.opt("NumberOfNormalProcessing", &h.number_of_normal_processing);
            out.opt("NumberOfError", &h.number_of_error);
            write_character_code(out);
        });
        out.block("MessageBody", |out| {
            for u in &self.bulk_confirm_unit {
                write_unit(out, u);
            }
        });
    }

    fn read_xml(root: Element<'_, '_>) -> Result<Self, XmlError> {
        let header = read_bulk_header(root.required_child("MessageHeader")?)?;
        let body = root.required_child("MessageBody")?;
        let units = body
            .children()
            .filter(|c| c.name() == "BulkConfirmUnit")
            .map(read_unit)
            .collect::<Result<_, _>>()?;
        Ok(Self {
            message_header: header,
            bulk_confirm_unit: units,
        })
    }
}

fn read_bulk_header(el: Element<'_, '_>) -> Result<BulkResponseHeader, XmlError> {
    let mut f = HeaderFields::default();
    let (mut reception, mut total, mut normal, mut errors) = (None, None, None, None);
    for c in el.children() {
        if f.read(c)? {
            continue;
        }
        match c.name() {
            "ReceptionNumber" => reception = c.value()?,
            "NumberOfProcessingResult" => total = c.value()?,
            "NumberOfNormalProcessing" => normal = c.value()?,
            "NumberOfError" => errors = c.value()?,
            _ => {}
        }
    }
    Ok(BulkResponseHeader {
        process_execution_time: el.require("ProcessExecutionTime", f.time)?,
        qualification_confirmation_date: f.date,
        medical_institution_code: el.require("MedicalInstitutionCode", f.code)?,
        arbitrary_file_identifier: f.file_id,
        reception_number: el.require("ReceptionNumber", reception)?,
        segment_of_result: el.require("SegmentOfResult", f.segment)?,
        error_code: f.error_code,
        error_message: f.error_message,
        number_of_processing_result: total,
        number_of_normal_processing: normal,
        number_of_error: errors,
        character_code_identifier: el.require("CharacterCodeIdentifier", f.charset)?,
    })
}

fn write_unit(out: &mut XmlWriter, u: &BulkConfirmUnit) {
    out.block("BulkConfirmUnit", |out| {
        if let Some(info) = &u.qualification_confirm_search_info {
            write_search_info(out, info, |_| {});
        }
        write_processing_result(
            out,
            &u.processing_result_status,
            &u.processing_result_code,
            &u.processing_result_message,
            &u.qualification_validity,
        );
        for r in &u.result_of_qualification_confirmation {
            write_result(out, r);
        }
        out.opt("ReferenceNumber", &u.reference_number);
    });
}

fn read_unit(el: Element<'_, '_>) -> Result<BulkConfirmUnit, XmlError> {
    let mut unit = BulkConfirmUnit {
        qualification_confirm_search_info: None,
        processing_result_status: ProcessingResultStatus::Normal,
        processing_result_code: None,
        processing_result_message: None,
        qualification_validity: None,
        result_of_qualification_confirmation: Vec::new(),
        reference_number: None,
    };
    let mut status = None;
    for c in el.children() {
        match c.name() {
            "QualificationConfirmSearchInfo" => {
                unit.qualification_confirm_search_info = Some(read_search_info(c, |_| Ok(()))?);
            }
            "ProcessingResultStatus" => status = c.value()?,
            "ProcessingResultCode" => unit.processing_result_code = c.value()?,
            "ProcessingResultMessage" => unit.processing_result_message = c.value()?,
            "QualificationValidity" => unit.qualification_validity = c.value()?,
            "ResultOfQualificationConfirmation" => {
                unit.result_of_qualification_confirmation
                    .push(read_result(c)?);
            }
            "ReferenceNumber" => unit.reference_number = c.value()?,
            _ => {}
        }
    }
    unit.processing_result_status = el.require("ProcessingResultStatus", status)?;
    Ok(unit)
}

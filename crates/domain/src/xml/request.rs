//! `OQSsiquc01req` and the pieces the other messages share with it (request header,
//! `QualificationConfirmSearchInfo`).

use super::groups::{CardNumbers, write_card_numbers};
use super::{Element, MessageKind, XmlError, XmlMessage, XmlWriter};
use crate::message::{QualificationConfirmSearchInfo, QualificationRequest, RequestHeader};

impl XmlMessage for QualificationRequest {
    const KIND: MessageKind = MessageKind::QualificationRequest;

    fn write_xml(&self, out: &mut XmlWriter) {
        write_request_header(out, &self.message_header);
        out.block("MessageBody", |out| {
            write_search_info(out, &self.qualification_confirm_search_info, |_| {});
        });
    }

    fn read_xml(root: Element<'_, '_>) -> Result<Self, XmlError> {
        let header = read_request_header(root.required_child("MessageHeader")?)?;
        let body = root.required_child("MessageBody")?;
        let info = body.required_child("QualificationConfirmSearchInfo")?;
        Ok(Self {
            message_header: header,
            qualification_confirm_search_info: read_search_info(info, |_| Ok(()))?,
        })
    }
}

pub(super) fn write_request_header(out: &mut XmlWriter, h: &RequestHeader) {
    out.block("MessageHeader", |out| {
        out.leaf(
            "QualificationConfirmationDate",
            &h.qualification_confirmation_date,
        );
        out.leaf("MedicalInstitutionCode", &h.medical_institution_code);
        out.leaf("ArbitraryFileIdentifier", &h.arbitrary_file_identifier);
    });
}

pub(super) fn read_request_header(el: Element<'_, '_>) -> Result<RequestHeader, XmlError> {
    let (mut date, mut code, mut file_id) = (None, None, None);
    for c in el.children() {
        match c.name() {
            "QualificationConfirmationDate" => date = c.value()?,
            "MedicalInstitutionCode" => code = c.value()?,
            "ArbitraryFileIdentifier" => file_id = c.value()?,
            _ => {}
        }
    }
    Ok(RequestHeader {
        qualification_confirmation_date: el.require("QualificationConfirmationDate", date)?,
        medical_institution_code: el.require("MedicalInstitutionCode", code)?,
        arbitrary_file_identifier: el.require("ArbitraryFileIdentifier", file_id)?,
    })
}

/// Writes `<QualificationConfirmSearchInfo>`; `extra` adds trailing elements (bulk).
pub(super) fn write_search_info(
    out: &mut XmlWriter,
    s: &QualificationConfirmSearchInfo,
    extra: impl FnOnce(&mut XmlWriter),
) {
    out.block("QualificationConfirmSearchInfo", |out| {
        write_card_numbers(
            out,
            &s.insurer_number,
            &s.insured_card_symbol,
            &s.insured_identification_number,
            &s.insured_branch_number,
        );
        out.leaf("Birthdate", &s.birthdate);
        out.opt(
            "LimitApplicationCertificateRelatedConsFlg",
            &s.limit_application_certificate_related_cons_flg,
        );
        out.opt("ArbitraryIdentifier", &s.arbitrary_identifier);
        extra(out);
    });
}

/// Reads `<QualificationConfirmSearchInfo>`; `extra` sees the children this function
/// does not know (bulk fields).
pub(super) fn read_search_info<'d, 'a>(
    el: Element<'d, 'a>,
    mut extra: impl FnMut(Element<'d, 'a>) -> Result<(), XmlError>,
) -> Result<QualificationConfirmSearchInfo, XmlError> {
    let mut numbers = CardNumbers::default();
    let (mut birth, mut cons, mut arb) = (None, None, None);
    for c in el.children() {
        if numbers.read(c)? {
            continue;
        }
        match c.name() {
            "Birthdate" => birth = c.value()?,
            "LimitApplicationCertificateRelatedConsFlg" => cons = c.value()?,
            "ArbitraryIdentifier" => arb = c.value()?,
            _ => extra(c)?,
        }
    }
    Ok(QualificationConfirmSearchInfo {
        insurer_number: el.require("InsurerNumber", numbers.insurer)?,
        insured_card_symbol: numbers.symbol,
        insured_identification_number: el.require("InsuredIdentificationNumber", numbers.number)?,
        insured_branch_number: numbers.branch,
        birthdate: el.require("Birthdate", birth)?,
        limit_application_certificate_related_cons_flg: cons,
        arbitrary_identifier: arb,
    })
}

//! `ResultOfQualificationConfirmation` 資格確認結果 and its blocks, shared by the
//! single and bulk results.

use chrono::NaiveDate;

use super::groups::{CardNumbers, write_card_numbers};
use super::{Element, XmlError, XmlWriter};
use crate::codes::{InsuredCardClassification, Sex};
use crate::message::{
    ElderlyRecipientCertificateInfo, LimitApplicationCertificateRelatedInfo, MedicalTicketInfo,
    ResultOfQualificationConfirmation, SpecificDiseasesCertificateInfo, ViewingConsent,
};

/// Element-name prefixes of the four 閲覧同意 triples, in document order.
const VIEWING: [&str; 4] = [
    "SpecificHealthCheckupsInfo",
    "PharmacistsInfo",
    "DiagnosisInfo",
    "OperationInfo",
];

/// Which member of a 閲覧同意 triple an element is.
#[derive(Clone, Copy)]
enum Slot {
    Flag,
    Time,
    Available,
}

/// Maps a consent element name (primary spellings and the variants seen in the wild:
/// `DiagnosisInfoConsTim`, OQSDrug2's `PharmaceuticalInfo…` and `…AcquisitionTime`)
/// to its triple and slot.
fn viewing_slot(name: &str) -> Option<(usize, Slot)> {
    use Slot::{Available, Flag, Time};
    Some(match name {
        "SpecificHealthCheckupsInfoConsFlg" => (0, Flag),
        "SpecificHealthCheckupsInfoConsTime" => (0, Time),
        "SpecificHealthCheckupsInfoAvailableTime" | "SpecificHealthCheckupsInfoAcquisitionTime" => {
            (0, Available)
        }
        "PharmacistsInfoConsFlg" | "PharmaceuticalInfoConsFlg" => (1, Flag),
        "PharmacistsInfoConsTime" | "PharmaceuticalInfoConsTime" => (1, Time),
        "PharmacistsInfoAvailableTime" | "PharmaceuticalInfoAcquisitionTime" => (1, Available),
        "DiagnosisInfoConsFlg" => (2, Flag),
        "DiagnosisInfoConsTime" | "DiagnosisInfoConsTim" => (2, Time),
        "DiagnosisInfoAvailableTime" | "DiagnosisInfoAcquisitionTime" => (2, Available),
        "OperationInfoConsFlg" => (3, Flag),
        "OperationInfoConsTime" => (3, Time),
        "OperationInfoAvailableTime" | "OperationInfoAcquisitionTime" => (3, Available),
        _ => return None,
    })
}

/// Element names of one triple, from a `VIEWING` prefix (static, no allocation).
fn viewing_names(i: usize) -> [&'static str; 3] {
    match i {
        0 => [
            "SpecificHealthCheckupsInfoConsFlg",
            "SpecificHealthCheckupsInfoConsTime",
            "SpecificHealthCheckupsInfoAvailableTime",
        ],
        1 => [
            "PharmacistsInfoConsFlg",
            "PharmacistsInfoConsTime",
            "PharmacistsInfoAvailableTime",
        ],
        2 => [
            "DiagnosisInfoConsFlg",
            "DiagnosisInfoConsTime",
            "DiagnosisInfoAvailableTime",
        ],
        _ => [
            "OperationInfoConsFlg",
            "OperationInfoConsTime",
            "OperationInfoAvailableTime",
        ],
    }
}

fn viewing_mut(r: &mut ResultOfQualificationConfirmation, i: usize) -> &mut ViewingConsent {
    match i {
        0 => &mut r.specific_health_checkups_info,
        1 => &mut r.pharmacists_info,
        2 => &mut r.diagnosis_info,
        _ => &mut r.operation_info,
    }
}

fn viewing(r: &ResultOfQualificationConfirmation, i: usize) -> &ViewingConsent {
    match i {
        0 => &r.specific_health_checkups_info,
        1 => &r.pharmacists_info,
        2 => &r.diagnosis_info,
        _ => &r.operation_info,
    }
}

pub(super) fn write_result(out: &mut XmlWriter, r: &ResultOfQualificationConfirmation) {
    out.block("ResultOfQualificationConfirmation", |out| {
        write_insured(out, r);
        write_person(out, r);
        write_qualification(out, r);
        write_certificates(out, r);
        for i in 0..VIEWING.len() {
            let v = viewing(r, i);
            let [flag, time, available] = viewing_names(i);
            out.opt(flag, &v.cons_flg);
            out.opt(time, &v.cons_time);
            out.opt(available, &v.available_time);
        }
        out.opt("ReferenceNumber", &r.reference_number);
        out.opt(
            "LimitApplicationCertificateChanged",
            &r.limit_application_certificate_changed,
        );
    });
}

/// The insured card: classification, 保険者番号, 記号, 番号, 枝番, 本人家族, 被保険者氏名.
fn write_insured(out: &mut XmlWriter, r: &ResultOfQualificationConfirmation) {
    out.leaf("InsuredCardClassification", &r.insured_card_classification);
    write_card_numbers(
        out,
        &r.insurer_number,
        &r.insured_card_symbol,
        &r.insured_identification_number,
        &r.insured_branch_number,
    );
    out.opt(
        "PersonalFamilyClassification",
        &r.personal_family_classification,
    );
    out.opt("InsuredName", &r.insured_name);
}

/// The person: names, sex, birth date, address.
fn write_person(out: &mut XmlWriter, r: &ResultOfQualificationConfirmation) {
    out.leaf("Name", &r.name);
    out.opt("NameOfOther", &r.name_of_other);
    out.opt("NameKana", &r.name_kana);
    out.opt("NameOfOtherKana", &r.name_of_other_kana);
    out.leaf("Sex1", &r.sex1);
    out.opt("Sex2", &r.sex2);
    out.leaf("Birthdate", &r.birthdate);
    out.opt("Address", &r.address);
    out.opt("PostNumber", &r.post_number);
}

/// The qualification: its dates, ratio, preschool class, loss reason, insurer name.
fn write_qualification(out: &mut XmlWriter, r: &ResultOfQualificationConfirmation) {
    out.opt("QualificationDate", &r.qualification_date);
    out.opt("DisqualificationDate", &r.disqualification_date);
    out.opt(
        "InsuredCertificateIssuanceDate",
        &r.insured_certificate_issuance_date,
    );
    out.opt("InsuredCardValidDate", &r.insured_card_valid_date);
    out.opt("InsuredCardExpirationDate", &r.insured_card_expiration_date);
    out.opt(
        "InsuredPartialContributionRatio",
        &r.insured_partial_contribution_ratio,
    );
    out.opt("PreschoolClassification", &r.preschool_classification);
    out.opt("ReasonOfLoss", &r.reason_of_loss);
    out.leaf("InsurerName", &r.insurer_name);
}

/// The certificates: 高齢受給者証, 限度額適用 (consent and info), 特定疾病 (consent and
/// list), 公費 tickets.
fn write_certificates(out: &mut XmlWriter, r: &ResultOfQualificationConfirmation) {
    if let Some(e) = &r.elderly_recipient_certificate_info {
        write_elderly(out, e);
    }
    out.opt(
        "LimitApplicationCertificateRelatedConsFlg",
        &r.limit_application_certificate_related_cons_flg,
    );
    out.opt(
        "LimitApplicationCertificateRelatedConsTime",
        &r.limit_application_certificate_related_cons_time,
    );
    if let Some(l) = &r.limit_application_certificate_related_info {
        write_limit(out, l);
    }
    out.opt(
        "SpecificDiseasesCertificateRelatedConsFlg",
        &r.specific_diseases_certificate_related_cons_flg,
    );
    out.opt(
        "SpecificDiseasesCertificateRelatedConsTime",
        &r.specific_diseases_certificate_related_cons_time,
    );
    if !r.specific_diseases_certificate_list.is_empty() {
        out.block("SpecificDiseasesCertificateList", |out| {
            for s in &r.specific_diseases_certificate_list {
                write_specific_disease(out, s);
            }
        });
    }
    if !r.public_expense_result_list.is_empty() {
        out.block("PublicExpenseResultList", |out| {
            for t in &r.public_expense_result_list {
                write_ticket(out, t);
            }
        });
    }
}

fn write_elderly(out: &mut XmlWriter, e: &ElderlyRecipientCertificateInfo) {
    out.block("ElderlyRecipientCertificateInfo", |out| {
        out.opt(
            "ElderlyRecipientCertificateDate",
            &e.elderly_recipient_certificate_date,
        );
        out.opt(
            "ElderlyRecipientValidStartDate",
            &e.elderly_recipient_valid_start_date,
        );
        out.opt(
            "ElderlyRecipientValidEndDate",
            &e.elderly_recipient_valid_end_date,
        );
        out.opt(
            "ElderlyRecipientContributionRatio",
            &e.elderly_recipient_contribution_ratio,
        );
    });
}

fn write_limit(out: &mut XmlWriter, l: &LimitApplicationCertificateRelatedInfo) {
    out.block("LimitApplicationCertificateRelatedInfo", |out| {
        out.opt(
            "LimitApplicationCertificateClassification",
            &l.limit_application_certificate_classification,
        );
        out.opt(
            "LimitApplicationCertificateClassificationFlag",
            &l.limit_application_certificate_classification_flag,
        );
        out.opt(
            "LimitApplicationCertificateDate",
            &l.limit_application_certificate_date,
        );
        out.opt(
            "LimitApplicationCertificateValidStartDate",
            &l.limit_application_certificate_valid_start_date,
        );
        out.opt(
            "LimitApplicationCertificateValidEndDate",
            &l.limit_application_certificate_valid_end_date,
        );
        out.opt(
            "LimitApplicationCertificateLongTermDate",
            &l.limit_application_certificate_long_term_date,
        );
    });
}

fn write_specific_disease(out: &mut XmlWriter, s: &SpecificDiseasesCertificateInfo) {
    out.block("SpecificDiseasesCertificateInfo", |out| {
        out.leaf(
            "SpecificDiseasesDiseaseCategory",
            &s.specific_diseases_disease_category,
        );
        out.opt(
            "SpecificDiseasesCertificateDate",
            &s.specific_diseases_certificate_date,
        );
        out.opt(
            "SpecificDiseasesValidStartDate",
            &s.specific_diseases_valid_start_date,
        );
        out.opt(
            "SpecificDiseasesValidEndDate",
            &s.specific_diseases_valid_end_date,
        );
        out.opt("SpecificDiseasesSelfPay", &s.specific_diseases_self_pay);
    });
}

fn write_ticket(out: &mut XmlWriter, t: &MedicalTicketInfo) {
    out.block("MedicalTicketInfo", |out| {
        out.opt("TicketType", &t.ticket_type);
        out.opt("MedicalTicketValidDate", &t.medical_ticket_valid_date);
        out.opt(
            "MedicalTicketExpirationDate",
            &t.medical_ticket_expiration_date,
        );
        out.opt("IssueNumber", &t.issue_number);
        out.opt("MedicalTreatmentMonth", &t.medical_treatment_month);
        out.opt(
            "DesignatedMedicalInstitutionCode",
            &t.designated_medical_institution_code,
        );
        out.opt("SelfPayAmount", &t.self_pay_amount);
    });
}

/// A result with placeholders in the required fields, overwritten after reading.
fn blank_result() -> ResultOfQualificationConfirmation {
    ResultOfQualificationConfirmation::minimal(
        String::new(),
        Sex::Unset,
        NaiveDate::MIN,
        String::new(),
    )
}

/// The required elements of a result, as read (checked once all children are seen).
#[derive(Default)]
struct Required {
    class: Option<InsuredCardClassification>,
    name: Option<String>,
    sex1: Option<Sex>,
    birth: Option<NaiveDate>,
    insurer_name: Option<String>,
}

pub(super) fn read_result(
    el: Element<'_, '_>,
) -> Result<ResultOfQualificationConfirmation, XmlError> {
    let mut r = blank_result();
    let mut req = Required::default();
    let mut numbers = CardNumbers::default();
    for c in el.children() {
        if !(numbers.read(c)?
            || read_person_child(&mut r, &mut req, c)?
            || read_qualification_child(&mut r, &mut req, c)?
            || read_certificates_child(&mut r, c)?)
        {
            read_other_child(&mut r, c)?;
        }
    }
    r.insurer_number = numbers.insurer;
    r.insured_card_symbol = numbers.symbol;
    r.insured_identification_number = numbers.number;
    r.insured_branch_number = numbers.branch;
    r.insured_card_classification = el.require("InsuredCardClassification", req.class)?;
    r.name = el.require("Name", req.name)?;
    r.sex1 = el.require("Sex1", req.sex1)?;
    r.birthdate = el.require("Birthdate", req.birth)?;
    r.insurer_name = el.require("InsurerName", req.insurer_name)?;
    Ok(r)
}

/// Reads `c` if it is a person element (or the card classification, 本人家族,
/// 被保険者氏名); `false` otherwise.
fn read_person_child(
    r: &mut ResultOfQualificationConfirmation,
    req: &mut Required,
    c: Element<'_, '_>,
) -> Result<bool, XmlError> {
    match c.name() {
        "InsuredCardClassification" => req.class = c.value()?,
        "PersonalFamilyClassification" => r.personal_family_classification = c.value()?,
        "InsuredName" => r.insured_name = c.value()?,
        "Name" => req.name = c.value()?,
        "NameOfOther" => r.name_of_other = c.value()?,
        "NameKana" => r.name_kana = c.value()?,
        "NameOfOtherKana" => r.name_of_other_kana = c.value()?,
        "Sex1" => req.sex1 = c.value()?,
        "Sex2" => r.sex2 = c.value()?,
        "Birthdate" => req.birth = c.value()?,
        "Address" => r.address = c.value()?,
        "PostNumber" => r.post_number = c.value()?,
        _ => return Ok(false),
    }
    Ok(true)
}

/// Reads `c` if it is a qualification element (dates, ratio, insurer name); `false`
/// otherwise.
fn read_qualification_child(
    r: &mut ResultOfQualificationConfirmation,
    req: &mut Required,
    c: Element<'_, '_>,
) -> Result<bool, XmlError> {
    match c.name() {
        "QualificationDate" => r.qualification_date = c.value()?,
        "DisqualificationDate" => r.disqualification_date = c.value()?,
        "InsuredCertificateIssuanceDate" => r.insured_certificate_issuance_date = c.value()?,
        "InsuredCardValidDate" => r.insured_card_valid_date = c.value()?,
        "InsuredCardExpirationDate" => r.insured_card_expiration_date = c.value()?,
        "InsuredPartialContributionRatio" => {
            r.insured_partial_contribution_ratio = c.value()?;
        }
        "PreschoolClassification" => r.preschool_classification = c.value()?,
        "ReasonOfLoss" => r.reason_of_loss = c.value()?,
        "InsurerName" => req.insurer_name = c.value()?,
        _ => return Ok(false),
    }
    Ok(true)
}

/// Reads `c` if it is a certificate element (高齢受給者証, 限度額適用, 特定疾病, 公費);
/// `false` otherwise.
fn read_certificates_child(
    r: &mut ResultOfQualificationConfirmation,
    c: Element<'_, '_>,
) -> Result<bool, XmlError> {
    match c.name() {
        "ElderlyRecipientCertificateInfo" => {
            r.elderly_recipient_certificate_info = Some(read_elderly(c)?);
        }
        "LimitApplicationCertificateRelatedConsFlg" => {
            r.limit_application_certificate_related_cons_flg = c.value()?;
        }
        "LimitApplicationCertificateRelatedConsTime" => {
            r.limit_application_certificate_related_cons_time = c.value()?;
        }
        "LimitApplicationCertificateRelatedInfo" => {
            r.limit_application_certificate_related_info = Some(read_limit(c)?);
        }
        "SpecificDiseasesCertificateRelatedConsFlg" => {
            r.specific_diseases_certificate_related_cons_flg = c.value()?;
        }
        "SpecificDiseasesCertificateRelatedConsTime" => {
            r.specific_diseases_certificate_related_cons_time = c.value()?;
        }
        "SpecificDiseasesCertificateList" => {
            for s in c.children() {
                if s.name() == "SpecificDiseasesCertificateInfo" {
                    r.specific_diseases_certificate_list
                        .push(read_specific_disease(s)?);
                }
            }
        }
        "PublicExpenseResultList" => {
            for t in c.children() {
                if t.name() == "MedicalTicketInfo" {
                    r.public_expense_result_list.push(read_ticket(t)?);
                }
            }
        }
        _ => return Ok(false),
    }
    Ok(true)
}

/// Reads `c` if it is a 閲覧同意 element or one of the trailing ones; ignores it
/// otherwise.
fn read_other_child(
    r: &mut ResultOfQualificationConfirmation,
    c: Element<'_, '_>,
) -> Result<(), XmlError> {
    match c.name() {
        "ReferenceNumber" => r.reference_number = c.value()?,
        "LimitApplicationCertificateChanged" => {
            r.limit_application_certificate_changed = c.value()?;
        }
        other => {
            if let Some((i, slot)) = viewing_slot(other) {
                let v = viewing_mut(r, i);
                match slot {
                    Slot::Flag => v.cons_flg = c.value()?,
                    Slot::Time => v.cons_time = c.value()?,
                    Slot::Available => v.available_time = c.value()?,
                }
            }
        }
    }
    Ok(())
}

fn read_elderly(el: Element<'_, '_>) -> Result<ElderlyRecipientCertificateInfo, XmlError> {
    let mut e = ElderlyRecipientCertificateInfo::default();
    for c in el.children() {
        match c.name() {
            "ElderlyRecipientCertificateDate" => {
                e.elderly_recipient_certificate_date = c.value()?
            }
            "ElderlyRecipientValidStartDate" => e.elderly_recipient_valid_start_date = c.value()?,
            "ElderlyRecipientValidEndDate" => e.elderly_recipient_valid_end_date = c.value()?,
            "ElderlyRecipientContributionRatio" => {
                e.elderly_recipient_contribution_ratio = c.value()?;
            }
            _ => {}
        }
    }
    Ok(e)
}

fn read_limit(el: Element<'_, '_>) -> Result<LimitApplicationCertificateRelatedInfo, XmlError> {
    let mut l = LimitApplicationCertificateRelatedInfo::default();
    for c in el.children() {
        match c.name() {
            "LimitApplicationCertificateClassification" => {
                l.limit_application_certificate_classification = c.value()?;
            }
            "LimitApplicationCertificateClassificationFlag" => {
                l.limit_application_certificate_classification_flag = c.value()?;
            }
            "LimitApplicationCertificateDate" => {
                l.limit_application_certificate_date = c.value()?
            }
            "LimitApplicationCertificateValidStartDate" => {
                l.limit_application_certificate_valid_start_date = c.value()?;
            }
            "LimitApplicationCertificateValidEndDate" => {
                l.limit_application_certificate_valid_end_date = c.value()?;
            }
            "LimitApplicationCertificateLongTermDate" => {
                l.limit_application_certificate_long_term_date = c.value()?;
            }
            _ => {}
        }
    }
    Ok(l)
}

fn read_specific_disease(el: Element<'_, '_>) -> Result<SpecificDiseasesCertificateInfo, XmlError> {
    let (mut category, mut date, mut start, mut end, mut self_pay) = (None, None, None, None, None);
    for c in el.children() {
        match c.name() {
            "SpecificDiseasesDiseaseCategory" => category = c.value()?,
            "SpecificDiseasesCertificateDate" => date = c.value()?,
            "SpecificDiseasesValidStartDate" => start = c.value()?,
            "SpecificDiseasesValidEndDate" => end = c.value()?,
            "SpecificDiseasesSelfPay" => self_pay = c.value()?,
            _ => {}
        }
    }
    Ok(SpecificDiseasesCertificateInfo {
        specific_diseases_disease_category: el
            .require("SpecificDiseasesDiseaseCategory", category)?,
        specific_diseases_certificate_date: date,
        specific_diseases_valid_start_date: start,
        specific_diseases_valid_end_date: end,
        specific_diseases_self_pay: self_pay,
    })
}

fn read_ticket(el: Element<'_, '_>) -> Result<MedicalTicketInfo, XmlError> {
    let mut t = MedicalTicketInfo::default();
    for c in el.children() {
        match c.name() {
            "TicketType" => t.ticket_type = c.value()?,
            "MedicalTicketValidDate" => t.medical_ticket_valid_date = c.value()?,
            "MedicalTicketExpirationDate" => t.medical_ticket_expiration_date = c.value()?,
            "IssueNumber" => t.issue_number = c.value()?,
            "MedicalTreatmentMonth" => t.medical_treatment_month = c.value()?,
            "DesignatedMedicalInstitutionCode" => {
                t.designated_medical_institution_code = c.value()?;
            }
            "SelfPayAmount" => t.self_pay_amount = c.value()?,
            _ => {}
        }
    }
    Ok(t)
}

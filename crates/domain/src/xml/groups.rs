//! Element groups several messages share: the response header's common children, the
//! processing result of one person, and the numbers of an insured card.

use chrono::{NaiveDate, NaiveDateTime};

use super::writer::Field;
use super::{Element, XmlError, XmlWriter, read_character_code};
use crate::codes::{
    CharacterEncoding, InsurerNumber, ProcessingResultStatus, QualificationValidity,
    SegmentOfResult,
};
use crate::message::MedicalInstitutionCode;

/// Writes the children a response header starts with: `ProcessExecutionTime`,
/// `QualificationConfirmationDate` (always present in a single response, optional in
/// bulk; a date's text is never empty, so present means written),
/// `MedicalInstitutionCode`, `ArbitraryFileIdentifier`.
pub(super) fn write_origin(
    out: &mut XmlWriter,
    time: &NaiveDateTime,
    date: &Option<NaiveDate>,
    code: &MedicalInstitutionCode,
    file_id: &Option<String>,
) {
    out.leaf("ProcessExecutionTime", time);
    out.opt("QualificationConfirmationDate", date);
    out.leaf("MedicalInstitutionCode", code);
    out.opt("ArbitraryFileIdentifier", file_id);
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

/// Writes the processing result of one person: `ProcessingResultStatus`,
/// `ProcessingResultCode`, `ProcessingResultMessage`, `QualificationValidity`.
pub(super) fn write_processing_result(
    out: &mut XmlWriter,
    status: &ProcessingResultStatus,
    code: &Option<String>,
    message: &Option<String>,
    validity: &Option<QualificationValidity>,
) {
    out.leaf("ProcessingResultStatus", status);
    out.opt("ProcessingResultCode", code);
    out.opt("ProcessingResultMessage", message);
    out.opt("QualificationValidity", validity);
}

/// Writes 保険者番号, 記号, 番号 and 枝番 of an insured card (required in search info,
/// optional in a result).
pub(super) fn write_card_numbers(
    out: &mut XmlWriter,
    insurer: &impl Field,
    symbol: &Option<String>,
    number: &impl Field,
    branch: &Option<String>,
) {
    insurer.write_as(out, "InsurerNumber");
    out.opt("InsuredCardSymbol", symbol);
    number.write_as(out, "InsuredIdentificationNumber");
    out.opt("InsuredBranchNumber", branch);
}

/// 保険者番号, 記号, 番号 and 枝番 of an insured card (search info, result), read one
/// child at a time.
#[derive(Default)]
pub(super) struct CardNumbers {
    pub(super) insurer: Option<InsurerNumber>,
    pub(super) symbol: Option<String>,
    pub(super) number: Option<String>,
    pub(super) branch: Option<String>,
}

impl CardNumbers {
    /// Reads `c` when it is one of the card numbers; `false` leaves it to the caller.
    pub(super) fn read(&mut self, c: Element<'_, '_>) -> Result<bool, XmlError> {
        match c.name() {
            "InsurerNumber" => self.insurer = c.value()?,
            "InsuredCardSymbol" => self.symbol = c.value()?,
            "InsuredIdentificationNumber" => self.number = c.value()?,
            "InsuredBranchNumber" => self.branch = c.value()?,
            _ => return Ok(false),
        }
        Ok(true)
    }
}

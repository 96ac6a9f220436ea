//! The face-result file the reader hands to the clinic system:
//! `OQSsiquc01res_face_<医療機関コード><20 chars>_<yyyyMMddHHmmss>.xml`, the
//! `OQSsiquc01res` result, Shift_JIS by default (characters Shift_JIS cannot carry are
//! written as ●; the card front shows the exact form, FAQ-4-6).

use chrono::NaiveDateTime;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::outcome::{ReaderOutcome, ReaderResult};
use onshi_domain::clinic::ReaderAtClinic;
use onshi_domain::codes::CharacterEncoding;
use onshi_domain::message::{MedicalInstitutionCode, QualificationResponse};
use onshi_domain::xml::{self, filename::OqsFileName};

/// A result file: its name and bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultFile {
    /// The file name.
    pub name: String,
    /// The XML bytes in `encoding`.
    pub bytes: Vec<u8>,
    /// The encoding.
    pub encoding: CharacterEncoding,
}

impl ResultFile {
    /// The XML as text (decoded for display).
    pub fn text(&self) -> String {
        match self.encoding {
            CharacterEncoding::Utf8 => String::from_utf8_lossy(&self.bytes).into_owned(),
            CharacterEncoding::ShiftJis => {
                encoding_rs::SHIFT_JIS.decode(&self.bytes).0.into_owned()
            }
        }
    }
}

impl ResultFile {
    /// The file as the clinic-control API carries it.
    pub fn at_clinic(&self) -> ReaderAtClinic {
        ReaderAtClinic::ResultFile {
            name: self.name.clone(),
            encoding: match self.encoding {
                CharacterEncoding::Utf8 => "UTF-8",
                CharacterEncoding::ShiftJis => "Shift_JIS",
            }
            .to_owned(),
            xml: BASE64.encode(&self.bytes),
        }
    }
}

impl ReaderOutcome {
    /// What the clinic system receives from the reader: the face-result file `file`
    /// when the backend answered, else what the reader displayed. An answer without a
    /// file (never the case in the suite: onshi writes one for a reader that does not)
    /// reads as a backend that did not answer.
    pub fn at_clinic(&self, file: Option<&ResultFile>) -> ReaderAtClinic {
        match (&self.result, file) {
            (ReaderResult::Answered { .. }, Some(f)) => f.at_clinic(),
            (ReaderResult::Answered { .. }, None) => ReaderAtClinic::BackendUnavailable,
            (ReaderResult::CardUnreadable { .. }, _) => ReaderAtClinic::CardUnreadable,
            (ReaderResult::NotMyNumberCard, _) => ReaderAtClinic::NotMyNumberCard,
            (ReaderResult::AuthenticationFailed, _) => ReaderAtClinic::AuthenticationFailed,
            (ReaderResult::RegistrationRefused { .. } | ReaderResult::RegistrationDeclined, _) => {
                ReaderAtClinic::RegistrationMissing
            }
            (ReaderResult::Refused { code, .. }, _) => {
                ReaderAtClinic::Refused { code: code.clone() }
            }
            (ReaderResult::BackendUnavailable { .. }, _) => ReaderAtClinic::BackendUnavailable,
        }
    }
}

/// A 20-character identifier from the reader id and a sequence number.
fn identifier(reader_id: &str, sequence: u64) -> String {
    let mut id: String = reader_id
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(8)
        .collect();
    while id.len() < 8 {
        id.push('0');
    }
    format!("{id}{sequence:012}")
}

/// Writes the face-result file for a response.
pub fn face_result(
    response: &QualificationResponse,
    facility: &MedicalInstitutionCode,
    reader_id: &str,
    sequence: u64,
    written_at: NaiveDateTime,
    encoding: CharacterEncoding,
) -> ResultFile {
    let name = OqsFileName::FaceResult {
        medical_institution_code: facility.clone(),
        identifier: identifier(reader_id, sequence),
        written_at,
    }
    .to_string();
    ResultFile {
        name,
        bytes: xml::encode(response, encoding),
        encoding,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_20_ascii_characters() {
        assert_eq!(identifier("reader-01", 7).len(), 20);
        assert_eq!(identifier("r", 1), "r0000000000000000001");
    }
}

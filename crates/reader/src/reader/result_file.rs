//! The face-result file the reader hands to the clinic system:
//! `OQSsiquc01res_face_<医療機関コード><20 chars>_<yyyyMMddHHmmss>.xml`, the
//! `OQSsiquc01res` result, Shift_JIS by default (characters Shift_JIS cannot carry are
//! written as ●; the card front shows the exact form, FAQ-4-6).

use chrono::NaiveDateTime;

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

//! File names of the req/res folder exchange (`domain.md` §3.1–3.2).
//!
//! `<prefix><body>.xml` (results may also arrive as `.zip`), where the body is in
//! practice `yyyyMMdd` + a 4-digit sequence; we accept 1–64 of `[A-Za-z0-9_-]`. The
//! face-reader result is `OQSsiquc01res_face_<MedicalInstitutionCode 10><20 chars>_<yyyyMMddHHmmss>.xml`.
//! Names with a path separator or `..` are refused before anything else.

use std::fmt;

use chrono::NaiveDateTime;

use super::text::{FromText, ToText};
use crate::message::MedicalInstitutionCode;

/// Which message a file carries, by its name prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageKind {
    /// `OQSsiquc01req_` 資格確認照会 request.
    QualificationRequest,
    /// `OQSsiquc01res_` 資格確認結果 (also `OQSsiquc01res_face_…`).
    QualificationResponse,
    /// `OQSmuquc01req_` 一括照会 upload.
    BulkRequest,
    /// `OQSmuquc01res_` 一括照会 upload ack (受付番号).
    BulkUploadAck,
    /// `OQSmuquc02req_` 一括照会 result download request.
    BulkDownloadRequest,
    /// `OQSmuquc02res_` 一括照会 result.
    BulkResponse,
}

impl MessageKind {
    /// Every kind.
    pub const ALL: [MessageKind; 6] = [
        Self::QualificationRequest,
        Self::QualificationResponse,
        Self::BulkRequest,
        Self::BulkUploadAck,
        Self::BulkDownloadRequest,
        Self::BulkResponse,
    ];

    /// The file-name prefix, underscore included.
    pub const fn prefix(self) -> &'static str {
        match self {
            Self::QualificationRequest => "OQSsiquc01req_",
            Self::QualificationResponse => "OQSsiquc01res_",
            Self::BulkRequest => "OQSmuquc01req_",
            Self::BulkUploadAck => "OQSmuquc01res_",
            Self::BulkDownloadRequest => "OQSmuquc02req_",
            Self::BulkResponse => "OQSmuquc02res_",
        }
    }

    /// Whether the clinic writes this kind (into `req/`).
    pub const fn is_request(self) -> bool {
        matches!(
            self,
            Self::QualificationRequest | Self::BulkRequest | Self::BulkDownloadRequest
        )
    }

    /// The answer the terminal writes for a request kind.
    pub const fn response(self) -> Option<MessageKind> {
        match self {
            Self::QualificationRequest => Some(Self::QualificationResponse),
            Self::BulkRequest => Some(Self::BulkUploadAck),
            Self::BulkDownloadRequest => Some(Self::BulkResponse),
            _ => None,
        }
    }
}

/// File extension of an exchanged file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileExtension {
    /// `.xml`
    Xml,
    /// `.zip` (results only, in practice)
    Zip,
}

impl FileExtension {
    const fn suffix(self) -> &'static str {
        match self {
            Self::Xml => ".xml",
            Self::Zip => ".zip",
        }
    }
}

/// A parsed exchange file name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum OqsFileName {
    /// `<prefix><body>.xml|.zip`.
    Message {
        /// Message kind (prefix).
        kind: MessageKind,
        /// The part between prefix and extension (`202609290001`).
        body: String,
        /// The extension.
        extension: FileExtension,
    },
    /// `OQSsiquc01res_face_<MIC><identifier>_<written_at>.xml`.
    FaceResult {
        /// 医療機関コード.
        medical_institution_code: MedicalInstitutionCode,
        /// 20 ASCII letters or digits chosen by the reader software.
        identifier: String,
        /// The time stamp (`yyyyMMddHHmmss`).
        written_at: NaiveDateTime,
    },
}

/// A file name that is not an exchange file name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileNameError {
    /// The name contains `/`, `\` or `..`.
    #[error("{0:?} contains a path separator or '..'")]
    PathComponent(String),
    /// No known prefix.
    #[error("{0:?} has no known OQS prefix")]
    UnknownPrefix(String),
    /// Not `.xml` / `.zip`.
    #[error("{0:?} does not end in .xml or .zip")]
    BadExtension(String),
    /// The body is empty, too long or has other characters than `[A-Za-z0-9_-]`.
    #[error("{0:?}: the name body must be 1-64 of [A-Za-z0-9_-]")]
    BadBody(String),
    /// A face-result name with a malformed code, identifier or time stamp.
    #[error("{name:?}: bad face-result name ({reason})")]
    BadFaceName {
        /// The name.
        name: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A response name was given where a request name is needed.
    #[error("{0:?} is not a request file name")]
    NotARequest(String),
}

const FACE_PREFIX: &str = "OQSsiquc01res_face_";
const MAX_BODY: usize = 64;

impl OqsFileName {
    /// Parses a bare file name (no directories).
    pub fn parse(name: &str) -> Result<Self, FileNameError> {
        if name.contains(['/', '\\']) || name.contains("..") {
            return Err(FileNameError::PathComponent(name.to_owned()));
        }
        if let Some(rest) = name.strip_prefix(FACE_PREFIX) {
            return parse_face(name, rest);
        }
        let kind = MessageKind::ALL
            .into_iter()
            .find(|k| name.starts_with(k.prefix()))
            .ok_or_else(|| FileNameError::UnknownPrefix(name.to_owned()))?;
        let rest = &name[kind.prefix().len()..];
        let (body, extension) =
            split_extension(rest).ok_or_else(|| FileNameError::BadExtension(name.to_owned()))?;
        let body_ok = !body.is_empty()
            && body.len() <= MAX_BODY
            && body
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
        if !body_ok {
            return Err(FileNameError::BadBody(name.to_owned()));
        }
        Ok(Self::Message {
            kind,
            body: body.to_owned(),
            extension,
        })
    }

    /// The message kind.
    pub fn kind(&self) -> MessageKind {
        match self {
            Self::Message { kind, .. } => *kind,
            Self::FaceResult { .. } => MessageKind::QualificationResponse,
        }
    }
}

fn split_extension(rest: &str) -> Option<(&str, FileExtension)> {
    let dot = rest.len().checked_sub(4)?;
    let (body, ext) = (rest.get(..dot)?, rest.get(dot..)?);
    if ext.eq_ignore_ascii_case(".xml") {
        Some((body, FileExtension::Xml))
    } else if ext.eq_ignore_ascii_case(".zip") {
        Some((body, FileExtension::Zip))
    } else {
        None
    }
}

fn parse_face(name: &str, rest: &str) -> Result<OqsFileName, FileNameError> {
    let bad = |reason| FileNameError::BadFaceName {
        name: name.to_owned(),
        reason,
    };
    let (stem, extension) =
        split_extension(rest).ok_or_else(|| FileNameError::BadExtension(name.to_owned()))?;
    if extension != FileExtension::Xml {
        return Err(FileNameError::BadExtension(name.to_owned()));
    }
    let (head, stamp) = stem
        .split_once('_')
        .ok_or_else(|| bad("no '_' before the time stamp"))?;
    if head.len() != 30 || !head.is_ascii() {
        return Err(bad("expected 10-digit code + 20 characters"));
    }
    let (code, identifier) = head.split_at(10);
    let medical_institution_code =
        MedicalInstitutionCode::parse(code).map_err(|_| bad("invalid medical institution code"))?;
    if !identifier.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(bad("identifier must be ASCII letters or digits"));
    }
    if stamp.len() != 14 {
        return Err(bad("time stamp must be yyyyMMddHHmmss"));
    }
    let written_at =
        NaiveDateTime::from_text(stamp).map_err(|_| bad("time stamp must be yyyyMMddHHmmss"))?;
    Ok(OqsFileName::FaceResult {
        medical_institution_code,
        identifier: identifier.to_owned(),
        written_at,
    })
}

impl fmt::Display for OqsFileName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Message {
                kind,
                body,
                extension,
            } => write!(f, "{}{}{}", kind.prefix(), body, extension.suffix()),
            Self::FaceResult {
                medical_institution_code,
                identifier,
                written_at,
            } => {
                let stamp = written_at.with_text(str::to_owned);
                write!(
                    f,
                    "{FACE_PREFIX}{medical_institution_code}{identifier}_{stamp}.xml"
                )
            }
        }
    }
}

impl std::str::FromStr for OqsFileName {
    type Err = FileNameError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// The name the terminal answers a request file with: `01req_` → `01res_`,
/// `02req_` → `02res_`, body and extension unchanged.
pub fn mirror_response_name(request_name: &str) -> Result<String, FileNameError> {
    match OqsFileName::parse(request_name)? {
        OqsFileName::Message {
            kind,
            body,
            extension,
        } => {
            let response = kind
                .response()
                .ok_or_else(|| FileNameError::NotARequest(request_name.to_owned()))?;
            Ok(OqsFileName::Message {
                kind: response,
                body,
                extension,
            }
            .to_string())
        }
        OqsFileName::FaceResult { .. } => Err(FileNameError::NotARequest(request_name.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_prefix_parses_and_formats_back() {
        for kind in MessageKind::ALL {
            let name = format!("{}202609290001.xml", kind.prefix());
            let parsed = OqsFileName::parse(&name).unwrap();
            assert_eq!(parsed.kind(), kind);
            assert_eq!(parsed.to_string(), name);
        }
        let zip = OqsFileName::parse("OQSmuquc02res_202609290001.zip").unwrap();
        assert!(matches!(
            zip,
            OqsFileName::Message {
                extension: FileExtension::Zip,
                ..
            }
        ));
    }

    #[test]
    fn face_result_name() {
        let name = "OQSsiquc01res_face_27142063864da5260a16de5a3d3ad7_20260929160112.xml";
        let parsed = OqsFileName::parse(name).unwrap();
        let OqsFileName::FaceResult {
            medical_institution_code,
            identifier,
            written_at,
        } = &parsed
        else {
            panic!("not a face name: {parsed:?}");
        };
        assert_eq!(medical_institution_code.as_str(), "2714206386");
        assert_eq!(identifier, "4da5260a16de5a3d3ad7");
        assert_eq!(written_at.to_string(), "2026-09-29 16:01:12");
        assert_eq!(parsed.kind(), MessageKind::QualificationResponse);
        assert_eq!(parsed.to_string(), name);
        for bad in [
            "OQSsiquc01res_face_2714206386_20260929160112.xml",
            "OQSsiquc01res_face_27142063864da5260a16de5a3d3ad7_20261329160112.xml",
            "OQSsiquc01res_face_99142063864da5260a16de5a3d3ad7_20260929160112.xml",
            "OQSsiquc01res_face_27142063864da5260a16de5a3d3a!7_20260929160112.xml",
            "OQSsiquc01res_face_27142063864da5260a16de5a3d3ad7_20260929160112.zip",
        ] {
            assert!(OqsFileName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn mirror_maps_requests_only() {
        assert_eq!(
            mirror_response_name("OQSsiquc01req_202609290001.xml").unwrap(),
            "OQSsiquc01res_202609290001.xml"
        );
        assert_eq!(
            mirror_response_name("OQSmuquc01req_202609290002.xml").unwrap(),
            "OQSmuquc01res_202609290002.xml"
        );
        assert_eq!(
            mirror_response_name("OQSmuquc02req_202609290003.xml").unwrap(),
            "OQSmuquc02res_202609290003.xml"
        );
        assert!(matches!(
            mirror_response_name("OQSsiquc01res_202609290001.xml"),
            Err(FileNameError::NotARequest(_))
        ));
    }

    #[test]
    fn refuses_paths_and_junk() {
        for bad in [
            "../OQSsiquc01req_1.xml",
            "req/OQSsiquc01req_1.xml",
            "OQSsiquc01req_..xml",
            "OQSsiquc01req_a..b.xml",
            "C:\\OQSsiquc01req_1.xml",
        ] {
            assert!(
                matches!(
                    OqsFileName::parse(bad),
                    Err(FileNameError::PathComponent(_))
                ),
                "{bad}"
            );
        }
        assert!(matches!(
            OqsFileName::parse("OQSxxxxx01req_1.xml"),
            Err(FileNameError::UnknownPrefix(_))
        ));
        assert!(matches!(
            OqsFileName::parse("OQSsiquc01req_1.txt"),
            Err(FileNameError::BadExtension(_))
        ));
        for bad in [
            "OQSsiquc01req_.xml",
            "OQSsiquc01req_a b.xml",
            "OQSsiquc01req_済.xml",
        ] {
            assert!(
                matches!(OqsFileName::parse(bad), Err(FileNameError::BadBody(_))),
                "{bad}"
            );
        }
        let long = format!("OQSsiquc01req_{}.xml", "1".repeat(65));
        assert!(OqsFileName::parse(&long).is_err());
        assert!(OqsFileName::parse("OQSsiquc01req_").is_err());
        assert!(OqsFileName::parse("").is_err());
    }
}

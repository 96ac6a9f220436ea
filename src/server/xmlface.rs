//! The XML face of the engine, bytes in → bytes out, shared by XML over HTTP and the
//! req/res folder exchange.
//!
//! A document that cannot be read still gets an answer: an `OQSsiquc01res` (or, for
//! the bulk messages, an `OQSmuquc02res`) with `SegmentOfResult` 9, an `ONS-…`
//! `ErrorCode` and the reader's message (element path and line). The answer is
//! written in the request's encoding (UTF-8 when it cannot be told).

use chrono::NaiveDateTime;

use super::audit::AuditRecord;
use super::codes::ResultCode;
use super::engine::{Engine, EngineError, RequestTime, bulk_error_response, xml_error_response};
use crate::codes::{CharacterEncoding, ReferenceClassification};
use crate::message::{
    BulkDownloadRequest, BulkQualificationRequest, MedicalInstitutionCode, QualificationRequest,
};
use crate::xml::{self, MessageKind, XmlError, XmlErrorKind};

/// Stands in for the 医療機関コード in an error answer when the request's own cannot
/// be read (a code must be there; `01…` parses, and no real facility ends in zeros
/// only).
pub const UNREADABLE_FACILITY: &str = "0100000000";

/// One XML exchange: the answer bytes, its HTTP status and the audit record.
#[derive(Debug, Clone)]
pub struct XmlExchange {
    /// The answer document.
    pub body: Vec<u8>,
    /// The encoding it is written in.
    pub encoding: CharacterEncoding,
    /// HTTP status (200, or the error code's).
    pub status: u16,
    /// The audit record.
    pub audit: AuditRecord,
}

/// The `ONS-…` code for a document that could not be read.
pub fn xml_error_code(e: &XmlError) -> ResultCode {
    match &e.kind {
        XmlErrorKind::TooLarge { .. } => ResultCode::PayloadTooLarge,
        XmlErrorKind::UnsupportedEncoding(_) | XmlErrorKind::Undecodable { .. } => {
            ResultCode::UnsupportedEncoding
        }
        XmlErrorKind::InvalidCode(c) if c.field == "InsurerNumber" => {
            ResultCode::InvalidInsurerNumber
        }
        XmlErrorKind::Missing
        | XmlErrorKind::InvalidCode(_)
        | XmlErrorKind::InvalidDate { .. }
        | XmlErrorKind::InvalidNumber { .. } => ResultCode::InvalidField,
        XmlErrorKind::Malformed(_)
        | XmlErrorKind::TooDeep { .. }
        | XmlErrorKind::TooManyElements { .. }
        | XmlErrorKind::WrongRoot { .. } => ResultCode::MalformedRequest,
    }
}

fn engine_error(e: &XmlError) -> EngineError {
    let mut err = EngineError::detail(xml_error_code(e), e.to_string());
    if !e.path.is_empty() {
        err = err.field(e.path.clone());
    }
    err
}

/// The facility code of a document that did not decode, found leniently.
pub fn lenient_facility(bytes: &[u8]) -> MedicalInstitutionCode {
    let text = String::from_utf8_lossy(&bytes[..bytes.len().min(64 * 1024)]);
    text.find("<MedicalInstitutionCode>")
        .and_then(|i| {
            let rest = &text[i + "<MedicalInstitutionCode>".len()..];
            rest.find("</").map(|j| rest[..j].to_owned())
        })
        .and_then(|code| MedicalInstitutionCode::parse(&code).ok())
        .unwrap_or_else(|| {
            MedicalInstitutionCode::parse(UNREADABLE_FACILITY).expect("literal facility code")
        })
}

fn encoding_of(bytes: &[u8]) -> CharacterEncoding {
    xml::detect_encoding(bytes)
        .map(|(e, _)| e)
        .unwrap_or(CharacterEncoding::Utf8)
}

fn exchange<M: xml::XmlMessage>(
    message: &M,
    encoding: CharacterEncoding,
    status: u16,
    audit: AuditRecord,
) -> XmlExchange {
    XmlExchange {
        body: xml::encode(message, encoding),
        encoding,
        status,
        audit,
    }
}

fn rejected(engine: &Engine, now: NaiveDateTime, e: &EngineError) -> AuditRecord {
    let mut a = engine.audit_rejected(now, e.code, e.message.clone());
    a.facility = None;
    a
}

/// `OQSsiquc01req` → `OQSsiquc01res`.
pub fn inquiry(engine: &Engine, bytes: &[u8], t: RequestTime) -> XmlExchange {
    let encoding = encoding_of(bytes);
    match xml::decode::<QualificationRequest>(bytes) {
        Ok(req) => {
            let out = engine.xml_inquiry(&req, t);
            match out.result {
                Ok(res) => exchange(&res, encoding, 200, out.audit),
                Err(e) => {
                    let now = out.audit.now;
                    let res = xml_error_response(
                        &e,
                        &req.message_header.medical_institution_code,
                        Some(req.message_header.arbitrary_file_identifier.clone()),
                        now,
                        ReferenceClassification::InsuranceCardNumbers,
                    );
                    exchange(&res, encoding, e.code.http_status(), out.audit)
                }
            }
        }
        Err(xe) => {
            let e = engine_error(&xe);
            let res = xml_error_response(
                &e,
                &lenient_facility(bytes),
                None,
                t.now,
                ReferenceClassification::InsuranceCardNumbers,
            );
            exchange(
                &res,
                encoding,
                e.code.http_status(),
                rejected(engine, t.now, &e),
            )
        }
    }
}

/// `OQSmuquc01req` → `OQSmuquc01res` (受付番号), or an `OQSmuquc02res`-shaped error.
pub fn bulk_upload(engine: &Engine, bytes: &[u8], t: RequestTime) -> XmlExchange {
    let encoding = encoding_of(bytes);
    match xml::decode::<BulkQualificationRequest>(bytes) {
        Ok(req) => {
            let out = engine.bulk_upload(&req, t);
            match out.result {
                Ok(ack) => exchange(&ack, encoding, 200, out.audit),
                Err(e) => {
                    let res = bulk_error_response(
                        &e,
                        &req.message_header.medical_institution_code,
                        Some(req.message_header.arbitrary_file_identifier.clone()),
                        "",
                        out.audit.now,
                    );
                    exchange(&res, encoding, e.code.http_status(), out.audit)
                }
            }
        }
        Err(xe) => {
            let e = engine_error(&xe);
            let res = bulk_error_response(&e, &lenient_facility(bytes), None, "", t.now);
            exchange(
                &res,
                encoding,
                e.code.http_status(),
                rejected(engine, t.now, &e),
            )
        }
    }
}

/// `OQSmuquc02req` → `OQSmuquc02res`.
pub fn bulk_download(engine: &Engine, bytes: &[u8], t: RequestTime) -> XmlExchange {
    let encoding = encoding_of(bytes);
    match xml::decode::<BulkDownloadRequest>(bytes) {
        Ok(req) => {
            let out = engine.bulk_download(&req, t);
            match out.result {
                Ok(res) => exchange(&res, encoding, 200, out.audit),
                Err(e) => {
                    let res = bulk_error_response(
                        &e,
                        &req.medical_institution_code,
                        req.arbitrary_file_identifier.clone(),
                        &req.reception_number,
                        t.now,
                    );
                    exchange(&res, encoding, e.code.http_status(), out.audit)
                }
            }
        }
        Err(xe) => {
            let e = engine_error(&xe);
            let res = bulk_error_response(&e, &lenient_facility(bytes), None, "", t.now);
            exchange(
                &res,
                encoding,
                e.code.http_status(),
                rejected(engine, t.now, &e),
            )
        }
    }
}

/// Dispatches on a request kind (`None` for kinds that are not requests).
pub fn handle(
    kind: MessageKind,
    engine: &Engine,
    bytes: &[u8],
    t: RequestTime,
) -> Option<XmlExchange> {
    match kind {
        MessageKind::QualificationRequest => Some(inquiry(engine, bytes, t)),
        MessageKind::BulkRequest => Some(bulk_upload(engine, bytes, t)),
        MessageKind::BulkDownloadRequest => Some(bulk_download(engine, bytes, t)),
        _ => None,
    }
}

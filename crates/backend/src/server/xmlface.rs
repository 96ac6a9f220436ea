//! The XML face of the engine, bytes in → bytes out, shared by XML over HTTP and the
//! req/res folder exchange.
//!
//! A document that cannot be read still gets an answer: an `OQSsiquc01res` (or, for
//! the bulk messages, an `OQSmuquc02res`) with `SegmentOfResult` 9, an `ONS-…`
//! `ErrorCode` and the reader's message (element path and line). The answer is
//! written in the request's encoding (UTF-8 when it cannot be told).

use chrono::NaiveDateTime;

use super::audit::AuditRecord;
use super::engine::{
    Engine, EngineError, Outcome, RequestTime, bulk_error_response, xml_error_response,
};
use onshi_domain::codes::{CharacterEncoding, ReferenceClassification};
use onshi_domain::message::{
    BulkDownloadRequest, BulkQualificationRequest, MedicalInstitutionCode, QualificationRequest,
};
use onshi_domain::protocol::result_code::ResultCode;
use onshi_domain::xml::{self, MessageKind, XmlError, XmlErrorKind};

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
    let mut err = EngineError::detail(
        xml_error_code(e),
        super::audit::redact_values(&e.to_string()),
    );
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

/// A request document of the XML face: where its error answer goes.
trait XmlRequest: xml::XmlMessage {
    /// The facility, `ArbitraryFileIdentifier` and 受付番号 an error answer echoes.
    fn error_address(&self) -> (&MedicalInstitutionCode, Option<String>, &str);
}

impl XmlRequest for QualificationRequest {
    fn error_address(&self) -> (&MedicalInstitutionCode, Option<String>, &str) {
        let h = &self.message_header;
        (
            &h.medical_institution_code,
            super::engine::echoable_file_id(Some(h.arbitrary_file_identifier.clone())),
            "",
        )
    }
}

impl XmlRequest for BulkQualificationRequest {
    fn error_address(&self) -> (&MedicalInstitutionCode, Option<String>, &str) {
        let h = &self.message_header;
        (
            &h.medical_institution_code,
            super::engine::echoable_file_id(Some(h.arbitrary_file_identifier.clone())),
            "",
        )
    }
}

impl XmlRequest for BulkDownloadRequest {
    fn error_address(&self) -> (&MedicalInstitutionCode, Option<String>, &str) {
        (
            &self.medical_institution_code,
            super::engine::echoable_file_id(self.arbitrary_file_identifier.clone()),
            &self.reception_number,
        )
    }
}

/// One exchange of any request kind: decode, `run` on the engine, answer in the
/// request's encoding. A refusal is answered with `error_doc` addressed to the
/// request (at the audit's "now"); a document that cannot be read, with `error_doc`
/// addressed to the facility found leniently (at the shell's "now").
fn answer<Req: XmlRequest, Res: xml::XmlMessage, Doc: xml::XmlMessage>(
    engine: &Engine,
    bytes: &[u8],
    t: RequestTime,
    run: impl FnOnce(&Req) -> Outcome<Res>,
    error_doc: impl Fn(
        &EngineError,
        &MedicalInstitutionCode,
        Option<String>,
        &str,
        NaiveDateTime,
    ) -> Doc,
) -> XmlExchange {
    let encoding = encoding_of(bytes);
    match xml::decode::<Req>(bytes) {
        Ok(req) => {
            let out = run(&req);
            match out.result {
                Ok(res) => exchange(&res, encoding, 200, out.audit),
                Err(e) => {
                    let (facility, file_id, reception_number) = req.error_address();
                    let res = error_doc(&e, facility, file_id, reception_number, out.audit.now);
                    exchange(&res, encoding, e.code.http_status(), out.audit)
                }
            }
        }
        Err(xe) => {
            let e = engine_error(&xe);
            let res = error_doc(&e, &lenient_facility(bytes), None, "", t.now);
            exchange(
                &res,
                encoding,
                e.code.http_status(),
                rejected(engine, t.now, &e),
            )
        }
    }
}

/// `OQSsiquc01req` → `OQSsiquc01res`.
pub fn inquiry(engine: &Engine, bytes: &[u8], t: RequestTime) -> XmlExchange {
    answer(
        engine,
        bytes,
        t,
        |req: &QualificationRequest| engine.xml_inquiry(req, t),
        |e, facility, file_id, _, now| {
            xml_error_response(
                e,
                facility,
                file_id,
                now,
                ReferenceClassification::InsuranceCardNumbers,
            )
        },
    )
}

/// `OQSmuquc01req` → `OQSmuquc01res` (受付番号), or an `OQSmuquc02res`-shaped error.
pub fn bulk_upload(engine: &Engine, bytes: &[u8], t: RequestTime) -> XmlExchange {
    answer(
        engine,
        bytes,
        t,
        |req: &BulkQualificationRequest| engine.bulk_upload(req, t),
        bulk_error_response,
    )
}

/// `OQSmuquc02req` → `OQSmuquc02res`.
pub fn bulk_download(engine: &Engine, bytes: &[u8], t: RequestTime) -> XmlExchange {
    answer(
        engine,
        bytes,
        t,
        |req: &BulkDownloadRequest| engine.bulk_download(req, t),
        bulk_error_response,
    )
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

//! XML over HTTP: `POST {base}/v1/xml/OQSsiquc01req` etc. with the external-interface
//! documents. Numbers and bulk only; the card methods are [`BackendError::Unsupported`].

use onshi_domain::message::MedicalInstitutionCode;
use std::future::Future;
use std::time::Duration;

use super::error::BackendError;
use super::http_json::{client, transport_error};
use super::{Capabilities, QualificationBackend};
use onshi_domain::codes::{CharacterEncoding, LimitConsentFlag, SegmentOfResult};
use onshi_domain::message::{
    BulkDownloadRequest, BulkQualificationRequest, BulkQualificationResponse, BulkUploadAck,
    QualificationConfirmSearchInfo, QualificationRequest, RequestHeader,
};
use onshi_domain::protocol::wire::*;
use onshi_domain::protocol::{ResultCode, ServerClock};
use onshi_domain::xml::{self, XmlMessage};

/// An XML answer that may be an error document (`SegmentOfResult` 9).
pub trait XmlAnswer: XmlMessage {
    /// `(ErrorCode, ErrorMessage)` when the document reports an error.
    fn error(&self) -> Option<(String, String)>;
}

/// `(ErrorCode, ErrorMessage)` of a header with `SegmentOfResult` 9.
fn header_error(
    segment: SegmentOfResult,
    code: &Option<String>,
    message: &Option<String>,
) -> Option<(String, String)> {
    (segment == SegmentOfResult::Abnormal).then(|| {
        (
            code.clone().unwrap_or_default(),
            message.clone().unwrap_or_default(),
        )
    })
}

impl XmlAnswer for QualificationResponse {
    fn error(&self) -> Option<(String, String)> {
        let h = &self.message_header;
        header_error(h.segment_of_result, &h.error_code, &h.error_message)
    }
}

impl XmlAnswer for BulkQualificationResponse {
    fn error(&self) -> Option<(String, String)> {
        let h = &self.message_header;
        header_error(h.segment_of_result, &h.error_code, &h.error_message)
    }
}

impl XmlAnswer for BulkUploadAck {
    fn error(&self) -> Option<(String, String)> {
        None
    }
}

fn refused(status: Option<u16>, code: String, message: String) -> BackendError {
    let status = status
        .or_else(|| ResultCode::parse(&code).map(|c| c.http_status()))
        .unwrap_or(400);
    BackendError::Refused {
        status,
        code,
        message,
        field: None,
    }
}

/// Reads an XML answer: the expected message, or the error it reports. `status` is the
/// HTTP status (none for the folder).
pub fn read_answer<T: XmlAnswer>(bytes: &[u8], status: Option<u16>) -> Result<T, BackendError> {
    let ok = status.is_none_or(|s| (200..300).contains(&s));
    if ok && let Ok(answer) = xml::decode::<T>(bytes) {
        return match answer.error() {
            Some((code, message)) => Err(refused(status, code, message)),
            None => Ok(answer),
        };
    }
    // An error document of either shape.
    if let Ok(doc) = xml::decode::<QualificationResponse>(bytes)
        && let Some((code, message)) = doc.error()
    {
        return Err(refused(status, code, message));
    }
    if let Ok(doc) = xml::decode::<BulkQualificationResponse>(bytes)
        && let Some((code, message)) = doc.error()
    {
        return Err(refused(status, code, message));
    }
    match (status, xml::decode::<T>(bytes)) {
        (Some(s), _) if !ok => Err(refused(
            Some(s),
            format!("HTTP-{s}"),
            String::from_utf8_lossy(&bytes[..bytes.len().min(500)]).into_owned(),
        )),
        (_, Err(e)) => Err(BackendError::Protocol(format!(
            "answer does not parse: {e}"
        ))),
        (_, Ok(_)) => Err(BackendError::Protocol("unexpected answer".into())),
    }
}

/// POSTs a message to `{base}/v1/xml/{name}` and reads the answer.
pub(crate) async fn post_xml<Req: XmlMessage, Res: XmlAnswer>(
    client: &reqwest::Client,
    base: &str,
    name: &str,
    req: &Req,
) -> Result<Res, BackendError> {
    let body = xml::encode(req, CharacterEncoding::Utf8);
    let resp = client
        .post(format!("{base}/v1/xml/{name}"))
        .header("content-type", "application/xml; charset=UTF-8")
        .body(body)
        .send()
        .await
        .map_err(|e| transport_error(&e))?;
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await.map_err(|e| transport_error(&e))?;
    read_answer(&bytes, Some(status))
}

/// The `OQSsiquc01req` for a numbers request. The document kind and whether a card
/// was presented cannot travel in XML and are dropped; a request without a
/// confirmation time takes the date of `clock`.
pub fn numbers_to_xml(
    req: &NumbersConfirmationRequest,
    clock: &ServerClock,
) -> Result<QualificationRequest, BackendError> {
    let insurer = onshi_domain::codes::InsurerNumber::parse(&req.insurer_number).map_err(|e| {
        BackendError::Refused {
            status: 400,
            code: ResultCode::InvalidInsurerNumber.code().to_owned(),
            message: e.to_string(),
            field: Some("insurer_number".into()),
        }
    })?;
    Ok(QualificationRequest {
        message_header: RequestHeader {
            qualification_confirmation_date: req
                .confirmation_time
                .unwrap_or_else(|| clock.now())
                .date(),
            medical_institution_code: req.medical_institution_code.clone(),
            arbitrary_file_identifier: req
                .arbitrary_file_identifier
                .clone()
                .unwrap_or_else(|| "ONSHI".into()),
        },
        qualification_confirm_search_info: QualificationConfirmSearchInfo {
            insurer_number: insurer,
            insured_card_symbol: req.insured_card_symbol.clone(),
            insured_identification_number: req.insured_identification_number.clone(),
            insured_branch_number: req.insured_branch_number.clone(),
            birthdate: req.birthdate,
            limit_application_certificate_related_cons_flg: req.limit_consent.map(|c| {
                if c {
                    LimitConsentFlag::Given
                } else {
                    LimitConsentFlag::NotGiven
                }
            }),
            arbitrary_identifier: None,
        },
    })
}

/// A client of the XML endpoints.
#[derive(Debug, Clone)]
pub struct XmlHttpBackend {
    base: String,
    client: reqwest::Client,
    clock: ServerClock,
}

impl XmlHttpBackend {
    /// A client of `base`; requests without a confirmation time use `clock`'s date.
    pub fn new(base: impl Into<String>, clock: ServerClock) -> Self {
        Self {
            base: base.into().trim_end_matches('/').to_owned(),
            client: client(Duration::from_secs(30)),
            clock,
        }
    }
}

impl XmlTransport for XmlHttpBackend {
    const BACKEND: &'static str = "xml-http";

    fn name(&self) -> String {
        format!("xml+{}", self.base)
    }

    fn clock(&self) -> &ServerClock {
        &self.clock
    }

    /// `POST {base}/v1/xml/OQSsiquc01req` (or `OQSmuquc01req`, `OQSmuquc02req`).
    async fn exchange<Req: XmlMessage + Sync, Res: XmlAnswer + Send>(
        &self,
        req: &Req,
    ) -> Result<Res, BackendError> {
        let endpoint = Req::KIND.prefix().trim_end_matches('_');
        post_xml(&self.client, &self.base, endpoint, req).await
    }

    /// Any HTTP answer from `{base}/` (even 404) means the server is there.
    async fn reachable(&self) -> Result<(), BackendError> {
        self.client
            .get(format!("{}/", self.base))
            .send()
            .await
            .map(|_| ())
            .map_err(|e| transport_error(&e))
    }
}

/// How an XML-only adapter ([`XmlHttpBackend`], [`FolderBackend`](super::FolderBackend))
/// carries a request document and brings its answer back. The rest is the same for
/// both: numbers (through [`numbers_to_xml`]) and bulk, and the card methods
/// [`BackendError::Unsupported`]; [`QualificationBackend`] is implemented once for
/// every transport below.
pub(crate) trait XmlTransport: Send + Sync {
    /// The adapter's name in [`BackendError::Unsupported`] (`xml-http`, `folder`).
    const BACKEND: &'static str;

    /// A short name for reports.
    fn name(&self) -> String;

    /// Dates requests that carry no confirmation time.
    fn clock(&self) -> &ServerClock;

    /// Sends `req` (a document of kind `Req::KIND`) and reads the answer.
    fn exchange<Req: XmlMessage + Sync, Res: XmlAnswer + Send>(
        &self,
        req: &Req,
    ) -> impl Future<Output = Result<Res, BackendError>> + Send;

    /// Whether the other side is there at all.
    fn reachable(&self) -> impl Future<Output = Result<(), BackendError>> + Send;
}

fn unsupported<T: XmlTransport>(operation: &'static str) -> BackendError {
    BackendError::Unsupported {
        backend: T::BACKEND,
        operation,
    }
}

impl<T: XmlTransport> QualificationBackend for T {
    fn name(&self) -> String {
        XmlTransport::name(self)
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            card: false,
            bulk: true,
        }
    }

    async fn health(&self) -> Result<Health, BackendError> {
        Err(unsupported::<T>("health"))
    }

    async fn reachable(&self) -> Result<(), BackendError> {
        XmlTransport::reachable(self).await
    }

    async fn challenge(&self) -> Result<Challenge, BackendError> {
        Err(unsupported::<T>("challenges"))
    }

    async fn challenge_for(
        &self,
        _facility: &MedicalInstitutionCode,
    ) -> Result<Challenge, BackendError> {
        Err(unsupported::<T>("challenges"))
    }

    async fn confirm_card(
        &self,
        _req: &CardConfirmationRequest,
    ) -> Result<QualificationResponse, BackendError> {
        Err(unsupported::<T>("card confirmation"))
    }

    async fn confirm_numbers(
        &self,
        req: &NumbersConfirmationRequest,
    ) -> Result<QualificationResponse, BackendError> {
        let xml_req = numbers_to_xml(req, self.clock())?;
        self.exchange(&xml_req).await
    }

    async fn confirm_emergency(
        &self,
        _req: &EmergencyConfirmationRequest,
    ) -> Result<QualificationResponse, BackendError> {
        Err(unsupported::<T>("emergency confirmation"))
    }

    async fn register(
        &self,
        _req: &RegistrationRequest,
    ) -> Result<RegistrationResponse, BackendError> {
        Err(unsupported::<T>("registration"))
    }

    async fn bulk_upload(
        &self,
        req: &BulkQualificationRequest,
    ) -> Result<BulkUploadAck, BackendError> {
        self.exchange(req).await
    }

    async fn bulk_download(
        &self,
        req: &BulkDownloadRequest,
    ) -> Result<BulkQualificationResponse, BackendError> {
        self.exchange(req).await
    }
}

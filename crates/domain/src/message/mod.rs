//! The typed message model of the online-qualification external interface
//! (オンライン資格確認 外部インターフェイス).
//!
//! Plain data: every struct mirrors one XML element of `domain.md` §3, field names are
//! the snake_case of the element names, and the same structs serve as the JSON body of
//! the onshi HTTP protocol (serde, snake_case). Code values use the typed tables of
//! [`crate::codes`]; dates are [`chrono::NaiveDate`] (`yyyyMMdd` on the wire) and
//! date-times [`chrono::NaiveDateTime`] (`yyyyMMddHHmmss`). Optional elements are
//! `Option`s; repeated elements are `Vec`s (empty = absent).

mod bulk;
mod common;
mod request;
mod response;
mod result;

pub use bulk::{
    BulkConfirmUnit, BulkDownloadRequest, BulkQualificationRequest, BulkQualificationResponse,
    BulkResponseHeader, BulkSearchInfo, BulkUploadAck, BulkUploadAckHeader,
    LimitCertificateChanged,
};
pub use common::{MedicalInstitutionCode, YearMonth};
pub use request::{QualificationConfirmSearchInfo, QualificationRequest, RequestHeader};
pub use response::{MessageBody, MessageHeader, QualificationResponse};
pub use result::{
    ElderlyRecipientCertificateInfo, LimitApplicationCertificateRelatedInfo, MedicalTicketInfo,
    ResultOfQualificationConfirmation, SpecificDiseasesCertificateInfo, ViewingConsent,
};

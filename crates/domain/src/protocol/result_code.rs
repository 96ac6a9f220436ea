//! onshi's result-code namespace: every error, refusal, warning and notice the
//! reference backend gives, in one typed enum.
//!
//! The real 処理結果コード list (別紙6-1) is not public (domain.md §4), so the reference
//! backend uses its own codes, all prefixed `ONS-` so nobody mistakes them for official
//! ones:
//!
//! | prefix | class | where it appears | HTTP (JSON API) |
//! |---|---|---|---|
//! | `ONS-E0nn` | the request is malformed or not allowed | JSON `error.code`; XML `ErrorCode` with `SegmentOfResult` 9 | 4xx |
//! | `ONS-A1nn` | authentication failed (certificate, challenge, signature, reader) | same | 4xx |
//! | `ONS-R2nn` | a valid request refused for this person | `ProcessingResultCode` with `ProcessingResultStatus` 2 | 200 |
//! | `ONS-W3nn` | answered, with a warning | `ProcessingResultCode` with `ProcessingResultStatus` 1 | 200 |
//! | `ONS-B4nn` | bulk inquiry problems | `ErrorCode` of `OQSmuquc02res` | 4xx |
//! | `ONS-F5nn` | the backend failed (or a fault was injected) | JSON `error.code`; XML `ErrorCode` | 5xx |
//!
//! Each code has a Japanese default message (shown to staff as is) and, where one
//! applies, the requirement ID it implements.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::rules::{ConfirmationFailure, RuleId};

/// How a code is used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CodeClass {
    /// The request was rejected (HTTP 4xx / `SegmentOfResult` 9).
    RequestError,
    /// Authentication failed (HTTP 4xx / `SegmentOfResult` 9).
    AuthenticationError,
    /// Answered with `ProcessingResultStatus` 2 for this person.
    Refusal,
    /// Answered normally, with a warning or notice.
    Warning,
    /// The backend failed (HTTP 5xx).
    ServerError,
}

macro_rules! result_codes {
    ($(
        $(#[$meta:meta])*
        $variant:ident = ($code:literal, $status:literal, $class:ident, $rule:expr, $msg:literal);
    )+) => {
        /// Every code the reference backend gives. See the module documentation.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum ResultCode {
            $( $(#[$meta])* $variant ),+
        }

        impl ResultCode {
            /// Every code, in table order.
            pub const ALL: &'static [ResultCode] = &[$(ResultCode::$variant),+];

            /// The wire code (`ONS-A121`).
            pub const fn code(self) -> &'static str {
                match self { $(ResultCode::$variant => $code),+ }
            }

            /// The HTTP status the JSON API answers with (200 for refusals and warnings,
            /// which travel inside a normal result).
            pub const fn http_status(self) -> u16 {
                match self { $(ResultCode::$variant => $status),+ }
            }

            /// The class.
            pub const fn class(self) -> CodeClass {
                match self { $(ResultCode::$variant => CodeClass::$class),+ }
            }

            /// The requirement the code implements, if any.
            pub const fn rule(self) -> Option<RuleId> {
                match self { $(ResultCode::$variant => $rule),+ }
            }

            /// The default Japanese message.
            pub const fn message(self) -> &'static str {
                match self { $(ResultCode::$variant => $msg),+ }
            }
        }
    };
}

result_codes! {
    /// The body is not valid JSON / XML for the message.
    MalformedRequest = ("ONS-E001", 400, RequestError, None, "要求電文を解釈できません。");
    /// A field has an invalid value.
    InvalidField = ("ONS-E002", 400, RequestError, None, "要求電文の項目に誤りがあります。");
    /// 保険者番号 malformed or with a wrong check digit.
    InvalidInsurerNumber = ("ONS-E003", 400, RequestError, None, "保険者番号に誤りがあります（桁数または検証番号）。");
    /// The content type is not the one the endpoint reads.
    UnsupportedMediaType = ("ONS-E004", 415, RequestError, None, "Content-Type が対応していません。");
    /// The body is over the size limit.
    PayloadTooLarge = ("ONS-E005", 413, RequestError, None, "要求電文が大きすぎます。");
    /// An XML encoding other than UTF-8 / Shift_JIS, or bytes invalid in it.
    UnsupportedEncoding = ("ONS-E006", 400, RequestError, None, "文字コードが不正です（UTF-8 または Shift_JIS）。");
    /// A My Number was sent as an identifier (FAQ-4-20; not in the rule catalogue).
    MyNumberRefused = ("ONS-E007", 403, RequestError, None, "個人番号（マイナンバー）は識別子として使用できません。");
    /// No such route.
    NotFound = ("ONS-E008", 404, RequestError, None, "指定されたリソースは存在しません。");
    /// The method is not allowed on this route.
    MethodNotAllowed = ("ONS-E009", 405, RequestError, None, "このメソッドは使用できません。");
    /// The certificate does not parse.
    CertificateMalformed = ("ONS-A101", 400, AuthenticationError, None, "利用者証明用電子証明書を解釈できません。");
    /// The certificate was not issued by a trusted root.
    CertificateUnknownIssuer = ("ONS-A102", 401, AuthenticationError, None, "利用者証明用電子証明書の発行者を確認できません。");
    /// The certificate claims a trusted issuer but its signature does not verify.
    CertificateForged = ("ONS-A103", 401, AuthenticationError, None, "利用者証明用電子証明書の署名が不正です。");
    /// A signing certificate (署名用) was presented instead of the user-authentication one.
    WrongCertificateKind = ("ONS-A104", 401, AuthenticationError, None, "署名用電子証明書ではなく利用者証明用電子証明書が必要です。");
    /// The challenge was never issued (or is long gone).
    ChallengeUnknown = ("ONS-A110", 401, AuthenticationError, None, "チャレンジが不明です。");
    /// The challenge is past its lifetime.
    ChallengeExpired = ("ONS-A111", 401, AuthenticationError, None, "チャレンジの有効期限が切れています。");
    /// The challenge was already used (replay).
    ChallengeReplayed = ("ONS-A112", 409, AuthenticationError, None, "チャレンジは使用済みです（再送）。");
    /// Too many outstanding challenges.
    TooManyChallenges = ("ONS-A113", 503, AuthenticationError, None, "発行済みチャレンジが多すぎます。しばらくしてから再試行してください。");
    /// The challenge was issued for another facility (a request for a challenge may
    /// name its facility; the challenge then serves only that facility).
    ChallengeFacilityMismatch = ("ONS-A114", 403, AuthenticationError, None, "チャレンジは別の医療機関に発行されたものです。");
    /// PIN path without the card signature.
    SignatureMissing = ("ONS-A120", 400, AuthenticationError, None, "暗証番号による認証にはカードの署名が必要です。");
    /// The card signature does not verify with the certificate's key.
    SignatureInvalid = ("ONS-A121", 401, AuthenticationError, None, "カードの署名を検証できません。");
    /// The reader's card-session evidence says the PIN was locked: no signature can come
    /// from that session (FAQ-4-11).
    PinLockedSession = ("ONS-A122", 403, AuthenticationError, Some(RuleId::Faq4_11), "暗証番号がロックされたカードの署名は受け付けられません。顔認証または目視確認を行ってください。");
    /// PIN path for a PIN-less card.
    PinPathOnPinlessCard = ("ONS-A123", 403, AuthenticationError, Some(RuleId::DomPinLess), "顔認証マイナンバーカードは暗証番号で認証できません。");
    /// PIN path without the reader's card-session evidence.
    PinEvidenceMissing = ("ONS-A124", 400, AuthenticationError, None, "暗証番号の残り試行回数（カードの応答）がありません。");
    /// Face / visual path without an attestation.
    AttestationMissing = ("ONS-A130", 400, AuthenticationError, None, "顔認証・目視確認にはカードリーダーの証明が必要です。");
    /// The reader certificate was not issued by the reader CA.
    ReaderUnknown = ("ONS-A131", 401, AuthenticationError, None, "カードリーダーの証明書を確認できません。");
    /// The reader's signature over the attestation does not verify.
    AttestationInvalid = ("ONS-A132", 401, AuthenticationError, None, "カードリーダーの証明（署名）が不正です。");
    /// The reader certificate is not valid at the confirmation time.
    ReaderCertificateExpired = ("ONS-A133", 401, AuthenticationError, None, "カードリーダーの証明書が有効期間外です。");
    /// The reader belongs to another facility.
    ReaderFacilityMismatch = ("ONS-A134", 403, AuthenticationError, None, "カードリーダーの医療機関コードが一致しません。");
    /// The card is not registered for insurance use (FAQ-4-15).
    RegistrationMissing = ("ONS-R201", 200, Refusal, Some(RuleId::Faq4_15), "マイナンバーカードの保険証利用登録がされていません。利用登録を行うか、資格確認書等で受診してください。");
    /// The registration was cancelled (certificate expired beyond grace).
    RegistrationCancelled = ("ONS-R202", 200, Refusal, Some(RuleId::DomCertGrace), "保険証利用登録が解除されています。資格確認書で受診してください。");
    /// A valid certificate that no person is linked to.
    CertificateNotLinked = ("ONS-R203", 200, Refusal, Some(RuleId::Faq4_15), "この電子証明書に紐付く保険証利用登録がありません。");
    /// The certificate has been revoked (lost card).
    CertificateRevoked = ("ONS-R204", 200, Refusal, None, "利用者証明用電子証明書が失効しています。資格確認書で受診してください。");
    /// The certificate expired more than the grace period ago.
    CertificateExpired = ("ONS-R205", 200, Refusal, Some(RuleId::DomCertGrace), "利用者証明用電子証明書の有効期限が切れています（猶予期間経過）。更新のうえ再登録してください。");
    /// The certificate is not valid yet at the confirmation time.
    CertificateNotYetValid = ("ONS-R206", 200, Refusal, None, "利用者証明用電子証明書の有効期間開始前です。");
    /// Non-disclosure registration (OKA-DV).
    NonDisclosure = ("ONS-R207", 200, Refusal, Some(RuleId::OkaDv), "この方はマイナ保険証をご利用いただけません。資格確認書で受診してください。");
    /// The card was not usable in this care setting yet (FAQ-4-13).
    CareSettingNotYetSupported = ("ONS-R208", 200, Refusal, Some(RuleId::Faq4_13), "この診療形態ではまだマイナ保険証を利用できません。");
    /// Registration refused: no valid qualification registered by the insurer (FAQ-4-15).
    RegistrationNoValidQualification = ("ONS-R220", 200, Refusal, Some(RuleId::Faq4_15), "あなたの有効な保険資格情報がないため、正常に処理できませんでした。");
    /// Registration refused within 24 hours of a renewal (OKA-REG-24H).
    RegistrationRenewalCooldown = ("ONS-R221", 200, Refusal, Some(RuleId::OkaReg24h), "電子証明書の更新後24時間は保険証利用登録ができません。");
    /// Registration refused: the certificate expires within 5 days (OKA-REG-5D).
    RegistrationExpiresSoon = ("ONS-R222", 200, Refusal, Some(RuleId::OkaReg5d), "電子証明書の有効期限が近いため保険証利用登録ができません。更新してください。");
    /// Registration refused: the certificate has expired.
    RegistrationCertificateExpired = ("ONS-R223", 200, Refusal, Some(RuleId::OkaReg5d), "電子証明書の有効期限が切れているため保険証利用登録ができません。");
    /// Registration refused for another rule (channel, PIN, dates).
    RegistrationRefused = ("ONS-R224", 200, Refusal, Some(RuleId::Kq1), "保険証利用登録ができませんでした。");
    /// The certificate expires within three months (DOM-CERT-RENEW).
    CertificateExpiresSoon = ("ONS-W301", 200, Warning, Some(RuleId::DomCertRenew), "利用者証明用電子証明書の有効期限が3か月以内です。更新手続きをお願いします。");
    /// The certificate expired; grace period: no medical information (DOM-CERT-GRACE).
    CertificateGrace = ("ONS-W302", 200, Warning, Some(RuleId::DomCertGrace), "利用者証明用電子証明書の有効期限が切れています（猶予期間中）。診療情報等は提供できません。");
    /// The limit exemption is withheld (premium arrears, OKA-PREMIUM).
    LimitInfoWithheld = ("ONS-W304", 200, Warning, None, "保険料の納付状況により限度額適用情報は提供されません。");
    /// Unknown 受付番号 (or another facility's).
    BulkUnknownReception = ("ONS-B401", 404, RequestError, None, "受付番号に該当する一括照会がありません。");
    /// Too many units in one bulk request.
    BulkTooManyUnits = ("ONS-B402", 413, RequestError, None, "一括照会の件数が上限を超えています。");
    /// An internal failure (details in the server log).
    Internal = ("ONS-F501", 500, ServerError, None, "内部エラーが発生しました。");
    /// An error injected by the fault configuration.
    InjectedError = ("ONS-F502", 500, ServerError, None, "障害注入によるエラーです。");
    /// Unavailable (outage window or 503 burst injected).
    Unavailable = ("ONS-F503", 503, ServerError, None, "ただいまサービスを利用できません。");
}

impl ResultCode {
    /// Parses a wire code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|c| c.code() == code.trim())
    }

    /// Whether the request itself was rejected (no qualification answer at all).
    pub const fn is_error(self) -> bool {
        matches!(
            self.class(),
            CodeClass::RequestError | CodeClass::AuthenticationError | CodeClass::ServerError
        )
    }

    /// What the clinic step (rules::visit) makes of this code, whether it came as a
    /// refusal inside an answer or as an error status: the one map from code to
    /// failure, used by every reader driver and by load. `None` for codes the desk
    /// reads as a plain backend error.
    pub const fn confirmation_failure(self) -> Option<ConfirmationFailure> {
        match self {
            Self::RegistrationMissing
            | Self::RegistrationCancelled
            | Self::CertificateNotLinked => Some(ConfirmationFailure::RegistrationMissing),
            Self::CertificateExpired => Some(ConfirmationFailure::CertificateExpired),
            Self::NonDisclosure => Some(ConfirmationFailure::NonDisclosure),
            Self::PinLockedSession
            | Self::SignatureInvalid
            | Self::SignatureMissing
            | Self::AttestationInvalid
            | Self::ReaderUnknown
            | Self::PinPathOnPinlessCard => Some(ConfirmationFailure::AuthenticationFailed),
            Self::Internal | Self::InjectedError | Self::Unavailable => {
                Some(ConfirmationFailure::BackendError)
            }
            _ => None,
        }
    }
}

impl fmt::Display for ResultCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for ResultCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for ResultCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown code {s:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_prefixed_and_consistent() {
        let mut seen = std::collections::HashSet::new();
        for c in ResultCode::ALL {
            assert!(seen.insert(c.code()), "duplicate {c}");
            assert!(c.code().starts_with("ONS-"), "{c}");
            assert_eq!(ResultCode::parse(c.code()), Some(*c));
            let prefix = &c.code()[4..5];
            match c.class() {
                CodeClass::Refusal | CodeClass::Warning => {
                    assert_eq!(c.http_status(), 200, "{c}");
                    assert!(["R", "W"].contains(&prefix), "{c}");
                }
                CodeClass::ServerError => assert!(c.http_status() >= 500, "{c}"),
                _ => assert!((400..600).contains(&c.http_status()), "{c}"),
            }
            assert!(!c.message().is_empty());
        }
        assert_eq!(ResultCode::parse("ONS-X999"), None);
    }
}

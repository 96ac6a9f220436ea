//! The onshi HTTP JSON protocol: request and response bodies of `/v1/…`, shared by the
//! reference backend, its clients and every [`super::QualificationBackend`].
//!
//! - Bytes (certificates, nonces, signatures) are standard base64.
//! - Times are JST without an offset (`2026-11-30T09:00:00`), dates `2026-11-30`.
//! - A confirmation answer is the [`QualificationResponse`] of the external interface
//!   (its JSON form: snake_case element names, code values as strings).
//! - Errors are [`ApiErrorBody`] with an `ONS-…` code (see
//!   [`crate::protocol::result_code::ResultCode`]).
//!
//! The reader side builds [`CardAuthentication`]: on the PIN path the card's PKCS#1
//! v1.5 signature (SHA-256 `DigestInfo`, as the JPKI applet's `80 2A 00 80` makes it)
//! over the challenge nonce, plus the retry counter the card reported before VERIFY
//! (`63 Cx`); on the face / visual path an Ed25519 signature of the reader's device
//! key over [`attestation_message`] — onshi's model of 特定機関認証, since the real
//! central protocol is not public.

use std::fmt;

use aws_lc_rs::digest;
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::codes::PrescriptionIssueSelect;
use crate::message::MedicalInstitutionCode;
pub use crate::message::QualificationResponse;
use crate::rules::CareSetting;
use onshi_pki::pki::ReaderCredential;

/// Bytes as standard base64 in JSON.
#[derive(Clone, PartialEq, Eq, Hash, Default)]
pub struct Base64Bytes(pub Vec<u8>);

impl Base64Bytes {
    /// The bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

impl From<Vec<u8>> for Base64Bytes {
    fn from(v: Vec<u8>) -> Self {
        Self(v)
    }
}

impl From<&[u8]> for Base64Bytes {
    fn from(v: &[u8]) -> Self {
        Self(v.to_vec())
    }
}

impl fmt::Debug for Base64Bytes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Base64Bytes({} bytes)", self.0.len())
    }
}

impl Serialize for Base64Bytes {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&BASE64.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Base64Bytes {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        BASE64
            .decode(s.trim())
            .map(Self)
            .map_err(|e| serde::de::Error::custom(format!("not base64: {e}")))
    }
}

/// `POST /v1/challenges` request body (optional): the facility the challenge is for.
/// A challenge issued for a facility serves only that facility's requests
/// (`ONS-A114` otherwise); one requested without a body serves any.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChallengeRequest {
    /// 医療機関コード.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medical_institution_code: Option<MedicalInstitutionCode>,
}

/// `POST /v1/challenges` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Challenge {
    /// 32 random bytes to sign.
    pub nonce: Base64Bytes,
    /// How long the challenge stays valid.
    pub expires_in_seconds: u64,
}

/// How the patient was authenticated at the reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuthMethod {
    /// 暗証番号: the card signed the nonce.
    Pin,
    /// 顔認証: the reader attests.
    Face,
    /// 目視確認 by staff: the reader attests.
    Visual,
}

impl AuthMethod {
    /// The ASCII word used in [`attestation_message`].
    pub const fn word(self) -> &'static str {
        match self {
            Self::Pin => "pin",
            Self::Face => "face",
            Self::Visual => "visual",
        }
    }
}

/// The reader's attestation (face / visual path).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReaderAttestation {
    /// The reader's device certificate (DER), issued by the onshi reader CA.
    pub reader_certificate: Base64Bytes,
    /// Ed25519 signature of the device key over [`attestation_message`].
    pub signature: Base64Bytes,
}

impl ReaderAttestation {
    /// `reader`'s attestation: its certificate and its signature over
    /// [`attestation_message`].
    pub fn sign(
        reader: &ReaderCredential,
        nonce: &[u8],
        auth_certificate: &[u8],
        method: AuthMethod,
        facility: &MedicalInstitutionCode,
    ) -> Self {
        let message = attestation_message(nonce, auth_certificate, method, facility);
        Self {
            reader_certificate: Base64Bytes(reader.cert_der.to_vec()),
            signature: Base64Bytes(reader.sign(&message)),
        }
    }
}

/// Proof that this card is present: certificate, challenge and the path's evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardAuthentication {
    /// 利用者証明用電子証明書 (DER) read from the card.
    pub auth_certificate: Base64Bytes,
    /// The nonce of a challenge from `POST /v1/challenges`.
    pub nonce: Base64Bytes,
    /// PIN, face or visual.
    pub method: AuthMethod,
    /// PIN path: the card's signature over the nonce (256 bytes).
    #[serde(default)]
    pub card_signature: Option<Base64Bytes>,
    /// PIN path: the tries left the card reported before VERIFY (`63 Cx` → x; 0 =
    /// locked). Required on the PIN path.
    #[serde(default)]
    pub pin_tries_before_verify: Option<u8>,
    /// Face / visual path: the reader's attestation.
    #[serde(default)]
    pub attestation: Option<ReaderAttestation>,
}

impl CardAuthentication {
    /// The PIN path: the card's signature over the nonce, and the tries the card
    /// reported before VERIFY.
    pub fn pin(
        auth_certificate: &[u8],
        nonce: Vec<u8>,
        card_signature: Vec<u8>,
        tries_before_verify: u8,
    ) -> Self {
        Self {
            auth_certificate: Base64Bytes(auth_certificate.to_vec()),
            nonce: Base64Bytes(nonce),
            method: AuthMethod::Pin,
            card_signature: Some(Base64Bytes(card_signature)),
            pin_tries_before_verify: Some(tries_before_verify),
            attestation: None,
        }
    }

    /// The face or visual path, attested by `reader` at `facility`.
    pub fn attested(
        auth_certificate: &[u8],
        nonce: Vec<u8>,
        method: AuthMethod,
        facility: &MedicalInstitutionCode,
        reader: &ReaderCredential,
    ) -> Self {
        let attestation =
            ReaderAttestation::sign(reader, &nonce, auth_certificate, method, facility);
        Self {
            auth_certificate: Base64Bytes(auth_certificate.to_vec()),
            nonce: Base64Bytes(nonce),
            method,
            card_signature: None,
            pin_tries_before_verify: None,
            attestation: Some(attestation),
        }
    }
}

/// Consents the patient gave at the reader.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ConsentAnswers {
    /// 薬剤・診療・手術・特定健診情報の提供 (包括同意 since 2024-10-07).
    pub medical_info: bool,
    /// 限度額情報の提供 (a screen only before 2024-10-07; by law after).
    pub limit_info: bool,
}

impl ConsentAnswers {
    /// Every consent given.
    pub const ALL: Self = ConsentAnswers {
        medical_info: true,
        limit_info: true,
    };
}

/// Where care happens (FAQ-4-13).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CareSettingWire {
    /// 外来.
    #[default]
    Outpatient,
    /// 訪問診療等 (from 2024-04).
    HomeVisit,
    /// オンライン診療等 (from 2024-04).
    OnlineConsultation,
    /// 訪問看護 (from 2024-06).
    HomeNursing,
}

impl From<CareSettingWire> for CareSetting {
    fn from(c: CareSettingWire) -> Self {
        match c {
            CareSettingWire::Outpatient => CareSetting::Outpatient,
            CareSettingWire::HomeVisit => CareSetting::HomeVisit,
            CareSettingWire::OnlineConsultation => CareSetting::OnlineConsultation,
            CareSettingWire::HomeNursing => CareSetting::HomeNursing,
        }
    }
}

/// `POST /v1/confirmations/card`: 資格確認 with the My Number Card.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardConfirmationRequest {
    /// 医療機関コード.
    pub medical_institution_code: MedicalInstitutionCode,
    /// Echoed as `ArbitraryFileIdentifier`.
    #[serde(default)]
    pub arbitrary_file_identifier: Option<String>,
    /// "Now" for every rule (JST); absent = the server's clock.
    #[serde(default)]
    pub confirmation_time: Option<NaiveDateTime>,
    /// The card and its proof.
    pub card: CardAuthentication,
    /// Consents given at the reader.
    #[serde(default)]
    pub consents: ConsentAnswers,
    /// Where care happens.
    #[serde(default)]
    pub care_setting: CareSettingWire,
    /// 電子処方箋 / 紙 chosen at the reader.
    #[serde(default)]
    pub prescription_issue_select: Option<PrescriptionIssueSelect>,
}

impl CardConfirmationRequest {
    /// An outpatient confirmation at `facility` with `card`, every consent given, no
    /// visit time and no file identifier (set those with struct update syntax).
    pub fn outpatient(facility: MedicalInstitutionCode, card: CardAuthentication) -> Self {
        CardConfirmationRequest {
            medical_institution_code: facility,
            arbitrary_file_identifier: None,
            confirmation_time: None,
            card,
            consents: ConsentAnswers::ALL,
            care_setting: CareSettingWire::Outpatient,
            prescription_issue_select: None,
        }
    }
}

/// `POST /v1/confirmations/numbers`: 資格確認 by the printed numbers (照会区分 2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumbersConfirmationRequest {
    /// 医療機関コード.
    pub medical_institution_code: MedicalInstitutionCode,
    /// Echoed as `ArbitraryFileIdentifier`.
    #[serde(default)]
    pub arbitrary_file_identifier: Option<String>,
    /// "Now" for every rule (JST); absent = the server's clock.
    #[serde(default)]
    pub confirmation_time: Option<NaiveDateTime>,
    /// 保険者番号 (6 or 8 digits, check digit verified).
    pub insurer_number: String,
    /// 記号.
    #[serde(default)]
    pub insured_card_symbol: Option<String>,
    /// 番号.
    pub insured_identification_number: String,
    /// 枝番; absent: every member under these 記号・番号 matches (several with the
    /// birth date: 5 複数該当).
    #[serde(default)]
    pub insured_branch_number: Option<String>,
    /// 生年月日.
    pub birthdate: NaiveDate,
    /// `LimitApplicationCertificateRelatedConsFlg` (限度額 consent, before 2024-10-07).
    #[serde(default)]
    pub limit_consent: Option<bool>,
}

/// `POST /v1/confirmations/emergency`: the qualification part of the
/// 緊急時医療情報・資格確認機能 — a search by the patient's 基本4情報 (氏名, 性別, 生年月日,
/// 住所) for a patient the window took on a 申立書 while the system was unreachable,
/// checked once it has recovered. No card, no numbers, never a My Number. 氏名 and 住所
/// are compared as [`basic_info_key`] reads them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmergencyConfirmationRequest {
    /// 医療機関コード.
    pub medical_institution_code: MedicalInstitutionCode,
    /// "Now" for every rule (JST); absent = the server's clock.
    #[serde(default)]
    pub confirmation_time: Option<NaiveDateTime>,
    /// 氏名 as the patient wrote it (at most [`EmergencyConfirmationRequest::MAX_NAME`]
    /// characters).
    pub name: String,
    /// 性別 (OQSCD007).
    pub sex: crate::codes::Sex,
    /// 生年月日.
    pub birthdate: NaiveDate,
    /// 住所 as the patient wrote it (at most [`EmergencyConfirmationRequest::MAX_ADDRESS`]
    /// characters).
    pub address: String,
}

impl EmergencyConfirmationRequest {
    /// The longest 氏名 accepted, in characters.
    pub const MAX_NAME: usize = 100;
    /// The longest 住所 accepted, in characters.
    pub const MAX_ADDRESS: usize = 200;

    /// The first of a 氏名 and a 住所 that is blank or too long, with its limit
    /// (`("name", 100)`), or `None` when both will do.
    pub fn text_problem(name: &str, address: &str) -> Option<(&'static str, usize)> {
        [
            ("name", name, Self::MAX_NAME),
            ("address", address, Self::MAX_ADDRESS),
        ]
        .into_iter()
        .find(|(_, v, max)| v.trim().is_empty() || v.chars().count() > *max)
        .map(|(field, _, max)| (field, max))
    }
}

/// A 氏名 or 住所 as the 基本4情報 search compares it: whitespace (half- and
/// full-width) removed, full-width ASCII (`１`, `Ａ`, `－`) folded to ASCII, and the
/// dashes and the long-vowel mark written between digits (`‐ − ― ー`) read as `-`. A
/// clinic writes an address down by hand; no other normalisation is made.
pub fn basic_info_key(text: &str) -> String {
    let chars: Vec<char> = text
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            c => c,
        })
        .collect();
    let digit = |j: Option<usize>| {
        j.and_then(|j| chars.get(j))
            .is_some_and(char::is_ascii_digit)
    };
    chars
        .iter()
        .enumerate()
        .map(|(i, c)| {
            if *c == 'ー' && digit(i.checked_sub(1)) && digit(Some(i + 1)) {
                '-'
            } else {
                *c
            }
        })
        .collect()
}

/// `POST /v1/registrations`: 保険証利用登録 at the reader.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationRequest {
    /// 医療機関コード of the reader's facility.
    pub medical_institution_code: MedicalInstitutionCode,
    /// "Now" (JST); absent = the server's clock.
    #[serde(default)]
    pub confirmation_time: Option<NaiveDateTime>,
    /// The card and its proof.
    pub card: CardAuthentication,
}

/// The outcome of a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationOutcome {
    /// 登録完了.
    Registered,
    /// Already registered (nothing changed).
    AlreadyRegistered,
    /// Refused; see `code` and `message`.
    Refused,
}

/// `POST /v1/registrations` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationResponse {
    /// What happened.
    pub outcome: RegistrationOutcome,
    /// `登録完了`, or the refusal message shown to the patient.
    pub message: String,
    /// The `ONS-R2nn` code of a refusal.
    #[serde(default)]
    pub code: Option<String>,
    /// The requirement behind a refusal (`OKA-REG-24H`, `FAQ-4-15`, …).
    #[serde(default)]
    pub rule: Option<String>,
    /// When the card counts as registered.
    #[serde(default)]
    pub registered_at: Option<NaiveDateTime>,
}

/// `GET /v1/health` response.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Health {
    /// `ok`.
    pub status: String,
    /// The as-of time of the store.
    pub as_of: NaiveDateTime,
    /// The server's "now" (as-of + elapsed).
    pub now: NaiveDateTime,
    /// Members (personas + generated).
    pub members: u64,
    /// Personas.
    pub personas: u64,
    /// The seed.
    pub seed: u64,
    /// Defects switched on.
    pub defects: Vec<String>,
    /// onshi version.
    pub version: String,
}

/// The error body of every 4xx / 5xx of the JSON API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorBody {
    /// The error.
    pub error: ApiErrorDetail,
}

/// One error.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiErrorDetail {
    /// `ONS-…` code.
    pub code: String,
    /// Human-readable message.
    pub message: String,
    /// The offending field (JSON path-ish), if one is to blame.
    #[serde(default)]
    pub field: Option<String>,
}

/// The bytes a reader's device key signs on the face / visual path:
///
/// `nonce (32) ‖ SHA-256(auth certificate DER) (32) ‖ method word ("face" / "visual",
/// ASCII) ‖ 医療機関コード (10 ASCII digits)`.
///
/// The facility code has a fixed length at the end, so the concatenation is
/// unambiguous.
pub fn attestation_message(
    nonce: &[u8],
    auth_certificate: &[u8],
    method: AuthMethod,
    facility: &MedicalInstitutionCode,
) -> Vec<u8> {
    let mut m = Vec::with_capacity(nonce.len() + 32 + 6 + 10);
    m.extend_from_slice(nonce);
    m.extend_from_slice(digest::digest(&digest::SHA256, auth_certificate).as_ref());
    m.extend_from_slice(method.word().as_bytes());
    m.extend_from_slice(facility.as_str().as_bytes());
    m
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_shapes() {
        let c = Challenge {
            nonce: Base64Bytes(vec![1, 2, 3]),
            expires_in_seconds: 120,
        };
        let text = serde_json::to_string(&c).unwrap();
        assert_eq!(text, r#"{"nonce":"AQID","expires_in_seconds":120}"#);
        assert_eq!(serde_json::from_str::<Challenge>(&text).unwrap(), c);
        assert!(
            serde_json::from_str::<Challenge>(r#"{"nonce":"***","expires_in_seconds":1}"#).is_err()
        );
        let req: NumbersConfirmationRequest = serde_json::from_str(
            r#"{"medical_institution_code":"1311234567","insurer_number":"01130012",
                "insured_identification_number":"1024","birthdate":"1985-04-12"}"#,
        )
        .unwrap();
        assert_eq!(req.limit_consent, None);
        // The request carries what the real interface carries: no document, no card.
        for invented in [r#""document":"kakunin_sho""#, r#""card_presented":true"#] {
            let text = format!(
                r#"{{"medical_institution_code":"1311234567","insurer_number":"01130012",
                    "insured_identification_number":"1024","birthdate":"1985-04-12",{invented}}}"#
            );
            assert!(serde_json::from_str::<NumbersConfirmationRequest>(&text).is_err());
        }
    }

    #[test]
    fn attestation_message_layout() {
        let mic = MedicalInstitutionCode::parse("1311234567").unwrap();
        let m = attestation_message(&[9; 32], b"cert", AuthMethod::Face, &mic);
        assert_eq!(m.len(), 32 + 32 + 4 + 10);
        assert!(m.ends_with(b"face1311234567"));
        assert_ne!(
            m,
            attestation_message(&[9; 32], b"cert", AuthMethod::Visual, &mic)
        );
    }

    /// How a hand-written 氏名 or 住所 is compared.
    #[test]
    fn basic_info_keys_fold_space_width_and_dashes() {
        assert_eq!(basic_info_key(" 中村\u{3000}恵美 "), "中村恵美");
        assert_eq!(
            basic_info_key("日本大通１番地２ー３"),
            basic_info_key("日本大通1番地2-3")
        );
        assert_eq!(basic_info_key("２−３"), "2-3");
        // A long-vowel mark stays one outside numbers.
        assert_eq!(basic_info_key("センター1"), "センター1");
        assert_ne!(
            basic_info_key("日本大通1番地"),
            basic_info_key("日本大通2番地")
        );
        assert_eq!(
            EmergencyConfirmationRequest::text_problem("名", " "),
            Some(("address", 200))
        );
        assert_eq!(EmergencyConfirmationRequest::text_problem("名", "所"), None);
        assert_eq!(
            EmergencyConfirmationRequest::text_problem(&"あ".repeat(101), "所"),
            Some(("name", 100))
        );
    }
}

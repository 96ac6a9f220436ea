//! The persona file format (`virtual-cards/<id>.toml`), as serde structs.
//!
//! A persona is one synthetic person with one card and the ground truth every later
//! check compares against: who they are, their true qualification records, their
//! registration, consents, privacy flags and the documents they carry. Dates may be
//! relative to the as-of time (see [`super::datespec`]).

use serde::{Deserialize, Serialize};

use super::datespec::DateSpec;
use onshi_domain::codes::{
    InsuredCardClassification, LimitClass, PersonalFamilyClassification, ReasonOfLoss,
    SpecificDiseaseCategory,
};

/// A whole persona file.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonaFile {
    /// One line saying what this persona is for (Japanese welcome).
    pub description: String,
    /// Free tags used to pick personas in scenarios and load mixes.
    #[serde(default)]
    pub tags: Vec<String>,
    /// The person.
    pub person: PersonSection,
    /// The card.
    pub card: CardSection,
    /// True qualification records, oldest first.
    #[serde(default)]
    pub qualification: Vec<QualificationSection>,
    /// 保険証利用登録.
    #[serde(default)]
    pub registration: RegistrationSection,
    /// Consents the patient gives at the reader unless a scenario says otherwise.
    #[serde(default)]
    pub consent: ConsentSection,
    /// Privacy flags.
    #[serde(default)]
    pub privacy: PrivacySection,
    /// Documents the patient carries.
    #[serde(default)]
    pub documents: DocumentsSection,
}

/// 基本4情報 and contact data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PersonSection {
    /// 氏名 in kanji; may contain characters outside JIS X 0208 (髙, 𠮷).
    pub name: String,
    /// 氏名 in full-width katakana.
    pub name_kana: String,
    /// 生年月日.
    pub birth_date: DateSpec,
    /// `male`, `female` or `unset`.
    pub sex: SexSpec,
    /// 住所.
    pub address: String,
    /// 郵便番号, 7 digits (a hyphen is allowed).
    #[serde(default)]
    pub postal_code: Option<String>,
    /// 個人番号 (synthetic, 12 digits with check digit); derived from the id if absent.
    #[serde(default)]
    pub my_number: Option<String>,
}

/// Sex as written in persona files.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SexSpec {
    /// 男
    Male,
    /// 女
    Female,
    /// 未設定
    Unset,
}

/// The card.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardSection {
    /// `standard` or `pinless` (顔認証マイナンバーカード, no PINs, no signing certificate).
    #[serde(default)]
    pub kind: CardKindSpec,
    /// 利用者証明用暗証番号, 4 digits (standard cards).
    #[serde(default)]
    pub auth_pin: Option<String>,
    /// 署名用パスワード, 6–16 of A–Z/0–9 (standard cards).
    #[serde(default)]
    pub sign_password: Option<String>,
    /// 券面事項入力補助用暗証番号, 4 digits (standard cards).
    #[serde(default)]
    pub support_pin: Option<String>,
    /// The 4-digit security code printed on the front (part of 照合番号B).
    pub security_code: String,
    /// Card expiry printed on the front.
    pub expires_on: DateSpec,
    /// Tries left at the start of every scenario, per PIN (`auth_pin`, `sign_password`,
    /// `support_pin`); 0 means locked.
    #[serde(default)]
    pub tries_left: TriesLeft,
    /// Status word for VERIFY on a locked PIN, hex (default `6983`).
    #[serde(default)]
    pub locked_status: Option<String>,
    /// `mute` or `fault` when the chip is destroyed.
    #[serde(default)]
    pub tampered: Option<onshi_card::card::TamperMode>,
    /// The user-authentication certificate.
    pub certificate: CertificateSection,
}

/// Card kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CardKindSpec {
    /// PIN and signing certificate present.
    #[default]
    Standard,
    /// 顔認証マイナンバーカード.
    Pinless,
}

/// Initial tries left.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TriesLeft {
    /// 利用者証明用暗証番号 (max 3).
    #[serde(default)]
    pub auth_pin: Option<u8>,
    /// 署名用パスワード (max 5).
    #[serde(default)]
    pub sign_password: Option<u8>,
    /// 券面事項入力補助用暗証番号 (max 3).
    #[serde(default)]
    pub support_pin: Option<u8>,
}

/// 利用者証明用電子証明書 validity and life events.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CertificateSection {
    /// When this certificate was issued (the renewal time if it was renewed).
    pub issued_at: DateSpec,
    /// Last day of validity.
    pub expires_on: DateSpec,
    /// Whether `issued_at` was a renewal of an earlier certificate (24 h rule).
    #[serde(default)]
    pub renewed: bool,
    /// When the certificate was revoked (lost card, 一時停止/失効).
    #[serde(default)]
    pub revoked_at: Option<DateSpec>,
}

/// One qualification record (ground truth).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QualificationSection {
    /// 保険者番号 (6 or 8 digits with check digit).
    pub insurer_number: String,
    /// 保険者名称.
    pub insurer_name: String,
    /// 記号 (may be empty for 国保/後期).
    #[serde(default)]
    pub symbol: String,
    /// 番号 (leading zeros kept).
    pub number: String,
    /// 枝番, 2 digits.
    #[serde(default = "default_branch")]
    pub branch: String,
    /// 本人・家族の別.
    #[serde(default = "default_relationship")]
    pub relationship: PersonalFamilyClassification,
    /// 被保険者証区分.
    #[serde(default = "default_card_classification")]
    pub card_classification: InsuredCardClassification,
    /// 資格取得年月日.
    pub acquired_on: DateSpec,
    /// 資格喪失年月日.
    #[serde(default)]
    pub lost_on: Option<DateSpec>,
    /// 資格喪失事由.
    #[serde(default)]
    pub loss_reason: Option<ReasonOfLoss>,
    /// When the insurer registered this record in the 中間サーバー; before that the
    /// central system does not know it (job-change lag, FAQ-4-14). Default: acquired_on.
    #[serde(default)]
    pub registered_on: Option<DateSpec>,
    /// The insurer holds the record for an accuracy check (FAQ-4-16) until this date.
    #[serde(default)]
    pub accuracy_hold_until: Option<DateSpec>,
    /// 一部負担割合 as the result carries it (`"030"`), absent when the clinic derives it.
    #[serde(default)]
    pub ratio: Option<String>,
    /// 高齢受給者 ratio for 70–74 (`"020"` / `"030"`).
    #[serde(default)]
    pub elderly_ratio: Option<String>,
    /// 限度額適用区分.
    #[serde(default)]
    pub limit_class: Option<LimitClass>,
    /// Premium arrears: the insurer withholds the limit exemption (OKA-PREMIUM).
    #[serde(default)]
    pub premium_arrears: bool,
    /// 特定疾病療養受療証.
    #[serde(default)]
    pub specific_diseases: Vec<SpecificDiseaseSection>,
    /// 医療扶助 (public assistance medical aid).
    #[serde(default)]
    pub medical_aid: Option<MedicalAidSection>,
    /// The household this record's 記号・番号 belongs to: members of one 被保険者's
    /// family share 保険者番号・記号・番号 and differ only by 枝番, so a search
    /// without the 枝番 finds them all (複数該当 when they share a birth date, as twins
    /// do). Personas with the same household keep sharing their numbers in every
    /// scenario's instances, and a scenario naming one casts the others too.
    #[serde(default)]
    pub household: Option<String>,
}

fn default_branch() -> String {
    "00".to_owned()
}
fn default_relationship() -> PersonalFamilyClassification {
    PersonalFamilyClassification::Insured
}
fn default_card_classification() -> InsuredCardClassification {
    InsuredCardClassification::General
}

/// A specific-disease certificate.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpecificDiseaseSection {
    /// 特定疾病区分.
    pub category: SpecificDiseaseCategory,
    /// Valid from.
    pub valid_from: DateSpec,
    /// Valid until.
    #[serde(default)]
    pub valid_to: Option<DateSpec>,
    /// 自己負担限度額 in yen (10,000 or 20,000).
    pub self_pay: u32,
}

/// 医療扶助 data.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MedicalAidSection {
    /// 公費負担者番号 (8 digits).
    pub payer_number: String,
    /// 受給者番号 (7 digits).
    pub recipient_number: String,
    /// Valid from.
    pub valid_from: DateSpec,
    /// Valid until.
    #[serde(default)]
    pub valid_to: Option<DateSpec>,
    /// Whether the 福祉事務所 has registered this month's 医療券 for the recipient in
    /// the central system (default true). `false`: the recipient is in force but the
    /// answer is 有効（未登録） (資格有効性 6) and carries no 医療券 — it is before the
    /// monthly registration, or the recipient did not tell the caseworker.
    #[serde(default = "yes")]
    pub ticket_registered: bool,
}

/// 保険証利用登録 state.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationSection {
    /// `registered`, `unregistered` or `cancelled`.
    pub state: RegistrationStateSpec,
    /// When registration completed (registered only).
    #[serde(default)]
    pub at: Option<DateSpec>,
}

impl Default for RegistrationSection {
    fn default() -> Self {
        Self {
            state: RegistrationStateSpec::Registered,
            at: None,
        }
    }
}

/// Registration state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RegistrationStateSpec {
    /// 登録完了.
    Registered,
    /// Never registered.
    Unregistered,
    /// 登録解除 (by the person, or after certificate expiry beyond grace).
    Cancelled,
}

/// Consents given at the reader.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentSection {
    /// 薬剤・診療・手術・特定健診情報 (one 包括同意 from 2024-10-07).
    #[serde(default = "yes")]
    pub medical_info: bool,
    /// 限度額情報 (a separate screen before 2024-10-07).
    #[serde(default = "yes")]
    pub limit_info: bool,
}

impl Default for ConsentSection {
    fn default() -> Self {
        Self {
            medical_info: true,
            limit_info: true,
        }
    }
}

fn yes() -> bool {
    true
}

/// Privacy flags.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrivacySection {
    /// 不開示 registration (DV or abuse victim): card use as insurance card refused (OKA-DV).
    #[serde(default)]
    pub non_disclosure: bool,
}

/// Documents carried by the patient.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentsSection {
    /// 資格情報のお知らせ (for the current qualification).
    #[serde(default)]
    pub notice: bool,
    /// マイナポータル qualification screen on a phone.
    #[serde(default)]
    pub portal_screen: bool,
    /// 資格確認書.
    #[serde(default)]
    pub kakunin_sho: Option<KakuninShoSection>,
    /// An old 健康保険証.
    #[serde(default)]
    pub old_card: Option<OldCardSection>,
    /// A municipal 公費 受給者証 (子ども医療費 and the like), shown on paper.
    #[serde(default)]
    pub public_expense: Option<PublicExpenseSection>,
}

/// A municipal 公費 受給者証.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PublicExpenseSection {
    /// 公費負担者番号 (8 digits).
    pub payer_number: String,
    /// 公費受給者番号 (7 digits).
    pub recipient_number: String,
    /// Valid from.
    pub valid_from: DateSpec,
    /// Valid until.
    pub valid_to: DateSpec,
    /// What the recipient pays at the window under the aid (`"000"`).
    pub copay: String,
}

/// 資格確認書 validity.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KakuninShoSection {
    /// Valid from.
    pub valid_from: DateSpec,
    /// Valid until.
    pub valid_to: DateSpec,
}

/// An old 健康保険証.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OldCardSection {
    /// Issue date (no new cards from 2024-12-02).
    pub issued_on: DateSpec,
    /// Its own expiry, if printed.
    #[serde(default)]
    pub expires_on: Option<DateSpec>,
}

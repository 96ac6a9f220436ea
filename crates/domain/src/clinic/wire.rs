//! The clinic-control API on the wire (`openapi/clinic-control-v1.yaml`): what onshi
//! hands a clinic system (レセコン / 受付) for one patient at the window, and the
//! decision it answers. Enum values are kebab-case; every member is required unless
//! its doc says otherwise. No My Number and no PIN ever appear here.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use crate::codes::{ContributionRatio, Sex};
pub use crate::protocol::wire::CareSettingWire;
use crate::rules::{
    Basis, NetworkState, NotInsuredEvidence, RatioSource, ReaderState, TemporaryDocument,
};

/// `GET /v1/clinic`: what the clinic system says about itself.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClinicInfo {
    /// Vendor.
    pub vendor: String,
    /// Product.
    pub model: String,
    /// Software version.
    pub version: String,
}

/// `POST /v1/visits`: one patient at the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClinicVisitRequest {
    /// An id for the clinic's logs.
    pub visit_id: String,
    /// "Now" for the visit (JST, no offset); pass it on as `confirmation_time` of the
    /// clinic's own numbers query. Never the wall clock.
    pub visit_time: NaiveDateTime,
    /// The facility and its equipment on the day.
    pub facility: FacilityWire,
    /// Base URL of the onshi HTTP JSON backend for the clinic's own numbers query
    /// (`POST {backend_url}/v1/confirmations/numbers`); `http://127.0.0.1:1` means the
    /// line is down.
    pub backend_url: String,
    /// The patient as staff see them on the card front or the document.
    pub patient: PatientAtWindow,
    /// The My Number Card at the window.
    pub card: CardWire,
    /// The documents presented, in the order shown.
    pub documents: Vec<DocumentWire>,
    /// The numbers the clinic holds on file for a repeat patient (no document shown),
    /// or `null`.
    pub clinic_record: Option<PrintedNumbers>,
    /// Whether staff are told to key the printed numbers in (照会区分 2).
    pub number_check: NumberCheckPolicy,
    /// `LimitApplicationCertificateRelatedConsFlg` for the numbers query (`null` = not
    /// said).
    pub limit_consent: Option<bool>,
    /// What the patient answers if asked.
    pub answers: PatientAnswers,
    /// Whether staff clearly doubt that the patient who authenticated (by PIN) is the
    /// card's holder (FAQ-4-6: 「暗証番号認証を行う際、明らかに本人であることに疑いがあり」).
    pub identity_in_doubt: bool,
    /// This visit's cost (医療費, 10割) in yen, as the clinic's own 点数 would give it.
    pub medical_fee: u64,
    /// The patient's earlier window payments the clinic has on record (its own
    /// receipts, and receipts of other institutions the patient shows), at most
    /// [`MAX_PAYMENTS`]; the 高額療養費 ceiling counts only those of this institution in
    /// this calendar month (TRN-Q1).
    pub payments: Vec<PaymentWire>,
}

/// The most earlier payments a visit carries.
pub const MAX_PAYMENTS: usize = 64;

/// The largest amount (yen) a fee or payment may state.
pub const MAX_YEN: u64 = 1_000_000_000;

/// One earlier window payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentWire {
    /// The day paid.
    pub date: NaiveDate,
    /// 医療機関コード of the institution paid, 10 digits.
    pub medical_institution_code: String,
    /// That visit's cost (医療費, 10割), yen.
    pub medical_fee: u64,
    /// What the patient paid at the window, yen.
    pub paid: u64,
}

/// The facility (医療機関) and its equipment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FacilityWire {
    /// 医療機関コード, 10 digits.
    pub medical_institution_code: String,
    /// Whether it has introduced オンライン資格確認 (FAQ-4-5).
    pub online_confirmation: bool,
    /// Its 顔認証付きカードリーダー.
    pub reader: ReaderStateWire,
    /// Its line to the central system.
    pub network: NetworkStateWire,
    /// Where care happens.
    pub care_setting: CareSettingWire,
}

/// The reader's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReaderStateWire {
    /// Installed and working.
    Working,
    /// Broken (故障).
    Broken,
    /// Not installed (未設置).
    Absent,
}

/// The line's state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NetworkStateWire {
    /// Up.
    Up,
    /// Down (回線障害).
    Down,
}

/// The patient as staff see them (氏名 and 生年月日 on the card front or document).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientAtWindow {
    /// 氏名 as printed.
    pub name: String,
    /// 生年月日.
    pub birth_date: NaiveDate,
    /// 性別 (OQSCD007: `"1"` 男, `"2"` 女, `"3"` 未設定), as on the card front or the
    /// 申立書.
    pub sex: Sex,
    /// 住所 as on the card front or the 申立書.
    pub address: String,
}

/// The patient's 基本4情報 as the window wrote them down (a 申立書 taken while the
/// qualification system was unreachable), for the 緊急時医療情報・資格確認機能 after it
/// recovers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotedPatient {
    /// 氏名.
    pub name: String,
    /// 性別.
    pub sex: Sex,
    /// 生年月日.
    pub birth_date: NaiveDate,
    /// 住所.
    pub address: String,
}

/// `POST /v1/recoveries`: the qualification system is reachable again; the clinic
/// confirms the qualification of a patient it took on a 申立書 during the outage, by
/// the 基本4情報 it noted, and says what it bills.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryRequest {
    /// The visit's id (as in its `POST /v1/visits`).
    pub visit_id: String,
    /// "Now" after the recovery (JST, no offset); pass it on as `confirmation_time`.
    pub recovered_at: NaiveDateTime,
    /// The facility's 医療機関コード.
    pub medical_institution_code: String,
    /// Base URL of the onshi HTTP JSON backend, reachable again
    /// (`POST {backend_url}/v1/confirmations/emergency`).
    pub backend_url: String,
    /// What the clinic noted at the visit (its own answer's `noted`, handed back).
    pub noted: NotedPatient,
}

/// The clinic's answer to a [`RecoveryRequest`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecoveryAnswer {
    /// The qualification now billed, or `null` (still 不詳).
    pub billed: Option<PrintedNumbers>,
    /// The clinic's 緊急時 queries, as sent and answered (evidence).
    pub queries: Vec<ExchangeWire>,
    /// Free text for the report (optional).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// The My Number Card at the window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardWire {
    /// Whether the patient presented the card (it also proves identity, KQ-6).
    pub presented: bool,
    /// What the reader left for the clinic; `null` when the reader was not used.
    pub reader: Option<ReaderAtClinic>,
}

/// What the reader left for the clinic system: the face-result file it wrote, or,
/// when it wrote none, what it displayed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "kebab-case", deny_unknown_fields)]
pub enum ReaderAtClinic {
    /// The face-result file `OQSsiquc01res_face_…` (the backend answered).
    ResultFile {
        /// File name.
        name: String,
        /// `Shift_JIS` or `UTF-8` (anything else is read as Shift_JIS).
        encoding: String,
        /// The file's bytes, base64.
        xml: String,
    },
    /// 「マイナンバーカードの認識不可」.
    CardUnreadable,
    /// 「マイナンバーカード以外」.
    NotMyNumberCard,
    /// Face, PIN and 目視 all failed.
    AuthenticationFailed,
    /// The card is not registered for insurance use and the patient declined, or the
    /// backend refused, the registration offered at the reader.
    RegistrationMissing,
    /// The backend refused the request itself.
    Refused {
        /// The `ONS-…` code, or `null`.
        code: Option<String>,
    },
    /// The backend could not be reached.
    BackendUnavailable,
}

/// A document shown at the window, with what is printed on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case", deny_unknown_fields)]
pub enum DocumentWire {
    /// 資格情報のお知らせ.
    Notice {
        /// The numbers printed.
        numbers: PrintedNumbers,
        /// Paper or the マイナポータル PDF.
        form: NoticeFormWire,
        /// 一部負担金の割合 printed (`"030"`), or `null`.
        ratio: Option<ContributionRatio>,
    },
    /// マイナポータルの資格情報画面.
    PortalScreen {
        /// The numbers shown.
        numbers: PrintedNumbers,
        /// 負担割合 shown, or `null`.
        ratio: Option<ContributionRatio>,
    },
    /// 資格確認書.
    ConfirmationCertificate {
        /// The numbers printed.
        numbers: PrintedNumbers,
        /// First valid day.
        valid_from: NaiveDate,
        /// 有効期限 (last valid day).
        valid_to: NaiveDate,
        /// 一部負担金の割合 printed, or `null`.
        ratio: Option<ContributionRatio>,
    },
    /// 従来の健康保険証.
    OldInsuranceCard {
        /// The numbers printed.
        numbers: PrintedNumbers,
        /// 交付年月日.
        issued_on: NaiveDate,
        /// 有効期限 printed, or `null`.
        expires_on: Option<NaiveDate>,
        /// The day the holder's insurer changed, as the patient tells the desk, or
        /// `null` (TRN-MAX1Y).
        insurer_changed_on: Option<NaiveDate>,
        /// 一部負担金の割合 printed, or `null`.
        ratio: Option<ContributionRatio>,
    },
    /// A school-trip / nursery copy presented by a teacher or carer (TRN-SCHOOL).
    SchoolEventCopy {
        /// The numbers shown.
        numbers: PrintedNumbers,
        /// Which form.
        form: SchoolCopyFormWire,
        /// 負担割合 shown, or `null`.
        ratio: Option<ContributionRatio>,
    },
    /// A municipal 公費 受給者証 (子ども医療費 and the like): not on the card, shown on
    /// paper (FAQ-4-12).
    PublicExpenseCertificate {
        /// 公費負担者番号 (8 digits).
        payer_number: String,
        /// 公費受給者番号 (7 digits).
        recipient_number: String,
        /// First valid day.
        valid_from: NaiveDate,
        /// Last valid day.
        valid_to: NaiveDate,
        /// What the recipient pays at the window under the aid (`"000"`).
        copay: ContributionRatio,
    },
}

/// The form of a 資格情報のお知らせ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoticeFormWire {
    /// Paper from the insurer.
    Paper,
    /// The マイナポータル PDF.
    PortalPdf,
}

/// The form of a school-trip copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SchoolCopyFormWire {
    /// The マイナポータル PDF on a device.
    PortalPdf,
    /// A print of it.
    PortalPrint,
    /// A copy of the お知らせ.
    NoticeCopy,
}

/// 保険者番号・記号・番号・枝番 as printed (or as billed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrintedNumbers {
    /// 保険者番号 (6 or 8 digits).
    pub insurer_number: String,
    /// 記号, or `null`.
    pub symbol: Option<String>,
    /// 番号.
    pub number: String,
    /// 枝番, or `null`.
    pub branch: Option<String>,
}

/// When staff key the printed numbers in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NumberCheckPolicy {
    /// When the card gave nothing usable and numbers are at hand (保発0710第1号).
    WhenNeeded,
    /// Always, with the first document's (or the clinic record's) numbers.
    Always,
    /// Never.
    Never,
}

/// What the patient answers if the clinic asks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PatientAnswers {
    /// Whether they fill in a 被保険者資格申立書 when asked.
    pub fills_in_declaration: bool,
    /// Whether they state that they have no insurance.
    pub declares_no_insurance: bool,
}

/// `POST /v1/visits` answer: the clinic's decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClinicAnswer {
    /// On what basis the patient is treated.
    pub basis: BasisWire,
    /// 窓口負担割合 as a 3-digit percent (`"030"`; `"100"` = 10割).
    pub copay: ContributionRatio,
    /// Where the ratio came from; `null` only for 10割.
    pub ratio_source: Option<RatioSourceWire>,
    /// What the patient pays at the window now, yen: the ratio's share of
    /// `medical_fee` rounded to 10 円, capped by the 高額療養費 ceiling of the 適用区分
    /// the clinic knows, less what was paid here this month.
    pub charge: u64,
    /// The qualification billed (保険者番号・記号・番号・枝番), or `null` (不詳).
    pub billed: Option<PrintedNumbers>,
    /// What the clinic asked the patient.
    pub asked: Vec<Question>,
    /// What staff checked on the My Number Card's front (FAQ-4-6), in order.
    pub card_front: Vec<CardFrontCheck>,
    /// The sides of the My Number Card the clinic system stored an image of: the front
    /// may be copied for billing; the back carries the My Number and never may be.
    pub card_images: Vec<CardSide>,
    /// The clinic's own numbers queries, as sent and answered (evidence).
    pub numbers_queries: Vec<ExchangeWire>,
    /// The 基本4情報 the window noted for a check after an outage (a 申立書 taken
    /// while the qualification system was unreachable), else absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub noted: Option<NotedPatient>,
    /// Free text for the report (optional).
    #[serde(default)]
    pub notes: Vec<String>,
}

/// The basis of a decision ([`Basis`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BasisWire {
    /// マイナ保険証によるオンライン資格確認.
    OnlineCard,
    /// マイナンバーカード + 資格情報のお知らせ.
    CardWithNotice,
    /// マイナンバーカード + マイナポータル資格情報画面.
    CardWithPortalScreen,
    /// 資格確認書.
    ConfirmationCertificate,
    /// 従来の健康保険証.
    OldInsuranceCard,
    /// 修学旅行等の写し.
    SchoolEventCopy,
    /// 暫定措置: an expired 保険証 checked online by its numbers.
    TemporaryMeasureExpiredCard,
    /// 暫定措置: the お知らせ alone, checked online by its numbers.
    TemporaryMeasureNoticeAlone,
    /// 被保険者資格申立書.
    Declaration,
    /// 10割: the patient declined the 申立書.
    NotInsuredDeclinedDeclaration,
    /// 10割: the patient stated no insurance.
    NotInsuredDeclaredUninsured,
}

impl From<Basis> for BasisWire {
    fn from(b: Basis) -> Self {
        match b {
            Basis::OnlineCard => Self::OnlineCard,
            Basis::CardWithNotice => Self::CardWithNotice,
            Basis::CardWithPortalScreen => Self::CardWithPortalScreen,
            Basis::ConfirmationCertificate => Self::ConfirmationCertificate,
            Basis::OldInsuranceCard => Self::OldInsuranceCard,
            Basis::SchoolEventCopy => Self::SchoolEventCopy,
            Basis::TemporaryMeasure(TemporaryDocument::ExpiredInsuranceCard) => {
                Self::TemporaryMeasureExpiredCard
            }
            Basis::TemporaryMeasure(TemporaryDocument::NoticeAlone) => {
                Self::TemporaryMeasureNoticeAlone
            }
            Basis::Declaration => Self::Declaration,
            Basis::NotInsured(NotInsuredEvidence::DeclinedDeclaration) => {
                Self::NotInsuredDeclinedDeclaration
            }
            Basis::NotInsured(NotInsuredEvidence::DeclaredUninsured) => {
                Self::NotInsuredDeclaredUninsured
            }
        }
    }
}

impl From<BasisWire> for Basis {
    fn from(b: BasisWire) -> Self {
        match b {
            BasisWire::OnlineCard => Self::OnlineCard,
            BasisWire::CardWithNotice => Self::CardWithNotice,
            BasisWire::CardWithPortalScreen => Self::CardWithPortalScreen,
            BasisWire::ConfirmationCertificate => Self::ConfirmationCertificate,
            BasisWire::OldInsuranceCard => Self::OldInsuranceCard,
            BasisWire::SchoolEventCopy => Self::SchoolEventCopy,
            BasisWire::TemporaryMeasureExpiredCard => {
                Self::TemporaryMeasure(TemporaryDocument::ExpiredInsuranceCard)
            }
            BasisWire::TemporaryMeasureNoticeAlone => {
                Self::TemporaryMeasure(TemporaryDocument::NoticeAlone)
            }
            BasisWire::Declaration => Self::Declaration,
            BasisWire::NotInsuredDeclinedDeclaration => {
                Self::NotInsured(NotInsuredEvidence::DeclinedDeclaration)
            }
            BasisWire::NotInsuredDeclaredUninsured => {
                Self::NotInsured(NotInsuredEvidence::DeclaredUninsured)
            }
        }
    }
}

/// Where a ratio came from ([`RatioSource`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RatioSourceWire {
    /// The answer's `InsuredPartialContributionRatio`.
    InsuredPartialContributionRatio,
    /// The answer's `ElderlyRecipientContributionRatio`.
    ElderlyRecipientContributionRatio,
    /// Printed on the document.
    PrintedOnDocument,
    /// Derived from the age band.
    DerivedFromAge,
    /// Derived from the age band and the 適用区分.
    DerivedFromLimitClass,
    /// Set by the answer's `InsuredCardClassification`: `A1` 医療扶助 pays 0割, `05`
    /// 特別療養費 pays 10割 and is refunded.
    CardClassification,
    /// A municipal 公費 受給者証 shown on paper.
    PublicExpenseCertificate,
}

impl From<RatioSource> for RatioSourceWire {
    fn from(s: RatioSource) -> Self {
        match s {
            RatioSource::InsuredPartialContributionRatio => Self::InsuredPartialContributionRatio,
            RatioSource::ElderlyRecipientContributionRatio => {
                Self::ElderlyRecipientContributionRatio
            }
            RatioSource::PrintedOnDocument => Self::PrintedOnDocument,
            RatioSource::DerivedFromAge => Self::DerivedFromAge,
            RatioSource::DerivedFromLimitClass => Self::DerivedFromLimitClass,
            RatioSource::CardClassification => Self::CardClassification,
            RatioSource::PublicExpenseCertificate => Self::PublicExpenseCertificate,
        }
    }
}

impl From<RatioSourceWire> for RatioSource {
    fn from(s: RatioSourceWire) -> Self {
        match s {
            RatioSourceWire::InsuredPartialContributionRatio => {
                Self::InsuredPartialContributionRatio
            }
            RatioSourceWire::ElderlyRecipientContributionRatio => {
                Self::ElderlyRecipientContributionRatio
            }
            RatioSourceWire::PrintedOnDocument => Self::PrintedOnDocument,
            RatioSourceWire::DerivedFromAge => Self::DerivedFromAge,
            RatioSourceWire::DerivedFromLimitClass => Self::DerivedFromLimitClass,
            RatioSourceWire::CardClassification => Self::CardClassification,
            RatioSourceWire::PublicExpenseCertificate => Self::PublicExpenseCertificate,
        }
    }
}

/// What the clinic asked the patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Question {
    /// To fill in a 被保険者資格申立書 (and so whether they are insured).
    Declaration,
}

/// Why staff looked at the card front (FAQ-4-6's three cases).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CardFrontCheck {
    /// The answer shows 旧字等 as 「●」: the exact notation is read on the front.
    Notation,
    /// A PIN user clearly in doubt: the front's photo is compared with the patient.
    Photo,
    /// A 被保険者資格申立書: the front's 氏名・住所等 are taken down.
    DeclarationDetails,
}

/// A side of the My Number Card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CardSide {
    /// 表面 (氏名・住所・生年月日・性別, photo).
    Front,
    /// 裏面 (the My Number).
    Back,
}

/// One call of the clinic to the backend, for the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeWire {
    /// `POST /v1/confirmations/numbers`.
    pub label: String,
    /// The JSON body as sent.
    pub request: String,
    /// The answer's body, or a description of the failure.
    pub response: String,
}

impl From<ReaderState> for ReaderStateWire {
    fn from(s: ReaderState) -> Self {
        match s {
            ReaderState::Working => Self::Working,
            ReaderState::Broken => Self::Broken,
            ReaderState::Absent => Self::Absent,
        }
    }
}

impl From<ReaderStateWire> for ReaderState {
    fn from(s: ReaderStateWire) -> Self {
        match s {
            ReaderStateWire::Working => Self::Working,
            ReaderStateWire::Broken => Self::Broken,
            ReaderStateWire::Absent => Self::Absent,
        }
    }
}

impl From<NetworkState> for NetworkStateWire {
    fn from(s: NetworkState) -> Self {
        match s {
            NetworkState::Up => Self::Up,
            NetworkState::Down => Self::Down,
        }
    }
}

impl From<NetworkStateWire> for NetworkState {
    fn from(s: NetworkStateWire) -> Self {
        match s {
            NetworkStateWire::Up => Self::Up,
            NetworkStateWire::Down => Self::Down,
        }
    }
}

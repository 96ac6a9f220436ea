//! What the clinic knows at the desk: the facility's equipment, what the reader and the
//! backend answered, the documents in hand and whether the patient cooperates. These
//! are the inputs of [`super::clinic::decide`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::{CareSetting, RulesCalendar};
use super::catalogue::RuleId;
use super::copay::RatioFields;
use super::documents::Document;
use crate::codes::QualificationValidity;

/// The face-recognition card reader (顔認証付きカードリーダー).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ReaderState {
    /// Installed and working.
    Working,
    /// Installed but broken (故障).
    Broken,
    /// Not installed (未設置).
    Absent,
}

/// The line to the central system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NetworkState {
    /// Up.
    Up,
    /// Down (回線障害).
    Down,
}

/// The facility's equipment on the day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Facility {
    /// Whether it has introduced オンライン資格確認 (FAQ-4-5).
    pub online_confirmation: bool,
    /// Its card reader.
    pub reader: ReaderState,
    /// Its network.
    pub network: NetworkState,
}

impl Facility {
    /// A facility with online confirmation, a working reader and network.
    pub const EQUIPPED: Self = Self {
        online_confirmation: true,
        reader: ReaderState::Working,
        network: NetworkState::Up,
    };

    /// A facility without online confirmation (オンライン資格確認未導入).
    pub const WITHOUT_ONLINE_CONFIRMATION: Self = Self {
        online_confirmation: false,
        reader: ReaderState::Absent,
        network: NetworkState::Up,
    };

    /// Whether the card can be confirmed online here on `as_of` in `setting`.
    pub fn card_path(
        &self,
        calendar: &RulesCalendar,
        as_of: NaiveDate,
        setting: CareSetting,
    ) -> Result<(), Unavailability> {
        self.number_path(calendar, as_of)?;
        match self.reader {
            ReaderState::Working => {}
            ReaderState::Broken => return Err(Unavailability::ReaderBroken),
            ReaderState::Absent => return Err(Unavailability::ReaderAbsent),
        }
        if !calendar.card_usable_in(setting, as_of) {
            return Err(Unavailability::SettingNotYet(setting));
        }
        Ok(())
    }

    /// Whether printed numbers can be checked online here on `as_of` (照会区分 2,
    /// typed in at the 資格確認端末; no reader needed).
    pub fn number_path(
        &self,
        calendar: &RulesCalendar,
        as_of: NaiveDate,
    ) -> Result<(), Unavailability> {
        if !calendar.online_confirmation_operating(as_of) {
            return Err(Unavailability::BeforeOperation);
        }
        if !self.online_confirmation {
            return Err(Unavailability::NoOnlineConfirmation);
        }
        if self.network == NetworkState::Down {
            return Err(Unavailability::NetworkDown);
        }
        Ok(())
    }
}

/// Why an online path could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Unavailability {
    /// Before オンライン資格確認 started (DOM-START).
    BeforeOperation,
    /// The facility has no online confirmation (FAQ-4-5).
    NoOnlineConfirmation,
    /// No reader installed (KQ-6).
    ReaderAbsent,
    /// Reader broken (KQ-6).
    ReaderBroken,
    /// Network down (保発0710第1号).
    NetworkDown,
    /// The card was not yet usable in this care setting (FAQ-4-13).
    SettingNotYet(CareSetting),
    /// The path was available but no outcome was supplied.
    NotAttempted,
}

impl Unavailability {
    /// The rule that covers this situation.
    pub const fn rule_id(self) -> RuleId {
        match self {
            Self::BeforeOperation => RuleId::DomStart,
            Self::NoOnlineConfirmation => RuleId::Faq4_5,
            Self::ReaderAbsent | Self::ReaderBroken => RuleId::Kq6,
            Self::NetworkDown | Self::NotAttempted => RuleId::TrnNo10,
            Self::SettingNotYet(_) => RuleId::Faq4_13,
        }
    }
}

/// A qualification answer from the backend (one `ResultOfQualificationConfirmation`
/// with the message's `QualificationValidity`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QualificationResult {
    /// 資格有効性. 資格（無効）, 資格情報なし etc. arrive here, not as failures.
    pub validity: QualificationValidity,
    /// Whether the record belongs to the person whose card or numbers were presented
    /// (FAQ-4-17: another person's record is a critical defect and is not used).
    pub is_presented_person: bool,
    /// The ratio fields of the record.
    pub ratios: RatioFields,
}

impl QualificationResult {
    /// Whether the clinic may bill on it: 有効 and the presented person's.
    pub fn usable(&self) -> bool {
        self.validity.is_valid() && self.is_presented_person
    }
}

/// Why no qualification answer came back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConfirmationFailure {
    /// The chip could not be read (ICチップ読取不可, `001`).
    CardUnreadable,
    /// The chip was tampered with and answers nothing usable (FAQ-4-21).
    CardTampered,
    /// PIN locked and face authentication failed, no visual check (FAQ-4-11).
    AuthenticationFailed,
    /// The card is not registered for insurance use (未登録 or 登録解除).
    RegistrationMissing,
    /// The user-authentication certificate is past its grace period (DOM-CERT-GRACE).
    CertificateExpired,
    /// Non-disclosure registration (DV・虐待等, OKA-DV).
    NonDisclosure,
    /// The central system could not be reached (回線・システム障害).
    BackendUnreachable,
    /// 処理結果区分 9 異常終了 or 処理結果状況 2 エラー.
    BackendError,
    /// No answer in time.
    Timeout,
}

impl ConfirmationFailure {
    /// Every failure.
    pub const ALL: &'static [ConfirmationFailure] = &[
        Self::CardUnreadable,
        Self::CardTampered,
        Self::AuthenticationFailed,
        Self::RegistrationMissing,
        Self::CertificateExpired,
        Self::NonDisclosure,
        Self::BackendUnreachable,
        Self::BackendError,
        Self::Timeout,
    ];

    /// The rule that covers this failure.
    pub const fn rule_id(self) -> RuleId {
        match self {
            Self::CardUnreadable | Self::CardTampered => RuleId::Faq4_21,
            Self::AuthenticationFailed => RuleId::Faq4_11,
            Self::RegistrationMissing => RuleId::TrnKakunin,
            Self::CertificateExpired => RuleId::DomCertGrace,
            Self::NonDisclosure => RuleId::OkaDv,
            Self::BackendUnreachable | Self::BackendError | Self::Timeout => RuleId::TrnNo10,
        }
    }
}

/// What an online confirmation produced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ConfirmationOutcome {
    /// The backend answered (any 資格有効性).
    Answered(QualificationResult),
    /// No answer.
    Failed(ConfirmationFailure),
}

/// The My Number Card at the desk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CardAtDesk {
    /// Not presented.
    NotPresented,
    /// Presented (it also proves identity, KQ-6). `reader` is what the reader and
    /// backend produced, `None` when the reader was not used. An outcome supplied for a
    /// facility that cannot run the reader is ignored.
    Presented {
        /// The reader's outcome.
        reader: Option<ConfirmationOutcome>,
    },
}

/// What the patient does when asked for a 被保険者資格申立書.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PatientStance {
    /// Fills it in (an insured patient who cooperates).
    Cooperates,
    /// Declines to fill it in.
    DeclinesDeclaration,
    /// States that they have no insurance.
    DeclaresUninsured,
}

/// One visit at the desk.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Visit {
    /// The as-of date.
    pub as_of: NaiveDate,
    /// The patient's date of birth (from the card face or a document).
    pub birth_date: NaiveDate,
    /// Where care happens.
    pub setting: CareSetting,
    /// The facility's equipment.
    pub facility: Facility,
    /// The card.
    pub card: CardAtDesk,
    /// Documents presented (by the patient, or by a teacher or carer).
    pub documents: Vec<Document>,
    /// The online check by the numbers printed on the presented documents (照会区分 2),
    /// if the clinic ran one; ignored where no number check is possible.
    pub number_check: Option<ConfirmationOutcome>,
    /// Whether the patient fills in a 申立書 if asked.
    pub stance: PatientStance,
}

impl Visit {
    /// An outpatient visit at an equipped facility, the patient cooperating: the
    /// everyday desk of a load run.
    pub fn equipped_outpatient(
        as_of: NaiveDate,
        birth_date: NaiveDate,
        card: CardAtDesk,
        documents: Vec<Document>,
        number_check: Option<ConfirmationOutcome>,
    ) -> Self {
        Visit {
            as_of,
            birth_date,
            setting: CareSetting::Outpatient,
            facility: Facility::EQUIPPED,
            card,
            documents,
            number_check,
            stance: PatientStance::Cooperates,
        }
    }
}

//! Personas resolved at an as-of time: concrete dates, typed codes, the ground truth.

use chrono::{NaiveDate, NaiveDateTime};
use serde::Serialize;

use onshi_card::card::{CardState, PinId, Status, TamperMode};
use onshi_domain::codes::{
    ContributionRatio, InsuredCardClassification, InsurerNumber, LimitClass,
    PersonalFamilyClassification, ReasonOfLoss, Sex, SpecificDiseaseCategory,
};
use onshi_domain::message::QualificationConfirmSearchInfo;

use super::schema::{RegistrationStateSpec, SexSpec};

/// The person.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Person {
    /// 氏名.
    pub name: String,
    /// 氏名 (カナ).
    pub name_kana: String,
    /// 生年月日.
    pub birth_date: NaiveDate,
    /// 性別.
    pub sex: Sex,
    /// 住所.
    pub address: String,
    /// 郵便番号 (7 digits).
    pub postal_code: Option<String>,
    /// 個人番号 (synthetic).
    pub my_number: String,
}

impl From<SexSpec> for Sex {
    fn from(s: SexSpec) -> Self {
        match s {
            SexSpec::Male => Sex::Male,
            SexSpec::Female => Sex::Female,
            SexSpec::Unset => Sex::Unset,
        }
    }
}

/// The 利用者証明用電子証明書 as issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CertificateFacts {
    /// Serial number (deterministic per persona).
    pub serial: u64,
    /// Issue (or renewal) time.
    pub issued_at: NaiveDateTime,
    /// Last valid day.
    pub expires_on: NaiveDate,
    /// Whether `issued_at` was a renewal.
    pub renewed: bool,
    /// Revocation time, if revoked (lost card).
    pub revoked_at: Option<NaiveDateTime>,
}

impl CertificateFacts {
    /// Whether the certificate is revoked at `at`.
    pub fn revoked_by(&self, at: NaiveDateTime) -> bool {
        self.revoked_at.is_some_and(|r| r <= at)
    }
}

/// The card as the person holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CardFacts {
    /// A PIN-less 顔認証マイナンバーカード.
    pub pinless: bool,
    /// 利用者証明用暗証番号.
    pub auth_pin: Option<String>,
    /// 署名用パスワード.
    pub sign_password: Option<String>,
    /// 券面事項入力補助用暗証番号.
    pub support_pin: Option<String>,
    /// Security code printed on the front.
    pub security_code: String,
    /// Card expiry printed on the front.
    pub expires_on: NaiveDate,
    /// 照合番号B: birth `YYMMDD` + expiry year + security code.
    pub match_b: String,
    /// Tries left per PIN.
    pub tries: CardState,
    /// Status word for VERIFY on a locked PIN.
    pub locked_status: Status,
    /// Destroyed chip.
    pub tampered: Option<TamperMode>,
    /// The user-authentication certificate.
    pub certificate: CertificateFacts,
}

impl CardFacts {
    /// Whether the auth PIN is locked at the start of the visit.
    pub fn auth_pin_locked(&self) -> bool {
        self.tries.is_locked(PinId::AuthPin)
    }
}

/// 特定疾病 certificate.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecificDisease {
    /// 特定疾病区分.
    pub category: SpecificDiseaseCategory,
    /// Valid from.
    pub valid_from: NaiveDate,
    /// Valid until.
    pub valid_to: Option<NaiveDate>,
    /// Self-pay ceiling in yen.
    pub self_pay: u32,
}

/// 医療扶助.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MedicalAid {
    /// 公費負担者番号.
    pub payer_number: String,
    /// 受給者番号.
    pub recipient_number: String,
    /// Valid from.
    pub valid_from: NaiveDate,
    /// Valid until.
    pub valid_to: Option<NaiveDate>,
    /// Whether this month's 医療券 is registered centrally; when not, the recipient
    /// is 有効（未登録） (資格有効性 6).
    pub ticket_registered: bool,
}

/// One true qualification record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Qualification {
    /// 保険者番号.
    pub insurer_number: InsurerNumber,
    /// 保険者名称.
    pub insurer_name: String,
    /// 記号.
    pub symbol: String,
    /// 番号.
    pub number: String,
    /// 枝番.
    pub branch: String,
    /// 本人・家族.
    pub relationship: PersonalFamilyClassification,
    /// 被保険者証区分.
    pub card_classification: InsuredCardClassification,
    /// 資格取得日.
    pub acquired_on: NaiveDate,
    /// 資格喪失日 (the first day without the qualification).
    pub lost_on: Option<NaiveDate>,
    /// 喪失事由.
    pub loss_reason: Option<ReasonOfLoss>,
    /// When the insurer registered the record centrally.
    pub registered_on: NaiveDate,
    /// Accuracy hold until (exclusive end: visible from this date).
    pub accuracy_hold_until: Option<NaiveDate>,
    /// 一部負担割合 as the result carries it.
    pub ratio: Option<ContributionRatio>,
    /// 高齢受給者 ratio.
    pub elderly_ratio: Option<ContributionRatio>,
    /// 限度額適用区分.
    pub limit_class: Option<LimitClass>,
    /// Premium arrears withhold the limit exemption.
    pub premium_arrears: bool,
    /// 特定疾病.
    pub specific_diseases: Vec<SpecificDisease>,
    /// 医療扶助.
    pub medical_aid: Option<MedicalAid>,
    /// The household whose members share these 記号・番号 (see the persona format).
    pub household: Option<String>,
}

impl Qualification {
    /// Whether the person truly holds this qualification on `day`.
    pub fn active_on(&self, day: NaiveDate) -> bool {
        self.acquired_on <= day && self.lost_on.is_none_or(|l| day < l)
    }

    /// Whether this record is 医療扶助 in force on `day` whose 医療券 the 福祉事務所 has
    /// not registered: the central system answers 有効（未登録）.
    pub fn ticket_pending(&self, day: NaiveDate) -> bool {
        self.active_on(day)
            && self.medical_aid.as_ref().is_some_and(|m| {
                !m.ticket_registered && m.valid_from <= day && m.valid_to.is_none_or(|t| day <= t)
            })
    }

    /// Whether the central system can see this record on `day` (registered and not on
    /// an accuracy hold).
    pub fn visible_on(&self, day: NaiveDate) -> bool {
        self.registered_on <= day && self.accuracy_hold_until.is_none_or(|h| day >= h)
    }

    /// The numbers a clinic searches this record by (as printed on a 資格確認書 or
    /// old 保険証), with the holder's birth date.
    pub fn search_info(&self, birthdate: NaiveDate) -> QualificationConfirmSearchInfo {
        QualificationConfirmSearchInfo {
            insurer_number: self.insurer_number.clone(),
            insured_card_symbol: (!self.symbol.is_empty()).then(|| self.symbol.clone()),
            insured_identification_number: self.number.clone(),
            insured_branch_number: Some(self.branch.clone()),
            birthdate,
            limit_application_certificate_related_cons_flg: None,
            arbitrary_identifier: None,
        }
    }
}

/// 保険証利用登録.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum RegistrationState {
    /// 登録完了 at this time.
    Registered(Option<NaiveDateTime>),
    /// Never registered.
    Unregistered,
    /// Registration cancelled.
    Cancelled,
}

impl RegistrationState {
    pub(crate) fn from_spec(spec: RegistrationStateSpec, at: Option<NaiveDateTime>) -> Self {
        match spec {
            RegistrationStateSpec::Registered => Self::Registered(at),
            RegistrationStateSpec::Unregistered => Self::Unregistered,
            RegistrationStateSpec::Cancelled => Self::Cancelled,
        }
    }

    /// Whether registered.
    pub fn is_registered(self) -> bool {
        matches!(self, Self::Registered(_))
    }
}

/// Consents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Consents {
    /// Medical information sharing.
    pub medical_info: bool,
    /// Limit information.
    pub limit_info: bool,
}

/// Documents carried.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Documents {
    /// 資格情報のお知らせ.
    pub notice: bool,
    /// マイナポータル screen.
    pub portal_screen: bool,
    /// 資格確認書 validity.
    pub kakunin_sho: Option<(NaiveDate, NaiveDate)>,
    /// Old 保険証: issued, own expiry.
    pub old_card: Option<(NaiveDate, Option<NaiveDate>)>,
    /// A municipal 公費 受給者証 (not on the card; FAQ-4-12).
    pub public_expense: Option<onshi_domain::rules::PublicExpenseCertificate>,
}

/// A persona resolved at an as-of time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ResolvedPersona {
    /// The persona id (file stem, or an instance id).
    pub id: String,
    /// The template's id when this is a scenario's instance of a persona.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// What it is for.
    pub description: String,
    /// Tags.
    pub tags: Vec<String>,
    /// The as-of time the dates were resolved at.
    pub as_of: NaiveDateTime,
    /// The person.
    pub person: Person,
    /// The card.
    pub card: CardFacts,
    /// True qualification records, oldest first.
    pub qualifications: Vec<Qualification>,
    /// Registration.
    pub registration: RegistrationState,
    /// Consents given at the reader by default.
    pub consents: Consents,
    /// 不開示.
    pub non_disclosure: bool,
    /// Documents carried.
    pub documents: Documents,
}

impl ResolvedPersona {
    /// The person as staff see them at the window (name and date of birth on the card
    /// front or the document).
    pub fn presented(&self) -> onshi_domain::protocol::PresentedPerson<'_> {
        onshi_domain::protocol::PresentedPerson {
            name: &self.person.name,
            birth_date: self.person.birth_date,
        }
    }

    /// The qualification the person truly holds on `day` (the latest acquired).
    pub fn true_qualification(&self, day: NaiveDate) -> Option<&Qualification> {
        self.qualifications.iter().rev().find(|q| q.active_on(day))
    }

    /// The old 保険証 the person holds for `q`: as printed (issue date, its own expiry
    /// when printed; without a `[documents] old_card`, issued when the record began),
    /// and the day the insurer changed, when a later record of another insurer exists
    /// (TRN-MAX1Y: the card ends there). One source for the visit driver and the steps.
    pub fn old_card(&self, q: &Qualification) -> onshi_domain::rules::OldInsuranceCard {
        let (issued_on, expires_on) = self.documents.old_card.unwrap_or((q.acquired_on, None));
        let insurer_changed_on = self
            .qualifications
            .iter()
            .find(|other| {
                other.acquired_on > q.acquired_on && other.insurer_number != q.insurer_number
            })
            .map(|other| other.acquired_on);
        onshi_domain::rules::OldInsuranceCard {
            insurer: q.insurer_number.clone(),
            issued_on,
            expires_on,
            insurer_changed_on,
            ratio: q.ratio,
        }
    }

    /// Whether the person is truly insured on `day`.
    pub fn insured_on(&self, day: NaiveDate) -> bool {
        self.true_qualification(day).is_some()
    }

    /// The as-of date.
    pub fn as_of_date(&self) -> NaiveDate {
        self.as_of.date()
    }

    /// The user-authentication certificate as the rules see it.
    pub fn user_auth_certificate(&self) -> onshi_domain::rules::UserAuthCertificate {
        let c = &self.card.certificate;
        onshi_domain::rules::UserAuthCertificate {
            issued_at: c.issued_at,
            expires_on: c.expires_on,
            renewed: c.renewed,
        }
    }

    /// A 保険証利用登録 of this person's card through `channel` at `at`.
    pub fn registration_attempt(
        &self,
        at: NaiveDateTime,
        channel: onshi_domain::rules::RegistrationChannel,
        already_registered: bool,
        insurer_registered: bool,
    ) -> onshi_domain::rules::RegistrationAttempt {
        use onshi_domain::rules::CardKind;
        onshi_domain::rules::RegistrationAttempt {
            at,
            channel,
            card: if self.card.pinless {
                CardKind::PinLess
            } else {
                CardKind::Standard
            },
            pin_locked: self.card.auth_pin_locked(),
            certificate: self.user_auth_certificate(),
            already_registered,
            insurer_registered,
        }
    }
}

impl Qualification {
    /// A numbers search at `facility` by this record's numbers (as printed on a
    /// 資格確認書 or old 保険証) and the holder's `birthdate`; no visit time, no limit
    /// consent (set those with struct update syntax).
    pub fn numbers_request(
        &self,
        facility: onshi_domain::message::MedicalInstitutionCode,
        birthdate: chrono::NaiveDate,
    ) -> onshi_domain::protocol::wire::NumbersConfirmationRequest {
        onshi_domain::protocol::wire::NumbersConfirmationRequest {
            medical_institution_code: facility,
            arbitrary_file_identifier: None,
            confirmation_time: None,
            insurer_number: self.insurer_number.as_str().to_owned(),
            insured_card_symbol: (!self.symbol.is_empty()).then(|| self.symbol.clone()),
            insured_identification_number: self.number.clone(),
            insured_branch_number: Some(self.branch.clone()),
            birthdate,
            limit_consent: None,
        }
    }
}

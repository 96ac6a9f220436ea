//! The rows of the export: one table each for persons, qualification records,
//! certificate links and certificates, and how a member becomes its rows.

use super::*;
use crate::persona::model::Qualification;

/// One person.
#[derive(Debug, Serialize)]
pub struct PersonRow {
    /// Persona id or `gen-NNNNNNNN`.
    pub person_id: String,
    /// Population index.
    pub index: u64,
    /// `persona` or `generated`.
    pub kind: &'static str,
    /// For a scenario's instance of a persona, the persona (template) it was made from;
    /// a template whose instances are exported stands for them and is not itself found
    /// by the 基本4情報 search (they share its 基本4情報).
    pub instance_of: Option<String>,
    /// 氏名.
    pub name: String,
    /// 氏名カナ (full-width).
    pub name_kana: String,
    /// 生年月日.
    pub birth_date: String,
    /// Sex code (OQSCD007).
    pub sex: &'static str,
    /// 住所.
    pub address: String,
    /// 郵便番号.
    pub postal_code: Option<String>,
    /// Synthetic 個人番号 — for FAQ-4-20 tests only; never an identifier.
    pub my_number_synthetic: String,
    /// `standard` or `pinless`.
    pub card_kind: &'static str,
    /// Whether the user-authentication PIN is locked.
    pub auth_pin_locked: bool,
    /// 保険証利用登録: `registered`, `unregistered`, `cancelled`.
    pub registration: &'static str,
    /// When registered (JST).
    pub registered_at: Option<String>,
    /// 不開示.
    pub non_disclosure: bool,
    /// Consent to medical information at the reader.
    pub consent_medical_info: bool,
    /// Consent to limit information at the reader.
    pub consent_limit_info: bool,
    /// Carries a 資格情報のお知らせ.
    pub carries_notice: bool,
    /// 資格確認書 valid from.
    pub kakunin_valid_from: Option<String>,
    /// 資格確認書 valid to.
    pub kakunin_valid_to: Option<String>,
    /// Old 保険証 issued on.
    pub old_card_issued_on: Option<String>,
    /// Old 保険証 printed expiry.
    pub old_card_expires_on: Option<String>,
    /// Tags (`;`-separated in CSV).
    pub tags: String,
}

/// One qualification record.
#[derive(Debug, Serialize)]
pub struct QualificationRow {
    /// The person.
    pub person_id: String,
    /// Record number within the person (0 = oldest).
    pub record: usize,
    /// 保険者番号 (公費負担者番号 for 医療扶助).
    pub insurer_number: String,
    /// 保険者名称.
    pub insurer_name: String,
    /// 記号.
    pub symbol: String,
    /// 番号 (受給者番号 for 医療扶助).
    pub number: String,
    /// 枝番.
    pub branch: String,
    /// PersonalFamilyClassification code.
    pub personal_family_classification: &'static str,
    /// InsuredCardClassification code.
    pub insured_card_classification: &'static str,
    /// 資格取得日.
    pub acquired_on: String,
    /// 資格喪失日.
    pub lost_on: Option<String>,
    /// ReasonOfLoss code.
    pub reason_of_loss: Option<&'static str>,
    /// The day the insurer registered the record centrally (visible from then).
    pub registered_on: String,
    /// Accuracy hold until (visible from this day).
    pub accuracy_hold_until: Option<String>,
    /// InsuredPartialContributionRatio (3 digits).
    pub insured_partial_contribution_ratio: Option<String>,
    /// ElderlyRecipientContributionRatio (3 digits).
    pub elderly_recipient_contribution_ratio: Option<String>,
    /// 適用区分.
    pub limit_class: Option<&'static str>,
    /// Premium arrears (limit info withheld).
    pub premium_arrears: bool,
    /// 特定疾病 as `category:valid_from:valid_to:self_pay` items, `;`-separated.
    pub specific_diseases: String,
    /// 医療扶助: 公費負担者番号.
    pub medical_aid_payer_number: Option<String>,
    /// 医療扶助: 受給者番号.
    pub medical_aid_recipient_number: Option<String>,
    /// 医療扶助: valid from.
    pub medical_aid_valid_from: Option<String>,
    /// 医療扶助: valid until.
    pub medical_aid_valid_to: Option<String>,
    /// 医療扶助: whether this month's 医療券 is registered (`false`: 有効（未登録）).
    pub medical_aid_ticket_registered: Option<bool>,
}

/// The link from a certificate to its person.
#[derive(Debug, Serialize)]
pub struct CertificateLinkRow {
    /// The person.
    pub person_id: String,
    /// Serial, decimal.
    pub serial: String,
    /// Serial, hex (16 digits).
    pub serial_hex: String,
    /// Issuing root (`jpki-auth` or `load-auth`).
    pub root: &'static str,
    /// Issued (JST).
    pub issued_at: String,
    /// Last valid day.
    pub expires_on: String,
    /// Issued by renewal.
    pub renewed: bool,
    /// Revoked at (JST).
    pub revoked_at: Option<String>,
    /// SHA-256 of the DER, hex.
    pub sha256: String,
}

/// One certificate.
#[derive(Debug, Serialize)]
pub struct CertificateRow {
    /// Serial, hex.
    pub serial_hex: String,
    /// The person.
    pub person_id: String,
    /// Issuing root.
    pub root: &'static str,
    /// DER, base64.
    pub der_base64: String,
}

pub(super) const PERSON_HEADERS: &[&str] = &[
    "person_id",
    "index",
    "kind",
    "instance_of",
    "name",
    "name_kana",
    "birth_date",
    "sex",
    "address",
    "postal_code",
    "my_number_synthetic",
    "card_kind",
    "auth_pin_locked",
    "registration",
    "registered_at",
    "non_disclosure",
    "consent_medical_info",
    "consent_limit_info",
    "carries_notice",
    "kakunin_valid_from",
    "kakunin_valid_to",
    "old_card_issued_on",
    "old_card_expires_on",
    "tags",
];

pub(super) const QUALIFICATION_HEADERS: &[&str] = &[
    "person_id",
    "record",
    "insurer_number",
    "insurer_name",
    "symbol",
    "number",
    "branch",
    "personal_family_classification",
    "insured_card_classification",
    "acquired_on",
    "lost_on",
    "reason_of_loss",
    "registered_on",
    "accuracy_hold_until",
    "insured_partial_contribution_ratio",
    "elderly_recipient_contribution_ratio",
    "limit_class",
    "premium_arrears",
    "specific_diseases",
    "medical_aid_payer_number",
    "medical_aid_recipient_number",
    "medical_aid_valid_from",
    "medical_aid_valid_to",
    "medical_aid_ticket_registered",
];

pub(super) const LINK_HEADERS: &[&str] = &[
    "person_id",
    "serial",
    "serial_hex",
    "root",
    "issued_at",
    "expires_on",
    "renewed",
    "revoked_at",
    "sha256",
];

pub(super) const CERT_HEADERS: &[&str] = &["serial_hex", "person_id", "root", "der_base64"];

pub(super) fn dt(t: chrono::NaiveDateTime) -> String {
    t.format("%Y-%m-%dT%H:%M:%S").to_string()
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The rows of one member.
pub struct MemberRows {
    /// The person.
    pub person: PersonRow,
    /// Its records.
    pub qualifications: Vec<QualificationRow>,
    /// Its certificate link.
    pub link: CertificateLinkRow,
    /// Its certificate.
    pub certificate: CertificateRow,
}

/// Builds the rows of member `index`.
pub fn member_rows(
    population: &Population,
    issuer: &CertificateIssuer,
    index: PersonIndex,
) -> Result<MemberRows, ExportError> {
    let p = population
        .person(index)
        .ok_or(CertIssueError::NoSuchMember(index))?;
    let cert = issuer.auth_certificate(population, index)?;
    Ok(rows_of(
        &p,
        index,
        population.is_generated(index),
        &cert.der,
        cert.root,
    ))
}

/// The rows of one member from its resolved persona and certificate.
pub(super) fn rows_of(
    p: &ResolvedPersona,
    index: PersonIndex,
    generated: bool,
    der: &Der,
    root: RootKind,
) -> MemberRows {
    let (link, certificate) = certificate_rows(p, der, root);
    MemberRows {
        person: person_row(p, index, generated),
        qualifications: p
            .qualifications
            .iter()
            .enumerate()
            .map(|(r, q)| qualification_row(&p.id, r, q))
            .collect(),
        link,
        certificate,
    }
}

/// The person row of member `index`.
fn person_row(p: &ResolvedPersona, index: PersonIndex, generated: bool) -> PersonRow {
    let (registration, registered_at) = match p.registration {
        RegistrationState::Registered(at) => ("registered", at.map(dt)),
        RegistrationState::Unregistered => ("unregistered", None),
        RegistrationState::Cancelled => ("cancelled", None),
    };
    PersonRow {
        person_id: p.id.clone(),
        index,
        kind: if generated { "generated" } else { "persona" },
        instance_of: p.template.clone(),
        name: p.person.name.clone(),
        name_kana: p.person.name_kana.clone(),
        birth_date: p.person.birth_date.to_string(),
        sex: p.person.sex.code(),
        address: p.person.address.clone(),
        postal_code: p.person.postal_code.clone(),
        my_number_synthetic: p.person.my_number.clone(),
        card_kind: if p.card.pinless {
            "pinless"
        } else {
            "standard"
        },
        auth_pin_locked: p.card.auth_pin_locked(),
        registration,
        registered_at,
        non_disclosure: p.non_disclosure,
        consent_medical_info: p.consents.medical_info,
        consent_limit_info: p.consents.limit_info,
        carries_notice: p.documents.notice,
        kakunin_valid_from: p.documents.kakunin_sho.map(|k| k.0.to_string()),
        kakunin_valid_to: p.documents.kakunin_sho.map(|k| k.1.to_string()),
        old_card_issued_on: p.documents.old_card.map(|c| c.0.to_string()),
        old_card_expires_on: p
            .documents
            .old_card
            .and_then(|c| c.1)
            .map(|d| d.to_string()),
        tags: p.tags.join(";"),
    }
}

/// The row of record number `record` of person `person_id`.
pub(super) fn qualification_row(
    person_id: &str,
    record: usize,
    q: &Qualification,
) -> QualificationRow {
    QualificationRow {
        person_id: person_id.to_owned(),
        record,
        insurer_number: q.insurer_number.as_str().to_owned(),
        insurer_name: q.insurer_name.clone(),
        symbol: q.symbol.clone(),
        number: q.number.clone(),
        branch: q.branch.clone(),
        personal_family_classification: q.relationship.code(),
        insured_card_classification: q.card_classification.code(),
        acquired_on: q.acquired_on.to_string(),
        lost_on: q.lost_on.map(|d| d.to_string()),
        reason_of_loss: q.loss_reason.map(|r| r.code()),
        registered_on: q.registered_on.to_string(),
        accuracy_hold_until: q.accuracy_hold_until.map(|d| d.to_string()),
        insured_partial_contribution_ratio: q.ratio.map(|r| r.code()),
        elderly_recipient_contribution_ratio: q.elderly_ratio.map(|r| r.code()),
        limit_class: q.limit_class.map(|c| c.code()),
        premium_arrears: q.premium_arrears,
        specific_diseases: q
            .specific_diseases
            .iter()
            .map(|s| {
                format!(
                    "{}:{}:{}:{}",
                    s.category.code(),
                    s.valid_from,
                    s.valid_to.map(|d| d.to_string()).unwrap_or_default(),
                    s.self_pay
                )
            })
            .collect::<Vec<_>>()
            .join(";"),
        medical_aid_payer_number: q.medical_aid.as_ref().map(|m| m.payer_number.clone()),
        medical_aid_recipient_number: q.medical_aid.as_ref().map(|m| m.recipient_number.clone()),
        medical_aid_valid_from: q.medical_aid.as_ref().map(|m| m.valid_from.to_string()),
        medical_aid_valid_to: q
            .medical_aid
            .as_ref()
            .and_then(|m| m.valid_to)
            .map(|d| d.to_string()),
        medical_aid_ticket_registered: q.medical_aid.as_ref().map(|m| m.ticket_registered),
    }
}

/// The certificate link row and the certificate row of `p`'s certificate `der`.
fn certificate_rows(
    p: &ResolvedPersona,
    der: &Der,
    root: RootKind,
) -> (CertificateLinkRow, CertificateRow) {
    let c = &p.card.certificate;
    let link = CertificateLinkRow {
        person_id: p.id.clone(),
        serial: c.serial.to_string(),
        serial_hex: format!("{:016X}", c.serial),
        root: root.name(),
        issued_at: dt(c.issued_at),
        expires_on: c.expires_on.to_string(),
        renewed: c.renewed,
        revoked_at: c.revoked_at.map(dt),
        sha256: hex(&der.sha256()),
    };
    let certificate = CertificateRow {
        serial_hex: format!("{:016X}", c.serial),
        person_id: p.id.clone(),
        root: root.name(),
        der_base64: BASE64.encode(der.as_bytes()),
    };
    (link, certificate)
}

//! From a member's records to the answer: which records the central system can see
//! at "now", the `QualificationValidity`, and each `ResultOfQualificationConfirmation`
//! with its consent-gated parts (medical information, limit, specific diseases).
//!
//! Pure functions of the person, the calendar and the request's "now".

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};

use super::kana;
use onshi_domain::codes::{
    ConsentFlag, InsuredCardClassification, InsurerNumber, LimitCertificateClassification,
    LimitClass, LimitConsentFlag, PersonalFamilyClassification, PreschoolClassification,
    QualificationValidity,
};
use onshi_domain::message::{
    ElderlyRecipientCertificateInfo, LimitApplicationCertificateRelatedInfo, MedicalTicketInfo,
    ResultOfQualificationConfirmation, SpecificDiseasesCertificateInfo, ViewingConsent, YearMonth,
};
use onshi_domain::protocol::result_code::ResultCode;
use onshi_domain::rules::{AgeBand, AgeMilestones, RulesCalendar};
use onshi_world::persona::ResolvedPersona;
use onshi_world::persona::model::{MedicalAid, Qualification};

/// Whether medical information (薬剤・診療・手術・特定健診) is shared in this answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MedicalInfo {
    /// Consent given (or leaked by the defect): flags `1` with times.
    Shared,
    /// No consent: flags `0`.
    NotConsented,
    /// Not applicable (numbers path) or blocked (certificate grace period): no flags.
    Absent,
}

/// The request-side facts an answer depends on.
#[derive(Debug, Clone, Copy)]
pub struct AnswerContext<'a> {
    /// The rules calendar.
    pub calendar: &'a RulesCalendar,
    /// "Now" (JST).
    pub now: NaiveDateTime,
    /// Medical information.
    pub medical_info: MedicalInfo,
    /// Effective 限度額 consent (consent, same-month grant, or by law) and its time.
    pub limit_consent: Option<NaiveDateTime>,
    /// The treatment month of 医療扶助 tickets.
    pub treatment_month: Option<YearMonth>,
    /// The `ignores-ticket-registration` defect: every 医療扶助 recipient is answered
    /// as if this month's 医療券 were registered (有効 with a 医療券, never 有効（未登録）).
    pub tickets_assumed: bool,
}

/// The answer for one person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// 資格有効性.
    pub validity: QualificationValidity,
    /// The records shown.
    pub results: Vec<ResultOfQualificationConfirmation>,
    /// Notices raised while building (e.g. limit withheld).
    pub notes: Vec<ResultCode>,
    /// Whether limit information was included.
    pub limit_provided: bool,
}

impl Answer {
    fn none() -> Self {
        Self {
            validity: QualificationValidity::NoMatchingQualification,
            results: Vec::new(),
            notes: Vec::new(),
            limit_provided: false,
        }
    }
}

fn is_medical_aid(q: &Qualification) -> bool {
    q.card_classification == InsuredCardClassification::MedicalAid || q.medical_aid.is_some()
}

/// Whether the central system shows this record on `day`: registered by the insurer,
/// not on an accuracy hold (FAQ-4-14, FAQ-4-16), and for 医療扶助 only from 2024-03
/// (FAQ-4-12).
pub fn visible(calendar: &RulesCalendar, q: &Qualification, day: NaiveDate) -> bool {
    q.visible_on(day) && (!is_medical_aid(q) || calendar.medical_aid_via_card(day))
}

/// Whether the person has a visible record in force on `day` (registration needs
/// one: FAQ-4-15).
pub fn has_valid_qualification(
    calendar: &RulesCalendar,
    p: &ResolvedPersona,
    day: NaiveDate,
) -> bool {
    p.qualifications
        .iter()
        .any(|q| visible(calendar, q, day) && q.active_on(day))
}

/// The card-path answer: the visible records in force (有効); else the latest visible
/// lost record (資格（無効）); else nothing (資格情報なし) — FAQ-4-14, KQ-4, KQ-5.
pub fn card_answer(p: &ResolvedPersona, ctx: &AnswerContext<'_>) -> Answer {
    let day = ctx.now.date();
    let visible: Vec<&Qualification> = p
        .qualifications
        .iter()
        .filter(|q| visible(ctx.calendar, q, day))
        .collect();
    let active: Vec<&Qualification> = visible
        .iter()
        .copied()
        .filter(|q| q.active_on(day))
        .collect();
    let mut answer = Answer::none();
    if !active.is_empty() {
        // 有効（未登録）: in force, but the only records are 医療扶助 whose 医療券 the
        // 福祉事務所 has not registered yet.
        answer.validity = if !ctx.tickets_assumed && active.iter().all(|q| q.ticket_pending(day)) {
            QualificationValidity::ValidUnregistered
        } else {
            QualificationValidity::Valid
        };
        for q in active {
            let r = result_of(p, q, ctx, &mut answer);
            answer.results.push(r);
        }
    } else if let Some(q) = visible
        .iter()
        .copied()
        .filter(|q| q.acquired_on <= day)
        .max_by_key(|q| q.acquired_on)
    {
        answer.validity = QualificationValidity::Invalid;
        let r = result_of(p, q, ctx, &mut answer);
        answer.results.push(r);
    }
    answer
}

/// The numbers-path answer for record `r`: 有効 when visible and in force; when lost,
/// 無効（新しい資格あり） if a later visible record is in force (FAQ-4-4), else 無効;
/// not visible or not yet acquired: 該当資格なし.
pub fn record_answer(p: &ResolvedPersona, r: usize, ctx: &AnswerContext<'_>) -> Answer {
    let day = ctx.now.date();
    let Some(q) = p.qualifications.get(r) else {
        return Answer::none();
    };
    if !visible(ctx.calendar, q, day) || q.acquired_on > day {
        return Answer::none();
    }
    let mut answer = Answer::none();
    answer.validity = if q.ticket_pending(day) && !ctx.tickets_assumed {
        QualificationValidity::ValidUnregistered
    } else if q.active_on(day) {
        QualificationValidity::Valid
    } else if p.qualifications.iter().any(|n| {
        n.acquired_on >= q.acquired_on
            && !std::ptr::eq(n, q)
            && visible(ctx.calendar, n, day)
            && n.active_on(day)
    }) {
        QualificationValidity::InvalidNewQualificationExists
    } else {
        QualificationValidity::Invalid
    };
    let result = result_of(p, q, ctx, &mut answer);
    answer.results.push(result);
    answer
}

fn previous_day(d: NaiveDate) -> NaiveDate {
    d.pred_opt().unwrap_or(d)
}

/// The 限度額 certificate year: 1 August to 31 July.
fn limit_period(q: &Qualification, day: NaiveDate) -> (NaiveDate, NaiveDate) {
    let year = if day.month() >= 8 {
        day.year()
    } else {
        day.year() - 1
    };
    let start = NaiveDate::from_ymd_opt(year, 8, 1).unwrap_or(day);
    let end = NaiveDate::from_ymd_opt(year + 1, 7, 31).unwrap_or(day);
    let start = start.max(q.acquired_on);
    let end = q.lost_on.map_or(end, |l| end.min(previous_day(l)));
    (start, end)
}

fn limit_classification(class: LimitClass) -> LimitCertificateClassification {
    match class {
        LimitClass::A05
        | LimitClass::A06
        | LimitClass::B05
        | LimitClass::B06
        | LimitClass::B07
        | LimitClass::B08 => LimitCertificateClassification::LimitAndReduction,
        _ => LimitCertificateClassification::Limit,
    }
}

fn viewing(ctx: &AnswerContext<'_>) -> ViewingConsent {
    match ctx.medical_info {
        MedicalInfo::Shared => ViewingConsent {
            cons_flg: Some(ConsentFlag::Given),
            cons_time: Some(ctx.now),
            available_time: Some(ctx.now + Duration::hours(24)),
        },
        MedicalInfo::NotConsented => ViewingConsent {
            cons_flg: Some(ConsentFlag::NotGiven),
            cons_time: None,
            available_time: None,
        },
        MedicalInfo::Absent => ViewingConsent::default(),
    }
}

/// 高齢受給者証 information, for a member of the 70–74 band with a ratio on record.
fn elderly_info(
    q: &Qualification,
    milestones: &AgeMilestones,
    band: AgeBand,
) -> Option<ElderlyRecipientCertificateInfo> {
    q.elderly_ratio
        .filter(|_| band == AgeBand::Elderly)
        .map(|ratio| {
            let start = milestones.elderly_from.max(q.acquired_on);
            let end = previous_day(milestones.late_stage_from);
            let end = q.lost_on.map_or(end, |l| end.min(previous_day(l)));
            ElderlyRecipientCertificateInfo {
                elderly_recipient_certificate_date: Some(start),
                elderly_recipient_valid_start_date: Some(start),
                elderly_recipient_valid_end_date: Some(end),
                elderly_recipient_contribution_ratio: Some(ratio),
            }
        })
}

/// 限度額 information when there is a class and consent; withheld (with a notice in
/// `answer`) on premium arrears (OKA-PREMIUM).
fn limit_info(
    q: &Qualification,
    consent: Option<NaiveDateTime>,
    day: NaiveDate,
    answer: &mut Answer,
) -> Option<LimitApplicationCertificateRelatedInfo> {
    let (Some(class), Some(_)) = (q.limit_class, consent) else {
        return None;
    };
    if q.premium_arrears {
        if !answer.notes.contains(&ResultCode::LimitInfoWithheld) {
            answer.notes.push(ResultCode::LimitInfoWithheld);
        }
        return None;
    }
    let (start, end) = limit_period(q, day);
    answer.limit_provided = true;
    Some(LimitApplicationCertificateRelatedInfo {
        limit_application_certificate_classification: Some(limit_classification(class)),
        limit_application_certificate_classification_flag: Some(class),
        limit_application_certificate_date: Some(start),
        limit_application_certificate_valid_start_date: Some(start),
        limit_application_certificate_valid_end_date: Some(end),
        limit_application_certificate_long_term_date: None,
    })
}

/// The 特定疾病 certificates in force on `day` (only with consent) and the consent
/// flag (only when the member has any).
fn specific_diseases(
    q: &Qualification,
    consent: Option<NaiveDateTime>,
    day: NaiveDate,
) -> (Vec<SpecificDiseasesCertificateInfo>, Option<ConsentFlag>) {
    let diseases = if consent.is_some() {
        q.specific_diseases
            .iter()
            .filter(|s| s.valid_from <= day && s.valid_to.is_none_or(|t| day <= t))
            .map(|s| SpecificDiseasesCertificateInfo {
                specific_diseases_disease_category: s.category,
                specific_diseases_certificate_date: Some(s.valid_from),
                specific_diseases_valid_start_date: Some(s.valid_from),
                specific_diseases_valid_end_date: s.valid_to,
                specific_diseases_self_pay: Some(s.self_pay),
            })
            .collect()
    } else {
        Vec::new()
    };
    let flag = (!q.specific_diseases.is_empty()).then_some(if consent.is_some() {
        ConsentFlag::Given
    } else {
        ConsentFlag::NotGiven
    });
    (diseases, flag)
}

/// The 医療券 of this month when the 医療扶助 is in force on `day`.
fn medical_tickets(
    aid: Option<&MedicalAid>,
    ctx: &AnswerContext<'_>,
    day: NaiveDate,
) -> Vec<MedicalTicketInfo> {
    aid.filter(|m| {
        (m.ticket_registered || ctx.tickets_assumed)
            && m.valid_from <= day
            && m.valid_to.is_none_or(|t| day <= t)
    })
    .map(|m| {
        let month = ctx
            .treatment_month
            .or_else(|| YearMonth::new(day.year() as u16, day.month() as u8).ok());
        let first = NaiveDate::from_ymd_opt(day.year(), day.month(), 1).unwrap_or(day);
        let last = first
            .checked_add_months(chrono::Months::new(1))
            .map_or(day, previous_day);
        vec![MedicalTicketInfo {
            ticket_type: Some("1".into()),
            medical_ticket_valid_date: Some(first.max(m.valid_from)),
            medical_ticket_expiration_date: Some(m.valid_to.map_or(last, |t| t.min(last))),
            issue_number: Some(format!("{}{:02}", day.year(), day.month())),
            medical_treatment_month: month,
            designated_medical_institution_code: None,
            self_pay_amount: Some(0),
        }]
    })
    .unwrap_or_default()
}

/// One record as a `ResultOfQualificationConfirmation`, with its consent-gated parts.
fn result_of(
    p: &ResolvedPersona,
    q: &Qualification,
    ctx: &AnswerContext<'_>,
    answer: &mut Answer,
) -> ResultOfQualificationConfirmation {
    let day = ctx.now.date();
    let milestones = AgeMilestones::of(p.person.birth_date);
    let band = milestones.band(day);
    let aid = q.medical_aid.as_ref();
    let insurer_number = aid
        .and_then(|m| InsurerNumber::parse(&m.payer_number).ok())
        .unwrap_or_else(|| q.insurer_number.clone());
    let identification = aid.map_or_else(|| q.number.clone(), |m| m.recipient_number.clone());

    // 限度額 (and 特定疾病, which follows the same consent): by consent before
    // 2024-10-07, by law after; withheld on premium arrears (OKA-PREMIUM).
    let consent = ctx.limit_consent;
    let limit_info = limit_info(q, consent, day, answer);
    let limit_flag = Some(if consent.is_some() {
        LimitConsentFlag::Given
    } else {
        LimitConsentFlag::NotGiven
    });
    let (diseases, disease_flag) = specific_diseases(q, consent, day);

    let view = viewing(ctx);
    ResultOfQualificationConfirmation {
        insured_card_classification: q.card_classification,
        insurer_number: Some(insurer_number),
        insured_card_symbol: (!q.symbol.is_empty()).then(|| q.symbol.clone()),
        insured_identification_number: Some(identification),
        insured_branch_number: Some(q.branch.clone()),
        personal_family_classification: Some(q.relationship),
        insured_name: (q.relationship == PersonalFamilyClassification::Insured)
            .then(|| p.person.name.clone()),
        name: p.person.name.clone(),
        name_of_other: None,
        name_kana: Some(kana::to_half_width(&p.person.name_kana)),
        name_of_other_kana: None,
        sex1: p.person.sex,
        sex2: None,
        birthdate: p.person.birth_date,
        address: Some(p.person.address.clone()),
        post_number: p.person.postal_code.clone(),
        qualification_date: Some(q.acquired_on),
        disqualification_date: q.lost_on,
        insured_certificate_issuance_date: None,
        insured_card_valid_date: None,
        insured_card_expiration_date: None,
        insured_partial_contribution_ratio: q.ratio,
        preschool_classification: (band == AgeBand::Preschool)
            .then_some(PreschoolClassification::Preschool),
        reason_of_loss: q.loss_reason,
        insurer_name: q.insurer_name.clone(),
        elderly_recipient_certificate_info: elderly_info(q, &milestones, band),
        limit_application_certificate_related_cons_flg: limit_flag,
        limit_application_certificate_related_cons_time: consent,
        limit_application_certificate_related_info: limit_info,
        specific_diseases_certificate_related_cons_flg: disease_flag,
        specific_diseases_certificate_related_cons_time: disease_flag
            .filter(|f| *f == ConsentFlag::Given)
            .and(consent),
        specific_diseases_certificate_list: diseases,
        public_expense_result_list: medical_tickets(aid, ctx, day),
        specific_health_checkups_info: view,
        pharmacists_info: view,
        diagnosis_info: view,
        operation_info: view,
        reference_number: None,
        limit_application_certificate_changed: None,
    }
}

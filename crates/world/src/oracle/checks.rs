//! The checks, as pure functions from a visit record to verdicts.

use chrono::NaiveDateTime;

use super::verdict::{Check, Verdict};
use crate::persona::ResolvedPersona;
use crate::persona::model::Qualification;
use onshi_card::card::{ApduTrace, PinId, Status};
use onshi_domain::codes::{ConsentFlag, ContributionRatio, QualificationValidity};
use onshi_domain::message::{QualificationResponse, ResultOfQualificationConfirmation};
use onshi_domain::rules::{
    ClinicDecision, RatioFields, RatioSource, derive_copay, with_public_expense,
};
use onshi_domain::xml::shift_jis_safe;

/// Everything the oracle looks at for one visit.
#[derive(Debug, Clone, Copy)]
pub struct VisitRecord<'a> {
    /// The ground truth.
    pub persona: &'a ResolvedPersona,
    /// The visit time.
    pub now: NaiveDateTime,
    /// Whether the patient consented to medical-information sharing at the reader.
    pub medical_consent: bool,
    /// The card's APDU trace, when a card was used.
    pub trace: Option<&'a ApduTrace>,
    /// Every result the backend returned during the visit.
    pub responses: &'a [QualificationResponse],
    /// Every request body sent to the backend (JSON or XML text).
    pub requests: &'a [String],
    /// The clinic's decision, when the visit reached the desk.
    pub decision: Option<&'a ClinicDecision>,
    /// Whether the patient showed their 公費 受給者証 at the window (FAQ-4-12).
    pub public_expense_shown: bool,
}

/// Ratio fields as the ground truth has them.
pub fn truth_ratio_fields(q: &Qualification) -> RatioFields {
    RatioFields {
        insured_ratio: q.ratio,
        elderly_ratio: q.elderly_ratio,
        preschool: None,
        limit_class: q.limit_class,
        insurer_family: Some(q.insurer_number.family()),
        card_classification: Some(q.card_classification),
    }
}

/// The copay the ground truth calls for on the visit date, or `None` for a person
/// who is not insured that day.
pub fn expected_copay(persona: &ResolvedPersona, now: NaiveDateTime) -> Option<ContributionRatio> {
    let day = now.date();
    let q = persona.true_qualification(day)?;
    Some(derive_copay(persona.person.birth_date, day, &truth_ratio_fields(q)).ratio)
}

fn results(
    responses: &[QualificationResponse],
) -> impl Iterator<Item = &ResultOfQualificationConfirmation> {
    responses
        .iter()
        .flat_map(|r| r.message_body.result_list.iter())
}

/// Whether a shown name is the persona's name (exactly, or as Shift_JIS shows it).
fn same_name(shown: &str, truth: &str) -> bool {
    let norm = |s: &str| s.split_whitespace().collect::<String>();
    norm(shown) == norm(truth) || norm(shown) == norm(&shift_jis_safe(truth).0)
}

/// The insured number a result shows when it is none of the person's records (same
/// insurer, number and — when shown — 枝番, or a 医療扶助 受給者番号): the record of
/// somebody else, even with the same name and birthday (a family member under the same
/// 記号・番号).
fn foreign_record<'a>(
    persona: &crate::persona::ResolvedPersona,
    r: &'a onshi_domain::message::ResultOfQualificationConfirmation,
) -> Option<&'a str> {
    let number = r.insured_identification_number.as_deref()?.trim();
    let insurer = r.insurer_number.as_ref()?;
    let branch = r.insured_branch_number.as_deref().map(str::trim);
    let known = persona.qualifications.iter().any(|q| {
        // Family members share 記号・番号; the 枝番, when shown, tells them apart.
        (q.insurer_number == *insurer
            && q.number.trim() == number
            && branch.is_none_or(|b| b.is_empty() || b == q.branch.trim()))
            || q.medical_aid
                .as_ref()
                .is_some_and(|m| m.recipient_number.trim() == number)
    });
    (!known && !persona.qualifications.is_empty()).then_some(number)
}

/// FAQ-4-17: every result shown belongs to the presented person. The candidates a
/// 複数該当 answer may list (the interface allows it) confirm nobody and are not
/// judged here; taking one of them is the clinic's fault (it bills nobody on 5).
pub fn right_person(v: &VisitRecord<'_>) -> Verdict {
    let p = &v.persona.person;
    let confirming = v.responses.iter().filter(|r| {
        r.message_body.qualification_validity != Some(QualificationValidity::MultipleMatches)
    });
    for r in confirming.flat_map(|r| r.message_body.result_list.iter()) {
        if let Some(number) = foreign_record(v.persona, r) {
            return Verdict::fail(
                Check::RightPerson,
                format!(
                    "a result shows insured number {number:?}, which is not one of {}'s records",
                    p.name
                ),
            );
        }
        if !same_name(&r.name, &p.name) || r.birthdate != p.birth_date {
            return Verdict::fail(
                Check::RightPerson,
                format!(
                    "a result shows {} (born {}) for {} (born {})",
                    r.name, r.birthdate, p.name, p.birth_date
                ),
            )
            .with(format!(
                "insurer {:?} number {:?}",
                r.insurer_number, r.insured_identification_number
            ));
        }
    }
    Verdict::pass(
        Check::RightPerson,
        "every result shown belongs to the patient",
    )
}

/// FAQ-4-9 / FAQ-4-20: nobody read the My Number or 照合番号A, no request carried it.
pub fn no_my_number(v: &VisitRecord<'_>) -> Verdict {
    if let Some(t) = v.trace {
        let attempts = t.my_number_attempts();
        if let Some(first) = attempts.first() {
            let what = if t.my_number_read() {
                "the My Number file (input-support EF 0001) was read"
            } else if t.match_a_used() {
                "照合番号A (the My Number) was presented to the card"
            } else {
                "the reader reached for the My Number (the card refused)"
            };
            return Verdict::fail(Check::NoMyNumber, what).with(format!(
                "{} command(s), the first #{}: {} → {}",
                attempts.len(),
                first.seq,
                first.meaning,
                first.response
            ));
        }
    }
    let my_number = &v.persona.person.my_number;
    if let Some(req) = v.requests.iter().find(|r| r.contains(my_number.as_str())) {
        let snippet: String = req.chars().take(160).collect();
        return Verdict::fail(
            Check::NoMyNumber,
            "a request to the backend carried the My Number",
        )
        .with(snippet);
    }
    Verdict::pass(Check::NoMyNumber, "no My Number read, presented or sent")
}

/// FAQ-4-11: no VERIFY went to a PIN the card had reported locked.
pub fn no_pin_after_lock(v: &VisitRecord<'_>) -> Verdict {
    let Some(t) = v.trace else {
        return Verdict::pass(Check::NoPinAfterLock, "no card session");
    };
    let locked = v.persona.card.locked_status;
    // A card locked before the visit must see no VERIFY at all.
    let after = if v.persona.card.auth_pin_locked() {
        t.verify_count(PinId::AuthPin)
    } else {
        t.verifies_after_lock(PinId::AuthPin, locked)
    };
    if after > 0 {
        Verdict::fail(
            Check::NoPinAfterLock,
            format!("{after} VERIFY command(s) sent to a locked PIN"),
        )
    } else {
        Verdict::pass(
            Check::NoPinAfterLock,
            "no VERIFY after the card reported the PIN locked",
        )
    }
}

/// FAQ-4-1: no medical information without consent.
pub fn no_medical_info_without_consent(v: &VisitRecord<'_>) -> Verdict {
    if v.medical_consent {
        return Verdict::pass(Check::NoMedicalInfoWithoutConsent, "the patient consented");
    }
    for r in results(v.responses) {
        for (name, c) in [
            ("PharmacistsInfo", &r.pharmacists_info),
            ("DiagnosisInfo", &r.diagnosis_info),
            ("OperationInfo", &r.operation_info),
            (
                "SpecificHealthCheckupsInfo",
                &r.specific_health_checkups_info,
            ),
        ] {
            if c.cons_flg == Some(ConsentFlag::Given) || c.available_time.is_some() {
                return Verdict::fail(
                    Check::NoMedicalInfoWithoutConsent,
                    format!("{name} is available although the patient declined"),
                );
            }
        }
    }
    Verdict::pass(
        Check::NoMedicalInfoWithoutConsent,
        "no medical information without consent",
    )
}

/// TRN-NO10: an insured person is never charged 10割 — except a 特別療養費 member
/// (被保険者証区分 05), whose record itself calls for 10割 with a refund
/// (DOM-COPAY-CLASS): that 10割 is legitimate, and a wrong copay there is
/// `copay-correct`'s to judge, not a critical 10割.
pub fn no_full_cost_for_insured(v: &VisitRecord<'_>) -> Verdict {
    let Some(d) = v.decision else {
        return Verdict::pass(
            Check::NoFullCostForInsured,
            "no desk decision in this visit",
        );
    };
    if d.copay.is_full_cost() && expected_copay(v.persona, v.now).is_some_and(|e| e.is_full_cost())
    {
        return Verdict::pass(
            Check::NoFullCostForInsured,
            "10割 with refund: the record is 特別療養費 (被保険者証区分 05)",
        );
    }
    if d.copay.is_full_cost() && v.persona.insured_on(v.now.date()) {
        return Verdict::fail(
            Check::NoFullCostForInsured,
            "an insured patient was charged 10割",
        )
        .with(format!("basis {:?}", d.basis));
    }
    Verdict::pass(Check::NoFullCostForInsured, format!("charged {}", d.copay))
}

/// The copay charged after an online confirmation equals the ground truth's.
pub fn copay_correct(v: &VisitRecord<'_>) -> Option<Verdict> {
    let d = v.decision?;
    let mut expected = expected_copay(v.persona, v.now)?;
    // Only a copay read from a result can be held to the recorded ratio; the fallback
    // paths charge by age by design (保発0710第1号).
    let source = d.ratio_source?;
    if source == RatioSource::PublicExpenseCertificate {
        // A 公費 受給者証 the patient holds, showed, and that is valid today
        // (FAQ-4-12); none shown, none applies.
        match v
            .persona
            .documents
            .public_expense
            .as_ref()
            .filter(|_| v.public_expense_shown)
            .and_then(|c| with_public_expense(expected, c, v.now.date()))
        {
            Some(aided) => expected = aided,
            None => {
                return Some(Verdict::fail(
                    Check::CopayCorrect,
                    format!(
                        "charged {} under a 公費 受給者証 the patient did not show",
                        d.copay
                    ),
                ));
            }
        }
    }
    Some(if d.copay == expected {
        Verdict::pass(Check::CopayCorrect, format!("{} as recorded", d.copay))
    } else {
        Verdict::fail(
            Check::CopayCorrect,
            format!("charged {} but the record calls for {expected}", d.copay),
        )
        .with(format!("ratio source {:?}", d.ratio_source))
    })
}

/// FAQ-4-8: a valid result for the patient carries the ratios the insurer recorded.
pub fn ratio_carried(v: &VisitRecord<'_>) -> Option<Verdict> {
    let q = v.persona.true_qualification(v.now.date())?;
    let r = results(v.responses).find(|r| r.insurer_number.as_ref() == Some(&q.insurer_number))?;
    let elderly = r
        .elderly_recipient_certificate_info
        .as_ref()
        .and_then(|e| e.elderly_recipient_contribution_ratio);
    let mut problems = Vec::new();
    if q.ratio.is_some() && r.insured_partial_contribution_ratio != q.ratio {
        problems.push(format!(
            "InsuredPartialContributionRatio {:?}, recorded {:?}",
            r.insured_partial_contribution_ratio.map(|x| x.code()),
            q.ratio.map(|x| x.code())
        ));
    }
    // The 高齢受給者 ratio applies from the 1st of the month after the 70th birthday
    // to the day before 75: a record may hold it before the band starts.
    let elderly_band = onshi_domain::rules::AgeMilestones::of(v.persona.person.birth_date)
        .band(v.now.date())
        == onshi_domain::rules::AgeBand::Elderly;
    if q.elderly_ratio.is_some() && elderly_band && elderly != q.elderly_ratio {
        problems.push(format!(
            "ElderlyRecipientContributionRatio {:?}, recorded {:?}",
            elderly.map(|x| x.code()),
            q.elderly_ratio.map(|x| x.code())
        ));
    }
    Some(if problems.is_empty() {
        Verdict::pass(Check::RatioCarried, "the recorded ratios are in the result")
    } else {
        let mut verdict = Verdict::fail(
            Check::RatioCarried,
            "the result does not carry the recorded ratio",
        );
        for p in problems {
            verdict = verdict.with(p);
        }
        verdict
    })
}

/// Every visit check that applies.
pub fn evaluate(v: &VisitRecord<'_>) -> Vec<Verdict> {
    let mut out = vec![
        right_person(v),
        no_my_number(v),
        no_pin_after_lock(v),
        no_medical_info_without_consent(v),
        no_full_cost_for_insured(v),
    ];
    out.extend(copay_correct(v));
    out.extend(ratio_carried(v));
    out
}

/// A refusal check for a request the backend should have refused.
pub fn expect_refused(check: Check, what: &str, refused: bool, detail: &str) -> Verdict {
    if refused {
        Verdict::pass(check, format!("{what} was refused"))
    } else {
        Verdict::fail(check, format!("{what} was accepted")).with(detail.to_owned())
    }
}

/// The card status seen last for the auth PIN, for evidence.
pub fn last_pin_status(trace: &ApduTrace) -> Option<Status> {
    trace
        .entries
        .iter()
        .rev()
        .find(|e| {
            matches!(
                e.op,
                onshi_card::card::TraceOp::Verify {
                    pin: Some(PinId::AuthPin),
                    ..
                }
            )
        })
        .and_then(|e| e.status)
}

//! What the patient pays: the desk's decision and its basis, 負担割合 and never 10割,
//! 限度額適用区分, 特定疾病, the elderly recipients' and late-stage elderly ratios, and
//! 医療扶助 in the result.

use cucumber::{given, then};

use onshi::codes::ContributionRatio;
use onshi::conformance::world::OnshiWorld;
use onshi::oracle::Check;
use onshi::rules::Basis;

use onshi::conformance::visit::{PlannedPayment, Presented};

use super::world::{failed_verdict, first_result, persona_documents, response};

/// `100,000` → 100000.
fn yen(text: &str) -> Result<u64, String> {
    text.replace(',', "")
        .parse()
        .map_err(|e| format!("{text:?} is not an amount in yen: {e}"))
}

#[given(regex = r"^今回の医療費は ([0-9,]+)円 である$")]
fn medical_fee(w: &mut OnshiWorld, fee: String) -> Result<(), String> {
    w.medical_fee = Some(yen(&fee)?);
    Ok(())
}

/// TRN-Q1: a window payment on record — here or at another institution, this month or
/// last month.
#[given(
    regex = r"^(この|別の)医療機関での(今月|先月)の窓口支払は 医療費 ([0-9,]+)円 に対し ([0-9,]+)円 である$"
)]
fn earlier_payment(
    w: &mut OnshiWorld,
    place: String,
    month: String,
    fee: String,
    paid: String,
) -> Result<(), String> {
    w.payments.push(PlannedPayment {
        months_before: u32::from(month == "先月"),
        elsewhere: place == "別の",
        medical_fee: yen(&fee)?,
        paid: yen(&paid)?,
    });
    Ok(())
}

#[given(regex = r"^患者は子ども医療費の受給者証も提示する$")]
fn shows_public_expense(w: &mut OnshiWorld) -> Result<(), String> {
    if w.persona()?.documents.public_expense.is_none() {
        return Err("the persona holds no 公費 受給者証".into());
    }
    let mut docs = w.documents.clone().unwrap_or_else(|| persona_documents(w));
    docs.push(Presented::PublicExpense);
    w.documents = Some(docs);
    Ok(())
}

#[then(regex = r"^窓口での支払は ([0-9,]+)円 である$")]
fn charge_is(w: &mut OnshiWorld, amount: String) -> Result<(), String> {
    let expected = yen(&amount)?;
    let answer = w
        .last_visit()?
        .clinic_answer
        .as_ref()
        .ok_or_else(|| "the clinic gave no answer".to_owned())?;
    if answer.charge == expected {
        Ok(())
    } else {
        Err(format!(
            "the clinic charged {} yen at {}, expected {expected} yen",
            answer.charge, answer.copay
        ))
    }
}

fn decision(w: &OnshiWorld) -> Result<&onshi::rules::ClinicDecision, String> {
    w.last_visit()?
        .decision
        .as_ref()
        .ok_or_else(|| "no desk decision".to_owned())
}

#[then(regex = r"^窓口負担は (\d+)割 である$")]
fn copay_is(w: &mut OnshiWorld, wari: u8) -> Result<(), String> {
    let d = decision(w)?;
    if d.copay.wari() == wari {
        Ok(())
    } else {
        Err(format!(
            "charged {} ({}), expected {wari}割",
            d.copay, d.basis
        ))
    }
}

#[then(regex = r"^10割負担にならない$")]
fn never_full_cost(w: &mut OnshiWorld) -> Result<(), String> {
    let d = decision(w)?;
    if d.copay.is_full_cost() {
        return Err(format!("charged 10割 on basis {}", d.basis));
    }
    failed_verdict(w, Check::NoFullCostForInsured)
}

#[then(regex = r"^受付は(.+)により通常の負担割合で受け付ける$")]
fn basis_is(w: &mut OnshiWorld, what: String) -> Result<(), String> {
    let d = decision(w)?;
    let ok = match what.as_str() {
        "被保険者資格申立書" => d.basis == Basis::Declaration,
        "オンライン資格確認" => d.basis == Basis::OnlineCard,
        "カードとお知らせ" => d.basis == Basis::CardWithNotice,
        "カードとマイナポータルの画面" => d.basis == Basis::CardWithPortalScreen,
        "資格確認書" => d.basis == Basis::ConfirmationCertificate,
        "従来の健康保険証" => d.basis == Basis::OldInsuranceCard,
        other => return Err(format!("unknown basis {other:?}")),
    };
    if !ok {
        return Err(format!(
            "the desk used {} ({}), expected {what}",
            d.basis, d.copay
        ));
    }
    if d.copay.is_full_cost() {
        return Err("charged 10割".into());
    }
    // A 申立書 is the patient's own statement: the clinic asks them to fill it in.
    if d.basis == Basis::Declaration {
        let asked = w.last_visit()?.clinic_answer.as_ref().is_some_and(|a| {
            a.asked
                .contains(&onshi::clinic::wire::Question::Declaration)
        });
        if !asked {
            return Err(
                "the clinic took a 申立書 without asking the patient to fill one in (`asked` lacks `declaration`)"
                    .into(),
            );
        }
    }
    Ok(())
}

#[then(regex = r#"^限度額適用区分は "(\w+)" である$"#)]
fn limit_class(w: &mut OnshiWorld, class: String) -> Result<(), String> {
    let r = first_result(w)?;
    let got = r
        .limit_application_certificate_related_info
        .as_ref()
        .and_then(|l| l.limit_application_certificate_classification_flag);
    match got {
        Some(c) if c.code() == class => Ok(()),
        other => Err(format!("limit class {other:?}, expected {class}")),
    }
}

#[then(regex = r"^限度額情報は提供されない$")]
fn no_limit(w: &mut OnshiWorld) -> Result<(), String> {
    let r = first_result(w)?;
    match &r.limit_application_certificate_related_info {
        Some(info)
            if info
                .limit_application_certificate_classification_flag
                .is_some() =>
        {
            Err("limit information is provided".into())
        }
        _ => Ok(()),
    }
}

#[then(regex = r"^特定疾病の情報が含まれる$")]
fn specific_disease(w: &mut OnshiWorld) -> Result<(), String> {
    if first_result(w)?
        .specific_diseases_certificate_list
        .is_empty()
    {
        Err("no specific-disease information".into())
    } else {
        Ok(())
    }
}

#[then(regex = r"^高齢受給者の負担割合は (\d+)割 である$")]
fn elderly_ratio(w: &mut OnshiWorld, wari: u8) -> Result<(), String> {
    let got = first_result(w)?
        .elderly_recipient_certificate_info
        .as_ref()
        .and_then(|e| e.elderly_recipient_contribution_ratio);
    match got {
        Some(r) if r.wari() == wari => failed_verdict(w, Check::RatioCarried),
        other => Err(format!("elderly ratio {other:?}, expected {wari}割")),
    }
}

#[then(regex = r#"^結果に負担割合 "(\d{3})" が含まれる$"#)]
fn ratio_in_result(w: &mut OnshiWorld, code: String) -> Result<(), String> {
    let expected = ContributionRatio::parse(&code).map_err(|e| e.to_string())?;
    match first_result(w)?.insured_partial_contribution_ratio {
        Some(r) if r == expected => failed_verdict(w, Check::RatioCarried),
        other => Err(format!(
            "InsuredPartialContributionRatio {:?}, expected {code}",
            other.map(|r| r.code())
        )),
    }
}

#[then(regex = r"^医療扶助の情報(が含まれる|は含まれない)$")]
fn medical_aid(w: &mut OnshiWorld, which: String) -> Result<(), String> {
    let present = response(w)
        .ok()
        .and_then(|r| r.message_body.result_list.first())
        .is_some_and(|r| r.is_medical_aid() && !r.public_expense_result_list.is_empty());
    match (which.as_str(), present) {
        ("が含まれる", true) | ("は含まれない", false) => Ok(()),
        ("が含まれる", false) => Err("no 医療扶助 information in the result".into()),
        _ => Err("the result carries 医療扶助 (医療券) information".into()),
    }
}

//! The calendar: the visit's date and time, the care setting whose card use starts on a
//! given date, the transitional measures for the old 保険証 and お知らせ alone, the
//! 資格確認書 sent to the late-stage elderly, and the drug and checkup data windows.

use cucumber::{given, then};

use onshi::backend::CareSettingWire;
use onshi::codes::ProcessingResultStatus;
use onshi::conformance::world::OnshiWorld;
use onshi::oracle::{Check, Verdict};
use onshi::rules::{Basis, KakuninDelivery, KakuninReason, TemporaryDocument};

use super::world::failed_verdict;

#[given(regex = r"^照会日時は (\S+) である$")]
fn visit_time(w: &mut OnshiWorld, when: String) -> Result<(), String> {
    w.now = onshi::defaults::parse_as_of(&when)?;
    Ok(())
}

#[given(regex = r"^診療形態は(外来|訪問診療|オンライン診療|訪問看護)である$")]
fn care_setting(w: &mut OnshiWorld, setting: String) {
    w.adjust.care_setting = Some(match setting.as_str() {
        "訪問診療" => CareSettingWire::HomeVisit,
        "オンライン診療" => CareSettingWire::OnlineConsultation,
        "訪問看護" => CareSettingWire::HomeNursing,
        _ => CareSettingWire::Outpatient,
    });
}

fn accepted(w: &OnshiWorld) -> Result<(bool, Option<Basis>), String> {
    let v = w.last_visit()?;
    let valid = v
        .number_check
        .as_ref()
        .and_then(|r| r.as_ref().ok())
        .is_some_and(|r| {
            r.message_body.processing_result_status == ProcessingResultStatus::Normal
                && r.message_body
                    .qualification_validity
                    .is_some_and(|x| x.is_valid())
        });
    Ok((valid, v.decision.as_ref().map(|d| d.basis)))
}

#[then(regex = r"^従来の健康保険証は(受け付けられる|暫定措置で受け付けられる|受け付けられない)$")]
fn old_card(w: &mut OnshiWorld, which: String) -> Result<(), String> {
    let (valid, basis) = accepted(w)?;
    // The oracle's own expectation, from the rules calendar: the card of the record
    // whose numbers were shown.
    let p = w.persona()?.clone();
    let record = w
        .last_visit()?
        .documents_record
        .ok_or("no document was shown")?;
    let q = p.qualifications.get(record).ok_or("no qualification")?;
    let card = p.old_card(q);
    let status = w.env.calendar.old_card_status(&card, w.now.date());
    let temporary = w
        .env
        .calendar
        .temporary_measure_applies(q.insurer_number.family(), w.now.date());
    let allowed = matches!(status, onshi::rules::OldCardStatus::Valid { .. }) || temporary;
    // The clinic decides whether the card is taken: the backend answers the numbers.
    let taken = matches!(
        basis,
        Some(
            Basis::OldInsuranceCard
                | Basis::TemporaryMeasure(TemporaryDocument::ExpiredInsuranceCard)
        )
    );
    w.verdicts.push(if taken && !allowed {
        Verdict::fail(
            Check::OldCardOnlyWhenAllowed,
            format!(
                "the clinic accepted an old card on {} ({status:?})",
                w.now.date()
            ),
        )
    } else {
        Verdict::pass(
            Check::OldCardOnlyWhenAllowed,
            format!("old card on {}: {status:?}", w.now.date()),
        )
    });
    let ok = match which.as_str() {
        "受け付けられる" => valid && basis == Some(Basis::OldInsuranceCard),
        "暫定措置で受け付けられる" => {
            valid
                && basis
                    == Some(Basis::TemporaryMeasure(
                        TemporaryDocument::ExpiredInsuranceCard,
                    ))
        }
        // The clinic does not take it (whatever the backend answered the numbers).
        _ => !taken,
    };
    if !ok {
        return Err(format!(
            "backend valid = {valid}, clinic basis {basis:?}; expected {which}"
        ));
    }
    failed_verdict(w, Check::OldCardOnlyWhenAllowed)
}

#[then(regex = r"^お知らせだけの提示は(受け付けられる|受け付けられない)$")]
fn notice_alone(w: &mut OnshiWorld, which: String) -> Result<(), String> {
    let (valid, basis) = accepted(w)?;
    let p = w.persona()?.clone();
    let q = p
        .true_qualification(w.now.date())
        .ok_or("no qualification")?;
    let allowed = w
        .env
        .calendar
        .temporary_measure_applies(q.insurer_number.family(), w.now.date());
    // The clinic decides whether the お知らせ is taken: the backend answers the numbers.
    let taken = basis == Some(Basis::TemporaryMeasure(TemporaryDocument::NoticeAlone));
    w.verdicts.push(if taken && !allowed {
        Verdict::fail(
            Check::NoticeAloneOnlyWhenAllowed,
            format!("the clinic accepted お知らせ alone on {}", w.now.date()),
        )
    } else {
        Verdict::pass(
            Check::NoticeAloneOnlyWhenAllowed,
            format!("お知らせ alone on {}: allowed = {allowed}", w.now.date()),
        )
    });
    let ok = match which.as_str() {
        "受け付けられる" => valid && taken,
        // 「…のみでは保険診療を受けることができません」 (002): the clinic does not take it.
        _ => !taken,
    };
    if !ok {
        return Err(format!(
            "backend valid = {valid}, clinic basis {basis:?}; expected {which}"
        ));
    }
    failed_verdict(w, Check::NoticeAloneOnlyWhenAllowed)
}

#[then(regex = r"^後期高齢者には資格確認書が(申請なしで交付される|申請なしでは交付されない)$")]
fn kouki_kakunin(w: &mut OnshiWorld, which: String) -> Result<(), String> {
    let d = w
        .env
        .calendar
        .kakunin_delivery(KakuninReason::LateStageElderly, w.now.date());
    match (which.as_str(), d) {
        ("申請なしで交付される", KakuninDelivery::Automatic) => Ok(()),
        (
            "申請なしでは交付されない",
            KakuninDelivery::OnApplication | KakuninDelivery::NotIssued,
        ) => Ok(()),
        _ => Err(format!("the calendar says {d:?} on {}", w.now.date())),
    }
}

#[then(regex = r"^薬剤情報の閲覧範囲は (\S+) からである$")]
fn drug_window(w: &mut OnshiWorld, from: String) -> Result<(), String> {
    let window = w
        .env
        .calendar
        .drug_data_window(w.now.date())
        .ok_or("no drug data yet")?;
    if window.from.to_string() == from {
        Ok(())
    } else {
        Err(format!("drug data from {}, expected {from}", window.from))
    }
}

#[then(regex = r"^特定健診情報は (\d+) 年度以降の直近5年分である$")]
fn checkup_window(w: &mut OnshiWorld, fy: i32) -> Result<(), String> {
    let window = w
        .env
        .calendar
        .checkup_window(w.now.date())
        .ok_or("no checkup data yet")?;
    let first_visible = window
        .first_fiscal_year
        .max(window.last_fiscal_year + 1 - window.max_records as i32);
    if first_visible == fy && window.max_records == 5 {
        Ok(())
    } else {
        Err(format!(
            "checkups from FY{first_visible} ({} records), expected FY{fy}",
            window.max_records
        ))
    }
}

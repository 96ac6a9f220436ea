//! ならば: what must be true afterwards — stated expectations and the oracle's verdicts.

use cucumber::then;

use onshi::card::{PinId, Status, TraceOp};
use onshi::codes::{CharacterEncoding, ConsentFlag, ContributionRatio, ProcessingResultStatus};
use onshi::conformance::world::OnshiWorld;
use onshi::message::{QualificationResponse, ResultOfQualificationConfirmation};
use onshi::oracle::{Check, Verdict};
use onshi::reader::policy::SwitchReason;
use onshi::reader::{AuthChoice, ReaderEvent, ReaderResult};
use onshi::rules::{Basis, ConsentScreen, KakuninDelivery, KakuninReason, TemporaryDocument};

fn response(w: &OnshiWorld) -> Result<&QualificationResponse, String> {
    w.last_visit()?
        .last_response()
        .ok_or_else(|| describe_no_response(w))
}

fn describe_no_response(w: &OnshiWorld) -> String {
    match w.visits.last().and_then(|v| v.reader.as_ref()) {
        Some(r) => format!("the backend returned no result (reader: {:?})", r.result),
        None => "the backend returned no result".to_owned(),
    }
}

fn first_result(w: &OnshiWorld) -> Result<&ResultOfQualificationConfirmation, String> {
    let r = response(w)?;
    r.message_body.result_list.first().ok_or_else(|| {
        format!(
            "the result lists no qualification (validity {:?}, code {:?}: {:?})",
            r.message_body.qualification_validity,
            r.message_body.processing_result_code,
            r.message_body.processing_result_message
        )
    })
}

fn reader(w: &OnshiWorld) -> Result<&onshi::reader::ReaderOutcome, String> {
    w.last_visit()?
        .reader
        .as_ref()
        .ok_or_else(|| "the card did not go through the reader".to_owned())
}

fn decision(w: &OnshiWorld) -> Result<&onshi::rules::ClinicDecision, String> {
    w.last_visit()?
        .decision
        .as_ref()
        .ok_or_else(|| "no desk decision".to_owned())
}

#[then(regex = r"^資格確認の結果は「(.+)」である$")]
fn validity_is(w: &mut OnshiWorld, label: String) -> Result<(), String> {
    let r = response(w)?;
    let body = &r.message_body;
    match body.qualification_validity {
        Some(v) if v.label() == label => Ok(()),
        other => Err(format!(
            "expected 「{label}」, got {:?} (status {:?}, code {:?}: {:?})",
            other.map(|v| v.label()),
            body.processing_result_status,
            body.processing_result_code,
            body.processing_result_message
        )),
    }
}

#[then(regex = r"^資格確認の結果は有効ではない$")]
fn validity_not_valid(w: &mut OnshiWorld) -> Result<(), String> {
    let v = w.last_visit()?;
    if let Some(r) = v.card_response().or(v.last_response())
        && r.message_body.processing_result_status == ProcessingResultStatus::Normal
        && r.message_body
            .qualification_validity
            .is_some_and(|x| x.is_valid())
    {
        return Err("the result is 有効".into());
    }
    Ok(())
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

fn failed_verdict(w: &OnshiWorld, check: Check) -> Result<(), String> {
    match w
        .all_verdicts()
        .into_iter()
        .find(|v| v.check == check && !v.passed)
    {
        Some(v) => Err(v.to_string()),
        None => Ok(()),
    }
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
    Ok(())
}

fn switched(w: &OnshiWorld, to: AuthChoice) -> Result<Vec<SwitchReason>, String> {
    Ok(reader(w)?
        .events
        .iter()
        .filter_map(|e| match e {
            ReaderEvent::MethodSwitched { to: t, reason, .. } if *t == to => Some(*reason),
            _ => None,
        })
        .collect())
}

fn method_word(m: &str) -> AuthChoice {
    if m == "目視確認" {
        AuthChoice::Visual
    } else {
        AuthChoice::Face
    }
}

#[then(regex = r"^カードリーダーは暗証番号を送らずに(顔認証|目視確認)へ切り替える$")]
fn switched_without_pin(w: &mut OnshiWorld, method: String) -> Result<(), String> {
    let reasons = switched(w, method_word(&method))?;
    if !reasons
        .iter()
        .any(|r| matches!(r, SwitchReason::PinLocked | SwitchReason::PinlessCard))
    {
        return Err(format!(
            "the reader did not switch to {method} because of the PIN ({reasons:?})"
        ));
    }
    let trace = w.last_visit()?.trace.as_ref().ok_or("no APDU trace")?;
    match trace.verify_count(PinId::AuthPin) {
        0 => Ok(()),
        n => Err(format!("{n} VERIFY sent to the auth PIN")),
    }
}

#[then(regex = r"^カードリーダーは(顔認証|目視確認)へ切り替える$")]
fn switched_to(w: &mut OnshiWorld, method: String) -> Result<(), String> {
    if switched(w, method_word(&method))?.is_empty() {
        Err(format!("the reader never switched to {method}"))
    } else {
        Ok(())
    }
}

#[then(regex = r"^ロックされたカードに暗証番号は送られない$")]
fn no_pin_after_lock(w: &mut OnshiWorld) -> Result<(), String> {
    failed_verdict(w, Check::NoPinAfterLock)
}

#[then(regex = r"^カードの暗証番号はロックされている$")]
fn card_locked(w: &mut OnshiWorld) -> Result<(), String> {
    let trace = w.last_visit()?.trace.as_ref().ok_or("no APDU trace")?;
    let locked = trace.entries.iter().any(|e| {
        matches!(
            e.op,
            TraceOp::Verify {
                pin: Some(PinId::AuthPin),
                ..
            } | TraceOp::RetryQuery {
                pin: Some(PinId::AuthPin)
            }
        ) && e.status == Some(Status::VerificationFailed { tries_left: 0 })
    });
    if locked {
        Ok(())
    } else {
        Err("the card never reported the PIN locked (63 C0)".into())
    }
}

#[then(regex = r"^個人番号と照合番号Aは読み取られない$")]
fn no_my_number_read(w: &mut OnshiWorld) -> Result<(), String> {
    let trace = w.last_visit()?.trace.as_ref().ok_or("no APDU trace")?;
    if trace.my_number_read() {
        return Err("the My Number file was read".into());
    }
    if trace.match_a_used() {
        return Err("照合番号A was presented".into());
    }
    Ok(())
}

#[then(regex = r"^資格確認の要求に個人番号は含まれない$")]
fn no_my_number_sent(w: &mut OnshiWorld) -> Result<(), String> {
    failed_verdict(w, Check::NoMyNumber)
}

#[then(regex = r"^表示される資格情報は本人のものである$")]
fn right_person(w: &mut OnshiWorld) -> Result<(), String> {
    first_result(w)?;
    failed_verdict(w, Check::RightPerson)
}

fn medical_info_available(r: &ResultOfQualificationConfirmation) -> bool {
    [
        &r.pharmacists_info,
        &r.diagnosis_info,
        &r.operation_info,
        &r.specific_health_checkups_info,
    ]
    .iter()
    .any(|c| c.cons_flg == Some(ConsentFlag::Given) || c.available_time.is_some())
}

#[then(regex = r"^診療情報等は提供されない$")]
fn no_medical_info(w: &mut OnshiWorld) -> Result<(), String> {
    let r = response(w)?;
    if r.message_body
        .result_list
        .iter()
        .any(medical_info_available)
    {
        return Err("medical information is available".into());
    }
    failed_verdict(w, Check::NoMedicalInfoWithoutConsent)
}

#[then(regex = r"^診療情報等が提供される$")]
fn medical_info(w: &mut OnshiWorld) -> Result<(), String> {
    if medical_info_available(first_result(w)?) {
        Ok(())
    } else {
        Err("no medical information is available".into())
    }
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
        _ => Err("医療扶助 information is present before 2024-03".into()),
    }
}

#[then(regex = r#"^保険者番号は "(\d+)" である$"#)]
fn insurer_is(w: &mut OnshiWorld, number: String) -> Result<(), String> {
    match &first_result(w)?.insurer_number {
        Some(n) if n.as_str() == number => Ok(()),
        other => Err(format!("insurer {other:?}, expected {number}")),
    }
}

#[then(regex = r"^保険証利用登録は「登録完了」となる$")]
fn registered(w: &mut OnshiWorld) -> Result<(), String> {
    let r = reader(w)?;
    if r.registered_here {
        Ok(())
    } else {
        Err(format!(
            "no registration completed (reader: {:?})",
            r.result
        ))
    }
}

#[then(regex = r"^保険証利用登録は「(.+)」により拒否される$")]
fn registration_refused(w: &mut OnshiWorld, rule: String) -> Result<(), String> {
    if let Some((code, message)) = &w.last_refusal
        && (code.as_deref() == Some(rule.as_str()) || message.contains(&rule))
    {
        return Ok(());
    }
    let r = reader(w)?;
    match &r.result {
        ReaderResult::RegistrationRefused { response } => {
            if response.rule.as_deref() == Some(rule.as_str()) || response.message.contains(&rule) {
                Ok(())
            } else {
                Err(format!(
                    "refused for {:?} ({}), expected {rule}",
                    response.rule, response.message
                ))
            }
        }
        other => Err(format!("registration was not refused: {other:?}")),
    }
}

#[then(regex = r"^カードでの資格確認は(できる|できない)$")]
fn card_path_outline(w: &mut OnshiWorld, which: String) -> Result<(), String> {
    let ok = reader(w)?.response().is_some_and(|r| {
        r.message_body.processing_result_status == ProcessingResultStatus::Normal
            && r.message_body
                .qualification_validity
                .is_some_and(|v| v.is_valid())
    });
    match (which.as_str(), ok) {
        ("できる", true) | ("できない", false) => Ok(()),
        (_, ok) => Err(format!(
            "card path confirmed = {ok}, expected {which}: {:?}",
            reader(w)?.result
        )),
    }
}

#[then(regex = r"^カードでの本人確認はできない$")]
fn auth_failed(w: &mut OnshiWorld) -> Result<(), String> {
    match &reader(w)?.result {
        ReaderResult::AuthenticationFailed => Ok(()),
        other => Err(format!("expected no authentication, got {other:?}")),
    }
}

#[then(regex = r"^資格確認は「(.+)」という理由で受け付けられない$")]
fn refused_because(w: &mut OnshiWorld, why: String) -> Result<(), String> {
    let r = reader(w)?;
    let text = match &r.result {
        ReaderResult::Answered { response } => response
            .message_body
            .processing_result_message
            .clone()
            .unwrap_or_default(),
        ReaderResult::Refused { message, .. } => message.clone(),
        other => format!("{other:?}"),
    };
    if text.contains(&why) {
        Ok(())
    } else {
        Err(format!(
            "the refusal says {text:?}, expected it to mention {why}"
        ))
    }
}

#[then(regex = r"^カードリーダーは「(.+)」と表示する$")]
fn reader_shows(w: &mut OnshiWorld, text: String) -> Result<(), String> {
    match &reader(w)?.result {
        ReaderResult::CardUnreadable { detail } if detail.contains(&text) => Ok(()),
        other => Err(format!("the reader shows {other:?}")),
    }
}

#[then(regex = r"^カードリーダーは顔写真を保存しない$")]
fn photo_not_stored(w: &mut OnshiWorld) -> Result<(), String> {
    let r = reader(w)?;
    if r.photo_stored {
        return Err("the reader kept the face photo".into());
    }
    if !r
        .events
        .iter()
        .any(|e| matches!(e, ReaderEvent::FaceAttempt { .. }))
    {
        return Err("no face comparison took place".into());
    }
    Ok(())
}

fn result_file_name(w: &OnshiWorld, encoding: CharacterEncoding) -> Result<String, String> {
    let f = w
        .last_visit()?
        .result_files
        .iter()
        .find(|f| f.encoding == encoding)
        .ok_or("no result file")?;
    let text = f.text();
    let start = text.find("<Name>").ok_or("no <Name> in the result file")? + "<Name>".len();
    let end = text[start..].find("</Name>").ok_or("unterminated <Name>")? + start;
    Ok(text[start..end].to_owned())
}

#[then(regex = r#"^Shift_JISの結果ファイルで氏名は "(.+)" と表示される$"#)]
fn sjis_name(w: &mut OnshiWorld, name: String) -> Result<(), String> {
    let got = result_file_name(w, CharacterEncoding::ShiftJis)?;
    if got == name {
        Ok(())
    } else {
        Err(format!("<Name>{got}</Name>, expected {name}"))
    }
}

#[then(regex = r#"^UTF-8の結果では氏名は "(.+)" と表示される$"#)]
fn utf8_name(w: &mut OnshiWorld, name: String) -> Result<(), String> {
    let got = result_file_name(w, CharacterEncoding::Utf8)?;
    if got == name {
        Ok(())
    } else {
        Err(format!("<Name>{got}</Name>, expected {name}"))
    }
}

#[then(regex = r"^オラクルの判定はすべて合格である$")]
fn oracle_all_pass(w: &mut OnshiWorld) -> Result<(), String> {
    let failed: Vec<String> = w
        .all_verdicts()
        .into_iter()
        .filter(|v| !v.passed)
        .map(|v| v.to_string())
        .collect();
    if failed.is_empty() {
        Ok(())
    } else {
        Err(failed.join("\n"))
    }
}

#[then(
    regex = r"^カードのICチップには基本4情報、顔写真、個人番号、電子証明書だけが記録されている$"
)]
fn chip_contents(w: &mut OnshiWorld) -> Result<(), String> {
    let p = w.persona()?;
    let card = onshi::card::VirtualCard::new(&w.env.cards[&p.id].profile);
    let unexpected: Vec<String> = card
        .files()
        .into_iter()
        .filter(|(_, _, name)| {
            ![
                "証明書",
                "秘密鍵",
                "暗証番号",
                "パスワード",
                "トークン",
                "個人番号",
                "基本4情報",
                "照合番号",
                "券面",
            ]
            .iter()
            .any(|k| name.contains(k))
        })
        .map(|(app, file, name)| format!("{app:?} {file} {name}"))
        .collect();
    if unexpected.is_empty() {
        Ok(())
    } else {
        Err(format!("unexpected files on the chip: {unexpected:?}"))
    }
}

#[then(regex = r"^カードからは電子証明書を読み取れない$")]
fn nothing_read(w: &mut OnshiWorld) -> Result<(), String> {
    let trace = w.last_visit()?.trace.as_ref().ok_or("no APDU trace")?;
    if trace.files_read().is_empty() {
        Ok(())
    } else {
        Err(format!("files were read: {:?}", trace.files_read()))
    }
}

fn expect_refusal(w: &mut OnshiWorld) -> Result<(), String> {
    match (&w.last_accept, &w.last_refusal) {
        (None, Some(_)) => Ok(()),
        (Some(r), _) => Err(format!(
            "accepted: {:?} for {:?}",
            r.message_body.qualification_validity,
            r.message_body.result_list.first().map(|x| &x.name)
        )),
        (None, None) => Err("nothing was attempted".into()),
    }
}

#[then(regex = r"^(?:2度目の確認|照会|その確認)は拒否される$")]
fn refused(w: &mut OnshiWorld) -> Result<(), String> {
    expect_refusal(w)
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
    // The oracle's own expectation, from the rules calendar.
    let p = w.persona()?.clone();
    let q = p
        .true_qualification(w.now.date())
        .ok_or("no qualification")?;
    let (issued_on, expires_on) = p.documents.old_card.ok_or("the persona has no old card")?;
    let card = onshi::rules::OldInsuranceCard {
        insurer: q.insurer_number.clone(),
        issued_on,
        expires_on,
        insurer_changed_on: None,
        ratio: q.ratio,
    };
    let status = w.env.calendar.old_card_status(&card, w.now.date());
    let temporary = w
        .env
        .calendar
        .temporary_measure_applies(q.insurer_number.family(), w.now.date());
    let allowed = matches!(status, onshi::rules::OldCardStatus::Valid { .. }) || temporary;
    w.verdicts.push(if valid && !allowed {
        Verdict::fail(
            Check::OldCardOnlyWhenAllowed,
            format!(
                "the backend accepted an old card on {} ({status:?})",
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
        _ => !valid,
    };
    if !ok {
        return Err(format!(
            "backend valid = {valid}, desk basis {basis:?}; expected {which}"
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
    w.verdicts.push(if valid && !allowed {
        Verdict::fail(
            Check::NoticeAloneOnlyWhenAllowed,
            format!("the backend accepted お知らせ alone on {}", w.now.date()),
        )
    } else {
        Verdict::pass(
            Check::NoticeAloneOnlyWhenAllowed,
            format!("お知らせ alone on {}: allowed = {allowed}", w.now.date()),
        )
    });
    let ok = match which.as_str() {
        "受け付けられる" => {
            valid && basis == Some(Basis::TemporaryMeasure(TemporaryDocument::NoticeAlone))
        }
        _ => !valid,
    };
    if !ok {
        return Err(format!(
            "backend valid = {valid}, desk basis {basis:?}; expected {which}"
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

#[then(regex = r"^同意画面は(項目ごとに表示され限度額の画面がある|包括同意の1画面だけである)$")]
fn consent_screens(w: &mut OnshiWorld, which: String) -> Result<(), String> {
    let screens = reader(w)?
        .events
        .iter()
        .find_map(|e| match e {
            ReaderEvent::ConsentScreens { screens, .. } => Some(screens.clone()),
            _ => None,
        })
        .ok_or("no consent screens were shown")?;
    let ok = match which.as_str() {
        "包括同意の1画面だけである" => {
            screens == [ConsentScreen::ComprehensiveMedicalInformation]
        }
        _ => screens.len() > 1 && screens.contains(&ConsentScreen::LimitInformation),
    };
    if ok {
        Ok(())
    } else {
        Err(format!("screens {screens:?}"))
    }
}

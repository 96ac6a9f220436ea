//! Privacy: the 12-digit My Number is never read, sent or usable as a key, nothing but
//! the patient's own record is shown, medical information only with consent, and the
//! chip holds nothing beyond its stated contents.

use cucumber::{given, then, when};

use onshi::backend::{NumbersConfirmationRequest, QualificationBackend};
use onshi::codes::ConsentFlag;
use onshi::conformance::world::OnshiWorld;
use onshi::message::ResultOfQualificationConfirmation;
use onshi::oracle::Check;

use super::world::{failed_verdict, first_result, judge_attempt, response};

#[given(regex = r"^患者は診療情報等の提供に同意しない$")]
fn no_medical_consent(w: &mut OnshiWorld) {
    w.adjust.medical_consent = Some(false);
}

#[when(regex = r"^個人番号を被保険者番号の代わりに入力して照会する$")]
async fn my_number_lookup(w: &mut OnshiWorld) -> Result<(), String> {
    let p = w.persona()?.clone();
    let backend = w.backend()?;
    let q = p
        .true_qualification(w.now.date())
        .ok_or("the persona has no qualification")?;
    let req = NumbersConfirmationRequest {
        medical_institution_code: w.env.reader.facility.clone(),
        arbitrary_file_identifier: None,
        confirmation_time: Some(w.now),
        insurer_number: q.insurer_number.as_str().to_owned(),
        insured_card_symbol: None,
        insured_identification_number: p.person.my_number.clone(),
        insured_branch_number: None,
        birthdate: p.person.birth_date,
        limit_consent: None,
    };
    let result = backend.confirm_numbers(&req).await;
    judge_attempt(
        w,
        "POST /v1/confirmations/numbers (My Number as identifier)",
        &req,
        &result,
        Check::MyNumberRefused,
        "a lookup by My Number",
    );
    Ok(())
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
                // The 券面 APs' own basic information (layout id, key ids, the
                // municipality code): about the application, nothing about the person.
                "AP基本情報",
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

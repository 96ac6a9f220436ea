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

/// FAQ-4-6's third case: a PIN user whom staff clearly doubt.
#[given(regex = r"^受付の職員は患者が本人であることに明らかな疑いを持つ$")]
fn identity_in_doubt(w: &mut OnshiWorld) {
    w.identity_in_doubt = true;
}

/// FAQ-4-6: the clinic's answer says staff checked the card front for this reason.
#[then(
    regex = r"^受付は(券面で氏名の正確な表記|券面の写真|申立書のために券面の氏名・住所等)を確認する$"
)]
fn card_front_checked(w: &mut OnshiWorld, what: String) -> Result<(), String> {
    use onshi::clinic::wire::CardFrontCheck;
    let expected = match what.as_str() {
        "券面で氏名の正確な表記" => CardFrontCheck::Notation,
        "券面の写真" => CardFrontCheck::Photo,
        _ => CardFrontCheck::DeclarationDetails,
    };
    let answer = w
        .last_visit()?
        .clinic_answer
        .as_ref()
        .ok_or("the clinic gave no answer")?;
    if answer.card_front.contains(&expected) {
        Ok(())
    } else {
        Err(format!(
            "the clinic did not check the card front for {expected:?} (card_front: {:?})",
            answer.card_front
        ))
    }
}

/// FAQ-4-6: a copy of the front may be kept for billing (with the patient's consent);
/// the back, with the My Number, never.
#[then(regex = r"^受付はカードの裏面の写しを取らない$")]
fn no_back_copy(w: &mut OnshiWorld) -> Result<(), String> {
    use onshi::clinic::wire::CardSide;
    let answer = w
        .last_visit()?
        .clinic_answer
        .as_ref()
        .ok_or("the clinic gave no answer")?;
    if answer.card_images.contains(&CardSide::Back) {
        Err(format!(
            "the clinic stored {:?}: the back carries the My Number",
            answer.card_images
        ))
    } else {
        failed_verdict(w, Check::CardBackNeverCopied)
    }
}

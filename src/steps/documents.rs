//! The documents at the desk: what the patient carries (資格情報のお知らせ, the
//! マイナポータル screen, 資格確認書, the old 保険証), a school trip's copy, and the desk's
//! checks by insurer symbol and number when the card is not enough or not presented.

use cucumber::{given, then, when};

use onshi::conformance::visit::{self as plan, CardUse, NumberCheck, Presented};
use onshi::conformance::world::OnshiWorld;
use onshi::reader::AuthChoice;
use onshi::rules::{ReaderState, SchoolCopyForm};

use super::world::{persona_documents, script, visit};

#[given(regex = r"^患者は資格情報のお知らせを持参している$")]
fn carries_notice(w: &mut OnshiWorld) -> Result<(), String> {
    let mut docs = w.documents.clone().unwrap_or_else(|| persona_documents(w));
    if !docs.contains(&Presented::Notice) {
        docs.push(Presented::Notice);
    }
    w.documents = Some(docs);
    Ok(())
}

/// A repeat patient who shows no document: the clinic holds the numbers of the
/// persona's first record (a previous insurer's, for a job changer) on file.
#[given(regex = r"^医療機関の記録には以前の保険者の記号番号が残っている$")]
fn old_numbers_on_file(w: &mut OnshiWorld) -> Result<(), String> {
    if w.persona()?.qualifications.len() < 2 {
        return Err("the persona has no previous insurer".into());
    }
    w.documents = Some(vec![Presented::ClinicRecord]);
    w.record_on_file = Some(0);
    Ok(())
}

/// A repeat patient whose numbers the clinic holds on file: taken from a 保険証
/// printed before 枝番 were given (2021), without the 枝番; or with it.
#[given(regex = r"^医療機関の記録には枝番(のない|まで含む)記号・番号がある$")]
fn record_on_file(w: &mut OnshiWorld, which: String) {
    w.documents = Some(vec![if which == "のない" {
        Presented::ClinicRecordWithoutBranch
    } else {
        Presented::ClinicRecord
    }]);
}

/// No card and no document: the clinic checks the numbers it holds on file.
#[when(regex = r"^受付で医療機関の記録の記号・番号により資格を照会する$")]
async fn numbers_on_file(w: &mut OnshiWorld) -> Result<(), String> {
    let documents = w
        .documents
        .clone()
        .filter(|d| {
            matches!(
                d.first(),
                Some(Presented::ClinicRecord | Presented::ClinicRecordWithoutBranch)
            )
        })
        .unwrap_or_else(|| vec![Presented::ClinicRecord]);
    visit(
        w,
        CardUse::NotPresented,
        Some(documents),
        NumberCheck::Force,
        None,
    )
    .await
}

/// 複数該当 names nobody: the answer the backend gave shows no one's record.
#[then(regex = r"^誰の資格情報も示されない$")]
fn nobody_shown(w: &mut OnshiWorld) -> Result<(), String> {
    let v = w.last_visit()?;
    let shown: Vec<String> = v
        .responses
        .iter()
        .flat_map(|r| r.message_body.result_list.iter())
        .map(|r| format!("{} (born {})", r.name, r.birthdate))
        .collect();
    if v.responses.is_empty() {
        return Err("the backend gave no answer".into());
    }
    if shown.is_empty() {
        Ok(())
    } else {
        Err(format!("the answer shows {}", shown.join(", ")))
    }
}

/// The clinic bills the qualification the ground truth holds on the visit date.
#[then(regex = r"^請求する資格は現在の資格である$")]
fn bills_current(w: &mut OnshiWorld) -> Result<(), String> {
    let p = w.persona()?;
    let now = w.now.date();
    let truth = p
        .true_qualification(now)
        .map(plan::numbers_of)
        .ok_or("the persona holds no qualification on the visit date")?;
    let answer = w
        .last_visit()?
        .clinic_answer
        .as_ref()
        .ok_or("the clinic gave no answer")?;
    match &answer.billed {
        Some(b) if *b == truth => Ok(()),
        Some(b) => Err(format!(
            "the clinic billed {} {}, the current qualification is {} {}",
            b.insurer_number, b.number, truth.insurer_number, truth.number
        )),
        None => Err("the clinic billed no qualification".into()),
    }
}

#[given(regex = r"^患者は書類を何も持参していない$")]
fn carries_nothing(w: &mut OnshiWorld) {
    w.documents = Some(Vec::new());
}

fn presented(name: &str) -> Presented {
    match name {
        "マイナポータルの資格情報画面" => Presented::PortalScreen,
        "資格確認書" => Presented::KakuninSho,
        "従来の健康保険証" => Presented::OldCard,
        _ => Presented::Notice,
    }
}

#[when(regex = r"^患者がカードと(お知らせ|マイナポータルの資格情報画面)を提示して受診する$")]
async fn card_and_document(w: &mut OnshiWorld, doc: String) -> Result<(), String> {
    let card = if w.facility.reader == ReaderState::Working && w.facility.online_confirmation {
        CardUse::Reader(script(w, AuthChoice::Face, Vec::new(), vec![0.97])?)
    } else {
        CardUse::IdentityOnly
    };
    visit(
        w,
        card,
        Some(vec![presented(&doc)]),
        NumberCheck::WhenNeeded,
        None,
    )
    .await
}

#[when(
    regex = r"^患者がマイナンバーカードを持たず(資格確認書|従来の健康保険証|お知らせ)で受診する$"
)]
async fn document_only(w: &mut OnshiWorld, doc: String) -> Result<(), String> {
    numbers_of(w, &doc).await
}

#[when(regex = r"^引率の教員がマイナポータルの資格情報のPDFを提示して受診する$")]
async fn school_copy(w: &mut OnshiWorld) -> Result<(), String> {
    visit(
        w,
        CardUse::NotPresented,
        Some(vec![Presented::SchoolCopy(SchoolCopyForm::PortalPdf)]),
        NumberCheck::Never,
        None,
    )
    .await
}

#[when(regex = r"^受付で以前の保険証の記号番号で資格を照会する$")]
async fn previous_numbers(w: &mut OnshiWorld) -> Result<(), String> {
    visit(
        w,
        CardUse::NotPresented,
        Some(vec![Presented::OldCard]),
        NumberCheck::Force,
        Some(0),
    )
    .await
}

#[when(regex = r"^受付で(従来の健康保険証|お知らせ)(?:の記号番号で|だけを提示して)資格を照会する$")]
async fn numbers_only(w: &mut OnshiWorld, doc: String) -> Result<(), String> {
    numbers_of(w, &doc).await
}

#[when(regex = r"^(同じ月|翌月)に受付で記号番号により資格を照会する$")]
async fn numbers_later(w: &mut OnshiWorld, when: String) -> Result<(), String> {
    use chrono::{Datelike, Months};
    let day = w.now.date();
    let first = day.with_day(1).unwrap_or(day);
    let target = if when == "翌月" {
        first.checked_add_months(Months::new(1)).unwrap_or(day)
    } else {
        (day + chrono::Duration::days(14)).min(
            first
                .checked_add_months(Months::new(1))
                .unwrap_or(day)
                .pred_opt()
                .unwrap_or(day),
        )
    };
    w.now = target.and_time(w.now.time());
    w.number_limit_consent = Some(None);
    visit(
        w,
        CardUse::NotPresented,
        Some(vec![Presented::ClinicRecord]),
        NumberCheck::Force,
        None,
    )
    .await
}

/// No card: the clinic checks the printed numbers of `doc` online.
async fn numbers_of(w: &mut OnshiWorld, doc: &str) -> Result<(), String> {
    visit(
        w,
        CardUse::NotPresented,
        Some(vec![presented(doc)]),
        NumberCheck::Force,
        None,
    )
    .await
}

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
        .ok_or("no record on file: say 「医療機関の記録には枝番(のない|まで含む)記号・番号がある」 first")?;
    visit(
        w,
        CardUse::NotPresented,
        Some(documents),
        NumberCheck::Force,
        None,
    )
    .await
}

/// The clinic bills the qualification the ground truth holds on the visit date: at the
/// visit, or (「回復後に」) once the line is back after an outage.
#[then(regex = r"^(回復後に)?請求する資格は現在の資格である$")]
fn bills_current(w: &mut OnshiWorld, after: String) -> Result<(), String> {
    let p = w.persona()?;
    let v = w.last_visit()?;
    let day = match (after.is_empty(), v.recovered_at) {
        (false, Some(at)) => at.date(),
        _ => w.now.date(),
    };
    let truth = p
        .true_qualification(day)
        .map(plan::numbers_of)
        .ok_or("the persona holds no qualification on that day")?;
    let billed = if after.is_empty() {
        &v.clinic_answer
            .as_ref()
            .ok_or("the clinic gave no answer")?
            .billed
    } else {
        &v.recovery
            .as_ref()
            .ok_or("the clinic gave no answer after the recovery")?
            .billed
    };
    match billed {
        Some(b) if *b == truth => Ok(()),
        Some(b) => Err(format!(
            "the clinic billed {} {}, the current qualification is {} {}",
            b.insurer_number, b.number, truth.insurer_number, truth.number
        )),
        None => Err("the clinic billed no qualification (不詳)".into()),
    }
}

/// 複数該当 or no record: the clinic bills nobody's qualification (不詳), none of the
/// candidates an answer may list.
#[then(regex = r"^受付はどの資格も請求しない$")]
fn bills_nothing(w: &mut OnshiWorld) -> Result<(), String> {
    let answer = w
        .last_visit()?
        .clinic_answer
        .as_ref()
        .ok_or("the clinic gave no answer")?;
    match &answer.billed {
        None => Ok(()),
        Some(b) => Err(format!(
            "the clinic billed {} {} {:?}",
            b.insurer_number, b.number, b.branch
        )),
    }
}

/// During an outage the window notes the patient's 基本4情報 (氏名, 性別, 生年月日, 住所)
/// for the check once the line is back; they must be the patient's.
#[then(regex = r"^受付は患者の基本4情報を控える$")]
fn notes_basic_info(w: &mut OnshiWorld) -> Result<(), String> {
    use onshi::protocol::wire::basic_info_key as key;
    let p = &w.persona()?.person;
    let noted = w
        .last_visit()?
        .clinic_answer
        .as_ref()
        .ok_or("the clinic gave no answer")?
        .noted
        .clone()
        .ok_or("the clinic noted no 基本4情報 (`noted` is absent)")?;
    let same = key(&noted.name) == key(&p.name)
        && noted.sex == p.sex
        && noted.birth_date == p.birth_date
        && key(&noted.address) == key(&p.address);
    if same {
        Ok(())
    } else {
        Err(format!(
            "the clinic noted {} / {:?} / {} / {}, the patient is {} / {:?} / {} / {}",
            noted.name,
            noted.sex,
            noted.birth_date,
            noted.address,
            p.name,
            p.sex,
            p.birth_date,
            p.address
        ))
    }
}

/// The line is back (three hours later): the clinic confirms the patient it took on a
/// 申立書 by the 基本4情報 it noted; a critical verdict fails the step.
#[when(regex = r"^回線が回復した後、受付は緊急時医療情報・資格確認機能で資格を確かめる$")]
async fn after_recovery(w: &mut OnshiWorld) -> Result<(), String> {
    w.needs(onshi::conformance::world::Need::Emergency)?;
    w.fault = None;
    w.facility.network = onshi::rules::NetworkState::Up;
    let backend = w.backend()?;
    let persona = w.persona()?.clone();
    let at = w.now + chrono::Duration::hours(3);
    let visit = w
        .visits
        .last_mut()
        .ok_or("no visit ran yet (a もし step runs one)")?;
    let before = visit.verdicts.len();
    plan::recover_visit(&w.env, &backend, &persona, at, visit).await?;
    let critical: Vec<String> = visit.verdicts[before..]
        .iter()
        .filter(|v| v.fails_the_visit())
        .map(ToString::to_string)
        .collect();
    if critical.is_empty() {
        Ok(())
    } else {
        Err(critical.join("\n"))
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

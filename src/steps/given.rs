//! 前提: the visit date, the patient, the facility, what the patient carries and agrees to.

use cucumber::given;

use onshi::backend::CareSettingWire;
use onshi::conformance::faulty::LineFault;
use onshi::conformance::visit::Presented;
use onshi::conformance::world::OnshiWorld;
use onshi::rules::{Facility, NetworkState, ReaderState};

#[given(regex = r"^照会日時は (\S+) である$")]
fn visit_time(w: &mut OnshiWorld, when: String) -> Result<(), String> {
    w.now = onshi::defaults::parse_as_of(&when)?;
    Ok(())
}

#[given(regex = r#"^患者は "([a-z0-9-]+)" である$"#)]
fn patient(w: &mut OnshiWorld, id: String) -> Result<(), String> {
    if !w.env.personas.contains_key(&id) {
        return Err(format!("no persona {id:?} in the cards directory"));
    }
    w.persona = Some(id);
    Ok(())
}

#[given(regex = r"^患者は自分でカードリーダーを操作できない$")]
fn cannot_operate(w: &mut OnshiWorld) {
    w.adjust.cannot_operate = true;
}

#[given(regex = r"^医療機関にはカードリーダーが設置されていない$")]
fn no_reader(w: &mut OnshiWorld) {
    w.facility.reader = ReaderState::Absent;
}

#[given(regex = r"^カードリーダーが故障している$")]
fn broken_reader(w: &mut OnshiWorld) {
    w.facility.reader = ReaderState::Broken;
}

#[given(regex = r"^医療機関はオンライン資格確認を導入していない$")]
fn no_online_confirmation(w: &mut OnshiWorld) {
    w.facility = Facility::WITHOUT_ONLINE_CONFIRMATION;
}

#[given(regex = r"^回線障害で資格確認システムにつながらない$")]
fn line_down(w: &mut OnshiWorld) {
    w.facility.network = NetworkState::Down;
    w.fault = Some(LineFault::Down);
}

#[given(regex = r"^資格確認システムが応答しない$")]
fn backend_timeout(w: &mut OnshiWorld) {
    w.fault = Some(LineFault::Timeout);
}

#[given(regex = r"^患者は資格情報のお知らせを持参している$")]
fn carries_notice(w: &mut OnshiWorld) -> Result<(), String> {
    let mut docs = w.documents.clone().unwrap_or_else(|| persona_documents(w));
    if !docs.contains(&Presented::Notice) {
        docs.push(Presented::Notice);
    }
    w.documents = Some(docs);
    Ok(())
}

#[given(regex = r"^患者は書類を何も持参していない$")]
fn carries_nothing(w: &mut OnshiWorld) {
    w.documents = Some(Vec::new());
}

#[given(regex = r"^患者は診療情報等の提供に同意しない$")]
fn no_medical_consent(w: &mut OnshiWorld) {
    w.adjust.medical_consent = Some(false);
}

#[given(regex = r"^職員による目視確認はできない$")]
fn no_visual(w: &mut OnshiWorld) {
    w.adjust.visual_available = Some(false);
}

#[given(regex = r"^患者はその場での保険証利用登録を希望しない$")]
fn declines_registration(w: &mut OnshiWorld) {
    w.adjust.accept_registration = Some(false);
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

/// The documents the persona carries by default.
pub(super) fn persona_documents(w: &OnshiWorld) -> Vec<Presented> {
    let Ok(p) = w.persona() else {
        return Vec::new();
    };
    let mut docs = Vec::new();
    if p.documents.notice {
        docs.push(Presented::Notice);
    }
    if p.documents.portal_screen {
        docs.push(Presented::PortalScreen);
    }
    if p.documents.kakunin_sho.is_some() {
        docs.push(Presented::KakuninSho);
    }
    if p.documents.old_card.is_some() {
        docs.push(Presented::OldCard);
    }
    docs
}

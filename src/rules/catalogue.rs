//! The rule catalogue: every rule this module implements, with its requirement ID
//! (`requirements.md`), a Japanese title, its source and when it is in force. The
//! conformance report prints it; decisions cite rules by [`RuleId`].
//!
//! IDs starting with `DOM-` are rules taken from `domain.md` (notices and secondary
//! sources) that have no ID in `requirements.md` yet.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::{DateKey, RulesCalendar};
use super::dates::previous_day;
pub use super::rule_id::RuleId;

/// How `requirements.md` treats a requirement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// Needs an executable scenario that can fail.
    Behaviour,
    /// A date or policy rule of the calendar, exercised at several as-of dates.
    Rule,
    /// Background only.
    Info,
}

/// The last day a rule is in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndBound {
    /// Up to and including the configured date.
    Through(DateKey),
    /// Up to the day before the configured date.
    Before(DateKey),
}

/// One row of the catalogue. Effective dates name calendar settings, so an overridden
/// calendar prints its own dates ([`RulesCalendar::catalogue`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RuleEntry {
    /// The requirement ID.
    pub id: RuleId,
    /// How `requirements.md` treats it.
    pub kind: RuleKind,
    /// One-line Japanese title.
    pub title: &'static str,
    /// Seed file number and item (`000 4-10; 001 Q-2`), or `-` for domain.md-only rules.
    pub seed: &'static str,
    /// The notice or other source (通知・事務連絡, domain.md section).
    pub notice: Option<&'static str>,
    /// First day in force, if dated.
    pub from: Option<DateKey>,
    /// Last day in force, if dated.
    pub to: Option<EndBound>,
}

/// A catalogue row with its dates resolved against a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ResolvedRule {
    /// The row.
    pub entry: &'static RuleEntry,
    /// First day in force.
    pub from: Option<NaiveDate>,
    /// Last day in force.
    pub to: Option<NaiveDate>,
}

impl ResolvedRule {
    /// Whether the rule is in force on `as_of`.
    pub fn in_force(&self, as_of: NaiveDate) -> bool {
        self.from.is_none_or(|from| from <= as_of) && self.to.is_none_or(|to| as_of <= to)
    }
}

impl fmt::Display for ResolvedRule {
    /// One report line: `ID | kind | title | seed | notice | from – to`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.entry;
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        write!(
            f,
            "{} | {:?} | {} | {} | {} | {} – {}",
            e.id,
            e.kind,
            e.title,
            e.seed,
            e.notice.unwrap_or("-"),
            date(self.from),
            date(self.to)
        )
    }
}

const fn rule(
    id: RuleId,
    kind: RuleKind,
    title: &'static str,
    seed: &'static str,
    notice: Option<&'static str>,
) -> RuleEntry {
    RuleEntry {
        id,
        kind,
        title,
        seed,
        notice,
        from: None,
        to: None,
    }
}

const fn dated(entry: RuleEntry, from: Option<DateKey>, to: Option<EndBound>) -> RuleEntry {
    RuleEntry { from, to, ..entry }
}

use EndBound::Through;
use RuleKind::{Behaviour, Info, Rule};

const HOHATSU_0710: Option<&str> = Some("保発0710第1号 (2023-07-10)");

/// Every rule, in [`RuleId::ALL`] order.
pub static CATALOGUE: &[RuleEntry] = &[
    dated(
        rule(
            RuleId::DomStart,
            Rule,
            "オンライン資格確認の本格運用開始",
            "003",
            Some("domain.md §6"),
        ),
        Some(DateKey::FullOperation),
        None,
    ),
    dated(
        rule(
            RuleId::Faq4_2,
            Info,
            "医療機関・薬局へのオンライン資格確認の原則義務化",
            "000 4-2",
            None,
        ),
        Some(DateKey::Mandatory),
        None,
    ),
    dated(
        rule(
            RuleId::DomPinLess,
            Rule,
            "顔認証マイナンバーカード（暗証番号なし）の交付",
            "003",
            Some("domain.md §2"),
        ),
        Some(DateKey::PinLessCard),
        None,
    ),
    dated(
        rule(
            RuleId::Faq4_12,
            Behaviour,
            "生活保護の医療扶助はマイナンバーカードで資格確認（子ども医療費証は対象外）",
            "000 4-12",
            None,
        ),
        Some(DateKey::MedicalAid),
        None,
    ),
    dated(
        rule(
            RuleId::Faq4_13,
            Behaviour,
            "訪問診療・オンライン診療（令和6年4月）、訪問看護（令和6年6月）でカード利用",
            "000 4-13",
            None,
        ),
        Some(DateKey::HomeVisitOnline),
        None,
    ),
    dated(
        rule(
            RuleId::DomConsent,
            Rule,
            "医療情報は包括同意の1画面、限度額情報は同意画面なし（法令により提供）",
            "-",
            Some("社会保障審議会医療保険部会 2024-02-29; domain.md §2"),
        ),
        Some(DateKey::ComprehensiveConsent),
        None,
    ),
    rule(
        RuleId::Faq4_1,
        Behaviour,
        "同意した場合のみ薬剤・健診情報を共有、限度額を超える支払は不要",
        "000 4-1; 002; 004 Q1",
        None,
    ),
    rule(
        RuleId::Faq4_8,
        Behaviour,
        "保険証・限度額適用認定証・特定疾病療養受療証・高齢受給者証の持参が不要",
        "000 4-8",
        None,
    ),
    dated(
        rule(
            RuleId::FlyData,
            Rule,
            "薬剤情報は2021年9月から3年分、特定健診は2020年度から直近5回分、医療費通知は2021年9月から",
            "002; 003",
            None,
        ),
        Some(DateKey::DrugDataFrom),
        None,
    ),
    rule(
        RuleId::DomCertRenew,
        Rule,
        "利用者証明用電子証明書の有効期限3か月前から更新案内",
        "-",
        Some("domain.md §2 (多摩市・朝霞市)"),
    ),
    rule(
        RuleId::DomCertGrace,
        Rule,
        "電子証明書の有効期限後、3か月後の月末まで資格確認のみ可（医療情報の共有不可）、以後は登録解除",
        "-",
        Some("domain.md §2 (多摩市・朝霞市・健保組合)"),
    ),
    rule(
        RuleId::Kq1,
        Behaviour,
        "利用登録は医療機関のカードリーダー・スマートフォン・セブン銀行ATMで可能",
        "001 Q-1; 003",
        None,
    ),
    dated(
        rule(
            RuleId::OkaFaceOnly,
            Behaviour,
            "顔認証マイナンバーカードはマイナポータル・ATMで登録不可、カードリーダーでのみ登録可",
            "003",
            None,
        ),
        Some(DateKey::PinLessCard),
        None,
    ),
    rule(
        RuleId::OkaPrereq,
        Info,
        "登録にはカード・利用者証明用暗証番号（4桁）・読取端末が必要",
        "003",
        None,
    ),
    rule(
        RuleId::Faq4_11,
        Behaviour,
        "暗証番号がロックされても顔認証等で保険証として利用可能",
        "000 4-11",
        None,
    ),
    rule(
        RuleId::OkaReg24h,
        Rule,
        "利用者証明用電子証明書の更新から24時間以内は利用登録不可",
        "003",
        None,
    ),
    rule(
        RuleId::OkaReg5d,
        Rule,
        "電子証明書の有効期限が5日以内は利用登録不可（登録済みなら利用可）",
        "003",
        None,
    ),
    rule(
        RuleId::Faq4_15,
        Behaviour,
        "保険者が資格を登録していないと利用登録できない",
        "000 4-15",
        None,
    ),
    rule(
        RuleId::Faq4_5,
        Behaviour,
        "オン資導入機関ではカードのみで受診、未導入ならカード＋資格情報のお知らせ",
        "000 4-5",
        None,
    ),
    rule(
        RuleId::Faq4_17,
        Behaviour,
        "他人の資格情報を表示・使用しない",
        "000 4-17",
        None,
    ),
    rule(
        RuleId::Faq4_21,
        Behaviour,
        "改ざんされたICチップは読み取れず、別の方法で資格確認",
        "000 4-21; 002",
        None,
    ),
    rule(
        RuleId::Faq4_14,
        Behaviour,
        "「資格（無効）」「資格情報なし」でも10割負担にしない",
        "000 4-14",
        HOHATSU_0710,
    ),
    rule(
        RuleId::Faq4_6,
        Behaviour,
        "資格確認ができない場合は被保険者資格申立書を受ける",
        "000 4-6",
        HOHATSU_0710,
    ),
    rule(
        RuleId::OkaDv,
        Behaviour,
        "DV等の不開示届出者はカードを保険証として使えないが10割負担にしない",
        "003",
        None,
    ),
    rule(
        RuleId::Kq6,
        Behaviour,
        "カードリーダー未設置・故障時はカードで本人確認＋お知らせ又はマイナポータル画面",
        "001 Q-6",
        HOHATSU_0710,
    ),
    dated(
        rule(
            RuleId::Kq3,
            Rule,
            "令和6年12月以降はカード、保険証（令和7年12月1日まで）、カード＋お知らせ、資格確認書で受診",
            "001 Q-3",
            None,
        ),
        Some(DateKey::NoNewInsuranceCards),
        None,
    ),
    dated(
        rule(
            RuleId::Faq4_10,
            Rule,
            "令和6年12月2日に保険証の発行終了、カードのない人には資格確認書",
            "000 4-10; 001 Q-2; 004 Q2",
            None,
        ),
        Some(DateKey::NoNewInsuranceCards),
        None,
    ),
    dated(
        rule(
            RuleId::TrnMax1y,
            Rule,
            "従来の保険証は有効期限まで最長1年間（令和7年12月1日まで）、保険者異動時はそれまで",
            "004; 004 Q2",
            None,
        ),
        None,
        Some(Through(DateKey::OldCardLastValidDay)),
    ),
    dated(
        rule(
            RuleId::DomNhiExpiry,
            Rule,
            "国保・後期高齢者医療の保険証の多くは令和7年7月31日で有効期限",
            "-",
            Some("domain.md §6 (甲斐市)"),
        ),
        None,
        Some(Through(DateKey::CommunityCardDefaultExpiry)),
    ),
    dated(
        rule(
            RuleId::Faq4_19,
            Behaviour,
            "カード紛失時は保険証（令和7年12月1日まで）又は資格確認書で通常負担",
            "000 4-19",
            None,
        ),
        Some(DateKey::NoNewInsuranceCards),
        None,
    ),
    dated(
        rule(
            RuleId::TrnKakunin,
            Behaviour,
            "資格確認書は未登録者・登録解除者に申請なく交付、提示で通常負担",
            "004; 002",
            None,
        ),
        Some(DateKey::NoNewInsuranceCards),
        None,
    ),
    dated(
        rule(
            RuleId::NoticeKouki2026_07,
            Rule,
            "後期高齢者には暫定的に資格確認書を申請なく一律交付",
            "004",
            Some("domain.md §6 (米子市)"),
        ),
        Some(DateKey::NoNewInsuranceCards),
        Some(Through(DateKey::LateStageKakuninLastDay)),
    ),
    dated(
        rule(
            RuleId::DomKakuninMax5y,
            Rule,
            "資格確認書の有効期間は保険者が5年以内で設定",
            "-",
            Some("domain.md §6"),
        ),
        Some(DateKey::NoNewInsuranceCards),
        None,
    ),
    rule(
        RuleId::FlyNoticeAlone,
        Rule,
        "資格情報のお知らせ（マイナポータル画面）のみでは保険診療不可（暫定措置を除く）",
        "002",
        None,
    ),
    dated(
        rule(
            RuleId::Notice2025_06_27,
            Rule,
            "暫定措置：期限切れの国保・後期の保険証又はお知らせのみでも番号によるオンライン確認で通常負担",
            "-",
            Some("2025-06-27 事務連絡"),
        ),
        Some(DateKey::TemporaryMeasureCommunityFrom),
        Some(Through(DateKey::TemporaryMeasureLastDay)),
    ),
    dated(
        rule(
            RuleId::Notice2025_11_12,
            Rule,
            "暫定措置：期限切れの被用者保険の保険証又はお知らせのみでも番号によるオンライン確認で通常負担",
            "-",
            Some("2025-11-12 事務連絡"),
        ),
        Some(DateKey::TemporaryMeasureEmployeeFrom),
        Some(Through(DateKey::TemporaryMeasureLastDay)),
    ),
    dated(
        rule(
            RuleId::TrnSchool,
            Behaviour,
            "修学旅行・保育所等では教員・保育士がマイナポータルのPDF又はお知らせの写しを提示可",
            "004",
            Some("事務連絡「健康保険証の廃止に伴う修学旅行等の学校行事…の確認方法について」"),
        ),
        Some(DateKey::SchoolEventCopies),
        None,
    ),
    rule(
        RuleId::TrnNo10,
        Behaviour,
        "カードリーダーで何が起きても10割負担にならない",
        "004",
        HOHATSU_0710,
    ),
    rule(
        RuleId::DomCopayRatio,
        Rule,
        "資格確認結果の負担割合（後期は一部負担金割合、70〜74歳は高齢受給者の割合）を用いる",
        "-",
        Some("domain.md §5"),
    ),
    rule(
        RuleId::DomCopayAge,
        Rule,
        "負担割合が無い場合は年齢で導出（未就学2割、6〜69歳3割、70〜74歳2割（現役並み3割）、75歳以上1割）、10割にしない",
        "-",
        HOHATSU_0710,
    ),
];

impl RulesCalendar {
    /// The catalogue with this calendar's dates.
    pub fn catalogue(&self) -> Vec<ResolvedRule> {
        CATALOGUE.iter().map(|entry| self.resolve(entry)).collect()
    }

    /// One catalogue row with this calendar's dates.
    pub fn resolve(&self, entry: &'static RuleEntry) -> ResolvedRule {
        ResolvedRule {
            entry,
            from: entry.from.map(|key| self.date(key)),
            to: entry.to.map(|bound| match bound {
                EndBound::Through(key) => self.date(key),
                EndBound::Before(key) => previous_day(self.date(key)),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::calendar::CalendarConfig;
    use crate::rules::dates::ymd;

    #[test]
    fn catalogue_lists_every_id_once_in_order() {
        assert_eq!(CATALOGUE.len(), RuleId::ALL.len());
        for (i, id) in RuleId::ALL.iter().enumerate() {
            assert_eq!(CATALOGUE[i].id, *id, "row {i}");
            assert_eq!(id.entry().id, *id);
            assert_eq!(RuleId::parse(id.code()), Some(*id));
            assert!(!id.entry().title.is_empty());
            assert!(!id.entry().seed.is_empty());
        }
        assert_eq!(RuleId::parse("NOPE-1"), None);
    }

    #[test]
    fn requested_ids_are_present() {
        for code in [
            "FAQ-4-10",
            "OKA-REG-24H",
            "FLY-NOTICE-ALONE",
            "KQ-3",
            "TRN-MAX1Y",
            "FLY-DATA",
            "OKA-REG-5D",
            "OKA-FACEONLY",
            "KQ-1",
            "KQ-6",
            "FAQ-4-5",
            "FAQ-4-14",
            "FAQ-4-19",
            "OKA-DV",
            "TRN-NO10",
            "TRN-KAKUNIN",
            "TRN-SCHOOL",
            "FAQ-4-12",
            "FAQ-4-13",
        ] {
            assert!(RuleId::parse(code).is_some(), "{code}");
        }
    }

    #[test]
    fn resolved_dates_follow_the_calendar() {
        let cal = RulesCalendar::reference();
        let temp = cal.resolve(RuleId::Notice2025_11_12.entry());
        assert_eq!(temp.from, Some(ymd(2025, 11, 12)));
        assert_eq!(temp.to, Some(ymd(2026, 3, 31)));
        assert!(!temp.in_force(ymd(2025, 11, 11)));
        assert!(temp.in_force(ymd(2026, 3, 31)));
        assert!(!temp.in_force(ymd(2026, 4, 1)));

        let max1y = cal.resolve(RuleId::TrnMax1y.entry());
        assert_eq!(max1y.to, Some(ymd(2025, 12, 1)));
        assert_eq!(
            temp.to_string(),
            "NOTICE-2025-11-12 | Rule | 暫定措置：期限切れの被用者保険の保険証又はお知らせのみでも番号によるオンライン確認で通常負担 | - | 2025-11-12 事務連絡 | 2025-11-12 – 2026-03-31"
        );

        let moved = RulesCalendar::new(
            CalendarConfig::default().with_date(DateKey::TemporaryMeasureLastDay, ymd(2026, 9, 30)),
        )
        .unwrap();
        let rows = moved.catalogue();
        let row = rows
            .iter()
            .find(|r| r.entry.id == RuleId::Notice2025_06_27)
            .unwrap();
        assert_eq!(row.to, Some(ymd(2026, 9, 30)));
    }

    #[test]
    fn rule_ids_serialize_as_codes() {
        let json = serde_json::to_string(&[RuleId::OkaReg24h, RuleId::Kq3]).unwrap();
        assert_eq!(json, r#"["OKA-REG-24H","KQ-3"]"#);
        let back: Vec<RuleId> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, vec![RuleId::OkaReg24h, RuleId::Kq3]);
        assert!(serde_json::from_str::<RuleId>(r#""X-1""#).is_err());
    }
}

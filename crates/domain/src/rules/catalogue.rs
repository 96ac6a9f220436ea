//! The requirement catalogue: every requirement onshi knows, keyed by [`RuleId`], in one
//! static slice ([`CATALOGUE`], in [`RuleId::ALL`] order). Each entry says how it is
//! treated, where its ID comes from, what it asks (in English and Japanese), the seed text
//! it quotes, the notice behind it and when it is in force. Decisions cite entries by
//! [`RuleId`]; the conformance report prints the rows of `requirements.md` as its
//! traceability matrix (requirement → scenarios → verdict), and scenarios point at a row
//! through their Gherkin tag (`@FAQ-4-11`).
//!
//! Three origins ([`Origin`]), in this order in the catalogue:
//!
//! - **seed**: the rows of the seed sections of `requirements.md`
//!   (`shared/docs/requirements.md`, beside the crate), in its order;
//! - **notice**: the rows of its "Later notices" section — real rules published after the
//!   seeds (`NOTICE-…`);
//! - **domain**: onshi's own names (`DOM-…`) for dated rules of `domain.md` that
//!   `requirements.md` does not number. They are no rows of the matrix.
//! - **security**: onshi's own requirements (`SEC-…`) for what a backend must refuse
//!   when it authenticates a card (forged signatures and certificates, replayed
//!   challenges, attestations of unknown or foreign readers). No seed states them; they
//!   are rows of the matrix, marked as onshi's.
//!
//! Where the texts come from:
//!
//! - `id`, `kind`, `summary` and `source` of seed and notice rows are taken from
//!   `requirements.md`; the area is its section heading, rendered in Japanese.
//! - `question` quotes the seed documents in `shared/seeds/`: `000` is the insurer FAQ
//!   (items 4-1 … 4-22), `001` the insurer Q&A (Q-1 … Q-7), `002` the leaflet, `003` the
//!   city web page and `004` the transition notice. FAQ and Q&A rows quote the question;
//!   leaflet, web page and notice rows quote the shortest passage that states the point.
//!   Quotes are verbatim except for PDF-extraction artefacts: broken lines are joined,
//!   stray spaces and Markdown emphasis (`**`) are dropped. `…` marks text left out.
//!   The Q&A `001` is extracted with its `Q-n` labels out of place; its rows follow the
//!   numbering of `requirements.md` (Q-4 is the question about the days after the
//!   資格取得届, Q-5 the late filing, Q-6 the missing reader, Q-7 the system). Notice and
//!   domain rows quote nothing.
//! - `title` and `summary_ja` are our own Japanese renderings; `summary` of a domain rule
//!   is ours too.
//! - Effective dates name calendar settings, so an overridden calendar prints its own
//!   dates ([`RulesCalendar::catalogue`]).

mod entries;
mod systems;

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::{DateKey, RulesCalendar};
use super::dates::previous_day;
pub use super::rule_id::RuleId;
pub use entries::CATALOGUE;

/// How a requirement is treated (`kind` in `requirements.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequirementKind {
    /// Needs at least one executable scenario that can fail.
    Behaviour,
    /// A date or policy rule of the rules calendar, exercised by scenarios at several
    /// as-of dates.
    Rule,
    /// Background with nothing to execute; the matrix lists it as informational.
    Info,
}

impl RequirementKind {
    /// The word `requirements.md` uses for this kind (`behaviour`, `rule`, `info`).
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Behaviour => "behaviour",
            Self::Rule => "rule",
            Self::Info => "info",
        }
    }

    /// Whether requirements of this kind need an executable scenario.
    #[must_use]
    pub const fn is_executable(self) -> bool {
        matches!(self, Self::Behaviour | Self::Rule)
    }
}

/// Where a requirement ID comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Origin {
    /// A row of a seed section of `requirements.md`: one of the five seed documents says it.
    Seed,
    /// A row of the "Later notices" section of `requirements.md` (`NOTICE-…`): a rule
    /// published after the seeds.
    Notice,
    /// onshi's own name (`DOM-…`) for a rule of `domain.md`; no row of `requirements.md`.
    Domain,
    /// onshi's own security requirement (`SEC-…`): what any qualification backend must
    /// refuse when it authenticates a card. No seed states them; they are rows of the
    /// report's matrix, marked as onshi's.
    Security,
}

impl Origin {
    /// Whether requirements of this origin are rows of `requirements.md` (and so of the
    /// report's matrix).
    #[must_use]
    pub const fn in_requirements_md(self) -> bool {
        matches!(self, Self::Seed | Self::Notice)
    }
}

/// A system under test a requirement is judged on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum System {
    /// The qualification backend (オンライン資格確認等システム).
    Backend,
    /// The face-recognition card reader (顔認証付きカードリーダー).
    Reader,
    /// The clinic system (レセコン / 受付).
    Clinic,
    /// The card (マイナンバーカード).
    Card,
}

impl System {
    /// Every system, in report order.
    pub const ALL: [System; 4] = [Self::Backend, Self::Reader, Self::Clinic, Self::Card];

    /// The name in reports and JSON (`backend`, `reader`, `clinic`, `card`).
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            Self::Backend => "backend",
            Self::Reader => "reader",
            Self::Clinic => "clinic",
            Self::Card => "card",
        }
    }
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

/// One requirement of the catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Requirement {
    /// The ID as written in `requirements.md` and in Gherkin tags (`FAQ-4-11`).
    pub id: RuleId,
    /// How the requirement is treated.
    pub kind: RequirementKind,
    /// Where the ID comes from.
    pub origin: Origin,
    /// The section of `requirements.md` it belongs to, in Japanese (one of [`AREAS`]);
    /// `None` for onshi's own domain rules.
    pub area: Option<&'static str>,
    /// One-line Japanese title.
    pub title: &'static str,
    /// The requirement in English, from `requirements.md` (ours for domain rules).
    pub summary: &'static str,
    /// A one-sentence Japanese rendering of the requirement.
    pub summary_ja: &'static str,
    /// The source as in `requirements.md`: seed file number and item (`000 4-9; 002`) or
    /// the notice; for domain rules the seed it relates to, or `-`.
    pub source: &'static str,
    /// The seed's question verbatim (FAQ and Q&A items), or the shortest verbatim
    /// passage that states the point (leaflet, web page, notice); `…` marks an omission.
    /// `None` for notice and domain rules, which no seed states.
    pub question: Option<&'static str>,
    /// The notice or other source behind the rule (通知・事務連絡, domain.md section).
    pub notice: Option<&'static str>,
    /// First day in force, if dated.
    pub from: Option<DateKey>,
    /// Last day in force, if dated.
    pub to: Option<EndBound>,
}

const IDENTITY: &str = "本人確認・カード・プライバシー";
const AUTHENTICATION: &str = "カードリーダーでの認証";
const REGISTRATION: &str = "保険証利用登録";
const QUALIFICATION: &str = "資格情報と反映の遅れ";
const RESULT: &str = "資格確認結果が含むべき情報";
const FALLBACK: &str = "代替手段と10割負担の回避";
const NOTICES: &str = "後日の通知";

/// The areas (sections of `requirements.md`) in their order, in Japanese.
pub static AREAS: &[&str] = &[
    IDENTITY,
    AUTHENTICATION,
    REGISTRATION,
    QUALIFICATION,
    RESULT,
    FALLBACK,
    NOTICES,
];

impl Requirement {
    /// The systems under test this requirement is judged on: a defect of each makes
    /// one of its scenarios fail. Empty for information, and for a behaviour or rule
    /// that only onshi's own simulation decides (reported as information, not covered).
    #[must_use]
    pub const fn judged_by(&self) -> &'static [System] {
        systems::judged_by(self.id)
    }

    /// Whether this is a row of the report's traceability matrix: the rows of
    /// `requirements.md`, onshi's security requirements, and those of onshi's domain
    /// rules a system under test can fail (the 資格有効性 behaviours).
    #[must_use]
    pub const fn in_matrix(&self) -> bool {
        match self.origin {
            Origin::Seed | Origin::Notice | Origin::Security => true,
            Origin::Domain => !self.judged_by().is_empty(),
        }
    }
}

/// The rows of `requirements.md` (seed and notice origins), in its order.
pub fn documented() -> impl Iterator<Item = &'static Requirement> {
    CATALOGUE.iter().filter(|r| r.origin.in_requirements_md())
}

/// The rows of the report's traceability matrix: those of `requirements.md`, onshi's
/// domain rules a system can fail, then onshi's security requirements.
pub fn matrix_rows() -> impl Iterator<Item = &'static Requirement> {
    CATALOGUE.iter().filter(|r| r.in_matrix())
}

/// The rows of `requirements.md` that need an executable scenario (behaviour and rule),
/// in its order.
pub fn executable() -> impl Iterator<Item = &'static Requirement> {
    documented().filter(|r| r.kind.is_executable())
}

/// A catalogue entry with its dates resolved against a calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ResolvedRule {
    /// The entry.
    pub entry: &'static Requirement,
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
    /// One report line: `ID | kind | title | source | notice | from – to`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let e = self.entry;
        let date = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        write!(
            f,
            "{} | {:?} | {} | {} | {} | {} – {}",
            e.id,
            e.kind,
            e.title,
            e.source,
            e.notice.unwrap_or("-"),
            date(self.from),
            date(self.to)
        )
    }
}

impl RulesCalendar {
    /// The catalogue with this calendar's dates.
    pub fn catalogue(&self) -> Vec<ResolvedRule> {
        CATALOGUE.iter().map(|entry| self.resolve(entry)).collect()
    }

    /// One catalogue entry with this calendar's dates.
    pub fn resolve(&self, entry: &'static Requirement) -> ResolvedRule {
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
    use std::collections::HashSet;

    use super::*;
    use crate::rules::calendar::CalendarConfig;
    use crate::rules::dates::ymd;

    #[test]
    fn catalogue_lists_every_id_once_in_order() {
        assert_eq!(CATALOGUE.len(), RuleId::ALL.len());
        let mut seen = HashSet::new();
        for (i, id) in RuleId::ALL.iter().enumerate() {
            assert_eq!(CATALOGUE[i].id, *id, "row {i}");
            assert!(seen.insert(CATALOGUE[i].id), "{id} twice");
            assert_eq!(id.entry().id, *id);
            assert_eq!(RuleId::parse(id.code()), Some(*id));
            assert!(!id.entry().title.is_empty());
            assert!(!id.entry().source.is_empty());
        }
        assert_eq!(RuleId::parse("NOPE-1"), None);
    }

    #[test]
    fn origins_come_in_order_and_match_the_id() {
        let origins: Vec<Origin> = CATALOGUE.iter().map(|r| r.origin).collect();
        let mut order = origins.clone();
        order.dedup();
        assert_eq!(
            order,
            [
                Origin::Seed,
                Origin::Notice,
                Origin::Domain,
                Origin::Security
            ]
        );
        for r in CATALOGUE {
            let code = r.id.code();
            assert_eq!(
                code.starts_with("NOTICE-"),
                r.origin == Origin::Notice,
                "{code}"
            );
            assert_eq!(
                code.starts_with("DOM-"),
                r.origin == Origin::Domain,
                "{code}"
            );
            assert_eq!(
                code.starts_with("SEC-"),
                r.origin == Origin::Security,
                "{code}"
            );
            assert_eq!(r.area.is_some(), r.origin.in_requirements_md(), "{code}");
            assert_eq!(r.question.is_some(), r.origin == Origin::Seed, "{code}");
            if r.origin == Origin::Notice {
                assert_eq!(r.area, Some(NOTICES), "{code}");
            }
        }
    }

    #[test]
    fn every_field_is_filled_and_questions_are_short() {
        for r in CATALOGUE {
            for (field, value) in [
                ("title", r.title),
                ("summary", r.summary),
                ("summary_ja", r.summary_ja),
                ("source", r.source),
            ] {
                assert!(!value.trim().is_empty(), "{}: empty {field}", r.id);
            }
            if let Some(area) = r.area {
                assert!(AREAS.contains(&area), "{}: unknown area {area}", r.id);
            }
            if let Some(question) = r.question {
                assert!(!question.trim().is_empty(), "{}: empty question", r.id);
                let len = question.chars().count();
                assert!(len <= 200, "{}: question has {len} characters", r.id);
            }
        }
    }

    #[test]
    fn areas_appear_in_order_as_contiguous_sections() {
        let mut order: Vec<&str> = documented().filter_map(|r| r.area).collect();
        order.dedup();
        assert_eq!(order, AREAS);
    }

    #[test]
    fn executable_is_behaviour_and_rule_rows_only() {
        let ids: Vec<RuleId> = executable().map(|r| r.id).collect();
        let expected: Vec<RuleId> = documented()
            .filter(|r| r.kind != RequirementKind::Info)
            .map(|r| r.id)
            .collect();
        assert_eq!(ids, expected);
        assert!(!ids.contains(&RuleId::Faq4_22));
        assert!(!ids.contains(&RuleId::DomStart));
        assert!(ids.contains(&RuleId::Notice2025_06_27));
    }

    #[test]
    fn lookup_by_id() {
        let r = RuleId::Faq4_11.entry();
        assert_eq!(r.kind, RequirementKind::Behaviour);
        assert_eq!(r.source, "000 4-11");
        assert_eq!(r.origin, Origin::Seed);
        let notice = RuleId::NoticeKouki2026_07.entry();
        assert_eq!(notice.origin, Origin::Notice);
        assert_eq!(notice.kind, RequirementKind::Rule);
        assert_eq!(RuleId::DomCopayAge.entry().origin, Origin::Domain);
    }

    #[test]
    fn kinds_and_origins_serialise_as_words() {
        for kind in [
            RequirementKind::Behaviour,
            RequirementKind::Rule,
            RequirementKind::Info,
        ] {
            let json = serde_json::to_value(kind).expect("a kind serialises");
            assert_eq!(json, kind.as_str());
        }
        let json = serde_json::to_string(&[
            Origin::Seed,
            Origin::Notice,
            Origin::Domain,
            Origin::Security,
        ])
        .expect("origins serialise");
        assert_eq!(json, r#"["seed","notice","domain","security"]"#);
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
            "NOTICE-2025-06-27",
            "NOTICE-2025-11-12",
            "NOTICE-KOUKI-2026-07",
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
            "NOTICE-2025-11-12 | Rule | 暫定措置：期限切れの被用者保険の保険証又はお知らせのみでも番号によるオンライン確認で通常負担 | 事務連絡 2025-11-12 (domain.md) | 2025-11-12 事務連絡 | 2025-11-12 – 2026-03-31"
        );

        let kouki = cal.resolve(RuleId::NoticeKouki2026_07.entry());
        assert_eq!(kouki.from, Some(ymd(2024, 12, 2)));
        assert_eq!(kouki.to, Some(ymd(2026, 7, 31)));

        let moved = RulesCalendar::new(
            CalendarConfig::default().with_date(DateKey::TemporaryMeasureLastDay, ymd(2026, 9, 30)),
        )
        .unwrap();
        let rows = moved.catalogue();
        assert_eq!(rows.len(), CATALOGUE.len());
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

#[cfg(test)]
mod requirements_md_tests;

//! The clinic's decision: on what basis the patient is treated, the copay, the rules
//! applied and notes for the report.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::age::AgeBand;
use super::calendar::DateWindow;
use super::catalogue::RuleId;
use super::copay::RatioSource;
use super::documents::{DocumentKind, KakuninStatus, OldCardStatus};
use super::visit::{ConfirmationFailure, Unavailability};
use crate::codes::{ContributionRatio, QualificationValidity};

/// Which document the temporary measure accepted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum TemporaryDocument {
    /// An expired 健康保険証.
    ExpiredInsuranceCard,
    /// A 資格情報のお知らせ without the card.
    NoticeAlone,
}

/// The positive evidence that a person is not insured — the only way to 10割.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NotInsuredEvidence {
    /// No valid document and the patient declined the 被保険者資格申立書.
    DeclinedDeclaration,
    /// No valid document and the patient states they are uninsured.
    DeclaredUninsured,
}

/// The basis on which the clinic bills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Basis {
    /// マイナ保険証によるオンライン資格確認 (FAQ-4-5).
    OnlineCard,
    /// マイナンバーカード + 資格情報のお知らせ (FAQ-4-5, KQ-6).
    CardWithNotice,
    /// マイナンバーカード + マイナポータル資格情報画面 (KQ-6).
    CardWithPortalScreen,
    /// 資格確認書 (TRN-KAKUNIN, FAQ-4-19).
    ConfirmationCertificate,
    /// 従来の健康保険証 (KQ-3, until 2025-12-01).
    OldInsuranceCard,
    /// A school-trip / nursery copy presented by a teacher or carer (TRN-SCHOOL).
    SchoolEventCopy,
    /// 暫定措置: an expired card or the お知らせ alone, checked online by the printed
    /// numbers (FLY-NOTICE-ALONE, until 2026-03-31).
    TemporaryMeasure(TemporaryDocument),
    /// 被保険者資格申立書 with the normal copay (保発0710第1号, FAQ-4-14, OKA-DV, TRN-NO10).
    Declaration,
    /// Positive evidence of no insurance: the whole cost (10割).
    NotInsured(NotInsuredEvidence),
}

impl Basis {
    /// Whether the patient is treated as insured (normal copay).
    pub const fn is_insured_care(self) -> bool {
        !matches!(self, Self::NotInsured(_))
    }

    /// Japanese name.
    pub const fn label(self) -> &'static str {
        match self {
            Self::OnlineCard => "マイナ保険証（オンライン資格確認）",
            Self::CardWithNotice => "マイナンバーカード＋資格情報のお知らせ",
            Self::CardWithPortalScreen => "マイナンバーカード＋マイナポータル資格情報画面",
            Self::ConfirmationCertificate => "資格確認書",
            Self::OldInsuranceCard => "健康保険証",
            Self::SchoolEventCopy => "修学旅行等の資格情報（PDF・お知らせ写し）",
            Self::TemporaryMeasure(TemporaryDocument::ExpiredInsuranceCard) => {
                "暫定措置（期限切れ保険証＋オンライン確認）"
            }
            Self::TemporaryMeasure(TemporaryDocument::NoticeAlone) => {
                "暫定措置（資格情報のお知らせのみ＋オンライン確認）"
            }
            Self::Declaration => "被保険者資格申立書",
            Self::NotInsured(_) => "保険資格なし（10割）",
        }
    }
}

impl fmt::Display for Basis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.label())
    }
}

/// Which online path a note is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Via {
    /// The card at the reader (照会区分 1).
    Card,
    /// The printed numbers (照会区分 2).
    Numbers,
}

/// Why the decision came out as it did, step by step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Note {
    /// An online path could not be used.
    Unavailable(Via, Unavailability),
    /// An online path produced no answer.
    Failed(Via, ConfirmationFailure),
    /// The answer was not 有効 (FAQ-4-14).
    NotValid(Via, QualificationValidity),
    /// The answer belonged to another person and was discarded (FAQ-4-17).
    AnotherPerson(Via),
    /// An old 健康保険証 that is not valid.
    OldCardRejected(OldCardStatus),
    /// A 資格確認書 that is not valid.
    KakuninRejected(KakuninStatus),
    /// A school-trip copy before that handling started (TRN-SCHOOL).
    SchoolCopyTooEarly,
    /// An お知らせ or portal screen without the card, outside the temporary measure
    /// (FLY-NOTICE-ALONE).
    AloneNotAccepted(DocumentKind),
    /// A document eligible for the temporary measure, but no usable online check by
    /// its numbers.
    TemporaryMeasureNeedsNumberCheck(DocumentKind),
    /// A document of the temporary measure's kind, outside its window for the insurer.
    OutsideTemporaryMeasure(DocumentKind, DateWindow),
    /// No ratio was carried; it was derived from the age band (DOM-COPAY-AGE).
    RatioDerived(AgeBand),
    /// The patient declined the 申立書 or declared no insurance.
    NoDeclaration(NotInsuredEvidence),
}

impl fmt::Display for Via {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Card => "カード",
            Self::Numbers => "番号",
        })
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unavailable(via, why) => write!(f, "{via}による確認不可: {why:?}"),
            Self::Failed(via, failure) => write!(f, "{via}による確認失敗: {failure:?}"),
            Self::NotValid(via, validity) => {
                write!(f, "{via}による確認結果: 資格（{}）", validity.label())
            }
            Self::AnotherPerson(via) => write!(f, "{via}による確認結果が別人の情報のため不使用"),
            Self::OldCardRejected(status) => write!(f, "健康保険証は無効: {status:?}"),
            Self::KakuninRejected(status) => write!(f, "資格確認書は無効: {status:?}"),
            Self::SchoolCopyTooEarly => f.write_str("修学旅行等の取扱い開始前"),
            Self::AloneNotAccepted(kind) => {
                write!(f, "{}のみでは保険診療不可（暫定措置期間外）", kind.label())
            }
            Self::TemporaryMeasureNeedsNumberCheck(kind) => {
                write!(
                    f,
                    "{}: 暫定措置には番号によるオンライン確認が必要",
                    kind.label()
                )
            }
            Self::OutsideTemporaryMeasure(kind, window) => write!(
                f,
                "{}: 暫定措置期間（{}〜{}）外",
                kind.label(),
                window.from,
                window.to
            ),
            Self::RatioDerived(band) => write!(f, "負担割合なし: {}として導出", band.label()),
            Self::NoDeclaration(NotInsuredEvidence::DeclinedDeclaration) => {
                f.write_str("被保険者資格申立書の記入を拒否")
            }
            Self::NoDeclaration(NotInsuredEvidence::DeclaredUninsured) => {
                f.write_str("保険未加入と申告")
            }
        }
    }
}

/// The outcome of the clinic step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ClinicDecision {
    /// On what basis the patient is treated.
    pub basis: Basis,
    /// 窓口負担割合.
    pub copay: ContributionRatio,
    /// Where the copay came from; `None` for 10割 (not insured).
    pub ratio_source: Option<RatioSource>,
    /// Every rule applied, in order, without duplicates.
    pub rule_ids: Vec<RuleId>,
    /// Why, step by step.
    pub notes: Vec<Note>,
}

impl ClinicDecision {
    /// Whether the decision charges the whole cost (10割).
    pub const fn is_full_cost(&self) -> bool {
        self.copay.is_full_cost()
    }
}

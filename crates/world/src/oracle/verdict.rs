//! Verdicts: what the oracle concluded about one visit, with evidence.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The checks the oracle knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// The copay charged equals the copay the ground truth calls for.
    CopayCorrect,
    /// An insured person was not charged 10割 (critical).
    NoFullCostForInsured,
    /// Every result belongs to the person who presented the card or numbers (critical).
    RightPerson,
    /// Nobody read the My Number or 照合番号A, and no request carried a My Number
    /// (critical).
    NoMyNumber,
    /// No VERIFY was sent to a PIN the card had reported locked.
    NoPinAfterLock,
    /// Medical information was not made available without consent.
    NoMedicalInfoWithoutConsent,
    /// The result carries the ratio the insurer recorded (none dropped, none altered).
    RatioCarried,
    /// The clinic accepted お知らせ alone only while the calendar allowed it.
    NoticeAloneOnlyWhenAllowed,
    /// The clinic accepted an old 保険証 only while the calendar allowed it.
    OldCardOnlyWhenAllowed,
    /// A revoked or long-expired certificate was refused.
    RevokedRefused,
    /// A replayed challenge was refused.
    ReplayRefused,
    /// A PIN-path confirmation from a locked card's session was refused.
    LockedSessionRefused,
    /// A My Number used as an identifier was refused.
    MyNumberRefused,
    /// A forged authentication (signature, certificate or reader attestation) was
    /// refused: it would let anyone read a stranger's record (critical).
    ForgeryRefused,
    /// The qualification validity shown matches the ground truth.
    ValidityMatchesTruth,
    /// A reader under test reported what the backend's audit shows (no fabricated
    /// result or registration).
    ReaderMatchesBackend,
    /// A reader under test answered the visit as the reader-control API says (200 with
    /// a readable answer, the card taken in time). A reader that does not is never
    /// mistaken for a backend that is down: the visit fails.
    ReaderAnswered,
    /// A clinic under test answered the visit as the clinic-control API says (200 with
    /// a readable decision). A clinic that does not fails the visit: no decision is
    /// ever taken for a pass.
    ClinicAnswered,
    /// A clinic under test reported the numbers queries the backend's audit shows: none
    /// hidden, no answer the backend did not give.
    ClinicMatchesBackend,
    /// The clinic stored no image of the card's back, which carries the My Number
    /// (FAQ-4-6; critical).
    CardBackNeverCopied,
}

impl Check {
    /// Whether failing this check is a critical defect (patient harm or privacy breach).
    pub const fn critical(self) -> bool {
        matches!(
            self,
            Self::NoFullCostForInsured
                | Self::RightPerson
                | Self::NoMyNumber
                | Self::ForgeryRefused
                | Self::CardBackNeverCopied
        )
    }

    /// A Japanese label for reports.
    pub const fn label_ja(self) -> &'static str {
        match self {
            Self::CopayCorrect => "負担割合が正しい",
            Self::NoFullCostForInsured => "被保険者に10割負担をさせない",
            Self::RightPerson => "本人以外の資格情報を表示しない",
            Self::NoMyNumber => "個人番号・照合番号Aを扱わない",
            Self::NoPinAfterLock => "ロック後に暗証番号を送らない",
            Self::NoMedicalInfoWithoutConsent => "同意なしに診療情報等を提供しない",
            Self::RatioCarried => "負担割合が結果に含まれる",
            Self::NoticeAloneOnlyWhenAllowed => "お知らせ単独は経過措置期間のみ",
            Self::OldCardOnlyWhenAllowed => "従来の保険証は有効期間のみ",
            Self::RevokedRefused => "失効した証明書を拒否する",
            Self::ReplayRefused => "再送されたチャレンジを拒否する",
            Self::LockedSessionRefused => "ロックされたカードの暗証番号方式を拒否する",
            Self::MyNumberRefused => "個人番号による照会を拒否する",
            Self::ForgeryRefused => "偽造された認証を拒否する",
            Self::ValidityMatchesTruth => "資格有効性が実態と一致する",
            Self::ReaderMatchesBackend => "カードリーダーの報告が資格確認システムの記録と一致する",
            Self::ReaderAnswered => "カードリーダーが所定の形式で応答する",
            Self::ClinicAnswered => "医療機関システムが所定の形式で応答する",
            Self::ClinicMatchesBackend => {
                "医療機関システムの報告が資格確認システムの記録と一致する"
            }
            Self::CardBackNeverCopied => "マイナンバーカードの裏面を複写・保管しない",
        }
    }
}

impl fmt::Display for Check {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        f.write_str(&s)
    }
}

/// One conclusion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// Which check.
    pub check: Check,
    /// Whether it passed.
    pub passed: bool,
    /// What was found, in one sentence.
    pub message: String,
    /// Evidence lines (APDUs, response fields, rule IDs).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<String>,
}

impl Verdict {
    /// A passing verdict.
    pub fn pass(check: Check, message: impl Into<String>) -> Self {
        Self {
            check,
            passed: true,
            message: message.into(),
            evidence: Vec::new(),
        }
    }

    /// A failing verdict.
    pub fn fail(check: Check, message: impl Into<String>) -> Self {
        Self {
            check,
            passed: false,
            message: message.into(),
            evidence: Vec::new(),
        }
    }

    /// Adds evidence.
    pub fn with(mut self, evidence: impl Into<String>) -> Self {
        self.evidence.push(evidence.into());
        self
    }

    /// Whether this is a failed critical check.
    pub fn is_critical_failure(&self) -> bool {
        !self.passed && self.check.critical()
    }

    /// Whether this failure ends the visit's step: a critical one, or a reader or
    /// clinic under test that did not answer (nothing it did can be judged).
    pub fn fails_the_visit(&self) -> bool {
        !self.passed
            && (self.check.critical()
                || matches!(self.check, Check::ReaderAnswered | Check::ClinicAnswered))
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let status = match (self.passed, self.check.critical()) {
            (true, _) => "PASS",
            (false, true) => "CRITICAL",
            (false, false) => "FAIL",
        };
        write!(
            f,
            "{status} {} ({}): {}",
            self.check,
            self.check.label_ja(),
            self.message
        )
    }
}

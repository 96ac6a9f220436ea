//! Requirement IDs (`requirements.md`): the typed name every rule, refusal and decision
//! cites. IDs starting with `DOM-` are rules taken from `domain.md` that have no ID in
//! `requirements.md` yet.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::catalogue::{CATALOGUE, RuleEntry};

/// Declares [`RuleId`] with its wire spelling.
macro_rules! rule_ids {
    ($( $(#[$meta:meta])* $variant:ident = $code:literal ),+ $(,)?) => {
        /// A requirement ID (`FAQ-4-10`, `OKA-REG-24H`, …).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum RuleId {
            $( $(#[$meta])* $variant ),+
        }

        impl RuleId {
            /// Every ID, in catalogue order.
            pub const ALL: &'static [RuleId] = &[$(RuleId::$variant),+];

            /// The ID as written in `requirements.md` and in Gherkin tags.
            pub const fn code(self) -> &'static str {
                match self { $(RuleId::$variant => $code),+ }
            }
        }
    };
}

rule_ids! {
    /// オンライン資格確認の本格運用 (2021-10-20).
    DomStart = "DOM-START",
    /// 医療機関等へのオンライン資格確認の原則義務化.
    Faq4_2 = "FAQ-4-2",
    /// 顔認証マイナンバーカード.
    DomPinLess = "DOM-PINLESS",
    /// 医療扶助のオンライン資格確認.
    Faq4_12 = "FAQ-4-12",
    /// 訪問診療・オンライン診療・訪問看護.
    Faq4_13 = "FAQ-4-13",
    /// 同意画面の包括同意化.
    DomConsent = "DOM-CONSENT",
    /// 同意による医療情報の共有・限度額.
    Faq4_1 = "FAQ-4-1",
    /// 持参不要となる証類.
    Faq4_8 = "FAQ-4-8",
    /// 薬剤・健診・医療費通知情報の閲覧範囲.
    FlyData = "FLY-DATA",
    /// 利用者証明用電子証明書の更新案内.
    DomCertRenew = "DOM-CERT-RENEW",
    /// 利用者証明用電子証明書の有効期限後3か月.
    DomCertGrace = "DOM-CERT-GRACE",
    /// 保険証利用登録の方法.
    Kq1 = "KQ-1",
    /// 顔認証マイナンバーカードの登録.
    OkaFaceOnly = "OKA-FACEONLY",
    /// 登録に必要なもの.
    OkaPrereq = "OKA-PREREQ",
    /// 暗証番号ロック時の顔認証.
    Faq4_11 = "FAQ-4-11",
    /// 更新後24時間の登録不可.
    OkaReg24h = "OKA-REG-24H",
    /// 有効期限5日以内の登録不可.
    OkaReg5d = "OKA-REG-5D",
    /// 保険者未登録時の利用登録不可.
    Faq4_15 = "FAQ-4-15",
    /// カードのみで受診.
    Faq4_5 = "FAQ-4-5",
    /// 他人の情報の表示.
    Faq4_17 = "FAQ-4-17",
    /// ICチップの改ざん防止.
    Faq4_21 = "FAQ-4-21",
    /// 資格（無効）・資格情報なし.
    Faq4_14 = "FAQ-4-14",
    /// 被保険者資格申立書.
    Faq4_6 = "FAQ-4-6",
    /// DV等被害者の不開示.
    OkaDv = "OKA-DV",
    /// カードリーダー故障時等.
    Kq6 = "KQ-6",
    /// 令和6年12月以降の受診方法.
    Kq3 = "KQ-3",
    /// 保険証の発行終了.
    Faq4_10 = "FAQ-4-10",
    /// 保険証の最長1年間の経過措置.
    TrnMax1y = "TRN-MAX1Y",
    /// 国保・後期の保険証の一斉有効期限.
    DomNhiExpiry = "DOM-NHI-EXPIRY",
    /// カード紛失時.
    Faq4_19 = "FAQ-4-19",
    /// 資格確認書.
    TrnKakunin = "TRN-KAKUNIN",
    /// 後期高齢者への資格確認書の一律交付（2026-07-31まで延長）.
    NoticeKouki2026_07 = "NOTICE-KOUKI-2026-07",
    /// 資格確認書の有効期間.
    DomKakuninMax5y = "DOM-KAKUNIN-MAX5Y",
    /// お知らせのみでは受診不可.
    FlyNoticeAlone = "FLY-NOTICE-ALONE",
    /// 暫定措置（国保・後期）.
    Notice2025_06_27 = "NOTICE-2025-06-27",
    /// 暫定措置（被用者保険）.
    Notice2025_11_12 = "NOTICE-2025-11-12",
    /// 修学旅行・保育所.
    TrnSchool = "TRN-SCHOOL",
    /// 10割負担にならない.
    TrnNo10 = "TRN-NO10",
    /// 結果の負担割合を用いる.
    DomCopayRatio = "DOM-COPAY-RATIO",
    /// 年齢による負担割合の導出.
    DomCopayAge = "DOM-COPAY-AGE",
}

impl RuleId {
    /// Parses the written form (`"FAQ-4-10"`).
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|id| id.code() == code.trim())
    }

    /// The catalogue entry of this rule.
    pub fn entry(self) -> &'static RuleEntry {
        // The catalogue lists every ID in `ALL` order (checked by a test).
        &CATALOGUE[self as usize]
    }
}

impl fmt::Display for RuleId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for RuleId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for RuleId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).ok_or_else(|| serde::de::Error::custom(format!("unknown rule {s:?}")))
    }
}

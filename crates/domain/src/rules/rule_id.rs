//! Requirement IDs: the typed name every rule, refusal and decision cites, and the key
//! of the catalogue ([`super::catalogue`]). Every row of `requirements.md` has one (its
//! seed rows and its later notices, `NOTICE-…`); IDs starting with `DOM-` are onshi's
//! own names for rules taken from `domain.md` that `requirements.md` does not number.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::catalogue::{CATALOGUE, Requirement};

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
    /// マイナンバーを取り扱わない資格確認.
    Faq4_9 = "FAQ-4-9",
    /// 被保険者資格申立書.
    Faq4_6 = "FAQ-4-6",
    /// ICチップの改ざん防止.
    Faq4_21 = "FAQ-4-21",
    /// マイナンバーだけでは何も引き出せない.
    Faq4_20 = "FAQ-4-20",
    /// 他人の情報の表示.
    Faq4_17 = "FAQ-4-17",
    /// 顔写真の照合と非保存.
    FlyPhoto = "FLY-PHOTO",
    /// マイナンバーを扱える者.
    Faq4_22 = "FAQ-4-22",
    /// 暗証番号ロック時の顔認証.
    Faq4_11 = "FAQ-4-11",
    /// 子どもの本人確認.
    Faq4_7 = "FAQ-4-7",
    /// カードを置く支援.
    TrnAssist = "TRN-ASSIST",
    /// 代理人の暗証番号入力・目視確認.
    TrnProxy = "TRN-PROXY",
    /// 顔認証マイナンバーカードの登録.
    OkaFaceOnly = "OKA-FACEONLY",
    /// カードリーダーでの受付の流れ.
    FlyHowto = "FLY-HOWTO",
    /// 保険証利用登録の方法.
    Kq1 = "KQ-1",
    /// 更新後24時間の登録不可.
    OkaReg24h = "OKA-REG-24H",
    /// 有効期限5日以内の登録不可.
    OkaReg5d = "OKA-REG-5D",
    /// 保険者未登録時の利用登録不可.
    Faq4_15 = "FAQ-4-15",
    /// 登録に必要なもの.
    OkaPrereq = "OKA-PREREQ",
    /// 資格（無効）・資格情報なし.
    Faq4_14 = "FAQ-4-14",
    /// 資格取得届から利用可能までの日数.
    Kq4 = "KQ-4",
    /// 届出の遅れ・番号の記載漏れ.
    Kq5 = "KQ-5",
    /// 保険者の異動.
    Faq4_4 = "FAQ-4-4",
    /// 反映待ち中の医療情報.
    Faq4_16 = "FAQ-4-16",
    /// DV等被害者の不開示.
    OkaDv = "OKA-DV",
    /// オンライン資格確認の仕組み.
    Kq7 = "KQ-7",
    /// 同意による医療情報の共有・限度額.
    Faq4_1 = "FAQ-4-1",
    /// 持参不要となる証類.
    Faq4_8 = "FAQ-4-8",
    /// 限度額の適用範囲.
    TrnQ1 = "TRN-Q1",
    /// 保険料の納付状況と公費.
    OkaPremium = "OKA-PREMIUM",
    /// 薬剤・健診・医療費通知情報の閲覧範囲.
    FlyData = "FLY-DATA",
    /// 医療扶助のオンライン資格確認.
    Faq4_12 = "FAQ-4-12",
    /// 訪問診療・オンライン診療・訪問看護.
    Faq4_13 = "FAQ-4-13",
    /// カードのみで受診.
    Faq4_5 = "FAQ-4-5",
    /// カードリーダー故障時等.
    Kq6 = "KQ-6",
    /// お知らせのみでは受診不可.
    FlyNoticeAlone = "FLY-NOTICE-ALONE",
    /// 令和6年12月以降の受診方法.
    Kq3 = "KQ-3",
    /// 保険証の発行終了.
    Faq4_10 = "FAQ-4-10",
    /// 保険証の最長1年間の経過措置.
    TrnMax1y = "TRN-MAX1Y",
    /// カード紛失時.
    Faq4_19 = "FAQ-4-19",
    /// 資格確認書.
    TrnKakunin = "TRN-KAKUNIN",
    /// 10割負担にならない.
    TrnNo10 = "TRN-NO10",
    /// 修学旅行・保育所.
    TrnSchool = "TRN-SCHOOL",
    /// 資格情報のお知らせの交付.
    FlyNoticeIssue = "FLY-NOTICE-ISSUE",
    /// 医療機関等へのオンライン資格確認の原則義務化.
    Faq4_2 = "FAQ-4-2",
    /// 詳しい情報.
    Faq4_3 = "FAQ-4-3",
    /// 登録情報の確認方法.
    Faq4_18 = "FAQ-4-18",
    /// 資格喪失時の保険証の返却.
    Kq2 = "KQ-2",
    /// 暫定措置（国保・後期）.
    Notice2025_06_27 = "NOTICE-2025-06-27",
    /// 暫定措置（被用者保険）.
    Notice2025_11_12 = "NOTICE-2025-11-12",
    /// 後期高齢者への資格確認書の一律交付（2026-07-31まで延長）.
    NoticeKouki2026_07 = "NOTICE-KOUKI-2026-07",
    /// オンライン資格確認の本格運用 (2021-10-20).
    DomStart = "DOM-START",
    /// 顔認証マイナンバーカード.
    DomPinLess = "DOM-PINLESS",
    /// 同意画面の包括同意化.
    DomConsent = "DOM-CONSENT",
    /// 利用者証明用電子証明書の更新案内.
    DomCertRenew = "DOM-CERT-RENEW",
    /// 利用者証明用電子証明書の有効期限後3か月.
    DomCertGrace = "DOM-CERT-GRACE",
    /// 国保・後期の保険証の一斉有効期限.
    DomNhiExpiry = "DOM-NHI-EXPIRY",
    /// 資格確認書の有効期間.
    DomKakuninMax5y = "DOM-KAKUNIN-MAX5Y",
    /// 結果の負担割合を用いる.
    DomCopayRatio = "DOM-COPAY-RATIO",
    /// 年齢による負担割合の導出.
    DomCopayAge = "DOM-COPAY-AGE",
    /// 被保険者証区分による窓口負担（医療扶助0割、特別療養費10割）.
    DomCopayClass = "DOM-COPAY-CLASS",
    /// 複数該当: 枝番のない照会に複数の者が該当したら誰の資格も示さない.
    DomValidityMultiple = "DOM-VALIDITY-MULTIPLE",
    /// 有効（未登録）: 医療券が未登録の医療扶助受給者は有効として扱う.
    DomValidityUnregistered = "DOM-VALIDITY-UNREGISTERED",
    /// 回線障害の間の申立書と、回復後の緊急時医療情報・資格確認機能による確認.
    DomOutageRecovery = "DOM-OUTAGE-RECOVERY",
    /// 暗証番号方式: カードの署名をこのチャレンジと証明書の鍵で検証する.
    SecPinSignature = "SEC-PIN-SIGNATURE",
    /// 暗証番号がロックされたカードのセッションを受け付けない.
    SecPinLocked = "SEC-PIN-LOCKED",
    /// 利用者証明用電子証明書は JPKI のルートが発行したものに限る.
    SecCertIssuer = "SEC-CERT-ISSUER",
    /// 証明書の署名を検証する（発行後の改ざんを見抜く）.
    SecCertSignature = "SEC-CERT-SIGNATURE",
    /// 猶予期間を過ぎて失効した証明書では資格確認できない.
    SecCertExpired = "SEC-CERT-EXPIRED",
    /// 失効リストにある証明書では資格確認できない.
    SecCertRevoked = "SEC-CERT-REVOKED",
    /// チャレンジは1回限り.
    SecChallengeReplay = "SEC-CHALLENGE-REPLAY",
    /// 医療機関に発行したチャレンジは、その医療機関の要求にだけ使える.
    SecChallengeFacility = "SEC-CHALLENGE-FACILITY",
    /// 有効期限を過ぎたチャレンジは使えない.
    SecChallengeExpired = "SEC-CHALLENGE-EXPIRED",
    /// 顔認証・目視の証明は認証局が発行した端末証明書によるものに限る.
    SecReaderChain = "SEC-READER-CHAIN",
    /// 端末証明書は照会する医療機関のもの.
    SecReaderFacility = "SEC-READER-FACILITY",
    /// 有効期限切れの端末証明書は受け付けない.
    SecReaderExpired = "SEC-READER-EXPIRED",
    /// 端末の証明はこのチャレンジ・証明書・方式・医療機関に対するもの.
    SecAttestation = "SEC-ATTESTATION",
    /// 顔認証はしきい値以上の照合でのみ成立する.
    SecFaceThreshold = "SEC-FACE-THRESHOLD",
}

impl RuleId {
    /// Parses the written form (`"FAQ-4-10"`).
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .copied()
            .find(|id| id.code() == code.trim())
    }

    /// The catalogue entry of this requirement.
    pub fn entry(self) -> &'static Requirement {
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

//! Code tables of the online-qualification interface (別紙5-1 業務コード, `OQSCDnnn`)
//! and the small value types they travel in.
//!
//! Every code is a typed enum with its wire value in the doc comment; nothing outside
//! this module should spell `"030"` or `"2"` by hand. Parsing is strict: an unknown
//! value is an error naming the field, never a silent default.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A code value that did not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid {field}: {value:?} ({reason})")]
pub struct CodeError {
    /// The field (element) name, e.g. `QualificationValidity`.
    pub field: &'static str,
    /// The offending input.
    pub value: String,
    /// Why it was refused.
    pub reason: &'static str,
}

impl CodeError {
    fn new(field: &'static str, value: &str, reason: &'static str) -> Self {
        Self {
            field,
            value: value.to_owned(),
            reason,
        }
    }
}

/// Declares a code enum with its wire strings, `code()`, `parse()`, `Display`, and
/// serde as the wire string.
macro_rules! code_enum {
    (
        $(#[$meta:meta])*
        $name:ident, $field:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $wire:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// The element name this code belongs to.
            pub const FIELD: &'static str = $field;
            /// Every value, in table order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The wire value.
            pub const fn code(self) -> &'static str {
                match self { $($name::$variant => $wire),+ }
            }

            /// Parses a wire value (surrounding ASCII whitespace is ignored).
            pub fn parse(value: &str) -> Result<Self, CodeError> {
                match value.trim() {
                    $($wire => Ok($name::$variant),)+
                    _ => Err(CodeError::new($field, value, "not in the code table")),
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }

        impl std::str::FromStr for $name {
            type Err = CodeError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                Self::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

code_enum! {
    /// 照会区分 ReferenceClassification (OQSCD002).
    ReferenceClassification, "ReferenceClassification" {
        /// `1` マイナンバーカード
        MyNumberCard = "1",
        /// `2` 被保険者証情報 (numbers from a card, 資格確認書 or お知らせ)
        InsuranceCardNumbers = "2",
    }
}

code_enum! {
    /// 処理結果区分 SegmentOfResult (OQSCD003): the outcome of the whole message.
    SegmentOfResult, "SegmentOfResult" {
        /// `1` 正常終了
        Normal = "1",
        /// `2` 処理中
        InProgress = "2",
        /// `9` 異常終了
        Abnormal = "9",
    }
}

code_enum! {
    /// 処理結果状況 ProcessingResultStatus (OQSCD004): the outcome for one person.
    ProcessingResultStatus, "ProcessingResultStatus" {
        /// `1` 正常終了
        Normal = "1",
        /// `2` エラー
        Error = "2",
    }
}

code_enum! {
    /// 資格有効性 QualificationValidity (OQSCD006).
    QualificationValidity, "QualificationValidity" {
        /// `1` 有効
        Valid = "1",
        /// `2` 無効
        Invalid = "2",
        /// `3` 無効（新しい資格あり）
        InvalidNewQualificationExists = "3",
        /// `4` 該当資格なし
        NoMatchingQualification = "4",
        /// `5` 複数該当
        MultipleMatches = "5",
        /// `6` 有効（未登録）— 医療扶助 only
        ValidUnregistered = "6",
    }
}

impl QualificationValidity {
    /// The Japanese label shown on the terminal.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Valid => "有効",
            Self::Invalid => "無効",
            Self::InvalidNewQualificationExists => "無効（新しい資格あり）",
            Self::NoMatchingQualification => "該当資格なし",
            Self::MultipleMatches => "複数該当",
            Self::ValidUnregistered => "有効（未登録）",
        }
    }

    /// Whether the result lets the clinic bill the insurer without further documents.
    pub const fn is_valid(self) -> bool {
        matches!(self, Self::Valid | Self::ValidUnregistered)
    }
}

code_enum! {
    /// 性別 Sex1 / Sex2 (OQSCD007).
    Sex, "Sex1" {
        /// `1` 男
        Male = "1",
        /// `2` 女
        Female = "2",
        /// `3` 未設定
        Unset = "3",
    }
}

code_enum! {
    /// 資格喪失事由 ReasonOfLoss (OQSCD008).
    ReasonOfLoss, "ReasonOfLoss" {
        /// `01` 死亡
        Death = "01",
        /// `02` 生活保護受給開始
        PublicAssistanceStarted = "02",
        /// `03` 医療保険等の資格取得
        OtherInsuranceAcquired = "03",
        /// `99` その他
        Other = "99",
    }
}

code_enum! {
    /// 本人・家族の別 PersonalFamilyClassification (OQSCD009).
    PersonalFamilyClassification, "PersonalFamilyClassification" {
        /// `1` 本人
        Insured = "1",
        /// `2` 家族
        Dependant = "2",
    }
}

code_enum! {
    /// 被保険者証区分 InsuredCardClassification (OQSCD010).
    InsuredCardClassification, "InsuredCardClassification" {
        /// `01` 一般
        General = "01",
        /// `02` 退職
        Retired = "02",
        /// `03` 短期（一般）
        ShortTermGeneral = "03",
        /// `04` 短期（退職）
        ShortTermRetired = "04",
        /// `05` 被保険者資格証明書 / 特別療養費支給対象者
        QualificationCertificate = "05",
        /// `06` 特例退職
        SpecialRetired = "06",
        /// `07` 自衛官診療証
        SelfDefenseForces = "07",
        /// `A1` 医療扶助
        MedicalAid = "A1",
    }
}

code_enum! {
    /// 限度額適用認定証区分 LimitApplicationCertificateClassification (OQSCD011).
    LimitCertificateClassification, "LimitApplicationCertificateClassification" {
        /// `01` 限度額適用認定証
        Limit = "01",
        /// `02` 限度額適用・標準負担額減額認定証
        LimitAndReduction = "02",
        /// `03` 標準負担額減額認定証
        Reduction = "03",
    }
}

code_enum! {
    /// 適用区分 LimitApplicationCertificateClassificationFlag (OQSCD012).
    /// `A..` for under 70, `B..` for 70 and over.
    LimitClass, "LimitApplicationCertificateClassificationFlag" {
        /// `A01` ア
        A01 = "A01",
        /// `A02` イ
        A02 = "A02",
        /// `A03` ウ
        A03 = "A03",
        /// `A04` エ
        A04 = "A04",
        /// `A05` オ
        A05 = "A05",
        /// `A06` オ（境）
        A06 = "A06",
        /// `B01` 現役並みⅢ
        B01 = "B01",
        /// `B02` 現役並みⅡ
        B02 = "B02",
        /// `B03` 現役並みⅠ
        B03 = "B03",
        /// `B04` 一般 (70–74)
        B04 = "B04",
        /// `B05` 低所得Ⅱ
        B05 = "B05",
        /// `B06` 低所得Ⅰ
        B06 = "B06",
        /// `B07` 低所得Ⅰ（老福）
        B07 = "B07",
        /// `B08` 低所得Ⅰ（境）
        B08 = "B08",
        /// `B09` 一般Ⅱ (後期)
        B09 = "B09",
        /// `B10` 一般Ⅰ (後期)
        B10 = "B10",
    }
}

impl LimitClass {
    /// Whether the class belongs to people aged 70 and over (`B..`).
    pub fn is_seventy_plus(self) -> bool {
        self.code().starts_with('B')
    }
}

code_enum! {
    /// 特定疾病区分 SpecificDiseasesDiseaseCategory (OQSCD013).
    SpecificDiseaseCategory, "SpecificDiseasesDiseaseCategory" {
        /// `1` 人工透析を要する慢性腎不全
        ChronicRenalFailureDialysis = "1",
        /// `2` 先天性血液凝固因子障害
        CongenitalCoagulationDisorder = "2",
        /// `3` 血液凝固因子製剤起因HIV
        CoagulationFactorHiv = "3",
    }
}

code_enum! {
    /// 未就学区分 PreschoolClassification (OQSCD015).
    PreschoolClassification, "PreschoolClassification" {
        /// `1` 未就学該当
        Preschool = "1",
    }
}

code_enum! {
    /// 同意フラグ (OQSCD016) for 特定疾病, 特定健診, 薬剤, 診療, 手術 information.
    ConsentFlag, "ConsFlg" {
        /// `0` 同意なし
        NotGiven = "0",
        /// `1` 同意あり
        Given = "1",
        /// `2` 同意有効期限切れ
        Expired = "2",
        /// `3` 同意取得困難
        Impossible = "3",
    }
}

code_enum! {
    /// 限度額情報提供同意フラグ LimitApplicationCertificateRelatedConsFlg (OQSCD001).
    LimitConsentFlag, "LimitApplicationCertificateRelatedConsFlg" {
        /// `0` 未同意
        NotGiven = "0",
        /// `1` 同意
        Given = "1",
    }
}

code_enum! {
    /// 処方箋発行形態 PrescriptionIssueSelect (OQSCD017).
    PrescriptionIssueSelect, "PrescriptionIssueSelect" {
        /// `1` 電子処方箋
        Electronic = "1",
        /// `2` 紙の処方箋
        Paper = "2",
    }
}

code_enum! {
    /// 診療区分 MedicalTreatmentFlag (OQSCD028).
    MedicalTreatmentFlag, "MedicalTreatmentFlag" {
        /// `1` 外来
        Outpatient = "1",
        /// `2` 訪問診療等
        HomeVisit = "2",
        /// `3` オンライン診療等
        Online = "3",
        /// `4` 救急時
        Emergency = "4",
    }
}

/// 文字コード識別 CharacterCodeIdentifier (OQSCD005).
///
/// Two tables circulate (`0` = UTF-8 / `1` = Shift_JIS, and `1` = UTF-8 / `2` =
/// Shift_JIS); we read both and write the second.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CharacterEncoding {
    /// UTF-8
    Utf8,
    /// Shift_JIS
    ShiftJis,
}

impl CharacterEncoding {
    /// The element name.
    pub const FIELD: &'static str = "CharacterCodeIdentifier";

    /// The value we write.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Utf8 => "1",
            Self::ShiftJis => "2",
        }
    }

    /// Reads either table: `0`/`1` = UTF-8 and `2` = Shift_JIS; `1` is ambiguous between
    /// the tables only for Shift_JIS writers of the old table, so the XML declaration
    /// decides in the codec when both are present.
    pub fn parse(value: &str) -> Result<Self, CodeError> {
        match value.trim() {
            "0" | "1" => Ok(Self::Utf8),
            "2" => Ok(Self::ShiftJis),
            _ => Err(CodeError::new(Self::FIELD, value, "not in the code table")),
        }
    }
}

/// 一部負担割合: a copay ratio in percent, written as a 3-digit string (`"030"` = 3割).
///
/// Valid values are 0–100 in steps of 10. 100 (10割) exists only to name the failure
/// this harness hunts; no rule of the reference backend produces it for an insured
/// person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ContributionRatio(u8);

impl ContributionRatio {
    /// 0割 — nothing at the window (医療扶助: the 公費 pays; the 医療券's 本人支払額 is
    /// a fixed amount, not a ratio).
    pub const NONE: Self = Self(0);
    /// 1割
    pub const TEN: Self = Self(10);
    /// 2割
    pub const TWENTY: Self = Self(20);
    /// 3割
    pub const THIRTY: Self = Self(30);
    /// 10割 — the whole cost, what an insured person must never be charged.
    pub const FULL: Self = Self(100);

    /// A ratio from a percentage (0–100, multiple of 10).
    pub fn from_percent(percent: u8) -> Result<Self, CodeError> {
        if percent <= 100 && percent.is_multiple_of(10) {
            Ok(Self(percent))
        } else {
            Err(CodeError::new(
                "InsuredPartialContributionRatio",
                &percent.to_string(),
                "must be 0-100 in steps of 10",
            ))
        }
    }

    /// The percentage.
    pub const fn percent(self) -> u8 {
        self.0
    }

    /// The number of 割 (tenths).
    pub const fn wari(self) -> u8 {
        self.0 / 10
    }

    /// Whether this is 10割 (the whole cost).
    pub const fn is_full_cost(self) -> bool {
        self.0 == 100
    }

    /// The 3-digit wire form, leading zeros kept (`"030"`).
    pub fn code(self) -> String {
        format!("{:03}", self.0)
    }

    /// Parses the 3-digit wire form (exactly three ASCII digits).
    pub fn parse(value: &str) -> Result<Self, CodeError> {
        const FIELD: &str = "InsuredPartialContributionRatio";
        let v = value.trim();
        if v.len() != 3 || !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodeError::new(FIELD, value, "must be three digits"));
        }
        let n: u8 = v
            .parse()
            .map_err(|_| CodeError::new(FIELD, value, "out of range"))?;
        Self::from_percent(n)
            .map_err(|_| CodeError::new(FIELD, value, "must be 000-100 in steps of 10"))
    }
}

impl fmt::Display for ContributionRatio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}割", self.wari())
    }
}

impl Serialize for ContributionRatio {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.code())
    }
}

impl<'de> Deserialize<'de> for ContributionRatio {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// 法別番号 families of insurers, from the first two digits of an 8-digit insurer
/// number (6-digit numbers are 国民健康保険).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InsurerFamily {
    /// 協会けんぽ (法別 01)
    KyokaiKenpo,
    /// 船員保険 (02)
    Seamen,
    /// 日雇特例被保険者 (03, 04)
    DayLabourer,
    /// 組合管掌健康保険 (06)
    KenpoKumiai,
    /// 自衛官等 (07)
    SelfDefenseForces,
    /// 共済組合 (31, 32, 33, 34)
    Kyosai,
    /// 後期高齢者医療 (39)
    LateStageElderly,
    /// 国民健康保険 (6-digit numbers)
    NationalHealthInsurance,
    /// 国民健康保険組合 (8-digit numbers with 法別 "00" are not used; kept for others)
    Other,
}

impl InsurerFamily {
    /// Japanese name of the family.
    pub const fn label(self) -> &'static str {
        match self {
            Self::KyokaiKenpo => "協会けんぽ",
            Self::Seamen => "船員保険",
            Self::DayLabourer => "日雇特例",
            Self::KenpoKumiai => "健康保険組合",
            Self::SelfDefenseForces => "自衛官等",
            Self::Kyosai => "共済組合",
            Self::LateStageElderly => "後期高齢者医療",
            Self::NationalHealthInsurance => "国民健康保険",
            Self::Other => "その他",
        }
    }
}

/// 保険者番号: 8 digits (法別番号 2 + 都道府県番号 2 + 保険者別番号 3 + 検証番号 1) or
/// 6 digits for 国民健康保険 (都道府県 2 + 保険者別 3 + 検証 1). The last digit is a check
/// digit; [`InsurerNumber::parse`] refuses a wrong one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InsurerNumber(String);

impl InsurerNumber {
    const FIELD: &'static str = "InsurerNumber";

    /// Parses and validates (length, digits, check digit). Leading/trailing spaces (the
    /// XML pads short numbers to 8 with spaces) are ignored.
    pub fn parse(value: &str) -> Result<Self, CodeError> {
        let v = value.trim();
        if !(v.len() == 6 || v.len() == 8) {
            return Err(CodeError::new(Self::FIELD, value, "must be 6 or 8 digits"));
        }
        if !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodeError::new(Self::FIELD, value, "must be digits"));
        }
        let (body, check) = v.split_at(v.len() - 1);
        if Self::check_digit(body) != check.as_bytes()[0] - b'0' {
            return Err(CodeError::new(Self::FIELD, value, "check digit mismatch"));
        }
        Ok(Self(v.to_owned()))
    }

    /// Builds a number from its body (5 or 7 digits) by appending the check digit.
    pub fn with_check_digit(body: &str) -> Result<Self, CodeError> {
        if !(body.len() == 5 || body.len() == 7) || !body.bytes().all(|b| b.is_ascii_digit()) {
            return Err(CodeError::new(
                Self::FIELD,
                body,
                "body must be 5 or 7 digits",
            ));
        }
        Ok(Self(format!("{body}{}", Self::check_digit(body))))
    }

    /// 検証番号: weights 2,1,2,1… from the rightmost body digit; sum the digits of each
    /// product; the check digit is what brings the sum to a multiple of ten.
    pub fn check_digit(body: &str) -> u8 {
        let sum: u32 = body
            .bytes()
            .rev()
            .enumerate()
            .map(|(i, b)| {
                let d = u32::from(b - b'0');
                let p = if i % 2 == 0 { d * 2 } else { d };
                p / 10 + p % 10
            })
            .sum();
        ((10 - sum % 10) % 10) as u8
    }

    /// The digits, unpadded.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The XML form: right-aligned in 8 characters, padded with spaces on the left.
    pub fn padded(&self) -> String {
        format!("{:>8}", self.0)
    }

    /// The insurer family from the 法別番号.
    pub fn family(&self) -> InsurerFamily {
        if self.0.len() == 6 {
            return InsurerFamily::NationalHealthInsurance;
        }
        match &self.0[..2] {
            "01" => InsurerFamily::KyokaiKenpo,
            "02" => InsurerFamily::Seamen,
            "03" | "04" => InsurerFamily::DayLabourer,
            "06" => InsurerFamily::KenpoKumiai,
            "07" => InsurerFamily::SelfDefenseForces,
            "31" | "32" | "33" | "34" => InsurerFamily::Kyosai,
            "39" => InsurerFamily::LateStageElderly,
            _ => InsurerFamily::Other,
        }
    }
}

impl fmt::Display for InsurerNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for InsurerNumber {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for InsurerNumber {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Self::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips() {
        for v in QualificationValidity::ALL {
            assert_eq!(QualificationValidity::parse(v.code()).unwrap(), *v);
        }
        for v in LimitClass::ALL {
            assert_eq!(LimitClass::parse(v.code()).unwrap(), *v);
        }
        for v in InsuredCardClassification::ALL {
            assert_eq!(InsuredCardClassification::parse(v.code()).unwrap(), *v);
        }
        let err = QualificationValidity::parse("7").unwrap_err();
        assert_eq!(err.field, "QualificationValidity");
    }

    #[test]
    fn ratio_is_three_digits_and_strict() {
        assert_eq!(ContributionRatio::THIRTY.code(), "030");
        assert_eq!(
            ContributionRatio::parse("020").unwrap(),
            ContributionRatio::TWENTY
        );
        assert_eq!(
            ContributionRatio::parse("100").unwrap(),
            ContributionRatio::FULL
        );
        assert!(ContributionRatio::parse("30").is_err());
        assert!(ContributionRatio::parse("035").is_err());
        assert!(ContributionRatio::parse("110").is_err());
        assert!(ContributionRatio::parse("０３０").is_err());
        assert_eq!(ContributionRatio::THIRTY.to_string(), "3割");
    }

    #[test]
    fn insurer_number_check_digit() {
        // 協会けんぽ 東京支部 (01 13 001 + check digit 2).
        let n = InsurerNumber::parse("01130012").unwrap();
        assert_eq!(n.family(), InsurerFamily::KyokaiKenpo);
        assert!(InsurerNumber::parse("01130013").is_err());
        // 6-digit 国保, padded with spaces in XML.
        let nhi = InsurerNumber::with_check_digit("13800").unwrap();
        assert_eq!(nhi.family(), InsurerFamily::NationalHealthInsurance);
        assert_eq!(nhi.padded().len(), 8);
        assert!(nhi.padded().starts_with("  "));
        assert_eq!(InsurerNumber::parse(&nhi.padded()).unwrap(), nhi);
        assert!(InsurerNumber::parse("0113001").is_err());
        assert!(InsurerNumber::parse("0113001a").is_err());
    }

    #[test]
    fn check_digit_over_every_body_position() {
        // 後期高齢者 東京都 (39 13 115 + 6) and a 共済 number.
        for n in ["39131156", "31130511"] {
            assert!(InsurerNumber::parse(n).is_ok(), "{n}");
        }
        // Changing any single body digit must change the check digit.
        let body = "0113001";
        let check = InsurerNumber::check_digit(body);
        for i in 0..body.len() {
            let mut b = body.as_bytes().to_vec();
            b[i] = if b[i] == b'9' { b'0' } else { b[i] + 1 };
            let changed = String::from_utf8(b).unwrap();
            assert_ne!(InsurerNumber::check_digit(&changed), check, "{changed}");
        }
    }
}

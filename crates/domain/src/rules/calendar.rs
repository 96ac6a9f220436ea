//! The rules calendar: every policy date of the マイナ保険証 transition, with a default
//! taken from the sources (domain.md §6, the seed documents) and an override for the
//! reference backend. The as-of date is always an argument; nothing here reads a clock.

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::dates::{previous_day, ymd};
use crate::codes::InsurerFamily;

/// Declares the date-valued settings once: the [`DateKey`] enum, its names and
/// defaults, and the accessors on [`CalendarConfig`].
macro_rules! date_settings {
    (
        dates {
            $(
                $(#[$meta:meta])*
                $variant:ident, $field:ident = ($y:literal, $m:literal, $d:literal), $ja:literal;
            )+
        }
        parameters {
            $(
                $(#[$pmeta:meta])*
                $pfield:ident: $pty:ty = $pdefault:expr;
            )+
        }
    ) => {
        /// Names one date of the [`CalendarConfig`] (for overrides from a CLI or a file).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum DateKey {
            $( $(#[$meta])* $variant ),+
        }

        impl DateKey {
            /// Every key, in calendar-table order.
            pub const ALL: &'static [DateKey] = &[$(DateKey::$variant),+];

            /// The setting's name: the field name in [`CalendarConfig`] and in files.
            pub const fn name(self) -> &'static str {
                match self { $(DateKey::$variant => stringify!($field)),+ }
            }

            /// The default from the sources.
            pub const fn default_date(self) -> NaiveDate {
                match self { $(DateKey::$variant => ymd($y, $m, $d)),+ }
            }

            /// A short Japanese description of what happens on this date.
            pub const fn label(self) -> &'static str {
                match self { $(DateKey::$variant => $ja),+ }
            }
        }

        impl CalendarConfig {
            /// The configured value of one date.
            pub const fn date(&self, key: DateKey) -> NaiveDate {
                match key { $(DateKey::$variant => self.$field),+ }
            }

            /// Overrides one date (validate with [`RulesCalendar::new`]).
            pub fn set_date(&mut self, key: DateKey, date: NaiveDate) {
                match key { $(DateKey::$variant => self.$field = date),+ }
            }

            /// The defaults from the sources.
            pub const REFERENCE: Self = Self {
                $( $field: ymd($y, $m, $d), )+
                $( $pfield: $pdefault, )+
            };
        }

        /// Every date and parameter of the rules calendar.
        ///
        /// Deserializes from a partial table: missing fields take their defaults, unknown
        /// fields are refused.
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[serde(default, deny_unknown_fields)]
        pub struct CalendarConfig {
            $(
                $(#[$meta])*
                pub $field: NaiveDate,
            )+
            $(
                $(#[$pmeta])*
                pub $pfield: $pty,
            )+
        }
    };
}

date_settings! {
    dates {
    /// DOM-START: オンライン資格確認 in full operation (本格運用) (2021-10-20; seed 003).
    FullOperation, full_operation = (2021, 10, 20), "オンライン資格確認 本格運用開始";
    /// FAQ-4-2: online confirmation mandatory for insurance facilities (原則義務化)
    /// (2023-04-01).
    Mandatory, mandatory = (2023, 4, 1), "オンライン資格確認 原則義務化";
    /// DOM-PINLESS: the PIN-less 顔認証マイナンバーカード exists (2023-12-15).
    PinLessCard, pin_less_card = (2023, 12, 15), "顔認証マイナンバーカード 交付開始";
    /// FAQ-4-12: 医療扶助 (public-assistance medical aid) through the card (2024-03).
    MedicalAid, medical_aid = (2024, 3, 1), "医療扶助のオンライン資格確認 開始";
    /// FAQ-4-13: home visits (訪問診療等) and online consultation (オンライン診療等)
    /// (2024-04).
    HomeVisitOnline, home_visit_online = (2024, 4, 1), "訪問診療・オンライン診療での利用 開始";
    /// FAQ-4-13: home nursing (訪問看護) (2024-06).
    HomeNursing, home_nursing = (2024, 6, 1), "訪問看護での利用 開始";
    /// DOM-CONSENT: one comprehensive consent (包括同意) and no 限度額 screen
    /// (2024-10-07).
    ComprehensiveConsent, comprehensive_consent = (2024, 10, 7), "同意画面の包括同意化・限度額画面廃止";
    /// FAQ-4-10: no new 健康保険証 issued from this date; 資格確認書 from this date
    /// (2024-12-02).
    NoNewInsuranceCards, no_new_insurance_cards = (2024, 12, 2), "健康保険証の新規発行終了";
    /// TRN-SCHOOL: school trips and nurseries may present the portal PDF or a copy of the
    /// お知らせ (UNCERTAIN start; taken as the end of new cards, 2024-12-02).
    SchoolEventCopies, school_event_copies = (2024, 12, 2), "修学旅行等でのPDF・お知らせ写しの提示";
    /// DOM-NHI-EXPIRY: default expiry of 国保 / 後期 cards that print none (2025-07-31).
    CommunityCardDefaultExpiry, community_card_default_expiry = (2025, 7, 31), "国保・後期の保険証 一斉有効期限";
    /// FAQ-4-10 / TRN-MAX1Y / KQ-3: the last day any old 保険証 is valid (2025-12-01).
    OldCardLastValidDay, old_card_last_valid_day = (2025, 12, 1), "従来の保険証 最終有効日";
    /// NOTICE-2025-06-27 (事務連絡): expired 国保 / 後期 card or お知らせ alone with an
    /// online check by the printed numbers.
    TemporaryMeasureCommunityFrom, temporary_measure_community_from = (2025, 6, 27), "暫定措置（国保・後期）開始";
    /// NOTICE-2025-11-12 (事務連絡): the same for employee insurance (被用者保険).
    TemporaryMeasureEmployeeFrom, temporary_measure_employee_from = (2025, 11, 12), "暫定措置（被用者保険）開始";
    /// FLY-NOTICE-ALONE: the last day of the temporary measures (2026-03-31).
    TemporaryMeasureLastDay, temporary_measure_last_day = (2026, 3, 31), "暫定措置 最終日";
    /// NOTICE-KOUKI-2026-07: the last day 後期高齢者 receive a 資格確認書 without applying
    /// (2026-07-31; TRN-KAKUNIN's seed said until 2025-07).
    LateStageKakuninLastDay, late_stage_kakunin_last_day = (2026, 7, 31), "後期高齢者への資格確認書一律交付 最終日";
    /// FLY-DATA: drug data (薬剤情報) exists from treatment in 2021-09.
    DrugDataFrom, drug_data_from = (2021, 9, 1), "薬剤情報 閲覧対象開始";
    /// FLY-DATA: medical-expense notices (医療費通知情報) exist from 2021-09.
    ExpenseNoticeFrom, expense_notice_from = (2021, 9, 1), "医療費通知情報 閲覧対象開始";
    }
    parameters {
        /// FLY-DATA: how many years of drug data (薬剤情報) are visible (3).
        drug_data_years: u32 = 3;
        /// FLY-DATA: the first fiscal year of checkup data (特定健診, 令和2年度 = 2020).
        checkup_first_fiscal_year: i32 = 2020;
        /// FLY-DATA: how many of the most recent checkups are visible (直近5回分).
        checkup_recent_count: u32 = 5;
        /// domain.md §2: the reader warns and renewal opens this many months before the
        /// user-authentication certificate expires (3).
        renewal_warning_months: u32 = 3;
        /// domain.md §2: the card keeps confirming qualification until the end of the
        /// N-th month after the expiry month (3).
        certificate_grace_months: u32 = 3;
        /// OKA-REG-24H: hours after a certificate renewal during which registration is
        /// refused (24).
        registration_cooldown_hours: u32 = 24;
        /// OKA-REG-5D: registration is refused when the certificate expires within this
        /// many days (5).
        registration_expiry_margin_days: u32 = 5;
        /// domain.md §6: the longest validity an insurer may give a 資格確認書, in years (5).
        kakunin_max_years: u32 = 5;
    }
}

impl CalendarConfig {
    /// Builder-style override of one date.
    pub fn with_date(mut self, key: DateKey, date: NaiveDate) -> Self {
        self.set_date(key, date);
        self
    }
}

impl Default for CalendarConfig {
    fn default() -> Self {
        Self::REFERENCE
    }
}

impl fmt::Display for DateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for DateKey {
    type Err = CalendarError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        DateKey::ALL
            .iter()
            .copied()
            .find(|key| key.name() == s.trim())
            .ok_or_else(|| CalendarError::UnknownKey(s.to_owned()))
    }
}

/// A calendar configuration that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// Two dates are in the wrong order.
    #[error("calendar date {later} ({later_date}) must not be before {earlier} ({earlier_date})")]
    OutOfOrder {
        /// The date that must come first.
        earlier: DateKey,
        /// Its value.
        earlier_date: NaiveDate,
        /// The date that must come later (or on the same day).
        later: DateKey,
        /// Its value.
        later_date: NaiveDate,
    },
    /// A parameter that must be positive is zero.
    #[error("calendar parameter {0} must be at least 1")]
    ZeroParameter(&'static str),
    /// A date name that does not exist.
    #[error("unknown calendar date {0:?}")]
    UnknownKey(String),
}

/// Pairs of dates whose order the rules rely on (earlier, later).
const ORDER: &[(DateKey, DateKey)] = &[
    (DateKey::FullOperation, DateKey::Mandatory),
    (DateKey::NoNewInsuranceCards, DateKey::OldCardLastValidDay),
    (
        DateKey::CommunityCardDefaultExpiry,
        DateKey::OldCardLastValidDay,
    ),
    (
        DateKey::TemporaryMeasureCommunityFrom,
        DateKey::TemporaryMeasureLastDay,
    ),
    (
        DateKey::TemporaryMeasureEmployeeFrom,
        DateKey::TemporaryMeasureLastDay,
    ),
    (
        DateKey::NoNewInsuranceCards,
        DateKey::LateStageKakuninLastDay,
    ),
];

/// An inclusive range of dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DateWindow {
    /// First day inside the window.
    pub from: NaiveDate,
    /// Last day inside the window.
    pub to: NaiveDate,
}

impl DateWindow {
    /// Whether `date` lies inside (both ends included).
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from <= date && date <= self.to
    }
}

/// The stage of the transition on a date, for reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Phase {
    /// Before 本格運用 (2021-10-20).
    BeforeOperation,
    /// 本格運用, voluntary for facilities.
    Operation,
    /// 原則義務化 (2023-04-01), 保険証 still issued.
    Mandatory,
    /// 経過措置: no new 保険証, old ones valid to 2025-12-01.
    OldCardTransition,
    /// 暫定措置: old cards expired, expired card or お知らせ alone + online check accepted
    /// (2025-12-02 … 2026-03-31).
    TemporaryMeasure,
    /// マイナ保険証 or 資格確認書 only (from 2026-04-01).
    CardOrCertificate,
}

/// 地域保険 or 被用者保険: the two groups the 2025 temporary measures were announced for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InsuranceScheme {
    /// 国民健康保険 and 後期高齢者医療 (2025-06-27 事務連絡).
    Community,
    /// 被用者保険: 協会けんぽ, 健保組合, 共済, 船員, 日雇, 自衛官等 (2025-11-12 事務連絡).
    Employee,
}

impl InsuranceScheme {
    /// The group of an insurer family. [`InsurerFamily::Other`] counts as employee
    /// insurance, the later (more conservative) start of the temporary measure.
    pub const fn of(family: InsurerFamily) -> Self {
        match family {
            InsurerFamily::NationalHealthInsurance | InsurerFamily::LateStageElderly => {
                Self::Community
            }
            _ => Self::Employee,
        }
    }
}

/// Where care happens; the card became usable in each setting on its own date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CareSetting {
    /// 外来 at the facility's reader.
    Outpatient,
    /// 訪問診療等 (FAQ-4-13, 2024-04).
    HomeVisit,
    /// オンライン診療等 (FAQ-4-13, 2024-04).
    OnlineConsultation,
    /// 訪問看護 (FAQ-4-13, 2024-06).
    HomeNursing,
}

impl CareSetting {
    /// Every setting.
    pub const ALL: &'static [CareSetting] = &[
        Self::Outpatient,
        Self::HomeVisit,
        Self::OnlineConsultation,
        Self::HomeNursing,
    ];
}

/// Why a 資格確認書 is sent (TRN-KAKUNIN, domain.md §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KakuninReason {
    /// No card, or a card not registered for insurance use (未登録).
    NotRegistered,
    /// Registration cancelled (解除), e.g. certificate expired beyond the grace period.
    RegistrationCancelled,
    /// Every 後期高齢者 during the transition.
    LateStageElderly,
    /// The card is hard to use (高齢者・障害者等, 要配慮者).
    HardToUseCard,
    /// Lost card awaiting reissue (FAQ-4-19).
    LostCard,
    /// Non-disclosure registration (DV・虐待, OKA-DV); UNCERTAIN whether sent unasked.
    NonDisclosure,
}

/// How a 資格確認書 reaches a person.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KakuninDelivery {
    /// 申請によらず — sent without application.
    Automatic,
    /// 申請により — on application.
    OnApplication,
    /// Not issued for this reason on this date.
    NotIssued,
}

/// The rules calendar: a validated [`CalendarConfig`] and the date questions every rule
/// asks. Other files of this module add their own `impl RulesCalendar` blocks.
///
/// Serializes as its configuration; deserializing validates like [`RulesCalendar::new`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "CalendarConfig", into = "CalendarConfig")]
pub struct RulesCalendar {
    config: CalendarConfig,
}

impl TryFrom<CalendarConfig> for RulesCalendar {
    type Error = CalendarError;

    fn try_from(config: CalendarConfig) -> Result<Self, Self::Error> {
        Self::new(config)
    }
}

impl From<RulesCalendar> for CalendarConfig {
    fn from(calendar: RulesCalendar) -> Self {
        calendar.config
    }
}

impl Default for RulesCalendar {
    fn default() -> Self {
        Self::reference()
    }
}

impl RulesCalendar {
    /// The calendar with every default from the sources.
    pub const fn reference() -> Self {
        Self {
            config: CalendarConfig::REFERENCE,
        }
    }

    /// A calendar from an overridden configuration, checked for consistency.
    pub fn new(config: CalendarConfig) -> Result<Self, CalendarError> {
        for &(earlier, later) in ORDER {
            let (earlier_date, later_date) = (config.date(earlier), config.date(later));
            if later_date < earlier_date {
                return Err(CalendarError::OutOfOrder {
                    earlier,
                    earlier_date,
                    later,
                    later_date,
                });
            }
        }
        if config.kakunin_max_years == 0 {
            return Err(CalendarError::ZeroParameter("kakunin_max_years"));
        }
        Ok(Self { config })
    }

    /// The configuration in force.
    pub const fn config(&self) -> &CalendarConfig {
        &self.config
    }

    /// One configured date.
    pub const fn date(&self, key: DateKey) -> NaiveDate {
        self.config.date(key)
    }

    /// The transition phase on `as_of`.
    pub fn phase(&self, as_of: NaiveDate) -> Phase {
        let c = &self.config;
        if as_of < c.full_operation {
            Phase::BeforeOperation
        } else if as_of < c.mandatory {
            Phase::Operation
        } else if as_of < c.no_new_insurance_cards {
            Phase::Mandatory
        } else if as_of <= c.old_card_last_valid_day {
            Phase::OldCardTransition
        } else if as_of <= c.temporary_measure_last_day {
            Phase::TemporaryMeasure
        } else {
            Phase::CardOrCertificate
        }
    }

    /// DOM-START: whether オンライン資格確認 runs on `as_of`.
    pub fn online_confirmation_operating(&self, as_of: NaiveDate) -> bool {
        as_of >= self.config.full_operation
    }

    /// FAQ-4-2: whether insurance facilities must offer it on `as_of`.
    pub fn online_confirmation_mandatory(&self, as_of: NaiveDate) -> bool {
        as_of >= self.config.mandatory
    }

    /// DOM-PINLESS: whether a 顔認証マイナンバーカード can exist on `as_of`.
    pub fn pin_less_card_exists(&self, as_of: NaiveDate) -> bool {
        as_of >= self.config.pin_less_card
    }

    /// FAQ-4-12: whether 医療扶助 is confirmed through the card on `as_of`.
    pub fn medical_aid_via_card(&self, as_of: NaiveDate) -> bool {
        as_of >= self.config.medical_aid
    }

    /// FAQ-4-13: the first day the card works in `setting`.
    pub fn card_usable_from(&self, setting: CareSetting) -> NaiveDate {
        match setting {
            CareSetting::Outpatient => self.config.full_operation,
            CareSetting::HomeVisit | CareSetting::OnlineConsultation => {
                self.config.home_visit_online
            }
            CareSetting::HomeNursing => self.config.home_nursing,
        }
    }

    /// FAQ-4-13: whether the card works in `setting` on `as_of`.
    pub fn card_usable_in(&self, setting: CareSetting, as_of: NaiveDate) -> bool {
        as_of >= self.card_usable_from(setting)
    }

    /// FAQ-4-10: whether new 健康保険証 are still issued on `as_of`.
    pub fn insurance_cards_issued(&self, as_of: NaiveDate) -> bool {
        as_of < self.config.no_new_insurance_cards
    }

    /// FAQ-4-10: whether the 資格確認書 system exists on `as_of`.
    pub fn kakunin_exists(&self, as_of: NaiveDate) -> bool {
        as_of >= self.config.no_new_insurance_cards
    }

    /// TRN-MAX1Y / DOM-NHI-EXPIRY: the expiry assumed for an old card that prints none:
    /// 2025-07-31 for 国保 / 後期, otherwise the last valid day of all old cards.
    pub fn default_old_card_expiry(&self, family: InsurerFamily) -> NaiveDate {
        match InsuranceScheme::of(family) {
            InsuranceScheme::Community => self.config.community_card_default_expiry,
            InsuranceScheme::Employee => self.config.old_card_last_valid_day,
        }
    }

    /// FLY-NOTICE-ALONE / NOTICE-2025-06-27 / NOTICE-2025-11-12: the temporary-measure
    /// window of an insurer group.
    pub fn temporary_measure_window(&self, scheme: InsuranceScheme) -> DateWindow {
        let from = match scheme {
            InsuranceScheme::Community => self.config.temporary_measure_community_from,
            InsuranceScheme::Employee => self.config.temporary_measure_employee_from,
        };
        DateWindow {
            from,
            to: self.config.temporary_measure_last_day,
        }
    }

    /// Whether the temporary measure covers an insurer of `family` on `as_of`.
    pub fn temporary_measure_applies(&self, family: InsurerFamily, as_of: NaiveDate) -> bool {
        self.temporary_measure_window(InsuranceScheme::of(family))
            .contains(as_of)
    }

    /// TRN-KAKUNIN: how a 資格確認書 reaches a person for `reason` on `as_of`.
    pub fn kakunin_delivery(&self, reason: KakuninReason, as_of: NaiveDate) -> KakuninDelivery {
        if !self.kakunin_exists(as_of) {
            return KakuninDelivery::NotIssued;
        }
        match reason {
            KakuninReason::NotRegistered | KakuninReason::RegistrationCancelled => {
                KakuninDelivery::Automatic
            }
            KakuninReason::LateStageElderly => {
                if as_of <= self.config.late_stage_kakunin_last_day {
                    KakuninDelivery::Automatic
                } else {
                    KakuninDelivery::NotIssued
                }
            }
            KakuninReason::HardToUseCard
            | KakuninReason::LostCard
            | KakuninReason::NonDisclosure => KakuninDelivery::OnApplication,
        }
    }

    /// The last day before `key` takes effect (for boundary tests and reports).
    pub fn day_before(&self, key: DateKey) -> NaiveDate {
        previous_day(self.date(key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cal() -> RulesCalendar {
        RulesCalendar::reference()
    }

    #[test]
    fn defaults_match_the_sources() {
        let c = CalendarConfig::default();
        let expected = [
            (DateKey::FullOperation, ymd(2021, 10, 20)),
            (DateKey::Mandatory, ymd(2023, 4, 1)),
            (DateKey::PinLessCard, ymd(2023, 12, 15)),
            (DateKey::MedicalAid, ymd(2024, 3, 1)),
            (DateKey::HomeVisitOnline, ymd(2024, 4, 1)),
            (DateKey::HomeNursing, ymd(2024, 6, 1)),
            (DateKey::ComprehensiveConsent, ymd(2024, 10, 7)),
            (DateKey::NoNewInsuranceCards, ymd(2024, 12, 2)),
            (DateKey::CommunityCardDefaultExpiry, ymd(2025, 7, 31)),
            (DateKey::OldCardLastValidDay, ymd(2025, 12, 1)),
            (DateKey::TemporaryMeasureCommunityFrom, ymd(2025, 6, 27)),
            (DateKey::TemporaryMeasureEmployeeFrom, ymd(2025, 11, 12)),
            (DateKey::TemporaryMeasureLastDay, ymd(2026, 3, 31)),
            (DateKey::LateStageKakuninLastDay, ymd(2026, 7, 31)),
            (DateKey::DrugDataFrom, ymd(2021, 9, 1)),
            (DateKey::ExpenseNoticeFrom, ymd(2021, 9, 1)),
        ];
        for (key, date) in expected {
            assert_eq!(c.date(key), date, "{key}");
            assert_eq!(key.default_date(), date, "{key}");
        }
        assert_eq!(c.drug_data_years, 3);
        assert_eq!(c.checkup_first_fiscal_year, 2020);
        assert_eq!(c.checkup_recent_count, 5);
        assert_eq!(c.registration_cooldown_hours, 24);
        assert_eq!(c.registration_expiry_margin_days, 5);
        assert_eq!(c.certificate_grace_months, 3);
        assert_eq!(c.renewal_warning_months, 3);
        assert!(RulesCalendar::new(c).is_ok());
    }

    #[test]
    fn every_key_round_trips_by_name_and_override() {
        for &key in DateKey::ALL {
            assert_eq!(key.name().parse::<DateKey>().unwrap(), key);
            let mut c = CalendarConfig::default();
            c.set_date(key, ymd(2030, 1, 2));
            assert_eq!(c.date(key), ymd(2030, 1, 2));
            assert!(!key.label().is_empty());
        }
        assert!(matches!(
            "no_such_date".parse::<DateKey>(),
            Err(CalendarError::UnknownKey(_))
        ));
    }

    #[test]
    fn config_deserializes_partially_and_refuses_unknown_fields() {
        let c: CalendarConfig =
            serde_json::from_str(r#"{"temporary_measure_last_day":"2026-09-30"}"#).unwrap();
        assert_eq!(c.temporary_measure_last_day, ymd(2026, 9, 30));
        assert_eq!(c.old_card_last_valid_day, ymd(2025, 12, 1));
        assert!(serde_json::from_str::<CalendarConfig>(r#"{"bogus":1}"#).is_err());
        let round: CalendarConfig =
            serde_json::from_str(&serde_json::to_string(&c).unwrap()).unwrap();
        assert_eq!(round, c);
    }

    #[test]
    fn key_names_match_the_serialized_names() {
        let json = serde_json::to_value(CalendarConfig::default()).unwrap();
        for &key in DateKey::ALL {
            assert_eq!(
                serde_json::to_value(key).unwrap(),
                serde_json::json!(key.name())
            );
            assert_eq!(
                json[key.name()],
                serde_json::json!(key.default_date().to_string()),
                "{key}"
            );
        }
    }

    #[test]
    fn a_calendar_deserializes_with_validation() {
        let cal: RulesCalendar =
            serde_json::from_str(r#"{"old_card_last_valid_day":"2025-12-31"}"#).unwrap();
        assert_eq!(cal.date(DateKey::OldCardLastValidDay), ymd(2025, 12, 31));
        let bad =
            serde_json::from_str::<RulesCalendar>(r#"{"temporary_measure_last_day":"2020-01-01"}"#);
        assert!(
            bad.unwrap_err()
                .to_string()
                .contains("temporary_measure_last_day")
        );
        let round: RulesCalendar =
            serde_json::from_str(&serde_json::to_string(&cal).unwrap()).unwrap();
        assert_eq!(round, cal);
    }

    #[test]
    fn inconsistent_overrides_are_refused() {
        let c =
            CalendarConfig::default().with_date(DateKey::TemporaryMeasureLastDay, ymd(2025, 1, 1));
        let err = RulesCalendar::new(c).unwrap_err();
        assert!(matches!(
            err,
            CalendarError::OutOfOrder {
                later: DateKey::TemporaryMeasureLastDay,
                ..
            }
        ));
        assert!(err.to_string().contains("temporary_measure_last_day"));
        let zero = CalendarConfig {
            kakunin_max_years: 0,
            ..CalendarConfig::default()
        };
        assert_eq!(
            RulesCalendar::new(zero),
            Err(CalendarError::ZeroParameter("kakunin_max_years"))
        );
    }

    #[test]
    fn phases_turn_on_their_boundaries() {
        let cases = [
            (ymd(2021, 10, 19), Phase::BeforeOperation),
            (ymd(2021, 10, 20), Phase::Operation),
            (ymd(2023, 3, 31), Phase::Operation),
            (ymd(2023, 4, 1), Phase::Mandatory),
            (ymd(2024, 12, 1), Phase::Mandatory),
            (ymd(2024, 12, 2), Phase::OldCardTransition),
            (ymd(2025, 12, 1), Phase::OldCardTransition),
            (ymd(2025, 12, 2), Phase::TemporaryMeasure),
            (ymd(2026, 3, 31), Phase::TemporaryMeasure),
            (ymd(2026, 4, 1), Phase::CardOrCertificate),
        ];
        for (date, phase) in cases {
            assert_eq!(cal().phase(date), phase, "{date}");
        }
    }

    #[test]
    fn feature_start_dates() {
        let c = cal();
        type Question = fn(&RulesCalendar, NaiveDate) -> bool;
        let cases: [(Question, NaiveDate); 5] = [
            (
                RulesCalendar::online_confirmation_operating,
                ymd(2021, 10, 20),
            ),
            (
                RulesCalendar::online_confirmation_mandatory,
                ymd(2023, 4, 1),
            ),
            (RulesCalendar::pin_less_card_exists, ymd(2023, 12, 15)),
            (RulesCalendar::medical_aid_via_card, ymd(2024, 3, 1)),
            (RulesCalendar::kakunin_exists, ymd(2024, 12, 2)),
        ];
        for (f, from) in cases {
            assert!(!f(&c, previous_day(from)), "{from}");
            assert!(f(&c, from), "{from}");
        }
        assert!(c.insurance_cards_issued(ymd(2024, 12, 1)));
        assert!(!c.insurance_cards_issued(ymd(2024, 12, 2)));
    }

    #[test]
    fn care_settings_open_on_their_dates() {
        let c = cal();
        let cases = [
            (CareSetting::Outpatient, ymd(2021, 10, 20)),
            (CareSetting::HomeVisit, ymd(2024, 4, 1)),
            (CareSetting::OnlineConsultation, ymd(2024, 4, 1)),
            (CareSetting::HomeNursing, ymd(2024, 6, 1)),
        ];
        for (setting, from) in cases {
            assert!(
                !c.card_usable_in(setting, previous_day(from)),
                "{setting:?}"
            );
            assert!(c.card_usable_in(setting, from), "{setting:?}");
        }
    }

    #[test]
    fn temporary_measure_windows_per_scheme() {
        let c = cal();
        let nhi = InsurerFamily::NationalHealthInsurance;
        let late = InsurerFamily::LateStageElderly;
        let kyokai = InsurerFamily::KyokaiKenpo;
        let cases = [
            (nhi, ymd(2025, 6, 26), false),
            (nhi, ymd(2025, 6, 27), true),
            (late, ymd(2025, 6, 27), true),
            (kyokai, ymd(2025, 11, 11), false),
            (kyokai, ymd(2025, 11, 12), true),
            (InsurerFamily::Other, ymd(2025, 11, 11), false),
            (nhi, ymd(2026, 3, 31), true),
            (nhi, ymd(2026, 4, 1), false),
            (kyokai, ymd(2026, 3, 31), true),
            (kyokai, ymd(2026, 4, 1), false),
        ];
        for (family, date, applies) in cases {
            assert_eq!(
                c.temporary_measure_applies(family, date),
                applies,
                "{family:?} {date}"
            );
        }
    }

    #[test]
    fn old_card_default_expiry_by_family() {
        let c = cal();
        assert_eq!(
            c.default_old_card_expiry(InsurerFamily::NationalHealthInsurance),
            ymd(2025, 7, 31)
        );
        assert_eq!(
            c.default_old_card_expiry(InsurerFamily::LateStageElderly),
            ymd(2025, 7, 31)
        );
        assert_eq!(
            c.default_old_card_expiry(InsurerFamily::Kyosai),
            ymd(2025, 12, 1)
        );
    }

    #[test]
    fn kakunin_delivery_for_late_stage_ends_2026_07_31() {
        let c = cal();
        let late = KakuninReason::LateStageElderly;
        for (reason, on, delivery) in [
            (late, ymd(2024, 12, 1), KakuninDelivery::NotIssued),
            (late, ymd(2024, 12, 2), KakuninDelivery::Automatic),
            (late, ymd(2026, 7, 31), KakuninDelivery::Automatic),
            (late, ymd(2026, 8, 1), KakuninDelivery::NotIssued),
            (
                KakuninReason::NotRegistered,
                ymd(2027, 1, 1),
                KakuninDelivery::Automatic,
            ),
            (
                KakuninReason::LostCard,
                ymd(2027, 1, 1),
                KakuninDelivery::OnApplication,
            ),
        ] {
            assert_eq!(c.kakunin_delivery(reason, on), delivery, "{reason:?} {on}");
        }
    }
}

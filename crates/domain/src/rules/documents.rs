//! The paper and screens a patient (or a teacher or carer) can show at the desk, and
//! which of them are valid on a date: the old 健康保険証 (FAQ-4-10, TRN-MAX1Y, KQ-3,
//! DOM-NHI-EXPIRY), the 資格確認書 (TRN-KAKUNIN, DOM-KAKUNIN-MAX5Y), the 資格情報のお知らせ
//! and マイナポータル screen (FAQ-4-5, KQ-6, FLY-NOTICE-ALONE) and the school-trip copies
//! (TRN-SCHOOL). Whether a document is *enough* depends on the visit: see
//! [`super::clinic`].

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::calendar::RulesCalendar;
use super::catalogue::RuleId;
use super::dates::{add_months, previous_day};
use crate::codes::{ContributionRatio, InsurerFamily, InsurerNumber};

/// The form of a 資格情報のお知らせ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NoticeForm {
    /// Paper sent by the insurer (the cut-out card part included).
    Paper,
    /// The PDF downloaded from マイナポータル.
    PortalPdf,
}

/// 資格情報のお知らせ: the insurer's notice of the qualification numbers.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct QualificationNotice {
    /// 保険者番号 printed on it.
    pub insurer: InsurerNumber,
    /// Paper or PDF.
    pub form: NoticeForm,
    /// 一部負担金の割合 printed on it, if any.
    pub ratio: Option<ContributionRatio>,
}

/// マイナポータルの資格情報画面 shown on the patient's phone (downloaded, not printable).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PortalScreen {
    /// 保険者番号 shown.
    pub insurer: InsurerNumber,
    /// 負担割合 shown, if any.
    pub ratio: Option<ContributionRatio>,
}

/// 資格確認書: issued from 2024-12-02 to people without a usable マイナ保険証.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ConfirmationCertificate {
    /// 保険者番号.
    pub insurer: InsurerNumber,
    /// First valid day.
    pub valid_from: NaiveDate,
    /// 有効期限: last valid day (set by the insurer, at most 5 years).
    pub valid_to: NaiveDate,
    /// 一部負担金の割合 printed, if any.
    pub ratio: Option<ContributionRatio>,
}

/// 従来の健康保険証 (被保険者証).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OldInsuranceCard {
    /// 保険者番号.
    pub insurer: InsurerNumber,
    /// 交付年月日.
    pub issued_on: NaiveDate,
    /// 有効期限 printed on the card; `None` when it prints none (then 2025-07-31 for
    /// 国保 / 後期 and 2025-12-01 for others).
    pub expires_on: Option<NaiveDate>,
    /// The day the holder's insurer changed (the new qualification's first day); the
    /// card is invalid from that day (TRN-MAX1Y).
    pub insurer_changed_on: Option<NaiveDate>,
    /// 一部負担金の割合 printed (or on the 高齢受給者証 shown with it), if any.
    pub ratio: Option<ContributionRatio>,
}

/// What a teacher or carer presents for a child (TRN-SCHOOL).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SchoolCopyForm {
    /// The マイナポータル PDF on a device.
    PortalPdf,
    /// A print of that PDF.
    PortalPrint,
    /// A copy (写し) of the 資格情報のお知らせ.
    NoticeCopy,
}

/// A copy held by a school or nursery for a school trip, club camp or nursery visit
/// (修学旅行等の学校行事・部活動の合宿・保育所等), presented by a teacher or carer.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SchoolEventCopy {
    /// Which form.
    pub form: SchoolCopyForm,
    /// 保険者番号 shown.
    pub insurer: InsurerNumber,
    /// 負担割合 shown, if any.
    pub ratio: Option<ContributionRatio>,
}

/// A document presented at the desk.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Document {
    /// 資格情報のお知らせ.
    Notice(QualificationNotice),
    /// マイナポータルの資格情報画面.
    PortalScreen(PortalScreen),
    /// 資格確認書.
    ConfirmationCertificate(ConfirmationCertificate),
    /// 従来の健康保険証.
    OldInsuranceCard(OldInsuranceCard),
    /// School-trip / nursery copy (TRN-SCHOOL).
    SchoolEventCopy(SchoolEventCopy),
}

/// The kind of a [`Document`], for notes and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum DocumentKind {
    /// 資格情報のお知らせ.
    Notice,
    /// マイナポータルの資格情報画面.
    PortalScreen,
    /// 資格確認書.
    ConfirmationCertificate,
    /// 従来の健康保険証.
    OldInsuranceCard,
    /// School-trip / nursery copy.
    SchoolEventCopy,
}

impl DocumentKind {
    /// Japanese name.
    pub const fn label(self) -> &'static str {
        match self {
            Self::Notice => "資格情報のお知らせ",
            Self::PortalScreen => "マイナポータル資格情報画面",
            Self::ConfirmationCertificate => "資格確認書",
            Self::OldInsuranceCard => "健康保険証",
            Self::SchoolEventCopy => "修学旅行等の資格情報（PDF・お知らせ写し）",
        }
    }
}

impl Document {
    /// Its kind.
    pub const fn kind(&self) -> DocumentKind {
        match self {
            Self::Notice(_) => DocumentKind::Notice,
            Self::PortalScreen(_) => DocumentKind::PortalScreen,
            Self::ConfirmationCertificate(_) => DocumentKind::ConfirmationCertificate,
            Self::OldInsuranceCard(_) => DocumentKind::OldInsuranceCard,
            Self::SchoolEventCopy(_) => DocumentKind::SchoolEventCopy,
        }
    }

    /// The insurer number printed or shown.
    pub const fn insurer(&self) -> &InsurerNumber {
        match self {
            Self::Notice(d) => &d.insurer,
            Self::PortalScreen(d) => &d.insurer,
            Self::ConfirmationCertificate(d) => &d.insurer,
            Self::OldInsuranceCard(d) => &d.insurer,
            Self::SchoolEventCopy(d) => &d.insurer,
        }
    }

    /// The ratio printed or shown, if any.
    pub const fn printed_ratio(&self) -> Option<ContributionRatio> {
        match self {
            Self::Notice(d) => d.ratio,
            Self::PortalScreen(d) => d.ratio,
            Self::ConfirmationCertificate(d) => d.ratio,
            Self::OldInsuranceCard(d) => d.ratio,
            Self::SchoolEventCopy(d) => d.ratio,
        }
    }
}

/// The validity of an old 健康保険証 on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum OldCardStatus {
    /// Valid; the last valid day.
    Valid {
        /// Last valid day.
        until: NaiveDate,
    },
    /// The as-of date is before its issue.
    NotYetIssued,
    /// Issued on or after 2024-12-02, when issuing ended (FAQ-4-10): not a valid card.
    IssuedAfterAbolition,
    /// The holder's insurer changed (TRN-MAX1Y).
    InsurerChanged {
        /// The first day of the new qualification.
        on: NaiveDate,
    },
    /// Past its own expiry, printed or the family default (TRN-MAX1Y, DOM-NHI-EXPIRY).
    /// Eligible for the temporary measure.
    Expired {
        /// The last valid day.
        last_valid_day: NaiveDate,
        /// Whether the expiry was the family default (2025-07-31 for 国保 / 後期).
        default_expiry: bool,
    },
    /// Past 2025-12-01, the end of every old card (FAQ-4-10, KQ-3). Eligible for the
    /// temporary measure.
    TransitionEnded {
        /// The last valid day.
        last_valid_day: NaiveDate,
    },
}

impl OldCardStatus {
    /// Whether the card is valid.
    pub const fn is_valid(self) -> bool {
        matches!(self, Self::Valid { .. })
    }

    /// Whether it is an *expired* card in the sense of the temporary measure (past its
    /// expiry, not invalidated by a change of insurer).
    pub const fn is_expired(self) -> bool {
        matches!(self, Self::Expired { .. } | Self::TransitionEnded { .. })
    }

    /// The rule behind the status.
    pub const fn rule_id(self) -> RuleId {
        match self {
            Self::Valid { .. } => RuleId::Kq3,
            Self::NotYetIssued | Self::IssuedAfterAbolition | Self::TransitionEnded { .. } => {
                RuleId::Faq4_10
            }
            Self::InsurerChanged { .. } => RuleId::TrnMax1y,
            Self::Expired {
                default_expiry: true,
                ..
            } => RuleId::DomNhiExpiry,
            Self::Expired { .. } => RuleId::TrnMax1y,
        }
    }
}

/// The validity of a 資格確認書 on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum KakuninStatus {
    /// Valid.
    Valid {
        /// Last valid day.
        until: NaiveDate,
    },
    /// Before its first valid day.
    NotYetValid {
        /// First valid day.
        from: NaiveDate,
    },
    /// Past its 有効期限.
    Expired {
        /// Last valid day.
        on: NaiveDate,
    },
    /// The 資格確認書 did not exist yet (before 2024-12-02).
    BeforeIntroduction,
    /// Its period is empty or longer than the 5 years an insurer may set
    /// (DOM-KAKUNIN-MAX5Y): not a genuine document.
    InvalidPeriod,
}

impl KakuninStatus {
    /// Whether it is valid.
    pub const fn is_valid(self) -> bool {
        matches!(self, Self::Valid { .. })
    }
}

impl OldInsuranceCard {
    /// The insurer family of the card.
    pub fn family(&self) -> InsurerFamily {
        self.insurer.family()
    }
}

impl RulesCalendar {
    /// TRN-MAX1Y / FAQ-4-10 / DOM-NHI-EXPIRY: the old card's status on `as_of`: valid to
    /// its own expiry (or the family default), at most to 2025-12-01, and only until
    /// the insurer changes.
    pub fn old_card_status(&self, card: &OldInsuranceCard, as_of: NaiveDate) -> OldCardStatus {
        let config = self.config();
        if card.issued_on >= config.no_new_insurance_cards {
            return OldCardStatus::IssuedAfterAbolition;
        }
        if as_of < card.issued_on {
            return OldCardStatus::NotYetIssued;
        }
        if let Some(on) = card.insurer_changed_on.filter(|on| *on <= as_of) {
            return OldCardStatus::InsurerChanged { on };
        }
        let own = card
            .expires_on
            .unwrap_or_else(|| self.default_old_card_expiry(card.family()));
        let cap = config.old_card_last_valid_day;
        let last_valid_day = own.min(cap);
        let mut until = last_valid_day;
        if let Some(on) = card.insurer_changed_on {
            until = until.min(previous_day(on));
        }
        if as_of <= last_valid_day {
            OldCardStatus::Valid { until }
        } else if own <= cap {
            OldCardStatus::Expired {
                last_valid_day,
                default_expiry: card.expires_on.is_none(),
            }
        } else {
            OldCardStatus::TransitionEnded { last_valid_day }
        }
    }

    /// TRN-KAKUNIN / DOM-KAKUNIN-MAX5Y: the 資格確認書's status on `as_of`.
    pub fn kakunin_status(
        &self,
        certificate: &ConfirmationCertificate,
        as_of: NaiveDate,
    ) -> KakuninStatus {
        let longest = add_months(
            certificate.valid_from,
            self.config().kakunin_max_years.saturating_mul(12),
        );
        if certificate.valid_to < certificate.valid_from || certificate.valid_to > longest {
            KakuninStatus::InvalidPeriod
        } else if !self.kakunin_exists(as_of) {
            KakuninStatus::BeforeIntroduction
        } else if as_of < certificate.valid_from {
            KakuninStatus::NotYetValid {
                from: certificate.valid_from,
            }
        } else if as_of > certificate.valid_to {
            KakuninStatus::Expired {
                on: certificate.valid_to,
            }
        } else {
            KakuninStatus::Valid {
                until: certificate.valid_to,
            }
        }
    }

    /// TRN-SCHOOL: whether a school-trip / nursery copy is accepted on `as_of`.
    pub fn school_copy_accepted(&self, as_of: NaiveDate) -> bool {
        as_of >= self.config().school_event_copies
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dates::ymd;

    pub(crate) fn kyokai() -> InsurerNumber {
        InsurerNumber::parse("01130012").unwrap()
    }

    pub(crate) fn nhi() -> InsurerNumber {
        InsurerNumber::with_check_digit("13800").unwrap()
    }

    pub(crate) fn late_stage() -> InsurerNumber {
        InsurerNumber::parse("39131156").unwrap()
    }

    fn card(insurer: InsurerNumber, expires_on: Option<NaiveDate>) -> OldInsuranceCard {
        OldInsuranceCard {
            insurer,
            issued_on: ymd(2023, 4, 1),
            expires_on,
            insurer_changed_on: None,
            ratio: None,
        }
    }

    fn cal() -> RulesCalendar {
        RulesCalendar::reference()
    }

    /// Asserts `c` is valid until `last` on that day; returns its status the day after.
    fn valid_until(c: &OldInsuranceCard, last: NaiveDate) -> OldCardStatus {
        assert_eq!(
            cal().old_card_status(c, last),
            OldCardStatus::Valid { until: last }
        );
        cal().old_card_status(c, last + chrono::Days::new(1))
    }

    #[test]
    fn employee_card_without_expiry_is_valid_to_2025_12_01() {
        let c = card(kyokai(), None);
        let after = valid_until(&c, ymd(2025, 12, 1));
        assert_eq!(
            after,
            OldCardStatus::Expired {
                last_valid_day: ymd(2025, 12, 1),
                default_expiry: true
            }
        );
        assert!(after.is_expired());
    }

    #[test]
    fn own_expiry_beyond_the_cap_ends_on_2025_12_01() {
        let c = card(kyokai(), Some(ymd(2027, 3, 31)));
        assert!(cal().old_card_status(&c, ymd(2025, 12, 1)).is_valid());
        let after = cal().old_card_status(&c, ymd(2025, 12, 2));
        assert_eq!(
            after,
            OldCardStatus::TransitionEnded {
                last_valid_day: ymd(2025, 12, 1)
            }
        );
        assert_eq!(after.rule_id(), RuleId::Faq4_10);
        assert!(after.is_expired());
    }

    #[test]
    fn community_cards_default_to_2025_07_31() {
        for insurer in [nhi(), late_stage()] {
            let c = card(insurer, None);
            assert!(cal().old_card_status(&c, ymd(2025, 7, 31)).is_valid());
            let after = cal().old_card_status(&c, ymd(2025, 8, 1));
            assert_eq!(
                after,
                OldCardStatus::Expired {
                    last_valid_day: ymd(2025, 7, 31),
                    default_expiry: true
                }
            );
            assert_eq!(after.rule_id(), RuleId::DomNhiExpiry);
        }
        // A printed expiry wins over the default.
        let c = card(nhi(), Some(ymd(2025, 9, 30)));
        assert!(cal().old_card_status(&c, ymd(2025, 9, 30)).is_valid());
        assert_eq!(
            cal().old_card_status(&c, ymd(2025, 10, 1)).rule_id(),
            RuleId::TrnMax1y
        );
    }

    #[test]
    fn insurer_change_invalidates_on_its_first_day() {
        let mut c = card(kyokai(), None);
        c.insurer_changed_on = Some(ymd(2025, 4, 1));
        let after = valid_until(&c, ymd(2025, 3, 31));
        assert_eq!(
            after,
            OldCardStatus::InsurerChanged {
                on: ymd(2025, 4, 1)
            }
        );
        assert!(!after.is_expired());
        assert_eq!(after.rule_id(), RuleId::TrnMax1y);
    }

    #[test]
    fn no_card_is_issued_from_2024_12_02() {
        let mut c = card(kyokai(), None);
        c.issued_on = ymd(2024, 12, 1);
        assert!(cal().old_card_status(&c, ymd(2024, 12, 5)).is_valid());
        c.issued_on = ymd(2024, 12, 2);
        assert_eq!(
            cal().old_card_status(&c, ymd(2024, 12, 5)),
            OldCardStatus::IssuedAfterAbolition
        );
        c.issued_on = ymd(2024, 6, 1);
        assert_eq!(
            cal().old_card_status(&c, ymd(2024, 5, 31)),
            OldCardStatus::NotYetIssued
        );
    }

    #[test]
    fn kakunin_validity_window() {
        let k = ConfirmationCertificate {
            insurer: kyokai(),
            valid_from: ymd(2024, 12, 2),
            valid_to: ymd(2029, 12, 1),
            ratio: None,
        };
        let c = cal();
        assert!(c.kakunin_status(&k, ymd(2024, 12, 2)).is_valid());
        assert!(c.kakunin_status(&k, ymd(2029, 12, 1)).is_valid());
        let later = ConfirmationCertificate {
            valid_from: ymd(2025, 8, 1),
            valid_to: ymd(2026, 7, 31),
            ..k.clone()
        };
        let too_long = ConfirmationCertificate {
            valid_to: ymd(2029, 12, 3),
            ..k.clone()
        };
        let inverted = ConfirmationCertificate {
            valid_to: ymd(2024, 12, 1),
            ..k.clone()
        };
        for (cert, on, status) in [
            (&k, ymd(2024, 12, 1), KakuninStatus::BeforeIntroduction),
            (
                &k,
                ymd(2029, 12, 2),
                KakuninStatus::Expired {
                    on: ymd(2029, 12, 1),
                },
            ),
            (
                &later,
                ymd(2025, 7, 31),
                KakuninStatus::NotYetValid {
                    from: ymd(2025, 8, 1),
                },
            ),
            (&too_long, ymd(2025, 1, 1), KakuninStatus::InvalidPeriod),
            (&inverted, ymd(2025, 1, 1), KakuninStatus::InvalidPeriod),
        ] {
            assert_eq!(c.kakunin_status(cert, on), status, "{cert:?} on {on}");
        }
    }

    #[test]
    fn school_copies_from_2024_12_02() {
        assert!(!cal().school_copy_accepted(ymd(2024, 12, 1)));
        assert!(cal().school_copy_accepted(ymd(2024, 12, 2)));
    }

    #[test]
    fn document_accessors() {
        let d = Document::Notice(QualificationNotice {
            insurer: nhi(),
            form: NoticeForm::PortalPdf,
            ratio: Some(ContributionRatio::THIRTY),
        });
        assert_eq!(d.kind(), DocumentKind::Notice);
        assert_eq!(d.insurer(), &nhi());
        assert_eq!(d.printed_ratio(), Some(ContributionRatio::THIRTY));
        assert_eq!(d.kind().label(), "資格情報のお知らせ");
    }
}

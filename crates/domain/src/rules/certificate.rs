//! The user-authentication certificate (利用者証明用電子証明書) on the card and what its
//! validity allows (domain.md §2): valid; renewal warning from 3 months before expiry
//! (DOM-CERT-RENEW); after expiry a grace period to the end of the 3rd month after the
//! expiry month in which qualification is still confirmed but medical information is
//! not shared (DOM-CERT-GRACE); after that the registration is cancelled.

use chrono::{NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

use super::calendar::RulesCalendar;
use super::catalogue::RuleId;
use super::dates::{add_months, first_of_month, last_of_month, next_day, sub_months};

/// 利用者証明用電子証明書: the certificate the reader presents to the backend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct UserAuthCertificate {
    /// When it was issued — at card issue or at renewal (更新).
    pub issued_at: NaiveDateTime,
    /// 有効期限: the last day it is valid (normally the 5th birthday after issue).
    pub expires_on: NaiveDate,
    /// Whether it replaced an earlier certificate (更新); OKA-REG-24H applies then.
    pub renewed: bool,
}

/// What the certificate allows on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CertificateStatus {
    /// Issued later than the as-of date.
    NotYetValid {
        /// First valid day.
        valid_from: NaiveDate,
    },
    /// 有効.
    Valid {
        /// Last valid day.
        expires_on: NaiveDate,
    },
    /// 有効, but inside the renewal window: the reader shows the 更新 warning
    /// (DOM-CERT-RENEW).
    RenewalDue {
        /// Last valid day.
        expires_on: NaiveDate,
        /// First day of the warning.
        warning_from: NaiveDate,
    },
    /// 有効期限切れ, grace period (DOM-CERT-GRACE): qualification is still confirmed,
    /// medical information is not shared.
    Grace {
        /// The expiry that passed.
        expired_on: NaiveDate,
        /// Last day of the grace period (end of the 3rd month after the expiry month).
        grace_last_day: NaiveDate,
    },
    /// Beyond the grace period: 保険証利用登録 cancelled (解除); a 資格確認書 is sent and
    /// the person must renew and register again.
    Expired {
        /// The expiry that passed.
        expired_on: NaiveDate,
        /// First day without registration.
        registration_cancelled_on: NaiveDate,
    },
}

impl CertificateStatus {
    /// Whether a registered card still confirms qualification.
    pub const fn confirms_qualification(self) -> bool {
        matches!(
            self,
            Self::Valid { .. } | Self::RenewalDue { .. } | Self::Grace { .. }
        )
    }

    /// Whether medical information (薬剤・診療・健診) can be shared.
    pub const fn shares_medical_info(self) -> bool {
        matches!(self, Self::Valid { .. } | Self::RenewalDue { .. })
    }

    /// Whether the insurance-use registration has been cancelled.
    pub const fn registration_cancelled(self) -> bool {
        matches!(self, Self::Expired { .. })
    }

    /// The rule that put the certificate in this state, if any.
    pub const fn rule_id(self) -> Option<RuleId> {
        match self {
            Self::NotYetValid { .. } | Self::Valid { .. } => None,
            Self::RenewalDue { .. } => Some(RuleId::DomCertRenew),
            Self::Grace { .. } | Self::Expired { .. } => Some(RuleId::DomCertGrace),
        }
    }
}

impl RulesCalendar {
    /// DOM-CERT-RENEW: the first day of the renewal warning for a certificate expiring
    /// on `expires_on` (3 months before; a missing day clamps to the month end).
    pub fn renewal_warning_from(&self, expires_on: NaiveDate) -> NaiveDate {
        sub_months(expires_on, self.config().renewal_warning_months)
    }

    /// DOM-CERT-GRACE: the last day a certificate expiring on `expires_on` still
    /// confirms qualification: the end of the 3rd month after the expiry month.
    pub fn grace_last_day(&self, expires_on: NaiveDate) -> NaiveDate {
        last_of_month(add_months(
            first_of_month(expires_on),
            self.config().certificate_grace_months,
        ))
    }

    /// The certificate's status on `as_of`.
    pub fn certificate_status(
        &self,
        certificate: &UserAuthCertificate,
        as_of: NaiveDate,
    ) -> CertificateStatus {
        let expires_on = certificate.expires_on;
        let valid_from = certificate.issued_at.date();
        if as_of < valid_from {
            return CertificateStatus::NotYetValid { valid_from };
        }
        if as_of <= expires_on {
            let warning_from = self.renewal_warning_from(expires_on);
            return if as_of >= warning_from {
                CertificateStatus::RenewalDue {
                    expires_on,
                    warning_from,
                }
            } else {
                CertificateStatus::Valid { expires_on }
            };
        }
        let grace_last_day = self.grace_last_day(expires_on);
        if as_of <= grace_last_day {
            CertificateStatus::Grace {
                expired_on: expires_on,
                grace_last_day,
            }
        } else {
            CertificateStatus::Expired {
                expired_on: expires_on,
                registration_cancelled_on: next_day(grace_last_day),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dates::ymd;

    fn cert(expires_on: NaiveDate) -> UserAuthCertificate {
        UserAuthCertificate {
            issued_at: ymd(2020, 1, 10).and_hms_opt(10, 0, 0).unwrap(),
            expires_on,
            renewed: false,
        }
    }

    fn cal() -> RulesCalendar {
        RulesCalendar::reference()
    }

    #[test]
    fn grace_ends_at_the_end_of_the_third_month_after_expiry() {
        // (expiry, last day of grace)
        let cases = [
            (ymd(2025, 1, 31), ymd(2025, 4, 30)),
            (ymd(2025, 1, 1), ymd(2025, 4, 30)),
            (ymd(2025, 5, 10), ymd(2025, 8, 31)),
            (ymd(2025, 11, 30), ymd(2026, 2, 28)),
            (ymd(2027, 11, 15), ymd(2028, 2, 29)),
            (ymd(2023, 11, 30), ymd(2024, 2, 29)),
            (ymd(2025, 10, 31), ymd(2026, 1, 31)),
            (ymd(2025, 12, 31), ymd(2026, 3, 31)),
            (ymd(2024, 2, 29), ymd(2024, 5, 31)),
        ];
        for (expiry, last) in cases {
            assert_eq!(cal().grace_last_day(expiry), last, "{expiry}");
            let c = cert(expiry);
            let on_last = cal().certificate_status(&c, last);
            assert!(
                matches!(on_last, CertificateStatus::Grace { .. }),
                "{expiry}"
            );
            assert!(on_last.confirms_qualification());
            assert!(!on_last.shares_medical_info());
            let after = cal().certificate_status(&c, next_day(last));
            assert_eq!(
                after,
                CertificateStatus::Expired {
                    expired_on: expiry,
                    registration_cancelled_on: next_day(last)
                },
                "{expiry}"
            );
            assert!(!after.confirms_qualification());
            assert!(after.registration_cancelled());
        }
    }

    #[test]
    fn expiry_day_is_valid_and_the_day_after_is_grace() {
        let c = cert(ymd(2025, 1, 31));
        let on = cal().certificate_status(&c, ymd(2025, 1, 31));
        assert!(on.shares_medical_info());
        let after = cal().certificate_status(&c, ymd(2025, 2, 1));
        assert_eq!(
            after,
            CertificateStatus::Grace {
                expired_on: ymd(2025, 1, 31),
                grace_last_day: ymd(2025, 4, 30)
            }
        );
        assert_eq!(after.rule_id(), Some(RuleId::DomCertGrace));
    }

    #[test]
    fn renewal_warning_starts_three_months_before_expiry() {
        // (expiry, first warning day)
        let cases = [
            (ymd(2025, 5, 10), ymd(2025, 2, 10)),
            (ymd(2025, 5, 31), ymd(2025, 2, 28)),
            (ymd(2024, 5, 31), ymd(2024, 2, 29)),
            (ymd(2026, 1, 15), ymd(2025, 10, 15)),
        ];
        for (expiry, from) in cases {
            let c = cert(expiry);
            assert_eq!(
                cal().certificate_status(&c, sub_day(from)),
                CertificateStatus::Valid { expires_on: expiry },
                "{expiry}"
            );
            let warned = cal().certificate_status(&c, from);
            assert_eq!(
                warned,
                CertificateStatus::RenewalDue {
                    expires_on: expiry,
                    warning_from: from
                },
                "{expiry}"
            );
            assert!(warned.shares_medical_info());
            assert_eq!(warned.rule_id(), Some(RuleId::DomCertRenew));
        }
    }

    #[test]
    fn not_yet_valid_before_issue() {
        let c = cert(ymd(2030, 1, 1));
        let status = cal().certificate_status(&c, ymd(2020, 1, 9));
        assert_eq!(
            status,
            CertificateStatus::NotYetValid {
                valid_from: ymd(2020, 1, 10)
            }
        );
        assert!(!status.confirms_qualification());
        assert_eq!(status.rule_id(), None);
    }

    #[test]
    fn grace_length_is_configurable() {
        let mut config = cal().config().clone();
        config.certificate_grace_months = 1;
        let cal = RulesCalendar::new(config).unwrap();
        assert_eq!(cal.grace_last_day(ymd(2025, 1, 31)), ymd(2025, 2, 28));
    }

    fn sub_day(date: NaiveDate) -> NaiveDate {
        crate::rules::dates::previous_day(date)
    }
}

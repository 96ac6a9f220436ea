//! 保険証利用登録 (registering the card for insurance use): channels (KQ-1), the PIN-less
//! card (OKA-FACEONLY), the 24-hour cooldown after a certificate renewal (OKA-REG-24H)
//! and the 5-day window before expiry (OKA-REG-5D), in which an already registered card
//! keeps working. Times are Japan local time (JST) as [`NaiveDateTime`].

use chrono::{NaiveDate, NaiveDateTime, TimeDelta};
use serde::{Deserialize, Serialize};

use super::calendar::RulesCalendar;
use super::catalogue::RuleId;
use super::certificate::UserAuthCertificate;

/// Where the person registers (KQ-1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RegistrationChannel {
    /// 医療機関・薬局の顔認証付きカードリーダー (face, PIN or 目視; on the spot).
    ClinicReader,
    /// マイナポータル on a PC with an IC card reader.
    Portal,
    /// マイナポータル app on a smartphone.
    Smartphone,
    /// セブン銀行ATM.
    BankAtm,
}

impl RegistrationChannel {
    /// Every channel.
    pub const ALL: &'static [RegistrationChannel] = &[
        Self::ClinicReader,
        Self::Portal,
        Self::Smartphone,
        Self::BankAtm,
    ];

    /// Whether the channel authenticates with the 4-digit PIN (利用者証明用暗証番号);
    /// only the clinic reader offers face authentication or a staff visual check.
    pub const fn needs_pin(self) -> bool {
        !matches!(self, Self::ClinicReader)
    }
}

/// The kind of My Number Card.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CardKind {
    /// An ordinary card with PINs.
    Standard,
    /// 顔認証マイナンバーカード: no PINs (DOM-PINLESS, from 2023-12-15).
    PinLess,
}

/// One attempt to register.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegistrationAttempt {
    /// When (JST).
    pub at: NaiveDateTime,
    /// Where.
    pub channel: RegistrationChannel,
    /// Which kind of card.
    pub card: CardKind,
    /// Whether the user-authentication PIN is locked (3 failures).
    pub pin_locked: bool,
    /// The card's current user-authentication certificate.
    pub certificate: UserAuthCertificate,
    /// Whether the card is already registered for insurance use.
    pub already_registered: bool,
    /// Whether the insurer has registered the person's qualification (FAQ-4-15).
    pub insurer_registered: bool,
}

/// A successful attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RegistrationOutcome {
    /// 登録完了.
    Registered,
    /// Already registered: nothing changes and the card keeps working, also within 5
    /// days of expiry (OKA-REG-5D).
    AlreadyRegistered,
}

/// Why registration was refused; each variant names its rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, thiserror::Error)]
pub enum RegistrationRefusal {
    /// Readers were not in operation yet (DOM-START).
    #[error("DOM-START: online confirmation starts on {from}")]
    ReaderNotOperating {
        /// Start of operation.
        from: NaiveDate,
    },
    /// A PIN-less card cannot exist before it was introduced (DOM-PINLESS).
    #[error("DOM-PINLESS: 顔認証マイナンバーカード exists from {from}")]
    PinLessCardNotIssued {
        /// Introduction date.
        from: NaiveDate,
    },
    /// A PIN-less card registers only at a clinic reader (OKA-FACEONLY).
    #[error(
        "OKA-FACEONLY: a 顔認証マイナンバーカード cannot register via {channel:?}; use a clinic reader"
    )]
    PinLessCardChannel {
        /// The refused channel.
        channel: RegistrationChannel,
    },
    /// The channel needs the PIN and it is locked (OKA-PREREQ; FAQ-4-11: the clinic
    /// reader still works by face).
    #[error("OKA-PREREQ: {channel:?} needs the PIN, which is locked; use a clinic reader")]
    PinLocked {
        /// The refused channel.
        channel: RegistrationChannel,
    },
    /// The certificate is not valid yet.
    #[error("OKA-PREREQ: the certificate is valid from {valid_from}")]
    CertificateNotYetValid {
        /// When it becomes valid.
        valid_from: NaiveDateTime,
    },
    /// The certificate has expired: renew first (OKA-REG-5D).
    #[error("OKA-REG-5D: the certificate expired on {expired_on}; renew it first")]
    CertificateExpired {
        /// Its expiry.
        expired_on: NaiveDate,
    },
    /// Within 24 hours of a renewal (OKA-REG-24H).
    #[error("OKA-REG-24H: registration opens at {allowed_from}, 24 hours after the renewal")]
    RenewalCooldown {
        /// When the certificate was renewed.
        renewed_at: NaiveDateTime,
        /// The first moment registration is accepted.
        allowed_from: NaiveDateTime,
    },
    /// The certificate expires within 5 days (OKA-REG-5D).
    #[error(
        "OKA-REG-5D: the certificate expires on {expires_on} ({days_left} days left); renew first"
    )]
    ExpiresTooSoon {
        /// Its expiry.
        expires_on: NaiveDate,
        /// Whole days from the attempt's date to the expiry.
        days_left: i64,
    },
    /// The insurer has not registered the qualification (FAQ-4-15): 「あなたの有効な保険資格
    /// 情報がないため、正常に処理できませんでした。」
    #[error("FAQ-4-15: no valid insurance qualification is registered")]
    NoValidQualification,
}

impl RegistrationRefusal {
    /// The rule that refused.
    pub const fn rule_id(&self) -> RuleId {
        match self {
            Self::ReaderNotOperating { .. } => RuleId::DomStart,
            Self::PinLessCardNotIssued { .. } => RuleId::DomPinLess,
            Self::PinLessCardChannel { .. } => RuleId::OkaFaceOnly,
            Self::PinLocked { .. } | Self::CertificateNotYetValid { .. } => RuleId::OkaPrereq,
            Self::CertificateExpired { .. } | Self::ExpiresTooSoon { .. } => RuleId::OkaReg5d,
            Self::RenewalCooldown { .. } => RuleId::OkaReg24h,
            Self::NoValidQualification => RuleId::Faq4_15,
        }
    }
}

impl RulesCalendar {
    /// OKA-REG-24H: the first moment a certificate accepts registration (24 hours after a
    /// renewal; at issue otherwise).
    pub fn registration_opens_at(&self, certificate: &UserAuthCertificate) -> NaiveDateTime {
        if certificate.renewed {
            let cooldown = TimeDelta::hours(i64::from(self.config().registration_cooldown_hours));
            certificate
                .issued_at
                .checked_add_signed(cooldown)
                .unwrap_or(NaiveDateTime::MAX)
        } else {
            certificate.issued_at
        }
    }

    /// OKA-REG-5D: the last day a certificate accepts a new registration (the day
    /// before the 5-day window: expiry − 6 days with the default margin).
    pub fn registration_last_day(&self, certificate: &UserAuthCertificate) -> NaiveDate {
        let margin = TimeDelta::days(i64::from(self.config().registration_expiry_margin_days) + 1);
        certificate
            .expires_on
            .checked_sub_signed(margin)
            .unwrap_or(NaiveDate::MIN)
    }

    /// Decides a registration attempt (KQ-1, OKA-FACEONLY, OKA-REG-24H, OKA-REG-5D,
    /// FAQ-4-15).
    pub fn register(
        &self,
        attempt: &RegistrationAttempt,
    ) -> Result<RegistrationOutcome, RegistrationRefusal> {
        let config = self.config();
        let today = attempt.at.date();
        let certificate = &attempt.certificate;

        if attempt.channel == RegistrationChannel::ClinicReader
            && !self.online_confirmation_operating(today)
        {
            return Err(RegistrationRefusal::ReaderNotOperating {
                from: config.full_operation,
            });
        }
        match attempt.card {
            CardKind::PinLess if !self.pin_less_card_exists(today) => {
                return Err(RegistrationRefusal::PinLessCardNotIssued {
                    from: config.pin_less_card,
                });
            }
            CardKind::PinLess if attempt.channel.needs_pin() => {
                return Err(RegistrationRefusal::PinLessCardChannel {
                    channel: attempt.channel,
                });
            }
            CardKind::Standard if attempt.pin_locked && attempt.channel.needs_pin() => {
                return Err(RegistrationRefusal::PinLocked {
                    channel: attempt.channel,
                });
            }
            CardKind::PinLess | CardKind::Standard => {}
        }
        if attempt.already_registered
            && self
                .certificate_status(certificate, today)
                .confirms_qualification()
        {
            return Ok(RegistrationOutcome::AlreadyRegistered);
        }
        if attempt.at < certificate.issued_at {
            return Err(RegistrationRefusal::CertificateNotYetValid {
                valid_from: certificate.issued_at,
            });
        }
        if today > certificate.expires_on {
            return Err(RegistrationRefusal::CertificateExpired {
                expired_on: certificate.expires_on,
            });
        }
        let opens_at = self.registration_opens_at(certificate);
        if attempt.at < opens_at {
            return Err(RegistrationRefusal::RenewalCooldown {
                renewed_at: certificate.issued_at,
                allowed_from: opens_at,
            });
        }
        let days_left = (certificate.expires_on - today).num_days();
        if days_left <= i64::from(config.registration_expiry_margin_days) {
            return Err(RegistrationRefusal::ExpiresTooSoon {
                expires_on: certificate.expires_on,
                days_left,
            });
        }
        if !attempt.insurer_registered {
            return Err(RegistrationRefusal::NoValidQualification);
        }
        Ok(RegistrationOutcome::Registered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::dates::ymd;

    fn at(date: NaiveDate, h: u32, m: u32, s: u32) -> NaiveDateTime {
        date.and_hms_opt(h, m, s).unwrap()
    }

    fn attempt(at: NaiveDateTime) -> RegistrationAttempt {
        RegistrationAttempt {
            at,
            channel: RegistrationChannel::Smartphone,
            card: CardKind::Standard,
            pin_locked: false,
            certificate: UserAuthCertificate {
                issued_at: self::at(ymd(2025, 3, 10), 14, 30, 0),
                expires_on: ymd(2030, 6, 15),
                renewed: true,
            },
            already_registered: false,
            insurer_registered: true,
        }
    }

    fn cal() -> RulesCalendar {
        RulesCalendar::reference()
    }

    #[test]
    fn renewal_cooldown_is_exactly_24_hours() {
        let renewed = at(ymd(2025, 3, 10), 14, 30, 0);
        // (attempt time, refused?)
        let cases = [
            (renewed, true),
            (at(ymd(2025, 3, 11), 14, 29, 59), true),
            (at(ymd(2025, 3, 11), 14, 30, 0), false),
            (at(ymd(2025, 3, 11), 14, 30, 1), false),
        ];
        for (when, refused) in cases {
            let result = cal().register(&attempt(when));
            if refused {
                let err = result.unwrap_err();
                assert_eq!(
                    err,
                    RegistrationRefusal::RenewalCooldown {
                        renewed_at: renewed,
                        allowed_from: at(ymd(2025, 3, 11), 14, 30, 0)
                    },
                    "{when}"
                );
                assert_eq!(err.rule_id(), RuleId::OkaReg24h);
                assert!(err.to_string().starts_with("OKA-REG-24H"));
            } else {
                assert_eq!(result, Ok(RegistrationOutcome::Registered), "{when}");
            }
        }
    }

    #[test]
    fn a_first_issue_has_no_cooldown() {
        let mut a = attempt(at(ymd(2025, 3, 10), 14, 30, 0));
        a.certificate.renewed = false;
        assert_eq!(cal().register(&a), Ok(RegistrationOutcome::Registered));
    }

    #[test]
    fn five_day_expiry_window() {
        let expiry = ymd(2030, 6, 15);
        // (attempt date, outcome)
        let cases = [
            (ymd(2030, 6, 9), Ok(RegistrationOutcome::Registered)),
            (
                ymd(2030, 6, 10),
                Err(RegistrationRefusal::ExpiresTooSoon {
                    expires_on: expiry,
                    days_left: 5,
                }),
            ),
            (
                ymd(2030, 6, 15),
                Err(RegistrationRefusal::ExpiresTooSoon {
                    expires_on: expiry,
                    days_left: 0,
                }),
            ),
            (
                ymd(2030, 6, 16),
                Err(RegistrationRefusal::CertificateExpired { expired_on: expiry }),
            ),
        ];
        for (date, outcome) in cases {
            let result = cal().register(&attempt(at(date, 23, 59, 59)));
            assert_eq!(result, outcome, "{date}");
            if let Err(e) = result {
                assert_eq!(e.rule_id(), RuleId::OkaReg5d);
            }
        }
        assert_eq!(
            cal().registration_last_day(&attempt(at(expiry, 0, 0, 0)).certificate),
            ymd(2030, 6, 9)
        );
    }

    #[test]
    fn an_already_registered_card_keeps_working_in_the_windows() {
        for date in [
            ymd(2030, 6, 10),
            ymd(2030, 6, 15),
            ymd(2030, 7, 1),
            ymd(2030, 9, 30),
        ] {
            let mut a = attempt(at(date, 9, 0, 0));
            a.already_registered = true;
            assert_eq!(
                cal().register(&a),
                Ok(RegistrationOutcome::AlreadyRegistered),
                "{date}"
            );
            let status = cal().certificate_status(&a.certificate, date);
            assert!(status.confirms_qualification(), "{date}");
        }
        // Within 24 h of the renewal as well.
        let mut a = attempt(at(ymd(2025, 3, 10), 15, 0, 0));
        a.already_registered = true;
        assert_eq!(
            cal().register(&a),
            Ok(RegistrationOutcome::AlreadyRegistered)
        );
        // Beyond the grace period the registration is gone.
        let mut a = attempt(at(ymd(2030, 10, 1), 9, 0, 0));
        a.already_registered = true;
        assert!(matches!(
            cal().register(&a),
            Err(RegistrationRefusal::CertificateExpired { .. })
        ));
    }

    #[test]
    fn pin_less_cards_register_only_at_a_reader() {
        let when = at(ymd(2025, 5, 1), 10, 0, 0);
        for &channel in RegistrationChannel::ALL {
            let mut a = attempt(when);
            a.card = CardKind::PinLess;
            a.channel = channel;
            let result = cal().register(&a);
            if channel == RegistrationChannel::ClinicReader {
                assert_eq!(result, Ok(RegistrationOutcome::Registered));
            } else {
                let err = result.unwrap_err();
                assert_eq!(err, RegistrationRefusal::PinLessCardChannel { channel });
                assert_eq!(err.rule_id(), RuleId::OkaFaceOnly);
            }
        }
        let mut early = attempt(at(ymd(2023, 12, 14), 10, 0, 0));
        early.certificate.issued_at = at(ymd(2023, 1, 1), 0, 0, 0);
        early.card = CardKind::PinLess;
        early.channel = RegistrationChannel::ClinicReader;
        assert_eq!(
            cal().register(&early),
            Err(RegistrationRefusal::PinLessCardNotIssued {
                from: ymd(2023, 12, 15)
            })
        );
        early.at = at(ymd(2023, 12, 15), 10, 0, 0);
        assert_eq!(cal().register(&early), Ok(RegistrationOutcome::Registered));
    }

    #[test]
    fn every_channel_accepts_a_standard_card() {
        for &channel in RegistrationChannel::ALL {
            let mut a = attempt(at(ymd(2025, 5, 1), 10, 0, 0));
            a.channel = channel;
            assert_eq!(cal().register(&a), Ok(RegistrationOutcome::Registered));
        }
    }

    #[test]
    fn a_locked_pin_leaves_only_the_reader() {
        for &channel in RegistrationChannel::ALL {
            let mut a = attempt(at(ymd(2025, 5, 1), 10, 0, 0));
            a.channel = channel;
            a.pin_locked = true;
            let result = cal().register(&a);
            if channel.needs_pin() {
                assert_eq!(result, Err(RegistrationRefusal::PinLocked { channel }));
            } else {
                assert_eq!(result, Ok(RegistrationOutcome::Registered));
            }
        }
    }

    #[test]
    fn no_qualification_registered_by_the_insurer() {
        let mut a = attempt(at(ymd(2025, 5, 1), 10, 0, 0));
        a.insurer_registered = false;
        let err = cal().register(&a).unwrap_err();
        assert_eq!(err, RegistrationRefusal::NoValidQualification);
        assert_eq!(err.rule_id(), RuleId::Faq4_15);
    }

    #[test]
    fn reader_registration_needs_operation_and_a_valid_certificate() {
        let mut a = attempt(at(ymd(2021, 10, 19), 10, 0, 0));
        a.certificate.issued_at = at(ymd(2021, 1, 1), 0, 0, 0);
        a.channel = RegistrationChannel::ClinicReader;
        assert_eq!(
            cal().register(&a),
            Err(RegistrationRefusal::ReaderNotOperating {
                from: ymd(2021, 10, 20)
            })
        );
        let b = attempt(at(ymd(2025, 3, 1), 10, 0, 0));
        assert_eq!(
            cal().register(&b),
            Err(RegistrationRefusal::CertificateNotYetValid {
                valid_from: at(ymd(2025, 3, 10), 14, 30, 0)
            })
        );
    }
}

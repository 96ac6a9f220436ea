//! A generated member's card: the card situation (unregistered, cancelled, in grace,
//! expiring, renewed, revoked), the certificate's dates, PINs and tries.
//!
//! The helpers below draw from the person's random stream in a fixed order; changing
//! that order changes every generated person.

use super::*;

/// The user-authentication certificate's dates and state.
struct CertDates {
    issued_at: NaiveDateTime,
    expires_on: NaiveDate,
    renewed: bool,
    revoked_at: Option<NaiveDateTime>,
}

/// The PIN situation: whether the card is PIN-less, the tries left, the PIN.
struct Pins {
    pinless: bool,
    tries: CardState,
    pin: String,
}

impl Draw<'_> {
    pub(super) fn card(&mut self, birth_date: NaiveDate) -> Card {
        let (ctx, i) = (self.ctx, self.i);
        let situation = self.card_situation();
        let cert = self.certificate_dates(situation);
        if let Some(tag) = situation_tag(situation) {
            self.tags.push(tag.into());
        }
        let Pins {
            pinless,
            tries,
            pin,
        } = self.pins();
        let security_code = format!("{:04}", self.rng.below(10_000));
        let card_expires = add_years(cert.expires_on, 5);
        let match_b = format!(
            "{}{}{}",
            birth_date.format("%y%m%d"),
            card_expires.format("%Y"),
            security_code
        );

        Card {
            facts: CardFacts {
                pinless,
                auth_pin: (!pinless).then(|| pin.clone()),
                sign_password: (!pinless).then(|| format!("GEN{pin}")),
                support_pin: (!pinless).then_some(pin),
                security_code,
                expires_on: card_expires,
                match_b,
                tries,
                locked_status: Status::AuthenticationMethodBlocked,
                tampered: None,
                certificate: CertificateFacts {
                    serial: ctx.codec.serial_of(i),
                    issued_at: cert.issued_at,
                    expires_on: cert.expires_on,
                    renewed: cert.renewed,
                    revoked_at: cert.revoked_at,
                },
            },
            situation,
        }
    }

    /// The card situation (one exclusive draw).
    fn card_situation(&mut self) -> CardSituation {
        let mix = &self.ctx.mix;
        match exclusive(
            self.rng.below(1000),
            &[
                mix.unregistered,
                mix.cancelled,
                mix.certificate_in_grace,
                mix.certificate_expiring,
                mix.certificate_renewed,
                mix.revoked,
            ],
        ) {
            Some(0) => CardSituation::Unregistered,
            Some(1) => CardSituation::Cancelled,
            Some(2) => CardSituation::Grace,
            Some(3) => CardSituation::Expiring,
            Some(4) => CardSituation::Renewed,
            Some(5) => CardSituation::Revoked,
            _ => CardSituation::Ordinary,
        }
    }

    /// The certificate's issue and expiry (and renewal, revocation) for `situation`.
    fn certificate_dates(&mut self, situation: CardSituation) -> CertDates {
        let (as_of, today) = (self.ctx.as_of, self.today);
        let rng = &mut self.rng;
        let time_of_day = NaiveTime::from_hms_opt(
            rng.range(8, 19) as u32,
            rng.range(0, 59) as u32,
            rng.range(0, 59) as u32,
        )
        .unwrap_or(NaiveTime::MIN);
        let (issued_at, expires_on, renewed, revoked_at) = match situation {
            CardSituation::Grace => {
                let expired = date_minus_days(today, rng.range(1, 80));
                (
                    date_minus_days(sub_years(expired, 5), 0).and_time(time_of_day),
                    expired,
                    false,
                    None,
                )
            }
            CardSituation::Cancelled => {
                let expired = date_minus_days(today, rng.range(130, 400));
                (
                    sub_years(expired, 5).and_time(time_of_day),
                    expired,
                    false,
                    None,
                )
            }
            CardSituation::Expiring => {
                let expires = date_plus_days(today, rng.range(6, 89));
                (
                    sub_years(expires, 5).and_time(time_of_day),
                    expires,
                    false,
                    None,
                )
            }
            CardSituation::Renewed => {
                let at = as_of - Duration::hours(rng.range(1, 20));
                (at, add_years(at.date(), 5), true, None)
            }
            CardSituation::Revoked => {
                let issued = date_minus_days(today, rng.range(200, 1200));
                let revoked = as_of - Duration::days(rng.range(1, 30));
                (
                    issued.and_time(time_of_day),
                    add_years(issued, 5),
                    false,
                    Some(revoked),
                )
            }
            CardSituation::Ordinary | CardSituation::Unregistered => {
                let issued = date_minus_days(today, rng.range(30, 1700));
                let mut expires = add_years(issued, 5);
                if expires <= date_plus_days(today, 95) {
                    expires = date_plus_days(today, rng.range(100, 1500));
                }
                (issued.and_time(time_of_day), expires, false, None)
            }
        };
        CertDates {
            issued_at,
            expires_on,
            renewed,
            revoked_at,
        }
    }

    /// The PIN situation (one exclusive draw, tagged) and the PIN.
    fn pins(&mut self) -> Pins {
        let mix = &self.ctx.mix;
        let pin_situation = exclusive(
            self.rng.below(1000),
            &[mix.pinless, mix.pin_locked, mix.pin_one_try_left],
        );
        let mut tries = CardState::default();
        match pin_situation {
            Some(0) => self.tags.push("pinless".into()),
            Some(1) => {
                self.tags.push("pin-locked".into());
                tries.tries_left.insert(PinId::AuthPin, 0);
            }
            Some(2) => {
                self.tags.push("one-try-left".into());
                tries.tries_left.insert(PinId::AuthPin, 1);
            }
            _ => {}
        }
        Pins {
            pinless: pin_situation == Some(0),
            tries,
            pin: format!("{:04}", self.rng.below(10_000)),
        }
    }
}

/// The tag of a card situation (none for an ordinary card).
fn situation_tag(situation: CardSituation) -> Option<&'static str> {
    match situation {
        CardSituation::Unregistered => Some("unregistered"),
        CardSituation::Cancelled => Some("cancelled"),
        CardSituation::Grace => Some("grace"),
        CardSituation::Expiring => Some("expiring"),
        CardSituation::Renewed => Some("renewed"),
        CardSituation::Revoked => Some("revoked"),
        CardSituation::Ordinary => None,
    }
}

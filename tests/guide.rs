//! `docs/implementing-a-backend.md` holds against the reference: its code table is
//! onshi's `ResultCode` (every code, its HTTP status, class, requirement and message),
//! its worked dates are what the rules calendar decides, and the provisioning command is
//! the same in every document that gives one. The old 保険証's worked dates are in
//! `docs/implementing-a-clinic.md` (a clinic's rule) and are held the same way.
#![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

use std::collections::BTreeMap;

use chrono::{NaiveDate, NaiveDateTime};

use onshi::protocol::ResultCode;
use onshi::rules::{
    CardKind, RegistrationAttempt, RegistrationChannel, RegistrationRefusal, RulesCalendar,
    UserAuthCertificate,
};

const GUIDE: &str = include_str!("../docs/implementing-a-backend.md");
const CLINIC_GUIDE: &str = include_str!("../docs/implementing-a-clinic.md");

/// The cells of the table rows of the backend guide's section that starts with `heading`.
fn rows(heading: &str) -> Vec<Vec<String>> {
    rows_in(GUIDE, heading)
}

/// The cells of the table rows of `doc`'s section that starts with `heading`.
fn rows_in(doc: &str, heading: &str) -> Vec<Vec<String>> {
    let start = doc
        .find(heading)
        .unwrap_or_else(|| panic!("no {heading:?}"));
    doc[start..]
        .lines()
        .skip(1)
        .take_while(|l| !l.starts_with("## ") && !l.starts_with("**"))
        .filter(|l| l.starts_with('|') && !l.starts_with("|---"))
        .map(|l| {
            l.trim_matches('|')
                .split(" | ")
                .map(|c| c.trim().trim_matches('`').to_owned())
                .collect()
        })
        .collect()
}

#[test]
fn the_code_table_is_the_reference_codes() {
    let table: BTreeMap<String, Vec<String>> = rows("## 4. Every code")
        .into_iter()
        .filter(|r| r[0].starts_with("ONS-"))
        .map(|r| (r[0].clone(), r))
        .collect();
    assert_eq!(table.len(), ResultCode::ALL.len(), "one row per code");
    for c in ResultCode::ALL {
        let row = &table[c.code()];
        assert_eq!(row[1], c.http_status().to_string(), "{}", c.code());
        assert_eq!(row[2], format!("{:?}", c.class()), "{}", c.code());
        let rule = c.rule().map_or("-".to_owned(), |r| r.code().to_owned());
        assert_eq!(row[3], rule, "{}", c.code());
        assert_eq!(row.last().unwrap(), c.message(), "{}", c.code());
    }
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn time(s: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
        .or_else(|_| NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M"))
        .unwrap()
}

#[test]
fn the_worked_grace_dates_are_the_calendars() {
    let cal = RulesCalendar::reference();
    let worked: Vec<_> = rows("**Certificate grace**")
        .into_iter()
        .filter(|r| r[0].starts_with("20"))
        .collect();
    assert!(worked.len() >= 4);
    for r in worked {
        assert_eq!(cal.grace_last_day(date(&r[0])), date(&r[1]), "{r:?}");
    }
}

#[test]
fn the_worked_registration_margins_are_the_calendars() {
    let cal = RulesCalendar::reference();
    let worked: Vec<_> = rows("**Registration margins**")
        .into_iter()
        .filter(|r| r[0].starts_with("renewed") || r[0].starts_with("expires"))
        .collect();
    assert_eq!(worked.len(), 5);
    for r in worked {
        let certificate = if let Some(at) = r[0].strip_prefix("renewed ") {
            UserAuthCertificate {
                issued_at: time(at),
                expires_on: date("2030-01-01"),
                renewed: true,
            }
        } else {
            let expires = date(r[0].strip_prefix("expires ").unwrap());
            UserAuthCertificate {
                issued_at: time("2025-01-01 00:00"),
                expires_on: expires,
                renewed: false,
            }
        };
        let attempt = RegistrationAttempt {
            at: time(&r[1]),
            channel: RegistrationChannel::ClinicReader,
            card: CardKind::Standard,
            pin_locked: false,
            certificate,
            already_registered: false,
            insurer_registered: true,
        };
        let got = match cal.register(&attempt) {
            Ok(_) => "registered".to_owned(),
            Err(RegistrationRefusal::RenewalCooldown { .. }) => "R221".to_owned(),
            Err(RegistrationRefusal::ExpiresTooSoon { .. }) => "R222".to_owned(),
            Err(RegistrationRefusal::CertificateExpired { .. }) => "R223".to_owned(),
            Err(e) => e.to_string(),
        };
        assert_eq!(got, r[2], "{r:?}");
    }
}

#[test]
fn the_provisioning_command_is_the_same_everywhere() {
    let command = "onshi population export --format jsonl --out pop/";
    for (name, text) in [
        ("implementing-a-backend.md", GUIDE),
        ("backend.md", include_str!("../docs/backend.md")),
        ("conformance.md", include_str!("../docs/conformance.md")),
    ] {
        assert!(text.contains(command), "{name} does not give `{command}`");
        for line in text
            .lines()
            .filter(|l| l.contains("onshi population export"))
        {
            assert!(
                !line.contains("--format csv") || line.contains("prefer"),
                "{name}: another provisioning command: {line}"
            );
        }
    }
}

#[test]
fn the_worked_age_bands_are_the_calendars() {
    use onshi::rules::AgeMilestones;
    let worked: Vec<_> = rows("**Age bands**")
        .into_iter()
        .filter(|r| r[0].starts_with("19") || r[0].starts_with("20"))
        .collect();
    assert_eq!(worked.len(), 4);
    for r in worked {
        let m = AgeMilestones::of(date(&r[0]));
        let got = [m.preschool_last_day, m.elderly_from, m.late_stage_from].map(|d| d.to_string());
        assert_eq!(
            got,
            [r[1].clone(), r[2].clone(), r[3].clone()],
            "born {}",
            r[0]
        );
    }
}

#[test]
fn the_worked_old_card_expiries_are_the_calendars() {
    use onshi::codes::InsurerNumber;
    use onshi::rules::{OldCardStatus, OldInsuranceCard};
    let cal = RulesCalendar::reference();
    // The clinic's rule: the backend answers the numbers (docs/implementing-a-clinic.md).
    let worked: Vec<_> = rows_in(CLINIC_GUIDE, "**Old 保険証**")
        .into_iter()
        .filter(|r| r[0].chars().all(|c| c.is_ascii_digit()))
        .collect();
    assert_eq!(worked.len(), 4);
    for r in worked {
        let card = OldInsuranceCard {
            insurer: InsurerNumber::parse(&r[0]).unwrap(),
            issued_on: date(&r[1]),
            expires_on: None,
            insurer_changed_on: None,
            ratio: None,
        };
        let got = match cal.old_card_status(&card, date(&r[2])) {
            OldCardStatus::Valid { .. } => "valid".to_owned(),
            OldCardStatus::Expired { last_valid_day, .. } => {
                format!("expired, last valid day {last_valid_day}")
            }
            other => format!("{other:?}"),
        };
        assert_eq!(got, r[3], "{r:?}");
    }
}

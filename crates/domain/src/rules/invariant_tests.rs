//! Property tests of the TRN-NO10 invariant: for an insured patient who cooperates, the
//! clinic never decides 10割 — over as-of dates 2024-01-01 … 2027-12-31, every reader
//! outcome, every facility state and every combination of documents — as long as the
//! backend itself does not return 10割 (the clinic trusts a returned ratio).
//!
//! Deterministic: a fixed xorshift generator and exhaustive loops, no proptest.

use chrono::{Days, NaiveDate};

use super::calendar::{CareSetting, RulesCalendar};
use super::clinic::decide;
use super::clinic_tests::{kyokai, late_stage, nhi};
use super::copay::RatioFields;
use super::dates::ymd;
use super::decision::Basis;
use super::documents::{
    ConfirmationCertificate, Document, NoticeForm, OldInsuranceCard, PortalScreen,
    QualificationNotice, SchoolCopyForm, SchoolEventCopy,
};
use super::visit::{
    CardAtDesk, ConfirmationFailure, ConfirmationOutcome, Facility, NetworkState, PatientStance,
    QualificationResult, ReaderState, Visit,
};
use crate::codes::{ContributionRatio, LimitClass, PreschoolClassification, QualificationValidity};

const FIRST: NaiveDate = ymd(2024, 1, 1);
const LAST: NaiveDate = ymd(2027, 12, 31);

/// Every boundary of the calendar the clinic step depends on, both sides.
const BOUNDARIES: &[NaiveDate] = &[
    ymd(2024, 3, 31),
    ymd(2024, 4, 1),
    ymd(2024, 5, 31),
    ymd(2024, 6, 1),
    ymd(2024, 10, 6),
    ymd(2024, 10, 7),
    ymd(2024, 12, 1),
    ymd(2024, 12, 2),
    ymd(2025, 6, 26),
    ymd(2025, 6, 27),
    ymd(2025, 7, 31),
    ymd(2025, 8, 1),
    ymd(2025, 11, 11),
    ymd(2025, 11, 12),
    ymd(2025, 12, 1),
    ymd(2025, 12, 2),
    ymd(2026, 3, 31),
    ymd(2026, 4, 1),
    ymd(2026, 7, 31),
    ymd(2026, 8, 1),
];

const BIRTHS: &[NaiveDate] = &[
    ymd(2021, 4, 1),
    ymd(2019, 4, 2),
    ymd(1990, 2, 28),
    ymd(1955, 10, 1),
    ymd(1954, 2, 28),
    ymd(1950, 6, 15),
    ymd(1940, 2, 29),
];

fn result(
    validity: QualificationValidity,
    is_presented_person: bool,
    ratios: RatioFields,
) -> ConfirmationOutcome {
    ConfirmationOutcome::Answered(QualificationResult {
        validity,
        is_presented_person,
        ratios,
    })
}

/// Ratio fields a backend may return; none of them is 10割.
fn ratio_variants() -> Vec<RatioFields> {
    vec![
        RatioFields::default(),
        RatioFields {
            insured_ratio: Some(ContributionRatio::THIRTY),
            ..RatioFields::default()
        },
        RatioFields {
            elderly_ratio: Some(ContributionRatio::TWENTY),
            limit_class: Some(LimitClass::B04),
            ..RatioFields::default()
        },
        RatioFields {
            preschool: Some(PreschoolClassification::Preschool),
            limit_class: Some(LimitClass::B01),
            insurer_family: Some(crate::codes::InsurerFamily::LateStageElderly),
            ..RatioFields::default()
        },
    ]
}

/// Every reader outcome: no card, card not read, each failure, each validity for the
/// right and the wrong person, each ratio variant.
fn card_outcomes() -> Vec<CardAtDesk> {
    let mut out = vec![
        CardAtDesk::NotPresented,
        CardAtDesk::Presented { reader: None },
    ];
    for &failure in ConfirmationFailure::ALL {
        out.push(CardAtDesk::Presented {
            reader: Some(ConfirmationOutcome::Failed(failure)),
        });
    }
    for &validity in QualificationValidity::ALL {
        for presented in [true, false] {
            for ratios in ratio_variants() {
                out.push(CardAtDesk::Presented {
                    reader: Some(result(validity, presented, ratios)),
                });
            }
        }
    }
    out
}

fn number_checks() -> Vec<Option<ConfirmationOutcome>> {
    let mut out = vec![None];
    for &validity in QualificationValidity::ALL {
        for presented in [true, false] {
            out.push(Some(result(validity, presented, RatioFields::default())));
        }
    }
    out.push(Some(ConfirmationOutcome::Failed(
        ConfirmationFailure::BackendUnreachable,
    )));
    out.push(Some(ConfirmationOutcome::Failed(
        ConfirmationFailure::Timeout,
    )));
    out
}

fn facilities() -> Vec<Facility> {
    let mut out = Vec::new();
    for online_confirmation in [true, false] {
        for reader in [
            ReaderState::Working,
            ReaderState::Broken,
            ReaderState::Absent,
        ] {
            for network in [NetworkState::Up, NetworkState::Down] {
                out.push(Facility {
                    online_confirmation,
                    reader,
                    network,
                });
            }
        }
    }
    out
}

/// The document pool: valid, expired and bogus forms of every kind.
fn document_pool() -> Vec<Document> {
    let old = |insurer, issued_on, expires_on, insurer_changed_on| {
        Document::OldInsuranceCard(OldInsuranceCard {
            insurer,
            issued_on,
            expires_on,
            insurer_changed_on,
            ratio: None,
        })
    };
    vec![
        old(kyokai(), ymd(2023, 4, 1), None, None),
        old(nhi(), ymd(2024, 8, 1), None, None),
        old(
            kyokai(),
            ymd(2022, 4, 1),
            Some(ymd(2027, 3, 31)),
            Some(ymd(2025, 4, 1)),
        ),
        old(late_stage(), ymd(2024, 12, 2), None, None),
        Document::Notice(QualificationNotice {
            insurer: nhi(),
            form: NoticeForm::Paper,
            ratio: None,
        }),
        Document::Notice(QualificationNotice {
            insurer: kyokai(),
            form: NoticeForm::PortalPdf,
            ratio: Some(ContributionRatio::THIRTY),
        }),
        Document::PortalScreen(PortalScreen {
            insurer: kyokai(),
            ratio: None,
        }),
        Document::ConfirmationCertificate(ConfirmationCertificate {
            insurer: late_stage(),
            valid_from: ymd(2024, 12, 2),
            valid_to: ymd(2026, 7, 31),
            ratio: None,
        }),
        Document::ConfirmationCertificate(ConfirmationCertificate {
            insurer: kyokai(),
            valid_from: ymd(2025, 1, 1),
            valid_to: ymd(2035, 1, 1),
            ratio: None,
        }),
        Document::SchoolEventCopy(SchoolEventCopy {
            form: SchoolCopyForm::PortalPdf,
            insurer: kyokai(),
            ratio: None,
        }),
    ]
}

fn subset(pool: &[Document], mask: u32) -> Vec<Document> {
    pool.iter()
        .enumerate()
        .filter(|(i, _)| mask & (1 << i) != 0)
        .map(|(_, d)| d.clone())
        .collect()
}

fn check(calendar: &RulesCalendar, visit: &Visit) {
    let decision = decide(calendar, visit);
    assert!(
        !decision.is_full_cost() && decision.basis.is_insured_care(),
        "10割 for a cooperating insured patient: {visit:#?}\n→ {decision:#?}"
    );
    assert!(
        [10, 20, 30].contains(&decision.copay.percent()),
        "{visit:#?} → {decision:#?}"
    );
    assert!(!decision.rule_ids.is_empty() || decision.basis == Basis::OnlineCard);
}

struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn pick<T: Clone>(&mut self, items: &[T]) -> T {
        items[(self.next() % items.len() as u64) as usize].clone()
    }
}

/// Every document combination × every reader outcome on every boundary date, at an
/// equipped facility, with and without a confirming number check.
#[test]
fn property_no_full_cost_on_boundaries_for_every_document_combination() {
    let calendar = RulesCalendar::reference();
    let pool = document_pool();
    let cards = card_outcomes();
    let numbers = [
        None,
        Some(result(
            QualificationValidity::Valid,
            true,
            RatioFields::default(),
        )),
    ];
    let mut count = 0u64;
    for (i, &as_of) in BOUNDARIES.iter().enumerate() {
        for mask in 0..(1u32 << pool.len()) {
            let mut visit = Visit {
                as_of,
                birth_date: BIRTHS[i % BIRTHS.len()],
                setting: CareSetting::Outpatient,
                facility: Facility::EQUIPPED,
                card: CardAtDesk::NotPresented,
                documents: subset(&pool, mask),
                number_check: None,
                stance: PatientStance::Cooperates,
            };
            for (j, card) in cards.iter().enumerate() {
                for number_check in &numbers {
                    visit.birth_date = BIRTHS[(i + j) % BIRTHS.len()];
                    visit.card = *card;
                    visit.number_check = *number_check;
                    check(&calendar, &visit);
                    count += 1;
                }
            }
        }
    }
    assert!(count > 1_000_000, "{count}");
}

/// What random visits are drawn from: documents, card outcomes, number checks,
/// facilities.
struct Inputs {
    pool: Vec<Document>,
    cards: Vec<CardAtDesk>,
    numbers: Vec<Option<ConfirmationOutcome>>,
    facilities: Vec<Facility>,
}

impl Inputs {
    fn new() -> Self {
        Self {
            pool: document_pool(),
            cards: card_outcomes(),
            numbers: number_checks(),
            facilities: facilities(),
        }
    }

    /// A random visit of a cooperating patient on a day of `FIRST ..= LAST` (1461 days).
    fn random_visit(&self, rng: &mut XorShift) -> Visit {
        let days = u64::try_from((LAST - FIRST).num_days()).unwrap() + 1;
        Visit {
            as_of: FIRST + Days::new(rng.next() % days),
            birth_date: rng.pick(BIRTHS),
            setting: rng.pick(CareSetting::ALL),
            facility: rng.pick(&self.facilities),
            card: rng.pick(&self.cards),
            documents: subset(&self.pool, (rng.next() % (1 << self.pool.len())) as u32),
            number_check: rng.pick(&self.numbers),
            stance: PatientStance::Cooperates,
        }
    }
}

/// Random visits over every day 2024-01-01 … 2027-12-31 and every input dimension.
#[test]
fn property_no_full_cost_over_all_dates_and_inputs() {
    let calendar = RulesCalendar::reference();
    let inputs = Inputs::new();
    let mut rng = XorShift(0x2545_F491_4F6C_DD1D);
    for _ in 0..400_000 {
        check(&calendar, &inputs.random_visit(&mut rng));
    }
}

/// Every day of the range, every facility, every card outcome, no documents at all: the
/// patient with nothing but a failing card still pays the normal copay.
#[test]
fn property_every_day_every_failure_without_documents() {
    let calendar = RulesCalendar::reference();
    let cards = card_outcomes();
    let facilities = facilities();
    let mut as_of = FIRST;
    while as_of <= LAST {
        for (k, card) in cards.iter().enumerate() {
            let facility = facilities[k % facilities.len()];
            let visit = Visit {
                as_of,
                birth_date: BIRTHS[k % BIRTHS.len()],
                setting: CareSetting::Outpatient,
                facility,
                card: *card,
                documents: Vec::new(),
                number_check: None,
                stance: PatientStance::Cooperates,
            };
            check(&calendar, &visit);
        }
        as_of = as_of + Days::new(1);
    }
}

/// The decision is a pure function: the same visit gives the same decision, and an
/// overridden calendar keeps the invariant too.
#[test]
fn property_deterministic_and_invariant_under_calendar_overrides() {
    use super::calendar::{CalendarConfig, DateKey};
    let moved = RulesCalendar::new(
        CalendarConfig::default()
            .with_date(DateKey::TemporaryMeasureLastDay, ymd(2026, 9, 30))
            .with_date(DateKey::SchoolEventCopies, ymd(2025, 4, 1)),
    )
    .unwrap();
    let reference = RulesCalendar::reference();
    let inputs = Inputs::new();
    let mut rng = XorShift(0xDEAD_BEEF_CAFE_F00D);
    for _ in 0..50_000 {
        let visit = inputs.random_visit(&mut rng);
        assert_eq!(decide(&reference, &visit), decide(&reference, &visit));
        check(&moved, &visit);
    }
}

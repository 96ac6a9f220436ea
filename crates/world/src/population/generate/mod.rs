//! Generated persons: a full [`ResolvedPersona`] computed from (seed, index) alone.
//!
//! Nothing is stored: the person of index `i` is rebuilt whenever it is needed, in a
//! few microseconds. Identifiers (番号, certificate serial, My Number) encode `i` (see
//! [`super::ids`]) so lookups decode, regenerate and compare.

use chrono::{Duration, Months, NaiveDate, NaiveDateTime, NaiveTime};

use super::ids::IdCodec;
use super::mix::{PopulationMix, exclusive};
use super::names::{
    FAMILY_NAMES, FEMALE_NAMES, KUMIAI, KYOSAI, KYUJI_FAMILY_NAMES, MALE_NAMES, PREFECTURES,
    Prefecture, TOWNS,
};
use super::rng::Rng64;
use crate::persona::model::{
    CardFacts, CertificateFacts, Consents, Documents, MedicalAid, Person, Qualification,
    RegistrationState, ResolvedPersona, SpecificDisease,
};
use crate::persona::my_number;
use onshi_card::card::{CardState, PinId, Status};
use onshi_domain::codes::{
    ContributionRatio, InsuredCardClassification, InsurerFamily, InsurerNumber, LimitClass,
    PersonalFamilyClassification, ReasonOfLoss, Sex, SpecificDiseaseCategory,
};

/// Everything generation depends on.
#[derive(Debug, Clone)]
pub(crate) struct GenContext {
    pub seed: u64,
    pub as_of: NaiveDateTime,
    pub mix: PopulationMix,
    pub codec: IdCodec,
}

mod card;
mod qualifications;

/// The id of generated person `i` (0-based among the generated).
pub fn generated_id(i: u64) -> String {
    format!("gen-{i:08}")
}

/// Parses a generated id back to its index.
pub fn parse_generated_id(id: &str) -> Option<u64> {
    let digits = id.strip_prefix("gen-")?;
    (digits.len() >= 8 && digits.bytes().all(|b| b.is_ascii_digit()))
        .then(|| digits.parse().ok())
        .flatten()
}

/// Card situations (one exclusive draw).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CardSituation {
    Ordinary,
    Unregistered,
    Cancelled,
    Grace,
    Expiring,
    Renewed,
    Revoked,
}

/// Qualification situations (one exclusive draw).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QualSituation {
    Ordinary,
    JobChangeLag,
    JobChangeDone,
    Hold,
    MedicalAid,
}

fn date_minus_days(d: NaiveDate, days: i64) -> NaiveDate {
    d.checked_sub_signed(Duration::days(days)).unwrap_or(d)
}

fn date_plus_days(d: NaiveDate, days: i64) -> NaiveDate {
    d.checked_add_signed(Duration::days(days)).unwrap_or(d)
}

fn add_years(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_add_months(Months::new(years * 12)).unwrap_or(d)
}

fn sub_years(d: NaiveDate, years: u32) -> NaiveDate {
    d.checked_sub_months(Months::new(years * 12)).unwrap_or(d)
}

fn insurer(body: &str) -> InsurerNumber {
    // Bodies are built from digits below; a failure would be a bug in this file.
    InsurerNumber::with_check_digit(body)
        .unwrap_or_else(|_| InsurerNumber::parse("01130012").expect("literal insurer number"))
}

/// One generated insurer: number and name.
struct Insurer {
    number: InsurerNumber,
    name: String,
}

fn pick_insurer(family: InsurerFamily, pref: &Prefecture, rng: &mut Rng64) -> Insurer {
    match family {
        InsurerFamily::KenpoKumiai => {
            let k = rng.below(KUMIAI.len() as u64) as usize;
            let body = format!("06{}{:03}", pref.code, 100 + (k * 111) % 900);
            Insurer {
                number: insurer(&body),
                name: format!("{}健康保険組合", KUMIAI[k]),
            }
        }
        InsurerFamily::Kyosai => {
            let (hou, name) = *rng.pick(KYOSAI);
            Insurer {
                number: insurer(&format!("{hou}{}051", pref.code)),
                name: name.to_owned(),
            }
        }
        InsurerFamily::NationalHealthInsurance => Insurer {
            number: insurer(&format!("{}101", pref.code)),
            name: format!("{}国民健康保険", pref.city),
        },
        InsurerFamily::LateStageElderly => Insurer {
            number: insurer(&format!("39{}115", pref.code)),
            name: format!("{}後期高齢者医療広域連合", pref.name),
        },
        _ => Insurer {
            number: insurer(&format!("01{}001", pref.code)),
            name: format!(
                "全国健康保険協会 {}支部",
                pref.name.trim_end_matches(['都', '府', '県'])
            ),
        },
    }
}

/// 記号 and 番号 of a record of person `i` at an insurer of `family`. 番号 carries the
/// encoded index; 記号 ranges are chosen apart from the persona files' ones.
fn symbol_and_number(
    family: InsurerFamily,
    codec: &IdCodec,
    i: u64,
    rng: &mut Rng64,
) -> (String, String) {
    let n = codec.number_of(i);
    match family {
        InsurerFamily::KyokaiKenpo => (format!("7{:07}", rng.below(10_000_000)), n.to_string()),
        InsurerFamily::KenpoKumiai => (format!("{}", 800 + rng.below(199)), n.to_string()),
        InsurerFamily::Kyosai => (format!("9{:02}", rng.below(100)), n.to_string()),
        _ => (String::new(), format!("{n:08}")),
    }
}

fn ratio(percent: u8) -> Option<ContributionRatio> {
    ContributionRatio::from_percent(percent).ok()
}

/// One person being drawn: the context, the person's random stream and tags.
struct Draw<'a> {
    ctx: &'a GenContext,
    i: u64,
    rng: Rng64,
    tags: Vec<String>,
    today: NaiveDate,
}

/// Who the person is, with the age and prefecture later draws depend on.
struct Who {
    person: Person,
    age: u32,
    pref: Prefecture,
}

/// The card and what kind of card situation it is in.
struct Card {
    facts: CardFacts,
    situation: CardSituation,
}

/// The qualification records and the facts the documents depend on.
struct Quals {
    records: Vec<Qualification>,
    family: InsurerFamily,
    employee: bool,
    acquired_on: NaiveDate,
}

/// Registration, privacy, consents and documents.
struct Rest {
    registration: RegistrationState,
    non_disclosure: bool,
    consents: Consents,
    documents: Documents,
}

/// Builds generated person `i`.
pub(crate) fn generate(ctx: &GenContext, i: u64, global_index: u64) -> ResolvedPersona {
    let mut d = Draw {
        ctx,
        i,
        rng: Rng64::for_person(ctx.seed, i),
        tags: vec!["generated".into()],
        today: ctx.as_of.date(),
    };
    let who = d.who();
    let card = d.card(who.person.birth_date);
    let quals = d.qualifications(&who);
    let rest = d.rest(&card, &quals);
    ResolvedPersona {
        template: None,
        id: generated_id(i),
        description: format!("generated person #{global_index}"),
        tags: d.tags,
        as_of: ctx.as_of,
        person: who.person,
        card: card.facts,
        qualifications: quals.records,
        registration: rest.registration,
        consents: rest.consents,
        non_disclosure: rest.non_disclosure,
        documents: rest.documents,
    }
}

impl Draw<'_> {
    fn who(&mut self) -> Who {
        let (ctx, i, today) = (self.ctx, self.i, self.today);
        let mix = &ctx.mix;
        let rng = &mut self.rng;
        let tags = &mut self.tags;

        let band = rng.weighted(&mix.age_weights);
        let (lo, hi) = [
            (0, 5),
            (6, 19),
            (20, 39),
            (40, 64),
            (65, 69),
            (70, 74),
            (75, 99),
        ][band];
        let age = rng.range(lo, hi) as u32;
        let birth_date = date_minus_days(sub_years(today, age), rng.range(1, 364));
        let sex = if rng.chance(500) {
            Sex::Male
        } else {
            Sex::Female
        };
        let kyuji = rng.chance(mix.kyuji_name);
        let (family_kanji, family_kana) = if kyuji {
            tags.push("kyuji".into());
            *rng.pick(KYUJI_FAMILY_NAMES)
        } else {
            *rng.pick(FAMILY_NAMES)
        };
        let (given_kanji, given_kana) = match sex {
            Sex::Male => *rng.pick(MALE_NAMES),
            _ => *rng.pick(FEMALE_NAMES),
        };
        let weights: Vec<u32> = PREFECTURES.iter().map(|p| p.weight).collect();
        let pref = PREFECTURES[rng.weighted(&weights)];
        let address = format!(
            "{}{}{}{}丁目{}番{}号",
            pref.name,
            pref.city,
            rng.pick(TOWNS),
            rng.range(1, 5),
            rng.range(1, 30),
            rng.range(1, 20)
        );
        let postal_code = Some(format!("{}{:04}", pref.postal, rng.below(10_000)));
        let my_number = {
            let body = ctx.codec.my_number_body(i);
            let mut digits = [0u8; 11];
            for (d, b) in digits.iter_mut().zip(body.bytes()) {
                *d = b - b'0';
            }
            format!("{body}{}", my_number::check_digit(&digits))
        };

        Who {
            person: Person {
                name: format!("{family_kanji}\u{3000}{given_kanji}"),
                name_kana: format!("{family_kana}\u{3000}{given_kana}"),
                birth_date,
                sex,
                address,
                postal_code,
                my_number,
            },
            age,
            pref,
        }
    }

    fn rest(&mut self, card: &Card, quals: &Quals) -> Rest {
        let (ctx, today) = (self.ctx, self.today);
        let mix = &ctx.mix;
        let rng = &mut self.rng;
        let tags = &mut self.tags;
        let card_situation = card.situation;
        let issued_at = card.facts.certificate.issued_at;
        let (family, employee, acquired_on) = (quals.family, quals.employee, quals.acquired_on);
        let qualifications = &quals.records;

        let registration = match card_situation {
            CardSituation::Unregistered => RegistrationState::Unregistered,
            CardSituation::Cancelled => RegistrationState::Cancelled,
            CardSituation::Renewed if rng.chance(500) => RegistrationState::Unregistered,
            _ => {
                let at = (ctx.as_of - Duration::days(rng.range(20, 1500)))
                    .max(issued_at.min(ctx.as_of - Duration::days(20)));
                RegistrationState::Registered(Some(at))
            }
        };
        let non_disclosure = rng.chance(mix.non_disclosure);
        if non_disclosure {
            tags.push("non-disclosure".into());
        }
        let consents = Consents {
            medical_info: rng.chance(mix.consent_medical_info),
            limit_info: rng.chance(mix.consent_limit_info),
        };
        let needs_kakunin = !registration.is_registered()
            || non_disclosure
            || family == InsurerFamily::LateStageElderly;
        let kakunin_sho = needs_kakunin.then(|| {
            let from = date_minus_days(today, rng.range(10, 300));
            let to = if family == InsurerFamily::LateStageElderly {
                NaiveDate::from_ymd_opt(2026, 7, 31)
                    .filter(|d| *d >= from)
                    .unwrap_or_else(|| add_years(from, 1))
            } else {
                add_years(from, rng.range(1, 5) as u32)
            };
            (from, to)
        });
        let cutoff = NaiveDate::from_ymd_opt(2024, 12, 1).unwrap_or(today);
        let old_card = (employee && acquired_on <= cutoff).then(|| {
            let floor = NaiveDate::from_ymd_opt(2019, 4, 1).unwrap_or(cutoff);
            (qualifications[0].acquired_on.max(floor).min(cutoff), None)
        });
        let notice = qualifications.len() > 1
            || !registration.is_registered()
            || rng.chance(mix.carries_notice);
        let documents = Documents {
            notice,
            portal_screen: false,
            kakunin_sho,
            old_card,
            public_expense: None,
        };

        Rest {
            registration,
            non_disclosure,
            consents,
            documents,
        }
    }
}

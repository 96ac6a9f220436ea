//! The population the reference backend serves: the personas of `virtual-cards/`
//! (indexes `0..P`) followed by `size` generated persons (indexes `P..P+size`), all
//! resolved at one as-of time.
//!
//! - [`Population`]: the store — lookups by certificate serial, card numbers, My
//!   Number (only for the `accept-my-number` defect) and id; the registration overlay.
//! - [`mix`]: the [`PopulationMix`] of the generated part.
//! - [`generate`]: a generated person from (seed, index), on demand.
//! - [`ids`]: identifiers that encode the index (O(1) reverse lookups).
//! - [`certs`]: certificates of any member (RSA JPKI root for personas, the Ed25519
//!   load root for generated persons — a load-test simplification).
//! - [`export`]: `onshi population export` (JSON Lines / CSV).
//!
//! Building a population is O(personas): nothing about generated persons is stored,
//! so a million persons are ready at once and cost no memory. The only mutable part
//! is the overlay of on-the-spot registrations.

pub mod certs;
pub mod export;
pub mod generate;
pub mod ids;
pub mod mix;
pub(crate) mod names;
pub mod rng;

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{PoisonError, RwLock};

use chrono::{NaiveDate, NaiveDateTime};

pub use certs::{CertificateIssuer, IssuedAuthCert, RootKind};
pub use generate::{generated_id, parse_generated_id};
pub use ids::{IdCodec, MAX_GENERATED};
pub use mix::{MixError, PopulationMix};

use crate::persona::{PersonaSet, ResolvedPersona};
use generate::GenContext;
use onshi_domain::codes::InsurerNumber;
use onshi_domain::protocol::wire::basic_info_key;

/// The default number of generated persons, shared by every command.
pub const DEFAULT_SIZE: u64 = 10_000;

/// Index of a member: personas first, then generated persons.
pub type PersonIndex = u64;

/// Why a population cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PopulationError {
    /// More generated persons than the identifiers can carry.
    #[error("population size {size} is over the maximum of {max}")]
    TooLarge {
        /// Requested size.
        size: u64,
        /// The maximum.
        max: u64,
    },
    /// The mix is inconsistent.
    #[error(transparent)]
    Mix(#[from] MixError),
    /// Two personas share a certificate serial or card numbers.
    #[error("personas {first} and {second} share {what}")]
    Duplicate {
        /// What is shared.
        what: &'static str,
        /// One persona.
        first: String,
        /// The other.
        second: String,
    },
}

/// Card numbers as a lookup key (記号 absent = empty, 枝番 absent = `00`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct NumbersKey {
    insurer: String,
    symbol: String,
    number: String,
    branch: String,
}

impl NumbersKey {
    fn new(
        insurer: &InsurerNumber,
        symbol: Option<&str>,
        number: &str,
        branch: Option<&str>,
    ) -> Self {
        Self {
            insurer: insurer.as_str().to_owned(),
            symbol: symbol.map(str::trim).unwrap_or_default().to_owned(),
            number: number.trim().to_owned(),
            branch: branch
                .map(str::trim)
                .filter(|b| !b.is_empty())
                .unwrap_or("00")
                .to_owned(),
        }
    }

    /// The same numbers without the 枝番: the household's key.
    fn household(&self) -> Self {
        Self {
            branch: String::new(),
            ..self.clone()
        }
    }

    fn of_record(q: &crate::persona::model::Qualification) -> Self {
        Self::new(
            &q.insurer_number,
            Some(&q.symbol),
            &q.number,
            Some(&q.branch),
        )
    }
}

/// The population: personas plus generated persons, resolved at one as-of time.
#[derive(Debug)]
pub struct Population {
    ctx: GenContext,
    size: u64,
    personas: Vec<ResolvedPersona>,
    by_serial: HashMap<u64, u32>,
    by_numbers: HashMap<NumbersKey, (u32, usize)>,
    by_household: HashMap<NumbersKey, Vec<(u32, usize)>>,
    by_name_and_birth: HashMap<(String, NaiveDate), Vec<u32>>,
    instantiated: HashSet<String>,
    by_my_number: HashMap<String, u32>,
    by_id: HashMap<String, u32>,
    registrations: RwLock<HashMap<PersonIndex, NaiveDateTime>>,
}

impl Population {
    /// The personas of `personas` resolved at `as_of`, then `size` generated persons
    /// with the default mix.
    pub fn new(
        seed: u64,
        size: u64,
        personas: &PersonaSet,
        as_of: NaiveDateTime,
    ) -> Result<Self, PopulationError> {
        Self::with_mix(seed, size, personas, as_of, PopulationMix::default())
    }

    /// Like [`Population::new`] with an explicit mix.
    pub fn with_mix(
        seed: u64,
        size: u64,
        personas: &PersonaSet,
        as_of: NaiveDateTime,
        mix: PopulationMix,
    ) -> Result<Self, PopulationError> {
        let resolved = personas.iter().map(|p| p.resolve(as_of, seed)).collect();
        Self::from_resolved(seed, size, resolved, as_of, mix)
    }

    /// A population from already-resolved personas (tests build their own).
    pub fn from_resolved(
        seed: u64,
        size: u64,
        personas: Vec<ResolvedPersona>,
        as_of: NaiveDateTime,
        mix: PopulationMix,
    ) -> Result<Self, PopulationError> {
        if size > MAX_GENERATED {
            return Err(PopulationError::TooLarge {
                size,
                max: MAX_GENERATED,
            });
        }
        mix.validate()?;
        let mut by_serial = HashMap::new();
        let mut by_numbers = HashMap::new();
        let mut by_household: HashMap<NumbersKey, Vec<(u32, usize)>> = HashMap::new();
        let mut by_name_and_birth: HashMap<(String, NaiveDate), Vec<u32>> = HashMap::new();
        let mut by_my_number = HashMap::new();
        let mut by_id = HashMap::new();
        let dup = |what, a: &ResolvedPersona, b: &ResolvedPersona| PopulationError::Duplicate {
            what,
            first: a.id.clone(),
            second: b.id.clone(),
        };
        for (i, p) in personas.iter().enumerate() {
            let i = i as u32;
            if let Some(prev) = by_serial.insert(p.card.certificate.serial, i) {
                return Err(dup("a certificate serial", &personas[prev as usize], p));
            }
            for (r, q) in p.qualifications.iter().enumerate() {
                let key = NumbersKey::of_record(q);
                by_household
                    .entry(key.household())
                    .or_default()
                    .push((i, r));
                if let Some((prev, _)) = by_numbers.insert(key, (i, r))
                    && prev != i
                {
                    return Err(dup("card numbers", &personas[prev as usize], p));
                }
            }
            by_name_and_birth
                .entry((basic_info_key(&p.person.name), p.person.birth_date))
                .or_default()
                .push(i);
            by_my_number.insert(p.person.my_number.clone(), i);
            by_id.insert(p.id.clone(), i);
        }
        let instantiated = personas.iter().filter_map(|p| p.template.clone()).collect();
        Ok(Self {
            ctx: GenContext {
                seed,
                as_of,
                mix,
                codec: IdCodec::new(seed),
            },
            size,
            personas,
            by_serial,
            by_numbers,
            by_household,
            by_name_and_birth,
            instantiated,
            by_my_number,
            by_id,
            registrations: RwLock::new(HashMap::new()),
        })
    }

    /// The seed.
    pub fn seed(&self) -> u64 {
        self.ctx.seed
    }

    /// The as-of time everything was resolved at.
    pub fn as_of(&self) -> NaiveDateTime {
        self.ctx.as_of
    }

    /// The mix of the generated part.
    pub fn mix(&self) -> &PopulationMix {
        &self.ctx.mix
    }

    /// Number of personas (indexes `0..persona_count()`).
    pub fn persona_count(&self) -> u64 {
        self.personas.len() as u64
    }

    /// Number of generated persons.
    pub fn generated_count(&self) -> u64 {
        self.size
    }

    /// All members.
    pub fn len(&self) -> u64 {
        self.persona_count() + self.size
    }

    /// Whether there is nobody.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The personas, resolved.
    pub fn personas(&self) -> &[ResolvedPersona] {
        &self.personas
    }

    /// Whether `index` is a generated person.
    pub fn is_generated(&self, index: PersonIndex) -> bool {
        index >= self.persona_count() && index < self.len()
    }

    /// The member at `index` (a generated one is built on the spot).
    pub fn person(&self, index: PersonIndex) -> Option<Cow<'_, ResolvedPersona>> {
        let p = self.persona_count();
        if index < p {
            self.personas.get(index as usize).map(Cow::Borrowed)
        } else if index < self.len() {
            Some(Cow::Owned(generate::generate(&self.ctx, index - p, index)))
        } else {
            None
        }
    }

    /// The index of a member id (persona id or `gen-NNNNNNNN`).
    pub fn index_of_id(&self, id: &str) -> Option<PersonIndex> {
        if let Some(i) = self.by_id.get(id) {
            return Some(u64::from(*i));
        }
        parse_generated_id(id)
            .filter(|g| *g < self.size)
            .map(|g| g + self.persona_count())
    }

    /// The id of a member.
    pub fn id_of(&self, index: PersonIndex) -> Option<String> {
        let p = self.persona_count();
        if index < p {
            Some(self.personas[index as usize].id.clone())
        } else {
            (index < self.len()).then(|| generated_id(index - p))
        }
    }

    /// The member whose user-authentication certificate has this serial.
    pub fn by_certificate_serial(&self, serial: u64) -> Option<PersonIndex> {
        if let Some(i) = self.by_serial.get(&serial) {
            return Some(u64::from(*i));
        }
        self.ctx
            .codec
            .index_of_serial(serial)
            .filter(|g| *g < self.size)
            .map(|g| g + self.persona_count())
    }

    /// The certificate serial of a member.
    pub fn certificate_serial(&self, index: PersonIndex) -> Option<u64> {
        let p = self.persona_count();
        if index < p {
            Some(self.personas[index as usize].card.certificate.serial)
        } else {
            (index < self.len()).then(|| self.ctx.codec.serial_of(index - p))
        }
    }

    /// The member and record (index into its `qualifications`) with these card numbers.
    /// `symbol` absent means none printed; `branch` absent means `00` (a search without
    /// 枝番 finds every household member: [`Population::candidates`]).
    pub fn by_numbers(
        &self,
        insurer: &InsurerNumber,
        symbol: Option<&str>,
        number: &str,
        branch: Option<&str>,
    ) -> Option<(PersonIndex, usize)> {
        let key = NumbersKey::new(insurer, symbol, number, branch);
        if let Some((i, r)) = self.by_numbers.get(&key) {
            return Some((u64::from(*i), *r));
        }
        self.generated_records(&key, |q| NumbersKey::of_record(q) == key)
            .into_iter()
            .next()
    }

    /// The generated member whose insured number is `key`'s (numbers encode the
    /// member's index), and its records that `fits`.
    fn generated_records(
        &self,
        key: &NumbersKey,
        fits: impl Fn(&crate::persona::model::Qualification) -> bool,
    ) -> Vec<(PersonIndex, usize)> {
        if key.number.is_empty() || key.number.len() > 8 {
            return Vec::new();
        }
        let Ok(value) = key.number.parse::<u64>() else {
            return Vec::new();
        };
        let g = self.ctx.codec.index_of_number(value);
        if g >= self.size {
            return Vec::new();
        }
        let index = g + self.persona_count();
        let person = generate::generate(&self.ctx, g, index);
        person
            .qualifications
            .iter()
            .enumerate()
            .filter(|(_, q)| fits(q))
            .map(|(r, _)| (index, r))
            .collect()
    }

    /// Every member and record a search by card numbers finds. With a 枝番, at most
    /// the one record with exactly these numbers (as [`Population::by_numbers`]).
    /// Without one — a 保険証 printed before 枝番 were given (2021), or a clinic's
    /// record of one — every record under these 保険者番号・記号・番号, whichever 枝番:
    /// the 被保険者 and their family. The caller narrows by birth date; several left
    /// is 複数該当.
    pub fn candidates(
        &self,
        insurer: &InsurerNumber,
        symbol: Option<&str>,
        number: &str,
        branch: Option<&str>,
    ) -> Vec<(PersonIndex, usize)> {
        if branch.is_some_and(|b| !b.trim().is_empty()) {
            return self
                .by_numbers(insurer, symbol, number, branch)
                .into_iter()
                .collect();
        }
        let key = NumbersKey::new(insurer, symbol, number, None).household();
        match self.by_household.get(&key) {
            Some(v) => v.iter().map(|(i, r)| (u64::from(*i), *r)).collect(),
            None => self.generated_records(&key, |q| NumbersKey::of_record(q).household() == key),
        }
    }

    /// The personas whose 基本4情報 are these (氏名 and 住所 compared with whitespace
    /// removed), for the 緊急時医療情報・資格確認機能. A template whose scenario instances
    /// are in the population stands for them and is not found itself (its instances
    /// share its 基本4情報). Generated members are not searched by name: the generated
    /// part is built on the spot from an index, and no index leads from a name to it.
    pub fn by_basic_info(
        &self,
        name: &str,
        sex: onshi_domain::codes::Sex,
        birth_date: NaiveDate,
        address: &str,
    ) -> Vec<PersonIndex> {
        let address = basic_info_key(address);
        self.by_name_and_birth
            .get(&(basic_info_key(name), birth_date))
            .into_iter()
            .flatten()
            .filter(|i| {
                let p = &self.personas[**i as usize];
                !self.instantiated.contains(&p.id)
                    && p.person.sex == sex
                    && basic_info_key(&p.person.address) == address
            })
            .map(|i| u64::from(*i))
            .collect()
    }

    /// The member with this (synthetic) My Number. Only the `accept-my-number` defect
    /// uses this: the reference backend never accepts a My Number (FAQ-4-20).
    pub fn by_my_number(&self, my_number: &str) -> Option<PersonIndex> {
        if let Some(i) = self.by_my_number.get(my_number) {
            return Some(u64::from(*i));
        }
        let g = self.ctx.codec.index_of_my_number(my_number)?;
        (g < self.size)
            .then(|| g + self.persona_count())
            .filter(|i| {
                self.person(*i)
                    .is_some_and(|p| p.person.my_number == my_number)
            })
    }

    /// An on-the-spot registration recorded in the overlay, if any.
    pub fn overlay_registration(&self, index: PersonIndex) -> Option<NaiveDateTime> {
        self.registrations
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&index)
            .copied()
    }

    /// Records an on-the-spot registration (保険証利用登録 at a reader) at `at`.
    /// Returns `false` when the overlay already held one at or before `at`; an earlier
    /// `at` moves the registration earlier.
    pub fn record_registration(&self, index: PersonIndex, at: NaiveDateTime) -> bool {
        let mut map = self
            .registrations
            .write()
            .unwrap_or_else(PoisonError::into_inner);
        match map.get_mut(&index) {
            // A visit earlier on the clock registered later in real time (queued
            // visits of a compressed load run): the registration holds from the
            // earliest time any visit made it.
            Some(t) if at < *t => {
                *t = at;
                true
            }
            Some(_) => false,
            None => {
                map.insert(index, at);
                true
            }
        }
    }

    /// Number of overlay registrations.
    pub fn overlay_len(&self) -> usize {
        self.registrations
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }
}

#[cfg(test)]
mod tests;

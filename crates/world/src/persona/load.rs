//! Discovery and validation of persona files, and resolution at an as-of time.

use std::path::{Path, PathBuf};

use chrono::NaiveDateTime;

use super::datespec::DateSpec;
use super::model::*;
use super::my_number;
use super::schema::*;
use onshi_card::card::{CardState, PinId, Status};
use onshi_domain::codes::{ContributionRatio, InsurerNumber};
use onshi_support::tomlsrc::{InputError, TomlSource};

/// A validated persona file.
#[derive(Debug, Clone)]
pub struct Persona {
    /// The id: the file stem (`standard-adult`).
    pub id: String,
    /// Where it came from.
    pub path: PathBuf,
    /// The parsed file.
    pub file: PersonaFile,
    /// The template's id when this is a scenario's instance of a persona (see
    /// [`super::cast`]); `None` for a persona file itself.
    pub template: Option<String>,
    /// The time an instance is placed at, whatever the population's as-of: the date
    /// its scenario is about (the feature's 背景 照会日時). `None`: the as-of.
    pub anchor: Option<NaiveDateTime>,
}

/// All personas of a directory, sorted by id.
#[derive(Debug, Clone, Default)]
pub struct PersonaSet {
    personas: Vec<Persona>,
}

impl PersonaSet {
    /// Loads every `*.toml` in `dir`. All problems of all files are returned together.
    pub fn load_dir(dir: &Path) -> Result<Self, Vec<InputError>> {
        let entries = std::fs::read_dir(dir).map_err(|e| {
            vec![InputError {
                file: dir.to_owned(),
                line: None,
                field: None,
                message: format!("cannot read the cards directory: {e}"),
            }]
        })?;
        let mut paths: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        paths.sort();
        let sources: Result<Vec<_>, _> = paths.iter().map(|p| TomlSource::read(p)).collect();
        Self::from_sources(sources.map_err(|e| vec![e])?)
    }

    /// Builds a set from already-read sources (used for the embedded defaults).
    pub fn from_sources(sources: Vec<TomlSource>) -> Result<Self, Vec<InputError>> {
        let mut personas = Vec::new();
        let mut errors = Vec::new();
        for src in sources {
            match Persona::from_source(&src) {
                Ok(p) => personas.push(p),
                Err(mut e) => errors.append(&mut e),
            }
        }
        let set = Self::from_personas(personas);
        for w in set.personas.windows(2) {
            if w[0].id == w[1].id {
                errors.push(InputError {
                    file: w[1].path.clone(),
                    line: None,
                    field: None,
                    message: format!(
                        "duplicate persona id {:?} (also {})",
                        w[1].id,
                        w[0].path.display()
                    ),
                });
            }
        }
        errors.extend(set.household_errors());
        if errors.is_empty() {
            Ok(set)
        } else {
            Err(errors)
        }
    }

    /// Households hold together: every record of one household carries the same
    /// 保険者番号・記号・番号, and no two share a 枝番.
    fn household_errors(&self) -> Vec<InputError> {
        let mut first: std::collections::BTreeMap<&str, (&Persona, &QualificationSection)> =
            std::collections::BTreeMap::new();
        let mut branches: std::collections::BTreeMap<(&str, &str), &str> =
            std::collections::BTreeMap::new();
        let mut errors = Vec::new();
        for p in &self.personas {
            for (i, q) in p.file.qualification.iter().enumerate() {
                let Some(h) = q.household.as_deref() else {
                    continue;
                };
                let problem = match first.get(h) {
                    None => {
                        first.insert(h, (p, q));
                        None
                    }
                    Some((fp, fq))
                        if (
                            fq.insurer_number.as_str(),
                            fq.symbol.trim(),
                            fq.number.trim(),
                        ) != (q.insurer_number.as_str(), q.symbol.trim(), q.number.trim()) =>
                    {
                        Some(format!(
                            "household {h:?} shares 保険者番号・記号・番号 {} {} {} ({}), not {} {} {}",
                            fq.insurer_number,
                            fq.symbol,
                            fq.number,
                            fp.path.display(),
                            q.insurer_number,
                            q.symbol,
                            q.number
                        ))
                    }
                    Some(_) => None,
                };
                // One person may hold the same 枝番 twice (lost, then acquired again).
                let problem = problem.or_else(|| {
                    match branches.insert((h, q.branch.trim()), p.id.as_str()) {
                        Some(other) if other != p.id => Some(format!(
                            "household {h:?} has 枝番 {} twice ({other} and {})",
                            q.branch, p.id
                        )),
                        _ => None,
                    }
                });
                if let Some(message) = problem {
                    errors.push(InputError {
                        file: p.path.clone(),
                        line: None,
                        field: Some(format!("qualification[{i}].household")),
                        message,
                    });
                }
            }
        }
        errors
    }

    /// A set of these personas, sorted by id.
    pub(crate) fn from_personas(mut personas: Vec<Persona>) -> Self {
        personas.sort_by(|a, b| a.id.cmp(&b.id));
        Self { personas }
    }

    /// The personas.
    pub fn iter(&self) -> impl Iterator<Item = &Persona> {
        self.personas.iter()
    }

    /// Number of personas.
    pub fn len(&self) -> usize {
        self.personas.len()
    }

    /// Whether empty.
    pub fn is_empty(&self) -> bool {
        self.personas.is_empty()
    }

    /// A persona by id.
    pub fn get(&self, id: &str) -> Option<&Persona> {
        self.personas.iter().find(|p| p.id == id)
    }
}

impl Persona {
    /// Parses and validates one file.
    pub fn from_source(src: &TomlSource) -> Result<Self, Vec<InputError>> {
        let id = src
            .path()
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        if id.is_empty()
            || !id
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(vec![InputError {
                file: src.path().to_owned(),
                line: None,
                field: None,
                message: format!(
                    "persona file name {id:?} must be lower-case ASCII letters, digits and hyphens"
                ),
            }]);
        }
        let file: PersonaFile = src.parse().map_err(|e| vec![e])?;
        let errors = validate(&file, src);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(Self {
            id,
            path: src.path().to_owned(),
            file,
            template: None,
            anchor: None,
        })
    }

    /// An instance's insured number: the template's followed by six digits derived
    /// from the seed, the instance id and the record's place, so two instances never
    /// share card numbers and the number still reads as the template's.
    /// A record of a household (`household`) takes its digits from the household and
    /// the scene instead, so the household's instances in one scenario keep sharing
    /// their 記号・番号 as the templates do.
    fn instance_number(
        &self,
        template_number: &str,
        record: usize,
        household: Option<&str>,
        seed: u64,
    ) -> String {
        let scene = self
            .id
            .strip_prefix(self.template_id())
            .and_then(|rest| rest.strip_prefix("--"));
        let key = match (household, scene) {
            (Some(h), Some(scene)) => format!("household/{h}--{scene}"),
            _ => format!("{}/qualification/{record}", self.id),
        };
        let digits = serial_for(seed, &key) % 1_000_000;
        format!("{template_number}{digits:06}")
    }

    /// The certificate serial: stable per persona and seed, unique in practice.
    pub fn certificate_serial(&self, seed: u64) -> u64 {
        serial_for(seed, &self.id)
    }

    /// The persona with every date resolved at `as_of` (at its anchor, for an instance
    /// whose scenario is about a date).
    pub fn resolve(&self, as_of: NaiveDateTime, seed: u64) -> ResolvedPersona {
        let as_of = self.anchor.unwrap_or(as_of);
        let f = &self.file;
        ResolvedPersona {
            id: self.id.clone(),
            template: self.template.clone(),
            description: f.description.clone(),
            tags: f.tags.clone(),
            as_of,
            person: self.resolve_person(as_of, seed),
            card: self.resolve_card(as_of, seed),
            qualifications: self.resolve_qualifications(as_of, seed),
            registration: RegistrationState::from_spec(
                f.registration.state,
                f.registration.at.as_ref().map(|d| d.at(as_of)),
            ),
            consents: Consents {
                medical_info: f.consent.medical_info,
                limit_info: f.consent.limit_info,
            },
            non_disclosure: f.privacy.non_disclosure,
            documents: self.resolve_documents(as_of),
        }
    }

    /// The person: an instance gets its own synthetic My Number.
    fn resolve_person(&self, as_of: NaiveDateTime, seed: u64) -> Person {
        let p = &self.file.person;
        Person {
            name: p.name.clone(),
            name_kana: p.name_kana.clone(),
            birth_date: p.birth_date.date_at(as_of),
            sex: p.sex.into(),
            address: p.address.clone(),
            postal_code: p.postal_code.as_ref().map(|s| s.replace('-', "")),
            my_number: p
                .my_number
                .clone()
                .filter(|_| self.template.is_none())
                .unwrap_or_else(|| my_number::synthetic(seed, &self.id)),
        }
    }

    /// The card: 照合番号B, PIN counters, lock status and the certificate.
    fn resolve_card(&self, as_of: NaiveDateTime, seed: u64) -> CardFacts {
        let c = &self.file.card;
        let birth_date = self.file.person.birth_date.date_at(as_of);
        let card_expires = c.expires_on.date_at(as_of);
        let match_b = format!(
            "{}{}{}",
            birth_date.format("%y%m%d"),
            card_expires.format("%Y"),
            c.security_code
        );
        let mut tries = CardState::default();
        for (pin, left) in [
            (PinId::AuthPin, c.tries_left.auth_pin),
            (PinId::SignPassword, c.tries_left.sign_password),
            (PinId::SupportPin, c.tries_left.support_pin),
        ] {
            if let Some(left) = left {
                tries.tries_left.insert(pin, left);
            }
        }
        let locked_status = c
            .locked_status
            .as_deref()
            .and_then(|s| u16::from_str_radix(s, 16).ok())
            .map(Status::from)
            .unwrap_or(Status::AuthenticationMethodBlocked);
        let cert = &c.certificate;
        CardFacts {
            pinless: c.kind == CardKindSpec::Pinless,
            auth_pin: c.auth_pin.clone(),
            sign_password: c.sign_password.clone(),
            support_pin: c.support_pin.clone(),
            security_code: c.security_code.clone(),
            expires_on: card_expires,
            match_b,
            tries,
            locked_status,
            tampered: c.tampered,
            certificate: CertificateFacts {
                serial: self.certificate_serial(seed),
                issued_at: cert.issued_at.at(as_of),
                expires_on: cert.expires_on.date_at(as_of),
                renewed: cert.renewed,
                revoked_at: cert.revoked_at.as_ref().map(|r| r.at(as_of)),
            },
        }
    }

    /// The records; an instance's carry its own insured and 受給者 numbers.
    fn resolve_qualifications(&self, as_of: NaiveDateTime, seed: u64) -> Vec<Qualification> {
        let records = self.file.qualification.iter().enumerate();
        records
            .map(|(i, q)| {
                let mut r = resolve_qualification(q, as_of);
                if self.template.is_some() {
                    r.number = self.instance_number(&q.number, i, q.household.as_deref(), seed);
                    if let Some(m) = &mut r.medical_aid {
                        // 受給者番号 stays 7 digits.
                        let n = serial_for(seed, &format!("{}/recipient/{i}", self.id));
                        m.recipient_number = format!("{:07}", n % 10_000_000);
                    }
                }
                r
            })
            .collect()
    }

    /// The documents carried.
    fn resolve_documents(&self, as_of: NaiveDateTime) -> Documents {
        let d = &self.file.documents;
        Documents {
            notice: d.notice,
            portal_screen: d.portal_screen,
            kakunin_sho: d
                .kakunin_sho
                .as_ref()
                .map(|k| (k.valid_from.date_at(as_of), k.valid_to.date_at(as_of))),
            old_card: d.old_card.as_ref().map(|c| {
                (
                    c.issued_on.date_at(as_of),
                    c.expires_on.as_ref().map(|e| e.date_at(as_of)),
                )
            }),
            // Validated on load: the numbers are digits and the copay a ratio.
            public_expense: d.public_expense.as_ref().and_then(|p| {
                Some(onshi_domain::rules::PublicExpenseCertificate {
                    payer_number: p.payer_number.clone(),
                    recipient_number: p.recipient_number.clone(),
                    valid_from: p.valid_from.date_at(as_of),
                    valid_to: p.valid_to.date_at(as_of),
                    copay: ContributionRatio::parse(&p.copay).ok()?,
                })
            }),
        }
    }
}

/// A 63-bit serial from a seed and a label.
pub fn serial_for(seed: u64, label: &str) -> u64 {
    let mut x: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
    for b in label.bytes() {
        x = (x ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
    }
    x ^= x >> 31;
    (x & 0x7FFF_FFFF_FFFF_FFFF).max(1)
}

fn resolve_qualification(q: &QualificationSection, as_of: NaiveDateTime) -> Qualification {
    let acquired_on = q.acquired_on.date_at(as_of);
    Qualification {
        // Validated before resolution.
        insurer_number: InsurerNumber::parse(&q.insurer_number)
            .unwrap_or_else(|_| InsurerNumber::with_check_digit("0000000").expect("literal body")),
        insurer_name: q.insurer_name.clone(),
        symbol: q.symbol.clone(),
        number: q.number.clone(),
        branch: q.branch.clone(),
        relationship: q.relationship,
        card_classification: q.card_classification,
        acquired_on,
        lost_on: q.lost_on.as_ref().map(|d| d.date_at(as_of)),
        loss_reason: q.loss_reason,
        registered_on: q
            .registered_on
            .as_ref()
            .map_or(acquired_on, |d| d.date_at(as_of)),
        accuracy_hold_until: q.accuracy_hold_until.as_ref().map(|d| d.date_at(as_of)),
        ratio: q
            .ratio
            .as_deref()
            .and_then(|r| ContributionRatio::parse(r).ok()),
        elderly_ratio: q
            .elderly_ratio
            .as_deref()
            .and_then(|r| ContributionRatio::parse(r).ok()),
        limit_class: q.limit_class,
        premium_arrears: q.premium_arrears,
        specific_diseases: q
            .specific_diseases
            .iter()
            .map(|s| SpecificDisease {
                category: s.category,
                valid_from: s.valid_from.date_at(as_of),
                valid_to: s.valid_to.as_ref().map(|d| d.date_at(as_of)),
                self_pay: s.self_pay,
            })
            .collect(),
        medical_aid: q.medical_aid.as_ref().map(|m| MedicalAid {
            payer_number: m.payer_number.clone(),
            recipient_number: m.recipient_number.clone(),
            valid_from: m.valid_from.date_at(as_of),
            valid_to: m.valid_to.as_ref().map(|d| d.date_at(as_of)),
            ticket_registered: m.ticket_registered,
        }),
        household: q.household.clone(),
    }
}

fn digits(s: &str, n: usize) -> bool {
    s.len() == n && s.bytes().all(|b| b.is_ascii_digit())
}

fn is_katakana_name(s: &str) -> bool {
    !s.trim().is_empty()
        && s.chars()
            .all(|c| ('\u{30A1}'..='\u{30FC}').contains(&c) || c == ' ' || c == '\u{3000}')
}

/// The longest 氏名 / カナ氏名 a persona may have, in characters.
pub const MAX_NAME_CHARS: usize = 100;
/// The longest 住所 a persona may have, in characters.
pub const MAX_ADDRESS_CHARS: usize = 200;

/// The validation errors of one file, each naming its field and line.
struct Problems<'a> {
    src: &'a TomlSource,
    errors: Vec<InputError>,
}

impl Problems<'_> {
    /// Records that `field` breaks a rule.
    fn bad(&mut self, field: &str, msg: &str) {
        self.errors.push(self.src.error(field, msg));
    }
}

/// Whether date `a` is not after date `b`, compared at a fixed reference time.
fn before(a: &DateSpec, b: &DateSpec) -> bool {
    let reference = chrono::NaiveDate::from_ymd_opt(2026, 1, 1)
        .and_then(|d| d.and_hms_opt(9, 0, 0))
        .unwrap_or_default();
    a.at(reference) <= b.at(reference)
}

/// Checks the rules serde cannot express; every error names its field and line.
fn validate(f: &PersonaFile, src: &TomlSource) -> Vec<InputError> {
    let mut e = Problems {
        src,
        errors: Vec::new(),
    };
    validate_texts(f, &mut e);
    validate_person(&f.person, &mut e);
    validate_pins(&f.card, &mut e);
    validate_card(&f.card, &mut e);
    for (i, q) in f.qualification.iter().enumerate() {
        validate_qualification(i, q, &mut e);
        // A registrable persona has an instance per generation; its household would not
        // keep sharing numbers with a registered sibling's single instance.
        if q.household.is_some() && f.registration.state == RegistrationStateSpec::Unregistered {
            e.bad(
                &format!("qualification[{i}].household"),
                "a household member must not be unregistered (its scenario instances come in generations)",
            );
        }
    }
    if f.registration.state != RegistrationStateSpec::Registered && f.registration.at.is_some() {
        e.bad(
            "registration.at",
            "only a registered card has a registration time",
        );
    }
    if let Some(p) = &f.documents.public_expense {
        for (field, value, len) in [
            ("payer_number", &p.payer_number, 8),
            ("recipient_number", &p.recipient_number, 7),
        ] {
            if !digits(value, len) {
                e.bad(
                    &format!("documents.public_expense.{field}"),
                    &format!("must be {len} digits"),
                );
            }
        }
        if let Err(err) = ContributionRatio::parse(&p.copay) {
            e.bad("documents.public_expense.copay", &err.to_string());
        }
        if !before(&p.valid_from, &p.valid_to) {
            e.bad(
                "documents.public_expense.valid_to",
                "must not be before valid_from",
            );
        }
    }
    if let Some(k) = &f.documents.kakunin_sho
        && !before(&k.valid_from, &k.valid_to)
    {
        e.bad(
            "documents.kakunin_sho.valid_to",
            "must not be before valid_from",
        );
    }
    e.errors
}

/// The description is set and every free text is bounded (they end up in cards,
/// messages and reports).
fn validate_texts(f: &PersonaFile, e: &mut Problems<'_>) {
    if f.description.trim().is_empty() {
        e.bad("description", "must not be empty");
    }
    for (field, text, max) in [
        ("description", f.description.as_str(), 1_000),
        ("person.name", f.person.name.as_str(), MAX_NAME_CHARS),
        (
            "person.name_kana",
            f.person.name_kana.as_str(),
            MAX_NAME_CHARS,
        ),
        (
            "person.address",
            f.person.address.as_str(),
            MAX_ADDRESS_CHARS,
        ),
    ] {
        if text.chars().count() > max {
            e.bad(field, &format!("must be at most {max} characters"));
        }
    }
}

/// The `[person]` section: names, address, postal code, My Number, birth date.
fn validate_person(p: &PersonSection, e: &mut Problems<'_>) {
    if p.name.trim().is_empty() {
        e.bad("person.name", "must not be empty");
    }
    if !is_katakana_name(&p.name_kana) {
        e.bad(
            "person.name_kana",
            "must be full-width katakana (spaces allowed)",
        );
    }
    if p.address.trim().is_empty() {
        e.bad("person.address", "must not be empty");
    }
    if let Some(pc) = &p.postal_code
        && !digits(&pc.replace('-', ""), 7)
    {
        e.bad("person.postal_code", "must be 7 digits (NNN-NNNN)");
    }
    if let Some(n) = &p.my_number
        && !my_number::is_valid(n)
    {
        e.bad(
            "person.my_number",
            "must be 12 digits with a valid check digit (synthetic only)",
        );
    }
    if !before(&p.birth_date, &DateSpec::Relative(vec![])) {
        e.bad("person.birth_date", "must not be after the as-of date");
    }
}

/// The card's PINs and their tries: present and well-formed on a standard card,
/// absent on a PIN-less one.
fn validate_pins(c: &CardSection, e: &mut Problems<'_>) {
    let pinless = c.kind == CardKindSpec::Pinless;
    for (field, value, check, rule) in [
        ("card.auth_pin", &c.auth_pin, PinId::AuthPin, "4 digits"),
        (
            "card.sign_password",
            &c.sign_password,
            PinId::SignPassword,
            "6-16 of A-Z and 0-9 with at least one of each",
        ),
        (
            "card.support_pin",
            &c.support_pin,
            PinId::SupportPin,
            "4 digits",
        ),
    ] {
        match (pinless, value) {
            (true, Some(_)) => e.bad(field, "a PIN-less card (kind = \"pinless\") has no PINs"),
            (false, None) => e.bad(field, &format!("a standard card needs it ({rule})")),
            (false, Some(v)) if !check.format_ok(v.as_bytes()) => {
                e.bad(field, &format!("must be {rule}"))
            }
            _ => {}
        }
    }
    if !digits(&c.security_code, 4) {
        e.bad("card.security_code", "must be 4 digits");
    }
    for (field, value, pin) in [
        (
            "card.tries_left.auth_pin",
            c.tries_left.auth_pin,
            PinId::AuthPin,
        ),
        (
            "card.tries_left.sign_password",
            c.tries_left.sign_password,
            PinId::SignPassword,
        ),
        (
            "card.tries_left.support_pin",
            c.tries_left.support_pin,
            PinId::SupportPin,
        ),
    ] {
        if let Some(v) = value {
            if pinless {
                e.bad(field, "a PIN-less card has no PIN counters");
            } else if v > pin.default_tries() {
                e.bad(field, &format!("at most {} tries", pin.default_tries()));
            }
        }
    }
}

/// The card's locked status word and certificate validity.
fn validate_card(c: &CardSection, e: &mut Problems<'_>) {
    if let Some(sw) = &c.locked_status {
        let ok = sw.len() == 4 && u16::from_str_radix(sw, 16).is_ok_and(|v| v != 0x9000);
        if !ok {
            e.bad(
                "card.locked_status",
                "must be a 4-hex-digit status word other than 9000 (e.g. \"6983\")",
            );
        }
    }
    if !before(&c.certificate.issued_at, &c.certificate.expires_on) {
        e.bad("card.certificate.expires_on", "must be after issued_at");
    }
}

/// Qualification record `i`: insurer, numbers, ratios, dates, medical aid.
fn validate_qualification(i: usize, q: &QualificationSection, e: &mut Problems<'_>) {
    let at = |name: &str| format!("qualification[{i}].{name}");
    if let Err(err) = InsurerNumber::parse(&q.insurer_number) {
        e.bad(&at("insurer_number"), err.reason);
    }
    if q.insurer_name.trim().is_empty() {
        e.bad(&at("insurer_name"), "must not be empty");
    } else if q.insurer_name.chars().count() > MAX_NAME_CHARS {
        e.bad(
            &at("insurer_name"),
            &format!("must be at most {MAX_NAME_CHARS} characters"),
        );
    }
    if q.number.trim().is_empty() {
        e.bad(&at("number"), "must not be empty");
    }
    if !digits(&q.branch, 2) {
        e.bad(&at("branch"), "must be 2 digits");
    }
    for (name, r) in [("ratio", &q.ratio), ("elderly_ratio", &q.elderly_ratio)] {
        if let Some(r) = r {
            match ContributionRatio::parse(r) {
                Ok(v) if v.is_full_cost() => {
                    e.bad(&at(name), "10割 is not a ratio any insured person has")
                }
                Ok(_) => {}
                Err(err) => e.bad(&at(name), &format!("{} (write e.g. \"030\")", err.reason)),
            }
        }
    }
    if let Some(lost) = &q.lost_on
        && !before(&q.acquired_on, lost)
    {
        e.bad(&at("lost_on"), "must be after acquired_on");
    }
    if let Some(h) = &q.household
        && (h.is_empty()
            || h.len() > 64
            || !h
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'))
    {
        e.bad(
            &at("household"),
            "must be 1–64 lowercase letters, digits or hyphens",
        );
    }
    if let Some(m) = &q.medical_aid {
        if !digits(&m.payer_number, 8) {
            e.bad(&at("medical_aid.payer_number"), "must be 8 digits");
        }
        if !digits(&m.recipient_number, 7) {
            e.bad(&at("medical_aid.recipient_number"), "must be 7 digits");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
description = "標準的な成人"
[person]
name = "山田 太郎"
name_kana = "ヤマダ タロウ"
birth_date = 1985-04-12
sex = "male"
address = "東京都千代田区"
postal_code = "100-8916"
[card]
auth_pin = "1234"
sign_password = "YAMADA2024"
support_pin = "1234"
security_code = "4821"
expires_on = "as-of+5y"
[card.certificate]
issued_at = "as-of-2y"
expires_on = "as-of+3y"
[[qualification]]
insurer_number = "01130012"
insurer_name = "全国健康保険協会 東京支部"
symbol = "1234"
number = "567"
acquired_on = 2015-04-01
"#;

    fn load(text: &str) -> Result<Persona, Vec<InputError>> {
        Persona::from_source(&TomlSource::from_text(
            Path::new("virtual-cards/test-one.toml"),
            text.to_owned(),
        ))
    }

    #[test]
    fn loads_and_resolves() {
        let p = load(GOOD).unwrap();
        let as_of = chrono::NaiveDate::from_ymd_opt(2026, 11, 22)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        let r = p.resolve(as_of, 1);
        assert_eq!(r.id, "test-one");
        assert_eq!(r.card.match_b, "85041220314821");
        assert!(my_number::is_valid(&r.person.my_number));
        assert!(r.insured_on(as_of.date()));
        assert_eq!(r.card.certificate.expires_on.to_string(), "2029-11-22");
    }

    fn source(name: &str, text: String) -> TomlSource {
        TomlSource::from_text(Path::new(&format!("virtual-cards/{name}.toml")), text)
    }

    fn member(branch: &str, number: &str) -> String {
        GOOD.replace("number = \"567\"", &format!("number = \"{number}\""))
            + &format!(
                "branch = \"{branch}\"\nhousehold = \"kin\"\n[registration]\nstate = \"registered\"\n"
            )
    }

    /// A household holds together across files; a scenario naming one member casts the
    /// others, and their instances keep sharing 記号・番号; `ticket_registered` defaults
    /// to true.
    #[test]
    fn households_are_checked_cast_together_and_share_numbers() {
        let set = PersonaSet::from_sources(vec![
            source("kin-a", member("02", "567")),
            source("kin-b", member("03", "567")),
            source("other", GOOD.to_owned()),
        ])
        .unwrap();
        let mut cast = crate::persona::Cast::default();
        let scene = crate::persona::SceneKey::new("05.feature", 12);
        cast.add(scene.clone(), "kin-a");
        let with = set.with_cast(&cast).unwrap();
        let as_of = crate::defaults::default_as_of();
        let numbers: Vec<String> = ["kin-a", "kin-b"]
            .iter()
            .map(|t| {
                let id = crate::persona::Cast::instance_id(t, &scene, 0);
                with.get(&id)
                    .unwrap_or_else(|| panic!("{id} cast"))
                    .resolve(as_of, 1)
                    .qualifications[0]
                    .number
                    .clone()
            })
            .collect();
        assert_eq!(numbers[0], numbers[1]);
        assert_ne!(numbers[0], "567", "an instance has its own numbers");
        assert!(
            with.get(&crate::persona::Cast::instance_id("other", &scene, 0))
                .is_none()
        );

        for (b, n, why) in [("02", "568", "shares"), ("02", "567", "twice")] {
            let errs = PersonaSet::from_sources(vec![
                source("kin-a", member("02", "567")),
                source("kin-b", member(b, n)),
            ])
            .unwrap_err();
            assert_eq!(errs.len(), 1, "{errs:?}");
            assert_eq!(errs[0].field.as_deref(), Some("qualification[0].household"));
            assert!(errs[0].message.contains(why), "{}", errs[0]);
        }
        let unregistered = member("02", "567").replace("\"registered\"", "\"unregistered\"");
        let e = &load(&unregistered).unwrap_err()[0];
        assert_eq!(e.field.as_deref(), Some("qualification[0].household"));

        let aid = GOOD.to_owned()
            + "[qualification.medical_aid]\npayer_number = \"12130010\"\nrecipient_number = \"0000001\"\nvalid_from = 2015-04-01\n";
        let r = load(&aid).unwrap().resolve(as_of, 1);
        assert!(
            r.qualifications[0]
                .medical_aid
                .as_ref()
                .unwrap()
                .ticket_registered
        );
    }

    #[test]
    fn errors_name_file_line_and_field() {
        let text = GOOD.replace("auth_pin = \"1234\"", "auth_pin = \"12a4\"");
        let errs = load(&text).unwrap_err();
        assert_eq!(errs.len(), 1);
        let e = &errs[0];
        assert_eq!(e.field.as_deref(), Some("card.auth_pin"));
        assert_eq!(e.line, Some(11));
        assert!(
            e.to_string()
                .starts_with("virtual-cards/test-one.toml:11: field `card.auth_pin`"),
            "{e}"
        );

        let text = GOOD.replace(
            "insurer_number = \"01130012\"",
            "insurer_number = \"01130013\"",
        );
        let e = &load(&text).unwrap_err()[0];
        assert_eq!(e.field.as_deref(), Some("qualification[0].insurer_number"));
        assert!(e.message.contains("check digit"), "{e}");

        let long = "山".repeat(5_000_000);
        let text = GOOD.replace("name = \"山田 太郎\"", &format!("name = \"{long}\""));
        let e = &load(&text).unwrap_err()[0];
        assert_eq!(e.field.as_deref(), Some("person.name"), "{e}");
        assert!(e.message.contains("at most 100"), "{e}");

        let text = GOOD.replace("sex = \"male\"", "sex = \"m\"");
        let e = &load(&text).unwrap_err()[0];
        assert_eq!(e.line, Some(7), "{e}");

        let text = GOOD.replace("[card]\n", "[card]\nkind = \"pinless\"\n");
        let errs = load(&text).unwrap_err();
        assert_eq!(errs.len(), 3, "{errs:?}");

        let text = GOOD.replace("address", "adress");
        assert!(
            load(&text).unwrap_err()[0]
                .message
                .contains("unknown field")
        );
    }
}

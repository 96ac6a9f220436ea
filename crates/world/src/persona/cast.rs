//! A person per scenario (キャスト): every scenario works on its own instances of the
//! personas it names, so nothing one scenario leaves in a backend (an on-the-spot
//! 保険証利用登録) is seen by another, and the suite holds against a backend that keeps
//! its state between scenarios and between runs.
//!
//! - A persona file is a template. Its instance for a scenario has the same ground
//!   truth and its own identity: id `{template}--{scene tag}-g{generation}`, and from
//!   that id its own certificate serial, My Number and insured numbers (all derived
//!   from the seed). Instances share the template's RSA key pair — generating a key
//!   per instance would cost minutes — so a backend must not identify a person by
//!   public key (it identifies them by certificate, as the real system does).
//! - A template whose registration is `unregistered` is the only state a scenario can
//!   change in a backend (it registers the person). Such a template gets
//!   [`Cast::generations`] instances per scenario; a run against a backend that has
//!   kept an earlier run's registrations takes the first generation the backend still
//!   reports as unregistered. Every other template gets generation 0 only.
//! - A scenario that is about a date (its feature's 背景 fixes 照会日時) has its persons
//!   placed relative to that date, not the run's `--as-of`: "renewed 12 hours ago" means
//!   12 hours before the scenario's visit on any run.
//! - The cast is data: which templates each scenario names. Reading it from the
//!   Gherkin features is the conformance crate's job; this module only turns it into
//!   personas.

use std::collections::BTreeMap;

use chrono::NaiveDateTime;

use super::load::{Persona, PersonaSet};
use super::schema::RegistrationStateSpec;

/// How many instances a registrable template gets per scenario by default: the number
/// of runs a backend can keep registrations across before it must be provisioned
/// again.
pub const DEFAULT_GENERATIONS: u32 = 16;

/// The most generations a cast may ask for.
pub const MAX_GENERATIONS: u32 = 1000;

/// Where a scenario stands: its feature file's name and its line (an outline's example
/// row counts as its own scenario, at the line cucumber gives it).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SceneKey {
    /// The feature file's name (`03_登録.feature`), without directories.
    pub feature: String,
    /// The scenario's line.
    pub line: u32,
}

impl SceneKey {
    /// A key from a file name (directories are dropped) and a line.
    pub fn new(feature: &str, line: usize) -> Self {
        let name = feature.rsplit(['/', '\\']).next().unwrap_or(feature);
        Self {
            feature: name.to_owned(),
            line: u32::try_from(line).unwrap_or(u32::MAX),
        }
    }

    /// The part of an instance id that names the scene: eight hex digits of the file
    /// name's hash, then the line (ids are ASCII; feature names need not be).
    pub fn tag(&self) -> String {
        let mut h: u32 = 0x811c_9dc5;
        for b in self.feature.bytes() {
            h = (h ^ u32::from(b)).wrapping_mul(0x0100_0193);
        }
        format!("{h:08x}-{}", self.line)
    }
}

/// Why a cast cannot be played.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CastError {
    /// A scenario names a persona the set does not have.
    #[error("{feature}:{line}: no persona {template:?} in the cards directory")]
    UnknownPersona {
        /// The feature file.
        feature: String,
        /// The scenario's line.
        line: u32,
        /// The persona named.
        template: String,
    },
    /// Too many generations asked for.
    #[error("{0} generations asked for; at most {MAX_GENERATIONS}")]
    TooManyGenerations(u32),
}

/// Which persona templates each scenario names, and the date a scenario is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cast {
    scenes: BTreeMap<SceneKey, Vec<String>>,
    anchors: BTreeMap<SceneKey, NaiveDateTime>,
    generations: u32,
}

impl Default for Cast {
    fn default() -> Self {
        Self {
            scenes: BTreeMap::new(),
            anchors: BTreeMap::new(),
            generations: DEFAULT_GENERATIONS,
        }
    }
}

impl Cast {
    /// An empty cast giving registrable templates `generations` instances a scenario.
    pub fn with_generations(generations: u32) -> Result<Self, CastError> {
        if generations == 0 || generations > MAX_GENERATIONS {
            return Err(CastError::TooManyGenerations(generations));
        }
        Ok(Self {
            scenes: BTreeMap::new(),
            anchors: BTreeMap::new(),
            generations,
        })
    }

    /// Places `scene`'s persons at `at` (the date the scenario is about) instead of the
    /// run's as-of, so the scenario means the same on any `--as-of`.
    pub fn anchor(&mut self, scene: SceneKey, at: NaiveDateTime) {
        self.anchors.insert(scene, at);
    }

    /// Where `scene`'s persons are placed, if not at the run's as-of.
    pub fn anchor_of(&self, scene: &SceneKey) -> Option<NaiveDateTime> {
        self.anchors.get(scene).copied()
    }

    /// Records that `scene` names `template` (once).
    pub fn add(&mut self, scene: SceneKey, template: &str) {
        let names = self.scenes.entry(scene).or_default();
        if !names.iter().any(|n| n == template) {
            names.push(template.to_owned());
        }
    }

    /// The scenes and the templates each names.
    pub fn scenes(&self) -> impl Iterator<Item = (&SceneKey, &[String])> {
        self.scenes.iter().map(|(k, v)| (k, v.as_slice()))
    }

    /// Whether `scene` is in the cast.
    pub fn has_scene(&self, scene: &SceneKey) -> bool {
        self.scenes.contains_key(scene)
    }

    /// Instances per scenario of a registrable template.
    pub fn generations(&self) -> u32 {
        self.generations
    }

    /// The id of `template`'s instance for `scene`, generation `generation`.
    pub fn instance_id(template: &str, scene: &SceneKey, generation: u32) -> String {
        format!("{template}--{}-g{generation}", scene.tag())
    }

    /// The ids of `template`'s instances for `scene`, in the order a run tries them.
    pub fn instance_ids(&self, template: &Persona, scene: &SceneKey) -> Vec<String> {
        let n = if template.is_registrable() {
            self.generations
        } else {
            1
        };
        (0..n)
            .map(|g| Self::instance_id(&template.id, scene, g))
            .collect()
    }
}

impl Persona {
    /// This persona's instance under `id`: the same file, its own identity, placed at
    /// `anchor` when its scenario is about a date.
    pub fn instance(&self, id: String, anchor: Option<NaiveDateTime>) -> Persona {
        Persona {
            id,
            path: self.path.clone(),
            file: self.file.clone(),
            template: Some(self.template_id().to_owned()),
            anchor,
        }
    }

    /// The template's id: this persona's own for a template, else its template's.
    pub fn template_id(&self) -> &str {
        self.template.as_deref().unwrap_or(&self.id)
    }

    /// Whether a scenario can change this person's state in a backend: an unregistered
    /// person can be registered on the spot.
    pub fn is_registrable(&self) -> bool {
        self.file.registration.state == RegistrationStateSpec::Unregistered
    }
}

impl PersonaSet {
    /// The templates and every instance `cast` needs, sorted by id. A scenario that
    /// names a member of a household (shared 記号・番号) casts the whole household, so
    /// the backend holds the records a search without 枝番 can find.
    pub fn with_cast(&self, cast: &Cast) -> Result<PersonaSet, CastError> {
        let mut personas: Vec<Persona> = self.iter().cloned().collect();
        for (scene, templates) in cast.scenes() {
            let mut named: Vec<&Persona> = Vec::new();
            for t in templates {
                let template = self.get(t).ok_or_else(|| CastError::UnknownPersona {
                    feature: scene.feature.clone(),
                    line: scene.line,
                    template: t.clone(),
                })?;
                for p in std::iter::once(template).chain(self.household_of(template)) {
                    if !named.iter().any(|n| n.id == p.id) {
                        named.push(p);
                    }
                }
            }
            let anchor = cast.anchor_of(scene);
            for template in named {
                personas.extend(
                    cast.instance_ids(template, scene)
                        .into_iter()
                        .map(|id| template.instance(id, anchor)),
                );
            }
        }
        Ok(PersonaSet::from_personas(personas))
    }

    /// The other templates sharing a household with `template`.
    fn household_of<'a>(&'a self, template: &'a Persona) -> impl Iterator<Item = &'a Persona> {
        let households = |p: &'a Persona| {
            p.file
                .qualification
                .iter()
                .filter_map(|q| q.household.as_deref())
        };
        self.iter().filter(move |p| {
            p.id != template.id && households(p).any(|h| households(template).any(|t| t == h))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::defaults;

    fn cast() -> Cast {
        let mut c = Cast::with_generations(3).unwrap();
        c.add(
            SceneKey::new("features/03_登録.feature", 12),
            "unregistered",
        );
        c.add(SceneKey::new("03_登録.feature", 12), "unregistered");
        c.add(SceneKey::new("03_登録.feature", 45), "standard-adult");
        c
    }

    #[test]
    fn scene_keys_drop_directories_and_tag_in_ascii() {
        let k = SceneKey::new("a/b/03_登録.feature", 12);
        assert_eq!(k.feature, "03_登録.feature");
        let tag = k.tag();
        assert!(tag.ends_with("-12") && tag.is_ascii(), "{tag}");
        assert_ne!(tag, SceneKey::new("04_資格の遅延.feature", 12).tag());
    }

    #[test]
    fn registrable_templates_get_generations_others_one_instance() {
        let set = defaults::personas(None).unwrap();
        let cast = cast();
        let played = set.with_cast(&cast).unwrap();
        assert_eq!(played.len(), set.len() + 3 + 1);
        let scene = SceneKey::new("03_登録.feature", 12);
        let id = Cast::instance_id("unregistered", &scene, 2);
        let inst = played.get(&id).unwrap();
        assert_eq!(inst.template_id(), "unregistered");
        assert!(
            played
                .get(&Cast::instance_id("unregistered", &scene, 3))
                .is_none()
        );
        let adult = SceneKey::new("03_登録.feature", 45);
        assert!(
            played
                .get(&Cast::instance_id("standard-adult", &adult, 0))
                .is_some()
        );
        assert!(
            played
                .get(&Cast::instance_id("standard-adult", &adult, 1))
                .is_none()
        );
    }

    #[test]
    fn an_unknown_persona_names_the_scene() {
        let mut c = Cast::default();
        c.add(SceneKey::new("x.feature", 7), "nobody");
        let err = defaults::personas(None).unwrap().with_cast(&c).unwrap_err();
        assert_eq!(
            err.to_string(),
            "x.feature:7: no persona \"nobody\" in the cards directory"
        );
    }

    #[test]
    fn an_anchored_scene_places_its_persons_at_its_date() {
        let set = defaults::personas(None).unwrap();
        let scene = SceneKey::new("03_登録.feature", 30);
        let mut cast = Cast::with_generations(1).unwrap();
        cast.add(scene.clone(), "cert-renewed-12h");
        let at = chrono::NaiveDate::from_ymd_opt(2026, 11, 30)
            .unwrap()
            .and_hms_opt(9, 0, 0)
            .unwrap();
        cast.anchor(scene.clone(), at);
        let played = set.with_cast(&cast).unwrap();
        let inst = played
            .get(&Cast::instance_id("cert-renewed-12h", &scene, 0))
            .unwrap();
        let elsewhen = at - chrono::Duration::days(700);
        let r = inst.resolve(elsewhen, 7);
        assert_eq!(
            r.as_of, at,
            "the run's as-of does not move an anchored person"
        );
        assert_eq!(r, inst.resolve(at, 7));
        // The template itself follows the as-of.
        assert_eq!(
            set.get("cert-renewed-12h")
                .unwrap()
                .resolve(elsewhen, 7)
                .as_of,
            elsewhen
        );
    }

    #[test]
    fn generations_are_bounded() {
        assert!(Cast::with_generations(0).is_err());
        assert!(Cast::with_generations(MAX_GENERATIONS + 1).is_err());
    }

    #[test]
    fn instances_have_their_own_identity_and_the_same_truth() {
        let set = defaults::personas(None).unwrap();
        let played = set.with_cast(&cast()).unwrap();
        let as_of = crate::defaults::default_as_of();
        let t = set.get("unregistered").unwrap().resolve(as_of, 7);
        let scene = SceneKey::new("03_登録.feature", 12);
        let a = played
            .get(&Cast::instance_id("unregistered", &scene, 0))
            .unwrap()
            .resolve(as_of, 7);
        let b = played
            .get(&Cast::instance_id("unregistered", &scene, 1))
            .unwrap()
            .resolve(as_of, 7);
        for i in [&a, &b] {
            assert_ne!(i.card.certificate.serial, t.card.certificate.serial);
            assert_ne!(i.person.my_number, t.person.my_number);
            assert_eq!(i.person.name, t.person.name);
            assert_eq!(i.person.birth_date, t.person.birth_date);
            assert_eq!(i.registration, t.registration);
            assert_eq!(i.qualifications.len(), t.qualifications.len());
            for (q, tq) in i.qualifications.iter().zip(&t.qualifications) {
                assert_eq!(q.insurer_number, tq.insurer_number);
                assert_ne!(q.number, tq.number);
                assert!(q.number.starts_with(&tq.number));
            }
            assert_eq!(i.template.as_deref(), Some("unregistered"));
        }
        assert_ne!(a.card.certificate.serial, b.card.certificate.serial);
        assert_ne!(a.qualifications[0].number, b.qualifications[0].number);
        // Deterministic from the seed.
        let again = played.get(&a.id).unwrap().resolve(as_of, 7);
        assert_eq!(again, a);
    }
}

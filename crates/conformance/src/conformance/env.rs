//! What a conformance run is made of, built once: personas resolved at the run's as-of
//! time, their cards, the trust anchors, the reader's device credential, and the
//! system under test.

use std::collections::BTreeMap;
use std::sync::Arc;

use chrono::{Duration, NaiveDateTime};

use onshi_backend::backend::AnyBackend;
use onshi_backend::backend::EmbeddedBackend;
use onshi_backend::server::{DefectSet, Engine, EngineConfig, TrustAnchors};
use onshi_domain::message::MedicalInstitutionCode;
use onshi_domain::rules::RulesCalendar;
use onshi_reader::reader::ReaderConfig;
use onshi_world::persona::{CardFactory, Cast, IssuedCard, PersonaSet, ResolvedPersona, SceneKey};
use onshi_world::population::{Population, PopulationMix};

/// The facility every scenario takes place at (東京都, 医科, a synthetic code).
pub const FACILITY_CODE: &str = "1311234567";

/// The reader id of the built-in reader.
pub const READER_ID: &str = "onshi-builtin-reader-01";

/// Errors building the environment.
#[derive(Debug, thiserror::Error)]
pub enum EnvError {
    /// Certificates or keys could not be made.
    #[error("cards: {0}")]
    Cards(#[from] onshi_world::persona::cards::CardFactoryError),
    /// Trust anchors could not be made.
    #[error("trust anchors: {0}")]
    Trust(String),
    /// The population could not be built.
    #[error("population: {0}")]
    Population(String),
    /// A scenario names a persona that does not exist.
    #[error(transparent)]
    Cast(#[from] onshi_world::persona::CastError),
}

/// The system under test.
#[derive(Debug, Clone)]
pub enum Sut {
    /// The reference backend in process, a fresh engine per scenario (so on-the-spot
    /// registrations and used challenges never leak between scenarios).
    Embedded {
        /// Defects injected.
        defects: DefectSet,
    },
    /// An external backend, shared by every scenario.
    Remote(AnyBackend),
}

/// The run's environment.
#[derive(Debug)]
pub struct Env {
    /// Seed of every random choice.
    pub seed: u64,
    /// The population's as-of time.
    pub as_of: NaiveDateTime,
    /// The rules calendar (the oracle's, and the embedded backend's).
    pub calendar: RulesCalendar,
    /// Personas resolved at `as_of`, by id: the templates and every scenario's
    /// instances.
    pub personas: BTreeMap<String, ResolvedPersona>,
    /// A person per scenario: (scene, template) → the instance ids in the order a run
    /// tries them (one, or the generations of a registrable template).
    pub instances: BTreeMap<(SceneKey, String), Vec<String>>,
    /// Their cards.
    pub cards: BTreeMap<String, IssuedCard>,
    /// Trust anchors (same seed as the cards).
    pub trust: TrustAnchors,
    /// The built-in reader's configuration (its device credential is also handed to a
    /// reader under test).
    pub reader: ReaderConfig,
    /// A reader under test, driven through the reader-control API; `None` = the
    /// built-in reader in process.
    pub remote_reader: Option<super::remote::RemoteReaderTarget>,
    /// The clinic at the window: the reference clinic in process (default) or a
    /// clinic under test.
    pub clinic: super::clinic::ClinicTarget,
    /// Issues the cards (and holds their keys), for the forged requests of
    /// [`super::forgery`].
    pub factory: CardFactory,
    /// Roots and a reader CA nobody trusts, made on first use by [`super::forgery`].
    pub(crate) strangers: std::sync::OnceLock<super::forgery::Strangers>,
    /// The system under test.
    pub sut: Sut,
    /// Human-readable name of the system under test.
    pub sut_name: String,
}

impl Env {
    /// Builds the environment: resolves personas, issues every card (keys in parallel,
    /// from the cache when present), derives the trust anchors and the reader's
    /// credential. Every scenario of `cast` gets its own instances of the personas it
    /// names.
    pub fn build(
        seed: u64,
        as_of: NaiveDateTime,
        templates: &PersonaSet,
        cast: &Cast,
        factory: &CardFactory,
        sut: Sut,
    ) -> Result<Self, EnvError> {
        let personas = templates.with_cast(cast)?;
        let mut instances = BTreeMap::new();
        for (scene, names) in cast.scenes() {
            for name in names {
                if let Some(t) = templates.get(name) {
                    instances.insert((scene.clone(), name.clone()), cast.instance_ids(t, scene));
                }
            }
        }
        factory.prepare(templates.iter())?;
        let mut resolved = BTreeMap::new();
        let mut cards = BTreeMap::new();
        for p in personas.iter() {
            let r = p.resolve(as_of, seed);
            cards.insert(p.id.clone(), factory.issue(&r)?);
            resolved.insert(p.id.clone(), r);
        }
        let trust = TrustAnchors::from_seed(seed, factory.keys())
            .map_err(|e| EnvError::Trust(e.to_string()))?;
        let facility = MedicalInstitutionCode::parse(FACILITY_CODE)
            .map_err(|e| EnvError::Trust(e.to_string()))?;
        let credential = trust
            .readers
            .issue_device(
                READER_ID,
                FACILITY_CODE,
                as_of - Duration::days(3650),
                as_of + Duration::days(3650),
            )
            .map_err(|e| EnvError::Trust(e.to_string()))?;
        let sut_name = match &sut {
            Sut::Embedded { defects } if defects.is_empty() => {
                "embedded reference backend".to_owned()
            }
            Sut::Embedded { defects } => format!(
                "embedded reference backend with defects {}",
                defects
                    .iter()
                    .map(|d| d.name())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Sut::Remote(b) => {
                use onshi_backend::backend::QualificationBackend as _;
                b.name()
            }
        };
        // Personas that clash (a copied file: the same card or insured numbers) are bad
        // input, found once here rather than as a failure in every scenario.
        Population::from_resolved(
            seed,
            0,
            resolved.values().cloned().collect(),
            as_of,
            PopulationMix::default(),
        )
        .map_err(|e| EnvError::Population(e.to_string()))?;
        Ok(Self {
            seed,
            as_of,
            calendar: RulesCalendar::reference(),
            personas: resolved,
            instances,
            cards,
            trust,
            reader: ReaderConfig::reference(facility, Arc::new(credential)),
            remote_reader: None,
            clinic: super::clinic::ClinicTarget::default(),
            factory: factory.clone(),
            strangers: std::sync::OnceLock::new(),
            sut,
            sut_name,
        })
    }

    /// The backend a scenario talks to: a fresh embedded engine, or the shared remote.
    pub fn backend_for_scenario(&self) -> Result<AnyBackend, EnvError> {
        match &self.sut {
            Sut::Remote(b) => Ok(b.clone()),
            Sut::Embedded { defects } => {
                let population = Population::from_resolved(
                    self.seed,
                    0,
                    self.personas.values().cloned().collect(),
                    self.as_of,
                    PopulationMix::default(),
                )
                .map_err(|e| EnvError::Population(e.to_string()))?;
                let mut nonce_seed = [0u8; 32];
                nonce_seed[..8].copy_from_slice(&self.seed.to_be_bytes());
                let config = EngineConfig {
                    calendar: self.calendar.clone(),
                    defects: *defects,
                    nonce_seed,
                    ..EngineConfig::default()
                };
                let engine = Engine::new(Arc::new(population), self.trust.clone(), config);
                Ok(AnyBackend::Embedded(EmbeddedBackend::new(Arc::new(engine))))
            }
        }
    }
}

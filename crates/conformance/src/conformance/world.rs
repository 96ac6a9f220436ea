//! The cucumber World: one per scenario. It holds the run's environment, what the
//! Given steps set up, the visits the When steps ran and the verdicts the Then steps
//! reached. Step definitions live in the binary (`src/steps/`): cucumber collects
//! them with `inventory`, which only sees code linked from the final binary.

use std::sync::{Arc, RwLock};

use chrono::NaiveDateTime;

use super::env::Env;
use super::faulty::LineFault;
use super::visit::{Presented, VisitOutcome};
use onshi_backend::backend::AnyBackend;
use onshi_domain::rules::Facility;
use onshi_reader::reader::Operator;
use onshi_report::report::{Evidence, Exchange, VisitEvidence};
use onshi_world::oracle::Verdict;
use onshi_world::persona::{ResolvedPersona, SceneKey};

static CURRENT: RwLock<Option<Arc<Env>>> = RwLock::new(None);

/// What a step needs of the backend's face.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Challenges, card confirmations and registrations (the JSON face).
    Card,
    /// The bulk inquiry (一括照会).
    Bulk,
    /// The 緊急時医療情報・資格確認機能's search by the 基本4情報 (the JSON face).
    Emergency,
}

/// How a step says its scenario cannot apply to this backend: the collector reports
/// the scenario skipped with the reason that follows, never failed.
pub const SKIP: &str = "onshi:skip: ";

/// The longest a scenario waits for a shared backend's challenge to expire.
pub const MAX_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Installs the environment every new World starts from.
pub fn install_env(env: Arc<Env>) {
    if let Ok(mut slot) = CURRENT.write() {
        *slot = Some(env);
    }
}

fn current_env() -> Result<Arc<Env>, String> {
    CURRENT
        .read()
        .ok()
        .and_then(|s| s.clone())
        .ok_or_else(|| "no conformance environment installed (run through `onshi run`)".to_owned())
}

/// No environment was installed before the run.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct EnvMissing(String);

/// Scenario-level changes to what the persona would do.
#[derive(Debug, Clone, Default)]
pub struct Adjustments {
    /// Medical-information consent (None = the persona's).
    pub medical_consent: Option<bool>,
    /// Limit-information consent.
    pub limit_consent: Option<bool>,
    /// Whether staff can do a 目視確認.
    pub visual_available: Option<bool>,
    /// Whether the patient accepts on-the-spot registration.
    pub accept_registration: Option<bool>,
    /// Care setting (FAQ-4-13).
    pub care_setting: Option<onshi_backend::backend::CareSettingWire>,
    /// The patient cannot operate the reader themselves.
    pub cannot_operate: bool,
    /// Who placed the card.
    pub placed_by: Option<Operator>,
}

/// The World.
#[derive(Debug, cucumber::World)]
#[world(init = Self::new)]
pub struct OnshiWorld {
    /// The run's environment.
    pub env: Arc<Env>,
    /// The scenario's backend (created on first use).
    backend: Option<AnyBackend>,
    /// Where the scenario stands (set before its first step): the key of its persons.
    pub scene: Option<SceneKey>,
    /// Visit time.
    pub now: NaiveDateTime,
    /// The persona id.
    pub persona: Option<String>,
    /// The facility.
    pub facility: Facility,
    /// A line fault.
    pub fault: Option<LineFault>,
    /// Documents shown (None = what the persona carries).
    pub documents: Option<Vec<Presented>>,
    /// Adjustments to the persona's behaviour.
    pub adjust: Adjustments,
    /// Visits run so far.
    pub visits: Vec<VisitOutcome>,
    /// Verdicts of protocol-level checks.
    pub verdicts: Vec<Verdict>,
    /// Exchanges of protocol-level steps.
    pub exchanges: Vec<Exchange>,
    /// Free-form notes for the report.
    pub notes: Vec<String>,
    /// The last refusal seen by a protocol-level step (code, message).
    pub last_refusal: Option<(Option<String>, String)>,
    /// The next visit's card is pulled after this many APDUs.
    pub pull_card_after: Option<usize>,
    /// The 限度額 consent of the next number check (`Some(None)` = not said).
    pub number_limit_consent: Option<Option<bool>>,
    /// The last accepted response of a protocol-level step.
    pub last_accept: Option<onshi_domain::message::QualificationResponse>,
    /// Every patient the scenario named, in order (its own instances): the booked
    /// patients of a bulk inquiry.
    pub patients: Vec<String>,
    /// The units of the last bulk inquiry (一括照会), each read as a numbers answer,
    /// with the patient searched for.
    pub bulk_units: Vec<(String, onshi_domain::message::QualificationResponse)>,
    /// The next visit's cost (10割, yen; `None` = the default).
    pub medical_fee: Option<u64>,
    /// Earlier window payments on record for the patient (TRN-Q1).
    pub payments: Vec<super::visit::PlannedPayment>,
    /// The persona's record whose numbers the clinic holds on file (`None` = the
    /// current one), for visits whose step does not say.
    pub record_on_file: Option<usize>,
    /// Staff clearly doubt that the patient is the card's holder (FAQ-4-6).
    pub identity_in_doubt: bool,
}

impl OnshiWorld {
    fn new() -> Result<Self, EnvMissing> {
        let env = current_env().map_err(EnvMissing)?;
        Ok(Self {
            now: env.as_of,
            env,
            backend: None,
            scene: None,
            persona: None,
            facility: Facility::EQUIPPED,
            fault: None,
            documents: None,
            adjust: Adjustments::default(),
            visits: Vec::new(),
            verdicts: Vec::new(),
            exchanges: Vec::new(),
            notes: Vec::new(),
            last_refusal: None,
            number_limit_consent: None,
            pull_card_after: None,
            last_accept: None,
            patients: Vec::new(),
            bulk_units: Vec::new(),
            medical_fee: None,
            payments: Vec::new(),
            record_on_file: None,
            identity_in_doubt: false,
        })
    }

    /// The scenario's backend.
    pub fn backend(&mut self) -> Result<AnyBackend, String> {
        if self.backend.is_none() {
            self.backend = Some(self.env.backend_for_scenario().map_err(|e| e.to_string())?);
        }
        self.backend.clone().ok_or_else(|| "no backend".to_owned())
    }

    /// Makes the scenario's own instance of the persona template `template` its
    /// patient. Against a backend shared between scenarios, a registrable template's
    /// generations are tried in order and the first the backend still refuses is
    /// taken (an earlier run may have registered the others).
    pub async fn cast_patient(&mut self, template: &str) -> Result<(), String> {
        if !self.env.personas.contains_key(template) {
            return Err(format!("no persona {template:?} in the cards directory"));
        }
        let Some(scene) = self.scene.clone() else {
            // Outside a run (no scene): the template itself.
            self.persona = Some(template.to_owned());
            self.patients.push(template.to_owned());
            return Ok(());
        };
        let ids = self
            .env
            .instances
            .get(&(scene.clone(), template.to_owned()))
            .cloned()
            .ok_or_else(|| {
                format!(
                    "{}:{} is not in the cast for {template:?} (the features changed after the run started?)",
                    scene.feature, scene.line
                )
            })?;
        let carries_cards = {
            use onshi_backend::backend::QualificationBackend as _;
            self.backend()?.capabilities().card
        };
        let id = match (&self.env.sut, ids.as_slice()) {
            // Without the card path nobody can be registered: generation 0 is fresh.
            (super::env::Sut::Remote(_), [_, _, ..]) if carries_cards => {
                self.first_unregistered(&ids).await?
            }
            (_, [first, ..]) => first.clone(),
            (_, []) => return Err(format!("no instance of {template:?}")),
        };
        self.patients.push(id.clone());
        self.persona = Some(id);
        Ok(())
    }

    /// The first of `ids` whose card confirmation the backend refuses (not
    /// registered); the ones before it were registered by earlier runs.
    async fn first_unregistered(&mut self, ids: &[String]) -> Result<String, String> {
        use onshi_backend::backend::QualificationBackend as _;
        use onshi_domain::protocol::wire::{
            AuthMethod, CardAuthentication, CardConfirmationRequest,
        };
        let backend = self.backend()?;
        for (generation, id) in ids.iter().enumerate() {
            let card = self
                .env
                .cards
                .get(id)
                .ok_or_else(|| format!("no card for {id}"))?;
            let challenge = backend
                .challenge_for(&self.env.reader.facility)
                .await
                .map_err(|e| format!("probing {id}: {e}"))?;
            let req = CardConfirmationRequest {
                medical_institution_code: self.env.reader.facility.clone(),
                arbitrary_file_identifier: None,
                confirmation_time: Some(self.now),
                card: CardAuthentication::attested(
                    card.auth_cert.as_bytes(),
                    challenge.nonce.0,
                    AuthMethod::Face,
                    &self.env.reader.facility,
                    &self.env.reader.credential,
                ),
                consents: Default::default(),
                care_setting: Default::default(),
                prescription_issue_select: None,
            };
            let answer = backend
                .confirm_card(&req)
                .await
                .map_err(|e| format!("probing {id}: {e}"))?;
            if answer.is_refusal() {
                if generation > 0 {
                    self.notes.push(format!(
                        "patient {id}: generations 0..{generation} of this scenario's person were registered by earlier runs"
                    ));
                }
                return Ok(id.clone());
            }
        }
        Err(format!(
            "the backend accepted a card confirmation for every one of the {} instances of this scenario's unregistered person: earlier runs registered them all (provision the backend again from `onshi population export`, or restart it), or the backend does not require 保険証利用登録",
            ids.len()
        ))
    }

    /// Skips the scenario (with the reason) when the backend's face cannot carry what
    /// the step needs; XML and folder faces carry numbers and bulk only.
    pub fn needs(&mut self, need: Need) -> Result<(), String> {
        use onshi_backend::backend::QualificationBackend as _;
        let backend = self.backend()?;
        let caps = backend.capabilities();
        let (ok, what) = match need {
            Need::Card => (caps.card, "card confirmations"),
            Need::Bulk => (caps.bulk, "bulk inquiries"),
            Need::Emergency => (caps.card, "緊急時 searches by the 基本4情報"),
        };
        if ok {
            Ok(())
        } else {
            Err(format!("{SKIP}{} carries no {what}", backend.name()))
        }
    }

    /// Lets `by` pass for the backend: the embedded engine's clock moves on at once; a
    /// shared backend is waited for, up to [`MAX_WAIT`].
    pub async fn let_time_pass(&mut self, by: std::time::Duration) -> Result<(), String> {
        if let Some(AnyBackend::Embedded(b)) = &mut self.backend {
            b.advance(by);
            return Ok(());
        }
        if by > MAX_WAIT {
            return Err(format!(
                "the backend's challenges live {} s; onshi waits at most {} s for one to expire: give the backend under test a shorter lifetime for the run (onshi serve --challenge-ttl 5)",
                by.as_secs().saturating_sub(1),
                MAX_WAIT.as_secs()
            ));
        }
        tokio::time::sleep(by).await;
        Ok(())
    }

    /// The persona (resolved at the run's as-of time).
    pub fn persona(&self) -> Result<&ResolvedPersona, String> {
        let id = self
            .persona
            .as_deref()
            .ok_or("no persona chosen (use 前提 患者は \"…\" である)")?;
        self.env
            .personas
            .get(id)
            .ok_or_else(|| format!("unknown persona {id:?}"))
    }

    /// The last visit.
    pub fn last_visit(&self) -> Result<&VisitOutcome, String> {
        self.visits
            .last()
            .ok_or_else(|| "no visit ran yet (a もし step runs one)".to_owned())
    }

    /// Every verdict of the scenario.
    pub fn all_verdicts(&self) -> Vec<Verdict> {
        let mut v: Vec<Verdict> = self
            .visits
            .iter()
            .flat_map(|x| x.verdicts.iter().cloned())
            .collect();
        v.extend(self.verdicts.iter().cloned());
        v
    }

    /// The evidence for the report.
    pub fn evidence(&self) -> Evidence {
        let mut e = Evidence::default();
        for v in &self.visits {
            let apdus = v.trace.as_ref().map_or(0, |t| t.entries.len());
            if let Some(t) = &v.trace {
                let trace = e.apdu_trace.get_or_insert_with(Default::default);
                trace.entries.extend(t.entries.iter().cloned());
            }
            e.exchanges.extend(v.exchanges.iter().cloned());
            // The report keeps one result file and one decision: the last visit's.
            let result_xml = !v.result_files.is_empty();
            if let Some(f) = v.result_files.first() {
                e.result_xml = Some(format!("{}\n{}", f.name, f.text()));
            }
            if let Some(d) = &v.decision {
                e.clinic = Some(format!(
                    "{} — 窓口負担 {}{}",
                    d.basis,
                    d.copay,
                    if v.clinic_notes.is_empty() {
                        String::new()
                    } else {
                        format!("\n{}", v.clinic_notes.join("\n"))
                    }
                ));
            }
            if result_xml {
                e.visits.iter_mut().for_each(|x| x.result_xml = false);
            }
            if v.decision.is_some() {
                e.visits.iter_mut().for_each(|x| x.clinic = false);
            }
            e.visits.push(VisitEvidence {
                verdicts: v.verdicts.len(),
                exchanges: v.exchanges.len(),
                apdus,
                result_xml,
                clinic: v.decision.is_some(),
            });
        }
        e.exchanges.extend(self.exchanges.iter().cloned());
        e
    }
}

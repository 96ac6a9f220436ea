//! Driving a reader under test through the reader-control API: the persona's card is
//! served through vpcd (onshi keeps its APDU trace), the embedded backend is served
//! over loopback HTTP for the visit, and the reader is told what the patient does.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;

use super::env::Env;
use super::faulty::LineFault;
use onshi_backend::backend::AnyBackend;
use onshi_backend::server::audit::MemorySink;
use onshi_backend::server::{AppState, app};
use onshi_card::card::{ApduTrace, VirtualCard};
use onshi_domain::protocol::ServerClock;
use onshi_reader::reader::control::{AttestationKey, RemoteReader, VisitRequest};
use onshi_reader::reader::result_file::ResultFile;
use onshi_reader::reader::{PatientScript, ReaderOutcome};
use onshi_reader::vpcd::{ServedCard, StopHandle, serve};
use onshi_world::oracle::{Check, Verdict};
use onshi_world::persona::ResolvedPersona;

/// One place a card can be put: the vpcd port onshi serves it on and the PC/SC reader
/// it appears in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// Where onshi serves the card (vpcd).
    pub vpcd: SocketAddr,
    /// The PC/SC reader name the reader must use for that vpcd port.
    pub pcsc_reader: String,
}

/// A reader under test, with the slots onshi puts cards in.
#[derive(Debug, Clone)]
pub struct RemoteReaderTarget {
    /// The API client.
    pub client: RemoteReader,
    free: Arc<std::sync::Mutex<Vec<Slot>>>,
    permits: Arc<tokio::sync::Semaphore>,
    count: usize,
}

/// A slot taken for one visit; it is free again when dropped.
struct TakenSlot {
    slot: Slot,
    free: Arc<std::sync::Mutex<Vec<Slot>>>,
    _permit: tokio::sync::OwnedSemaphorePermit,
}

impl Drop for TakenSlot {
    fn drop(&mut self) {
        let mut free = self.free.lock().unwrap_or_else(|e| e.into_inner());
        free.push(self.slot.clone());
    }
}

impl RemoteReaderTarget {
    /// A reader under test with at least one slot (an empty list is treated as the
    /// default vpcd slot).
    pub fn new(client: RemoteReader, slots: Vec<Slot>) -> Self {
        let slots = if slots.is_empty() {
            vec![Slot {
                vpcd: onshi_reader::vpcd::DEFAULT_VPCD
                    .parse()
                    .expect("a literal address"),
                pcsc_reader: "Virtual PCD 00 00".into(),
            }]
        } else {
            slots
        };
        let count = slots.len();
        // Slot 0 first: a one-slot run and the first slot of a wider one agree.
        let free: Vec<Slot> = slots.into_iter().rev().collect();
        Self {
            client,
            free: Arc::new(std::sync::Mutex::new(free)),
            permits: Arc::new(tokio::sync::Semaphore::new(count)),
            count,
        }
    }

    /// How many cards the reader is given at once.
    pub fn slot_count(&self) -> usize {
        self.count
    }

    async fn take(&self) -> Result<TakenSlot, String> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(|e| e.to_string())?;
        let slot = self
            .free
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .pop()
            .ok_or("no free slot although a permit was given")?;
        Ok(TakenSlot {
            slot,
            free: self.free.clone(),
            _permit: permit,
        })
    }
}

/// A backend a reader or clinic under test can call over HTTP for one visit (served
/// until dropped).
pub(crate) struct BackendForReader {
    pub(crate) url: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    /// The audit log of an embedded backend served for the visit.
    pub(crate) audit: Option<MemorySink>,
}

impl Drop for BackendForReader {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

pub(crate) async fn backend_url(
    backend: &AnyBackend,
    fault: Option<LineFault>,
) -> Result<BackendForReader, String> {
    if fault.is_some() {
        // Nothing listens on port 1 of loopback: the reader sees the line down.
        return Ok(BackendForReader {
            url: "http://127.0.0.1:1".into(),
            shutdown: None,
            audit: None,
        });
    }
    match backend {
        AnyBackend::HttpJson(b) => Ok(BackendForReader {
            url: b.base().to_owned(),
            shutdown: None,
            audit: None,
        }),
        AnyBackend::Embedded(e) => {
            let engine = e.engine().clone();
            let clock = ServerClock::start(engine.population().as_of());
            let sink = MemorySink::default();
            let router = app(AppState::new(engine, clock, sink.log()));
            let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
                .await
                .map_err(|e| format!("binding a loopback port for the backend: {e}"))?;
            let addr = listener.local_addr().map_err(|e| e.to_string())?;
            let (tx, rx) = tokio::sync::oneshot::channel::<()>();
            tokio::spawn(onshi_backend::server::serving::serve(
                listener,
                router,
                onshi_backend::server::reference::LOOPBACK_LIMITS,
                async {
                    let _ = rx.await;
                },
                std::future::pending(),
            ));
            Ok(BackendForReader {
                url: format!("http://{addr}"),
                shutdown: Some(tx),
                audit: Some(sink),
            })
        }
        other => Err(format!(
            "a reader or clinic under test needs an onshi HTTP JSON backend; {} is not one",
            onshi_backend::backend::QualificationBackend::name(other)
        )),
    }
}

/// Waits until pcscd has seen the previous card leave, so the next card does not
/// queue behind the old vpcd connection.
fn settle(pcsc_reader: &str) {
    #[cfg(feature = "pcsc")]
    {
        let _ = onshi_reader::channel::wait_for_empty(pcsc_reader, Duration::from_secs(5));
        std::thread::sleep(Duration::from_millis(500));
    }
    #[cfg(not(feature = "pcsc"))]
    {
        let _ = pcsc_reader;
        // pcscd polls vpcd every 400 ms.
        std::thread::sleep(Duration::from_millis(900));
    }
}

/// Why a visit at the reader under test produced nothing to judge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoteVisitError {
    /// onshi could not set the visit up (a backend the reader cannot call, a card
    /// server that panicked).
    #[error("{0}")]
    Setup(String),
    /// The reader did not answer as the reader-control API says (no connection, a
    /// non-200 status, an answer that does not parse).
    #[error("{0}")]
    Reader(String),
}

/// What the reader under test produced, with onshi's own evidence.
pub struct RemoteVisit {
    /// The reader's account of the visit.
    pub outcome: ReaderOutcome,
    /// The trace of onshi's card.
    pub trace: ApduTrace,
    /// The result file the reader handed over.
    pub result_file: Option<ResultFile>,
    /// The backend's audit lines for the visit (embedded backend only).
    pub audit: Vec<String>,
    /// Whether the reader's report agrees with what the backend did, from its audit.
    pub audit_verdict: Option<Verdict>,
}

/// Compares the reader's report with the backend's audit: a reader must not report a
/// result (or a registration) the backend never gave.
pub fn audit_verdict(outcome: &ReaderOutcome, audit: &[String]) -> Verdict {
    let records: Vec<serde_json::Value> = audit
        .iter()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let confirmations: Vec<&serde_json::Value> = records
        .iter()
        .filter(|r| r["operation"] == "card_confirmation")
        .collect();
    if let Some(r) = outcome.response() {
        let validity = r
            .message_body
            .qualification_validity
            .map(|v| v.code().to_owned());
        let code = r.message_body.processing_result_code.clone();
        let seen = confirmations.iter().any(|c| {
            c["validity"].as_str().map(str::to_owned) == validity
                && c["result_code"].as_str().map(str::to_owned) == code
        });
        if !seen {
            return Verdict::fail(
                Check::ReaderMatchesBackend,
                "the reader reported a result the backend's audit does not show",
            )
            .with(format!(
                "reported validity {validity:?} code {code:?}; audit: {} card confirmation(s)",
                confirmations.len()
            ));
        }
    }
    if outcome.registered_here
        && !records
            .iter()
            .any(|r| r["operation"] == "registration" && r["outcome"] == "ok")
    {
        return Verdict::fail(
            Check::ReaderMatchesBackend,
            "the reader reported a registration the backend's audit does not show",
        );
    }
    Verdict::pass(
        Check::ReaderMatchesBackend,
        format!("{} audit record(s) agree with the reader", records.len()),
    )
}

/// Runs one visit at the reader under test; with `plan.pull_card_after` the card
/// server drops the card after that many APDUs, as a patient lifting it would.
pub async fn visit(
    env: &Env,
    target: &RemoteReaderTarget,
    backend: &AnyBackend,
    plan: &super::visit::VisitPlan,
    persona: &ResolvedPersona,
    script: &PatientScript,
) -> Result<RemoteVisit, RemoteVisitError> {
    let (fault, pull_card_after, now) = (plan.fault, plan.pull_card_after, plan.now);
    let taken = target.take().await.map_err(RemoteVisitError::Setup)?;
    let slot = &taken.slot;
    let for_reader = backend_url(backend, fault)
        .await
        .map_err(RemoteVisitError::Setup)?;
    let mut card = VirtualCard::new(&env.cards[&persona.id].profile);
    card.set_tracing(true);
    let stop = StopHandle::new();
    let served = {
        let stop = stop.clone();
        let addr = slot.vpcd;
        let id = persona.id.clone();
        std::thread::spawn(move || {
            serve(
                ServedCard {
                    id,
                    card,
                    state: None,
                    keep_trace: true,
                    pull_after: pull_card_after,
                },
                addr,
                stop,
            )
        })
    };
    let credential = &env.reader.credential;
    let req = VisitRequest {
        visit_id: format!("{}-{}", persona.id, now.format("%Y%m%d%H%M%S")),
        confirmation_time: now,
        pcsc_reader: slot.pcsc_reader.clone(),
        match_b: persona.card.match_b.clone(),
        patient: script.clone(),
        backend_url: for_reader.url.clone(),
        medical_institution_code: env.reader.facility.as_str().to_owned(),
        attestation_key: AttestationKey {
            certificate: BASE64.encode(credential.cert_der.as_bytes()),
            ed25519_seed: BASE64.encode(credential.key.seed()),
        },
    };
    let result = target.client.visit(&req).await;
    stop.stop();
    let served = tokio::task::spawn_blocking(move || served.join())
        .await
        .map_err(|e| RemoteVisitError::Setup(e.to_string()))?
        .map_err(|_| RemoteVisitError::Setup("the card server panicked".to_owned()))?;
    let pcsc_reader = slot.pcsc_reader.clone();
    let _ = tokio::task::spawn_blocking(move || settle(&pcsc_reader)).await;
    drop(taken);
    let audit = for_reader
        .audit
        .as_ref()
        .map(MemorySink::lines)
        .unwrap_or_default();
    let audited = for_reader.audit.is_some();
    drop(for_reader);
    let response = result.map_err(|e| RemoteVisitError::Reader(e.to_string()))?;
    let audit_verdict = audited.then(|| audit_verdict(&response.outcome, &audit));
    Ok(RemoteVisit {
        outcome: response.outcome,
        trace: served.card.trace(),
        result_file: response
            .result_file
            .map(|f| f.to_file())
            .transpose()
            .map_err(|e| RemoteVisitError::Reader(format!("result_file: {e}")))?,
        audit,
        audit_verdict,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use onshi_reader::reader::ReaderResult;

    fn outcome(registered_here: bool) -> ReaderOutcome {
        ReaderOutcome {
            result: ReaderResult::RegistrationDeclined,
            method: None,
            events: Vec::new(),
            exchanges: Vec::new(),
            photo_stored: false,
            registered_here,
        }
    }

    #[test]
    fn a_registration_the_backend_never_made_is_caught() {
        let audit = vec![
            r#"{"seq":1,"now":"2026-11-30T09:00:00","operation":"challenge","outcome":"ok"}"#
                .to_owned(),
        ];
        assert!(!audit_verdict(&outcome(true), &audit).passed);
        assert!(audit_verdict(&outcome(false), &audit).passed);
        let mut with_registration = audit.clone();
        with_registration.push(
            r#"{"seq":2,"now":"2026-11-30T09:00:00","operation":"registration","outcome":"ok"}"#
                .to_owned(),
        );
        assert!(audit_verdict(&outcome(true), &with_registration).passed);
    }
}

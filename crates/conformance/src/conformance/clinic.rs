//! The clinic at the window: the reference clinic in process (the same
//! [`onshi_clinic::clinic::attend`] that `onshi clinic serve` runs) or a clinic under
//! test through the clinic-control API. Either way onshi hands it a
//! [`ClinicVisitRequest`] and judges the [`ClinicAnswer`] it gives back.

use onshi_backend::backend::AnyBackend;
use onshi_clinic::clinic::{
    ClinicAnswer, ClinicDefect, ClinicVisitRequest, RecoveryAnswer, RecoveryRequest, RemoteClinic,
    attend, recover,
};

use super::env::Env;
use super::faulty::FaultyBackend;
use onshi_domain::message::QualificationResponse;
use onshi_world::oracle::{Check, Verdict};

/// `--clinic builtin|http://HOST:PORT`: the clinic at the window.
#[derive(Debug, Clone)]
pub enum ClinicTarget {
    /// The reference clinic in process, with deliberate defects (none by default).
    Builtin {
        /// Its defects (`--clinic-defect`).
        defects: Vec<ClinicDefect>,
    },
    /// A clinic under test.
    Remote(RemoteClinic),
}

impl Default for ClinicTarget {
    fn default() -> Self {
        Self::Builtin {
            defects: Vec::new(),
        }
    }
}

/// Why the clinic gave nothing to judge.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DeskError {
    /// onshi could not set the visit up for the clinic (a backend it cannot call).
    #[error("{0}")]
    Setup(String),
    /// The clinic did not answer as the clinic-control API says.
    #[error("{0}")]
    Clinic(String),
}

/// What the clinic answered, with onshi's own evidence of its numbers queries.
#[derive(Debug)]
pub struct AtDesk {
    /// The answer.
    pub answer: ClinicAnswer,
    /// Whether a clinic under test reported what the backend's audit shows (embedded
    /// backend only).
    pub audit_verdict: Option<Verdict>,
}

/// Compares the numbers queries a clinic reported with the backend's audit of the
/// visit: every query the backend answered is reported, and every answer reported is
/// one the backend gave (same 資格有効性 and result code).
pub fn audit_verdict(answer: &ClinicAnswer, audit: &[String]) -> Verdict {
    queries_verdict(
        "numbers_confirmation",
        "numbers",
        &answer.numbers_queries,
        audit,
    )
}

/// The same for the 緊急時 queries of a recovery.
pub fn recovery_audit_verdict(answer: &RecoveryAnswer, audit: &[String]) -> Verdict {
    queries_verdict("emergency_confirmation", "緊急時", &answer.queries, audit)
}

/// The queries of `operation` a clinic reported, held against the backend's audit.
fn queries_verdict(
    operation: &str,
    what: &str,
    reported: &[onshi_clinic::clinic::wire::ExchangeWire],
    audit: &[String],
) -> Verdict {
    let made: Vec<serde_json::Value> = audit
        .iter()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|r| r["operation"] == operation)
        .collect();
    if made.len() > reported.len() {
        return Verdict::fail(
            Check::ClinicMatchesBackend,
            format!("the clinic made {what} queries it did not report"),
        )
        .with(format!(
            "audit: {} {what} confirmation(s); reported: {}",
            made.len(),
            reported.len()
        ));
    }
    for q in reported {
        let Ok(r) = serde_json::from_str::<QualificationResponse>(&q.response) else {
            continue;
        };
        let validity = r
            .message_body
            .qualification_validity
            .map(|v| v.code().to_owned());
        let code = r.message_body.processing_result_code.clone();
        let seen = made.iter().any(|c| {
            c["validity"].as_str().map(str::to_owned) == validity
                && c["result_code"].as_str().map(str::to_owned) == code
        });
        if !seen {
            return Verdict::fail(
                Check::ClinicMatchesBackend,
                format!("the clinic reported a {what} answer the backend's audit does not show"),
            )
            .with(format!("reported validity {validity:?} code {code:?}"));
        }
    }
    Verdict::pass(
        Check::ClinicMatchesBackend,
        format!(
            "{} {what} query(ies) agree with the backend's audit",
            made.len()
        ),
    )
}

/// Hands `req` to the run's clinic. The in-process reference clinic queries `backend`
/// itself (line faults included); a clinic under test gets a loopback URL of it, and
/// with the embedded backend its report is compared with the backend's audit.
pub async fn at_desk(
    env: &Env,
    backend: &FaultyBackend<AnyBackend>,
    fault: Option<super::faulty::LineFault>,
    mut req: ClinicVisitRequest,
) -> Result<AtDesk, DeskError> {
    match &env.clinic {
        ClinicTarget::Builtin { defects } => {
            req.backend_url = onshi_backend::backend::QualificationBackend::name(backend.inner());
            attend(&env.calendar, &req, backend, defects)
                .await
                .map(|answer| AtDesk {
                    answer,
                    audit_verdict: None,
                })
                .map_err(|e| {
                    DeskError::Clinic(format!("the reference clinic refused the visit: {e}"))
                })
        }
        ClinicTarget::Remote(client) => {
            let served = super::remote::backend_url(backend.inner(), fault)
                .await
                .map_err(DeskError::Setup)?;
            req.backend_url = served.url.clone();
            let answer = client
                .visit(&req)
                .await
                .map_err(|e| DeskError::Clinic(e.to_string()))?;
            let audit_verdict = served
                .audit
                .as_ref()
                .map(|sink| audit_verdict(&answer, &sink.lines()));
            drop(served);
            Ok(AtDesk {
                answer,
                audit_verdict,
            })
        }
    }
}

/// What the clinic answered after the recovery, with onshi's evidence.
#[derive(Debug)]
pub struct AfterRecovery {
    /// The answer.
    pub answer: RecoveryAnswer,
    /// Whether a clinic under test reported what the backend's audit shows.
    pub audit_verdict: Option<Verdict>,
}

/// Hands `req` to the run's clinic once the line is back: the backend is reachable
/// (no fault), and the clinic confirms its noted patient by the 基本4情報.
pub async fn after_recovery(
    env: &Env,
    backend: &AnyBackend,
    mut req: RecoveryRequest,
) -> Result<AfterRecovery, DeskError> {
    match &env.clinic {
        ClinicTarget::Builtin { defects } => {
            req.backend_url = onshi_backend::backend::QualificationBackend::name(backend);
            recover(&req, backend, defects)
                .await
                .map(|answer| AfterRecovery {
                    answer,
                    audit_verdict: None,
                })
                .map_err(|e| {
                    DeskError::Clinic(format!("the reference clinic refused the recovery: {e}"))
                })
        }
        ClinicTarget::Remote(client) => {
            let served = super::remote::backend_url(backend, None)
                .await
                .map_err(DeskError::Setup)?;
            req.backend_url = served.url.clone();
            let answer = client
                .recover(&req)
                .await
                .map_err(|e| DeskError::Clinic(e.to_string()))?;
            let audit_verdict = served
                .audit
                .as_ref()
                .map(|sink| recovery_audit_verdict(&answer, &sink.lines()));
            drop(served);
            Ok(AfterRecovery {
                answer,
                audit_verdict,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use onshi_clinic::clinic::wire::{BasisWire, ExchangeWire, RatioSourceWire};
    use onshi_domain::codes::ContributionRatio;

    fn answer(responses: &[&str]) -> ClinicAnswer {
        ClinicAnswer {
            basis: BasisWire::Declaration,
            copay: ContributionRatio::THIRTY,
            ratio_source: Some(RatioSourceWire::DerivedFromAge),
            charge: 3000,
            billed: None,
            asked: Vec::new(),
            card_front: Vec::new(),
            card_images: Vec::new(),
            numbers_queries: responses
                .iter()
                .map(|r| ExchangeWire {
                    label: "POST /v1/confirmations/numbers".into(),
                    request: "{}".into(),
                    response: (*r).to_owned(),
                })
                .collect(),
            noted: None,
            notes: Vec::new(),
        }
    }

    #[test]
    fn a_hidden_query_is_caught_and_a_failure_text_is_not_an_answer() {
        let audit = vec![
            r#"{"seq":1,"operation":"numbers_confirmation","outcome":"ok","validity":"2","result_code":null}"#
                .to_owned(),
        ];
        assert!(!audit_verdict(&answer(&[]), &audit).passed);
        assert!(audit_verdict(&answer(&["unreachable: down"]), &audit).passed);
        assert!(audit_verdict(&answer(&[]), &[]).passed);
    }
}

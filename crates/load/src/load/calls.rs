//! One job's backend calls: timed and recorded, retried after no answer, failures
//! classified, answers compared with what the ground truth expects. The card path's
//! calls are the reader's ([`super::at_reader`]).

use std::time::Instant;

use super::env::{Desk, Env};
use super::expect::Expected;
use super::metrics::{ErrorKind, FailureKind, RequestTiming};
use super::wire::{Timed, Wire, WireError};
use onshi_domain::codes::QualificationValidity;
use onshi_domain::message::QualificationResponse;
use onshi_domain::protocol::ResultCode;
use onshi_domain::protocol::wire::NumbersConfirmationRequest;
use onshi_domain::rules::{ConfirmationFailure, ConfirmationOutcome};
use onshi_world::population::PersonIndex;

pub(crate) enum Member {
    None,
    Index(PersonIndex),
    Label(String),
}

pub(crate) struct Run<'a, W> {
    pub(crate) env: &'a Env,
    pub(crate) desk: Desk<'a>,
    pub(crate) wire: &'a mut W,
    pub(crate) started: Instant,
    /// The member (or a label, for bulk), named only when a failure is recorded.
    pub(crate) member: Member,
    pub(crate) requests: Vec<RequestTiming>,
    pub(crate) retries: u32,
    pub(crate) error: Option<ErrorKind>,
    pub(crate) failures: Vec<(FailureKind, String)>,
    pub(crate) registered_earlier: bool,
}

impl<W: Wire> Run<'_, W> {
    pub(crate) fn note<T>(&mut self, name: &'static str, timed: Timed<T>) -> Result<T, WireError> {
        let (result, took) = timed;
        self.requests.push(RequestTiming {
            name,
            took,
            error: match &result {
                Err(WireError::NoAnswer(k, _)) => Some(*k),
                _ => None,
            },
        });
        result
    }

    /// After a failed attempt: whether to try again (after the backoff).
    pub(crate) async fn again(&mut self, e: &WireError, attempt: u32) -> bool {
        let p = self.env.retry;
        if !e.retryable()
            || attempt >= p.max_attempts
            || self.started.elapsed() + p.backoff >= p.give_up_after
        {
            return false;
        }
        self.retries += 1;
        tokio::time::sleep(p.backoff).await;
        true
    }

    /// The outcome the clinic sees for a call that produced no answer document.
    pub(crate) fn failed(&mut self, e: &WireError, what: &str) -> ConfirmationOutcome {
        match e {
            WireError::NoAnswer(kind, _) => {
                self.error = Some(*kind);
                ConfirmationOutcome::Failed(ConfirmationFailure::BackendUnreachable)
            }
            WireError::Malformed(m) => {
                self.failures
                    .push((FailureKind::Malformed, format!("{what}: {m}")));
                ConfirmationOutcome::Failed(ConfirmationFailure::BackendError)
            }
            WireError::Refused {
                status,
                code,
                message,
            } => {
                self.failures.push((
                    FailureKind::Refused,
                    format!("{what}: {status} {code} {message}"),
                ));
                let f = ResultCode::parse(code)
                    .and_then(ResultCode::confirmation_failure)
                    .unwrap_or(ConfirmationFailure::BackendError);
                ConfirmationOutcome::Failed(f)
            }
            WireError::Unsupported(op) => {
                self.failures
                    .push((FailureKind::Refused, format!("{what}: {op} unsupported")));
                ConfirmationOutcome::Failed(ConfirmationFailure::BackendError)
            }
        }
    }

    /// Compares an answer with the expectations; the index of the first it meets.
    pub(crate) fn check_expected(
        &mut self,
        r: &QualificationResponse,
        expected: &[Expected],
        what: &str,
    ) -> Option<usize> {
        let body = &r.message_body;
        let matched = expected.iter().position(|e| match e {
            Expected::Answer(v) => {
                !r.is_refusal()
                    && body
                        .qualification_validity
                        .unwrap_or(QualificationValidity::NoMatchingQualification)
                        == *v
            }
            Expected::Refused(codes) => {
                r.is_refusal() && r.result_code().is_some_and(|c| codes.contains(&c))
            }
        });
        if matched.is_none() {
            self.failures.push((
                FailureKind::Validity,
                format!(
                    "{what}: status {:?} code {:?} validity {:?}, expected {expected:?}",
                    body.processing_result_status,
                    body.processing_result_code,
                    body.qualification_validity.map(|v| v.code())
                ),
            ));
        }
        matched
    }
}
impl<W: Wire> Run<'_, W> {
    pub(crate) async fn numbers_call(
        &mut self,
        req: &NumbersConfirmationRequest,
    ) -> Result<QualificationResponse, WireError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let timed = self.wire.confirm_numbers(req).await;
            match self.note("confirm-numbers", timed) {
                Ok(r) => return Ok(r),
                Err(e) => {
                    if self.again(&e, attempt).await {
                        continue;
                    }
                    return Err(e);
                }
            }
        }
    }
}

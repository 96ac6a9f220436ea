//! One job's backend calls: timed and recorded, retried after no answer (a fresh
//! challenge per attempt on the card path), failures classified, answers compared
//! with what the ground truth expects.

use std::time::Instant;

use chrono::NaiveDateTime;

use super::env::{Desk, Env};
use super::expect::Expected;
use super::metrics::{ErrorKind, FailureKind, RequestTiming};
use super::reader::{CardSession, authentication};
use super::wire::{Timed, Wire, WireError};
use crate::backend::protocol::{
    CardConfirmationRequest, CareSettingWire, ConsentAnswers, NumbersConfirmationRequest,
    RegistrationRequest, RegistrationResponse,
};
use crate::codes::{ProcessingResultStatus, QualificationValidity};
use crate::message::QualificationResponse;
use crate::population::PersonIndex;
use crate::rules::{ConfirmationFailure, ConfirmationOutcome};
use crate::server::ResultCode;

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
                body.processing_result_status != ProcessingResultStatus::Error
                    && body
                        .qualification_validity
                        .unwrap_or(QualificationValidity::NoMatchingQualification)
                        == *v
            }
            Expected::Refused(codes) => {
                body.processing_result_status == ProcessingResultStatus::Error
                    && body
                        .processing_result_code
                        .as_deref()
                        .and_then(ResultCode::parse)
                        .is_some_and(|c| codes.contains(&c))
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
/// A proof-carrying call of the card path.
pub(crate) enum CardCall {
    /// `POST /v1/confirmations/card`.
    Confirm,
    /// `POST /v1/registrations`.
    Register,
}

pub(crate) enum CardAnswer {
    /// A confirmation's answer.
    Confirmation(Box<QualificationResponse>),
    /// A registration's answer.
    Registration(RegistrationResponse),
}

impl<W: Wire> Run<'_, W> {
    /// Challenge, proof, call; retried with a fresh challenge after no answer.
    pub(crate) async fn card_call(
        &mut self,
        s: &mut CardSession,
        call: CardCall,
        now: NaiveDateTime,
        consents: ConsentAnswers,
    ) -> Result<CardAnswer, WireError> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            let timed = self.wire.challenge().await;
            let challenge = match self.note("challenge", timed) {
                Ok(c) => c,
                Err(e) => {
                    if self.again(&e, attempt).await {
                        continue;
                    }
                    return Err(e);
                }
            };
            let (card, took) = authentication(s, challenge.nonce.0, &self.desk)
                .map_err(|m| WireError::Malformed(format!("card: {m}")))?;
            if let Some(took) = took {
                self.wire.card_ops("sign", took, true).await;
            }
            let result = match call {
                CardCall::Confirm => {
                    let req = CardConfirmationRequest {
                        medical_institution_code: self.desk.code.clone(),
                        arbitrary_file_identifier: None,
                        confirmation_time: Some(now),
                        card,
                        consents,
                        care_setting: CareSettingWire::Outpatient,
                        prescription_issue_select: None,
                    };
                    let timed = self.wire.confirm_card(&req).await;
                    self.note("confirm-card", timed)
                        .map(|r| CardAnswer::Confirmation(Box::new(r)))
                }
                CardCall::Register => {
                    let req = RegistrationRequest {
                        medical_institution_code: self.desk.code.clone(),
                        confirmation_time: Some(now),
                        card,
                    };
                    let timed = self.wire.register(&req).await;
                    self.note("register", timed).map(CardAnswer::Registration)
                }
            };
            match result {
                Ok(a) => return Ok(a),
                Err(e) => {
                    if self.again(&e, attempt).await {
                        continue;
                    }
                    return Err(e);
                }
            }
        }
    }

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

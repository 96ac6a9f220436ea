//! The built-in reader driven over a card channel and a [`QualificationBackend`]: the
//! driver the suite and the reader-control server use. It answers the engine's steps
//! ([`super::engine`]) — APDUs through the channel, calls through the backend — and
//! records every backend exchange as evidence. It never retries a call that got no
//! answer: the suite judges what one attempt gives.

use chrono::NaiveDateTime;
use serde::Serialize;

use super::engine::{Call, CallFailure, ReaderMachine, Reply, Step, VisitInput};
use super::outcome::{CardFront, ReaderConfig, ReaderOutcome};
use super::script::PatientScript;
use crate::channel::CardChannel;
use onshi_backend::backend::{BackendError, QualificationBackend};
use onshi_domain::rules::RulesCalendar;
use onshi_report::report::Exchange;

fn json<T: Serialize>(v: &T) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default()
}

impl From<&BackendError> for CallFailure {
    fn from(e: &BackendError) -> Self {
        if e.is_unavailable() {
            Self::Unavailable(e.to_string())
        } else {
            Self::Refused {
                code: e.code().map(|c| c.code().to_owned()),
                message: e.to_string(),
            }
        }
    }
}

/// Records one exchange and turns the result into the engine's reply.
fn exchange<Q: Serialize, A: Serialize, T>(
    exchanges: &mut Vec<Exchange>,
    label: &str,
    req: &Q,
    result: Result<A, BackendError>,
    reply: impl FnOnce(Result<A, CallFailure>) -> T,
) -> T {
    exchanges.push(Exchange {
        label: label.into(),
        request: json(req),
        response: match &result {
            Ok(r) => json(r),
            Err(e) => e.to_string(),
        },
    });
    reply(result.map_err(|e| CallFailure::from(&e)))
}

/// Runs one patient at the built-in reader.
pub async fn run<B: QualificationBackend>(
    config: &ReaderConfig,
    calendar: &RulesCalendar,
    channel: &mut dyn CardChannel,
    backend: &B,
    script: &PatientScript,
    front: &CardFront,
    now: NaiveDateTime,
) -> ReaderOutcome {
    let mut machine = ReaderMachine::new(VisitInput {
        config,
        script,
        front,
        now,
        consent_screens: calendar.consent_screens(now.date()),
        record_events: true,
    });
    let mut exchanges = Vec::new();
    let mut reply = None;
    loop {
        reply = Some(match machine.resume(reply) {
            Step::Transmit(apdu) => Reply::Card(channel.transmit_raw(&apdu)),
            Step::Call(Call::Challenge) => {
                let asked = backend.challenge_for(&config.facility).await;
                Reply::Challenge(asked.map_err(|e| (&e).into()))
            }
            Step::Call(Call::ConfirmCard(req)) => {
                let result = backend.confirm_card(&req).await;
                exchange(
                    &mut exchanges,
                    "POST /v1/confirmations/card",
                    &req,
                    result.map(Box::new),
                    Reply::Confirmation,
                )
            }
            Step::Call(Call::Register(req)) => {
                let result = backend.register(&req).await;
                exchange(
                    &mut exchanges,
                    "POST /v1/registrations",
                    &req,
                    result,
                    Reply::Registration,
                )
            }
            Step::MayRetry => Reply::Retry(false),
            Step::Done(mut outcome) => {
                outcome.exchanges = exchanges;
                return *outcome;
            }
        });
    }
}

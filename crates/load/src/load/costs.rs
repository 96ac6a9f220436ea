//! Where the time of a visit goes: the harness's own steps timed one by one on one
//! thread, next to the reference engine answering the same requests in process (for
//! `onshi bench load`).

use std::sync::Arc;
use std::time::Instant;

use chrono::NaiveDateTime;

use super::at_reader::{card_request, plain_visit};
use super::patients::Auth;
use super::visit::{Desk, Env};
use onshi_backend::server::Engine;
use onshi_card::card::CardProfile;
use onshi_domain::message::QualificationResponse;
use onshi_domain::protocol::confirmation_outcome;
use onshi_domain::protocol::wire::CardConfirmationRequest;
use onshi_domain::protocol::{RequestTime, Tick};
use onshi_domain::rules::{CardAtDesk, Visit, decide};
use onshi_world::oracle::{self, VisitRecord};
use onshi_world::persona::ResolvedPersona;
use onshi_world::population::PersonIndex;

/// One step and its cost.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Step {
    /// What.
    pub name: &'static str,
    /// Microseconds per call (mean over the members).
    pub us: f64,
}

fn time<T>(n: usize, mut f: impl FnMut(usize) -> T) -> f64 {
    let t = Instant::now();
    for i in 0..n {
        std::hint::black_box(f(i));
    }
    t.elapsed().as_secs_f64() * 1e6 / n.max(1) as f64
}

/// What the steps work on, made once before timing.
struct Inputs {
    nonce: Vec<u8>,
    people: Vec<ResolvedPersona>,
    profiles: Vec<Arc<CardProfile>>,
    requests: Vec<CardConfirmationRequest>,
    answers: Vec<QualificationResponse>,
    answer_json: Vec<Vec<u8>>,
}

/// The members, their cards, their face-path requests and the engine's answers.
fn inputs(
    env: &Env,
    desk: &Desk<'_>,
    members: &[PersonIndex],
    engine: &Engine,
    t: RequestTime,
) -> Result<Inputs, String> {
    let now = t.now;
    let nonce = engine
        .issue_challenge(t)
        .result
        .map_err(|e| e.to_string())?
        .nonce
        .0;
    let people: Vec<_> = members
        .iter()
        .filter_map(|m| env.population.person(*m).map(|p| p.into_owned()))
        .collect();
    let profiles: Vec<_> = members
        .iter()
        .map(|m| env.card(*m))
        .collect::<Result<_, _>>()?;
    let requests: Vec<CardConfirmationRequest> = members
        .iter()
        .map(|m| card_request(env, desk, *m, Auth::Face, nonce.clone(), now))
        .collect::<Result<_, _>>()?;
    let answers: Vec<QualificationResponse> = requests
        .iter()
        .map(|r| engine.confirm_card(r, t).result.map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    let answer_json: Vec<Vec<u8>> = answers
        .iter()
        .map(|a| serde_json::to_vec(a).unwrap_or_default())
        .collect();
    Ok(Inputs {
        nonce,
        people,
        profiles,
        requests,
        answers,
        answer_json,
    })
}

/// The card and reader steps: the face path, then what PIN and attestation add.
fn card_steps(x: &Inputs, desk: &Desk<'_>, n: usize, now: NaiveDateTime) -> [Step; 3] {
    let (profiles, people, nonce) = (&x.profiles, &x.people, x.nonce.as_slice());
    let face = |i: usize| {
        plain_visit(&profiles[i], &people[i], desk, Auth::Face, None, now).reached_backend()
    };
    [
        Step {
            name: "card: new VirtualCard, read certificate, retry query, face photo (APDUs)",
            us: time(n, face),
        },
        Step {
            name: "card: VERIFY + SIGN on the PIN path (RSA-2048 on the card)",
            us: time(n, |i| {
                plain_visit(&profiles[i], &people[i], desk, Auth::Pin, Some(nonce), now)
                    .reached_backend()
            }) - time(n, face),
        },
        Step {
            name: "reader attestation (Ed25519 sign)",
            us: time(n, |i| {
                plain_visit(&profiles[i], &people[i], desk, Auth::Face, Some(nonce), now)
                    .reached_backend()
            }) - time(n, face),
        },
    ]
}

/// What the clinic's software does with an answer: decide, then the oracle's verdicts.
fn clinic_and_oracle(
    env: &Env,
    p: &ResolvedPersona,
    answer: &QualificationResponse,
    now: NaiveDateTime,
) -> usize {
    let outcome = confirmation_outcome(answer, p.presented());
    let d = decide(
        &env.calendar,
        &Visit::equipped_outpatient(
            now.date(),
            p.person.birth_date,
            CardAtDesk::Presented {
                reader: Some(outcome),
            },
            Vec::new(),
            None,
        ),
    );
    oracle::evaluate(&VisitRecord {
        persona: p,
        now,
        medical_consent: true,
        trace: None,
        responses: std::slice::from_ref(answer),
        requests: &[],
        decision: Some(&d),
        public_expense_shown: false,
    })
    .len()
}

/// Times each step over `members` (standard members with cards). `engine` must accept
/// replayed challenges (the `replay-accepted` defect) so one signed body can be sent
/// again and again.
pub fn breakdown(
    env: &Env,
    desk: &Desk<'_>,
    members: &[PersonIndex],
    engine: &Engine,
    now: NaiveDateTime,
) -> Result<Vec<Step>, String> {
    let n = members.len().max(1);
    let t = RequestTime { now, tick: Tick(0) };
    let x = inputs(env, desk, members, engine, t)?;
    let mut steps = vec![Step {
        name: "ground truth: regenerate the member",
        us: time(n, |i| env.population.person(members[i % members.len()])),
    }];
    steps.extend(card_steps(&x, desk, n, now));
    steps.extend([
        Step {
            name: "request to JSON (card confirmation)",
            us: time(n, |i| serde_json::to_vec(&x.requests[i]).map(|v| v.len())),
        },
        Step {
            name: "response from JSON (QualificationResponse)",
            us: time(n, |i| {
                serde_json::from_slice::<QualificationResponse>(&x.answer_json[i]).is_ok()
            }),
        },
        Step {
            name: "clinic step (decide) + oracle verdicts",
            us: time(n, |i| {
                clinic_and_oracle(env, &x.people[i], &x.answers[i], now)
            }),
        },
    ]);
    steps.push(Step {
        name: "engine (server side, in process): challenge + card confirmation, face path",
        us: time(n, |i| {
            let _ = engine.issue_challenge(t);
            engine.confirm_card(&x.requests[i], t).result.is_ok()
        }),
    });
    Ok(steps)
}

//! The raw-Goose baseline of `onshi bench load`: the same Goose users sending the
//! same endpoints in the same kind mix with fixed, pre-signed bodies, reading the
//! answers, checking nothing.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use goose::client::GooseClientBuilder;
use goose::config::GooseConfiguration;
use goose::prelude::*;

use onshi::load::run::process_cpu as cpu;

use super::super::common::CliError;

/// Plan entry kinds (the low bits), in the order of the full round's mix.
pub(super) const FACE: u8 = 0;
/// A PIN-path card visit.
pub(super) const PIN: u8 = 1;
/// A 目視 card visit.
pub(super) const VISUAL: u8 = 2;
/// A numbers visit.
pub(super) const NUMBERS: u8 = 3;
const KIND: u8 = 0x0F;
/// Flag: after the card, the desk also confirmed by numbers.
pub(super) const THEN_NUMBERS: u8 = 0x10;
/// Flag: the card was confirmed a second time (a new challenge first).
pub(super) const CARD_AGAIN: u8 = 0x20;

/// Fixed bodies for the raw baseline: one per visit kind.
pub(super) struct Bodies {
    pub(super) face: Vec<u8>,
    pub(super) pin: Vec<u8>,
    pub(super) visual: Vec<u8>,
    pub(super) numbers: Vec<u8>,
}

pub(super) struct RawState {
    pub(super) bodies: Bodies,
    pub(super) plan: Vec<u8>,
    pub(super) next: AtomicU64,
    pub(super) done: AtomicU64,
    pub(super) total: u64,
    pub(super) first: AtomicU64,
    pub(super) last: AtomicU64,
    pub(super) cpu_first: AtomicU64,
    pub(super) cpu_last: AtomicU64,
    pub(super) base: Instant,
}

/// Posts `body` to `path` as Goose request `name` and reads the answer, unchecked.
async fn send(
    user: &mut GooseUser,
    path: &'static str,
    name: &'static str,
    body: Vec<u8>,
) -> TransactionResult {
    let req = onshi::load::wire::goose_post(user, name, path, "application/json", body)?;
    let r = user.request(req).await?;
    if let Ok(resp) = r.response {
        let _ = resp.bytes().await;
    }
    Ok(())
}

async fn raw_visit(s: Arc<RawState>, user: &mut GooseUser) -> TransactionResult {
    let i = s.next.fetch_add(1, Ordering::Relaxed) as usize;
    let kind = s.plan[i % s.plan.len()];
    if s.first
        .compare_exchange(
            0,
            s.base.elapsed().as_nanos() as u64,
            Ordering::Relaxed,
            Ordering::Relaxed,
        )
        .is_ok()
    {
        s.cpu_first
            .store(cpu().as_micros() as u64, Ordering::Relaxed);
    }
    let card = match kind & KIND {
        FACE => Some(&s.bodies.face),
        PIN => Some(&s.bodies.pin),
        VISUAL => Some(&s.bodies.visual),
        _ => None,
    };
    match card {
        Some(body) => {
            let times = if kind & CARD_AGAIN != 0 { 2 } else { 1 };
            for _ in 0..times {
                send(user, "/v1/challenges", "challenge", b"{}".to_vec()).await?;
                send(user, "/v1/confirmations/card", "confirm-card", body.clone()).await?;
            }
            if kind & THEN_NUMBERS != 0 {
                let body = s.bodies.numbers.clone();
                send(user, "/v1/confirmations/numbers", "confirm-numbers", body).await?;
            }
        }
        None => {
            let body = s.bodies.numbers.clone();
            send(user, "/v1/confirmations/numbers", "confirm-numbers", body).await?;
        }
    }
    s.last
        .fetch_max(s.base.elapsed().as_nanos() as u64, Ordering::Relaxed);
    if s.done.fetch_add(1, Ordering::Relaxed) + 1 == s.total {
        s.cpu_last
            .store(cpu().as_micros() as u64, Ordering::Relaxed);
    }
    Ok(())
}

/// One raw round: `lanes` Goose users, `per_user` visit-equivalents each.
pub(super) async fn raw_round(
    state: Arc<RawState>,
    url: &str,
    lanes: usize,
    per_user: usize,
) -> Result<(f64, f64), CliError> {
    state.next.store(0, Ordering::SeqCst);
    state.done.store(0, Ordering::SeqCst);
    state.first.store(0, Ordering::SeqCst);
    state.last.store(0, Ordering::SeqCst);
    let mut c = GooseConfiguration::default();
    c.host = Some(url.to_owned());
    c.users = Some(lanes);
    c.increase_rate = Some(format!("{}", lanes * 2));
    c.iterations = Some(per_user);
    c.no_telnet = true;
    c.no_print_metrics = true;
    c.no_error_summary = true;
    c.quiet = 1;
    let s = Arc::clone(&state);
    let goose_err = |e: GooseError| CliError::failed(format!("goose: {e} ({e:?})"));
    GooseAttack::initialize_with_config(c)
        .map_err(goose_err)?
        .set_client_builder_without_cookies(
            GooseClientBuilder::new()
                .without_cookies()
                .timeout(Duration::from_secs(10)),
        )
        .map_err(goose_err)?
        .register_scenario(
            goose::prelude::Scenario::new("raw").register_transaction(
                Transaction::new(Arc::new(move |u| Box::pin(raw_visit(Arc::clone(&s), u))))
                    .set_name("raw visit"),
            ),
        )
        .execute()
        .await
        .map_err(goose_err)?;
    let cpu_used = Duration::from_micros(
        state
            .cpu_last
            .load(Ordering::SeqCst)
            .saturating_sub(state.cpu_first.load(Ordering::SeqCst)),
    );
    let n = (lanes * per_user) as f64;
    let span = Duration::from_nanos(
        state
            .last
            .load(Ordering::SeqCst)
            .saturating_sub(state.first.load(Ordering::SeqCst)),
    );
    Ok((
        n / span.as_secs_f64().max(1e-6),
        cpu_used.as_secs_f64() * 1e6 / n,
    ))
}

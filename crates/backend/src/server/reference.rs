//! The reference backend as every command starts it: the engine over a population and
//! trust anchors with fresh OS randomness for its nonces, and its router served on an
//! ephemeral loopback port (with fault injection at the connection level).

use std::net::SocketAddr;
use std::sync::Arc;

use onshi_world::population::Population;

use super::listener::FaultyListener;
use super::serving::{self, ServeLimits};
use super::{AppState, DefectSet, Engine, EngineConfig, FaultInjector, TrustAnchors, app};

/// The reference backend could not be started.
#[derive(Debug, thiserror::Error)]
pub enum ReferenceError {
    /// The operating system gave no randomness for the nonce seed.
    #[error("no operating-system randomness for nonces")]
    NoRandomness,
    /// The loopback listener could not be opened.
    #[error("cannot listen on 127.0.0.1: {0}")]
    Listen(#[source] std::io::Error),
}

/// The reference engine over `population`, trusting `trust`, with `defects` switched on
/// and challenges living `challenge_ttl_ms`.
pub fn engine(
    population: Arc<Population>,
    trust: TrustAnchors,
    defects: DefectSet,
    challenge_ttl_ms: u64,
) -> Result<Arc<Engine>, ReferenceError> {
    let mut nonce_seed = [0u8; 32];
    aws_lc_rs::rand::fill(&mut nonce_seed).map_err(|_| ReferenceError::NoRandomness)?;
    let config = EngineConfig {
        defects,
        challenge_ttl_ms,
        nonce_seed,
        ..EngineConfig::default()
    };
    Ok(Arc::new(Engine::new(population, trust, config)))
}

/// A router served on loopback: its address and the server task (abort it to stop).
#[derive(Debug)]
pub struct Loopback {
    /// `127.0.0.1:PORT`.
    pub addr: SocketAddr,
    /// The server task.
    pub server: tokio::task::JoinHandle<()>,
}

impl Loopback {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

/// Serves `state`'s router on 127.0.0.1 (an ephemeral port) with [`LOOPBACK_LIMITS`];
/// with `faults`, the listener injects their connection resets too.
pub async fn serve_loopback(
    mut state: AppState,
    faults: Option<Arc<FaultInjector>>,
) -> Result<Loopback, ReferenceError> {
    let listener = tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], 0)))
        .await
        .map_err(ReferenceError::Listen)?;
    let addr = listener.local_addr().map_err(ReferenceError::Listen)?;
    let forever = std::future::pending::<()>;
    let server = match faults {
        Some(faults) => {
            state.faults = Arc::clone(&faults);
            let listener = FaultyListener::new(listener, faults);
            tokio::spawn(serving::serve(
                listener,
                app(state),
                LOOPBACK_LIMITS,
                forever(),
                forever(),
            ))
        }
        None => tokio::spawn(serving::serve(
            listener,
            app(state),
            LOOPBACK_LIMITS,
            forever(),
            forever(),
        )),
    };
    Ok(Loopback { addr, server })
}

/// The bounds of an embedded loopback backend: its only client is this process, whose
/// load lanes may hold many keep-alive connections at once.
pub const LOOPBACK_LIMITS: ServeLimits = ServeLimits {
    header_read: serving::HEADER_READ,
    max_connections: 65_536,
    grace: onshi_support::stop::GRACE,
};

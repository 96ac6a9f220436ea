//! Serving a router over HTTP/1.1 with bounds on what a client controls, for every
//! HTTP server onshi runs (`serve`, `reader serve`, the embedded backends):
//!
//! - **header-read timeout**: a connection must deliver a complete request head
//!   within [`ServeLimits::header_read`] of being opened or of its previous answer,
//!   or it is closed. This bounds slow or partial headers (slowloris) and idle
//!   keep-alive connections alike.
//! - **connection limit**: at most [`ServeLimits::max_connections`] connections are
//!   served at once; further clients wait in the listen backlog until one closes
//!   (which the header-read timeout bounds).
//! - **bounded shutdown**: when `shutdown` resolves, no new connection is accepted,
//!   open connections finish the request in hand and close; after
//!   [`ServeLimits::grace`] (or when `hurry` resolves) the rest are dropped, so a
//!   stop never waits on a client.
//!
//! Only HTTP/1.1 is spoken (every onshi client and Goose use it).

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::sync::{Semaphore, watch};
use tokio::task::JoinSet;

/// The bounds of one server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ServeLimits {
    /// Time to deliver a complete request head, from connect or the last answer.
    pub header_read: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Time open connections get to finish after shutdown begins.
    pub grace: Duration,
}

/// The default header-read timeout.
pub const HEADER_READ: Duration = Duration::from_secs(10);
/// The default connection limit.
pub const MAX_CONNECTIONS: usize = 4096;

impl Default for ServeLimits {
    fn default() -> Self {
        Self {
            header_read: HEADER_READ,
            max_connections: MAX_CONNECTIONS,
            grace: onshi_support::stop::GRACE,
        }
    }
}

/// Serves `router` on `listener` within `limits` until `shutdown` resolves, then
/// closes within the grace time (sooner if `hurry` resolves).
pub async fn serve<L>(
    mut listener: L,
    router: Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()>,
    hurry: impl Future<Output = ()>,
) where
    L: axum::serve::Listener,
{
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .keep_alive(true);
    let slots = Arc::new(Semaphore::new(limits.max_connections.max(1)));
    let (closing_tx, closing) = watch::channel(false);
    let mut connections = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            p = Arc::clone(&slots).acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            () = &mut shutdown => break,
        };
        let (io, _) = tokio::select! {
            a = listener.accept() => a,
            () = &mut shutdown => break,
        };
        while connections.try_join_next().is_some() {}
        let service = TowerToHyperService::new(router.clone());
        let conn = http.serve_connection(TokioIo::new(io), service);
        let mut closing = closing.clone();
        connections.spawn(async move {
            let _permit = permit;
            tokio::pin!(conn);
            tokio::select! {
                _ = conn.as_mut() => return,
                _ = closing.wait_for(|c| *c) => {}
            }
            conn.as_mut().graceful_shutdown();
            let _ = conn.await;
        });
    }
    drop(listener);
    closing_tx.send_replace(true);
    tokio::select! {
        () = async { while connections.join_next().await.is_some() {} } => {}
        () = tokio::time::sleep(limits.grace) => {}
        () = hurry => {}
    }
    connections.abort_all();
}

//! A TCP listener for `onshi serve` that injects connection resets: an accepted
//! connection is, with the configured probability, closed at once with `SO_LINGER`
//! 0 so the client sees a reset (RST) instead of an answer.
//!
//! Resets happen per connection, so a client that keeps connections alive meets them
//! only when it opens new ones.

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::{TcpListener, TcpStream};

use super::faults::FaultInjector;

/// A listener that resets some connections.
#[derive(Debug)]
pub struct FaultyListener {
    inner: TcpListener,
    faults: Arc<FaultInjector>,
}

impl FaultyListener {
    /// Wraps a bound listener.
    pub fn new(inner: TcpListener, faults: Arc<FaultInjector>) -> Self {
        Self { inner, faults }
    }
}

impl axum::serve::Listener for FaultyListener {
    type Io = TcpStream;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        loop {
            match self.inner.accept().await {
                Ok((stream, addr)) => {
                    if self.faults.reset_connection() {
                        let _ = stream.set_zero_linger();
                        drop(stream);
                        tracing::debug!("fault: reset connection from {addr}");
                        continue;
                    }
                    let _ = stream.set_nodelay(true);
                    return (stream, addr);
                }
                Err(e) => {
                    // Out of descriptors and the like: back off and retry.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }

    fn local_addr(&self) -> io::Result<Self::Addr> {
        self.inner.local_addr()
    }
}

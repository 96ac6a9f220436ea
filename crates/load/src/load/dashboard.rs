//! `onshi load --dashboard ADDR`: a page that follows a run while it goes on.
//!
//! | route | what |
//! |---|---|
//! | `GET /` | one self-contained page (inline CSS and JS, charts drawn as inline SVG by its own script, nothing loaded from elsewhere — its `Content-Security-Policy` forbids it) |
//! | `GET /events` | server-sent events: the current [`Frame`] on connect, then one `data:` line of JSON per frame published |
//! | `GET /frame` | the current frame as JSON |
//!
//! The server runs on its own thread and runtime, apart from the attack's, through
//! [`onshi_backend::server::serving`] with [`LIMITS`] (header-read timeout, connection
//! limit, bounded shutdown); at most [`MAX_CLIENTS`] event streams at once. It serves
//! until [`Dashboard::finish`]: the final frame for the linger time, then it closes
//! (at once on SIGINT / SIGTERM). Frames come from [`super::run`] and
//! [`super::execute`] through the channel of [`Dashboard::publisher`].

use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use onshi_backend::server::serving::{self, ServeLimits};
use onshi_support::stop::Stop;
use tokio::sync::{OwnedSemaphorePermit, Semaphore, oneshot, watch};

use super::live::Frame;

/// The page.
const PAGE: &str = include_str!("dashboard/page.html");

/// What the page may load: its own inline style and script, and its own origin's
/// event stream. Nothing else, from anywhere.
const CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; \
                   connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// Event streams served at once; a further client gets 503.
pub const MAX_CLIENTS: usize = 64;

/// How long the final frame is served after the run by default.
pub const LINGER: Duration = Duration::from_secs(3);

/// The longest linger allowed.
pub const MAX_LINGER: Duration = Duration::from_secs(3600);

/// The dashboard server's bounds: a few browsers, not a crowd.
pub const LIMITS: ServeLimits = ServeLimits {
    header_read: serving::HEADER_READ,
    max_connections: 2 * MAX_CLIENTS,
    grace: Duration::from_secs(1),
};

/// Why the dashboard did not start.
#[derive(Debug, thiserror::Error)]
pub enum DashboardError {
    /// The address could not be bound (in use, not this host's, no permission).
    #[error("cannot listen on {addr}: {source}")]
    Listen {
        /// The address asked for.
        addr: SocketAddr,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// The server's thread or runtime could not be started.
    #[error("starting the dashboard: {0}")]
    Start(#[source] std::io::Error),
}

/// The address of `--dashboard`: `HOST:PORT` (an IP address, or `localhost`) or just
/// `PORT`, meaning 127.0.0.1:PORT. Port 0 takes a free one.
pub fn parse_addr(text: &str) -> Result<SocketAddr, String> {
    let text = text.trim();
    if let Ok(port) = text.parse::<u16>() {
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Ok(addr);
    }
    if let Some(port) = text.strip_prefix("localhost:")
        && let Ok(port) = port.parse::<u16>()
    {
        return Ok(SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port));
    }
    Err(format!(
        "{text:?}: expected HOST:PORT (an IP address or localhost, e.g. 127.0.0.1:8089) or a port"
    ))
}

/// One `text/event-stream` event of a frame: its number as the id, its JSON (one line)
/// as the data.
pub fn sse_event(frame: &Frame) -> String {
    // serde_json escapes every control character: the JSON is one line.
    let json = serde_json::to_string(frame).unwrap_or_else(|_| "{}".to_owned());
    format!("id: {}\ndata: {json}\n\n", frame.seq)
}

#[derive(Clone)]
struct AppState {
    frames: watch::Receiver<Frame>,
    closing: watch::Receiver<bool>,
    clients: Arc<Semaphore>,
}

/// The dashboard's routes over `frames`; event streams end when `closing` turns true
/// (or every sender is gone), at most `max_clients` at once.
pub fn app(
    frames: watch::Receiver<Frame>,
    closing: watch::Receiver<bool>,
    max_clients: usize,
) -> Router {
    Router::new()
        .route("/", get(page))
        .route("/frame", get(frame))
        .route("/events", get(events))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .with_state(AppState {
            frames,
            closing,
            clients: Arc::new(Semaphore::new(max_clients)),
        })
}

async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (header::CONTENT_SECURITY_POLICY, CSP),
            (header::CACHE_CONTROL, "no-store"),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        PAGE,
    )
        .into_response()
}

async fn frame(State(s): State<AppState>) -> Response {
    let f = s.frames.borrow().clone();
    ([(header::CACHE_CONTROL, "no-store")], axum::Json(f)).into_response()
}

/// The state of one event stream.
struct Stream {
    frames: watch::Receiver<Frame>,
    closing: watch::Receiver<bool>,
    first: bool,
    _permit: OwnedSemaphorePermit,
}

impl Stream {
    /// The next event: the current frame first, then each new one; none once the
    /// dashboard closes (a frame published before that still goes out first).
    async fn next(mut self) -> Option<(Result<String, Infallible>, Self)> {
        if !self.first {
            tokio::select! {
                biased;
                changed = self.frames.changed() => changed.ok()?,
                _ = self.closing.wait_for(|c| *c) => return None,
            }
        }
        self.first = false;
        let event = sse_event(&self.frames.borrow_and_update());
        Some((Ok(event), self))
    }
}

async fn events(State(s): State<AppState>) -> Response {
    let Ok(permit) = Arc::clone(&s.clients).try_acquire_owned() else {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("at most {MAX_CLIENTS} dashboard event streams at once\n"),
        )
            .into_response();
    };
    let stream = Stream {
        frames: s.frames.clone(),
        closing: s.closing.clone(),
        first: true,
        _permit: permit,
    };
    let body = axum::body::Body::from_stream(futures::stream::unfold(stream, Stream::next));
    (
        [
            (header::CONTENT_TYPE, "text/event-stream"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        body,
    )
        .into_response()
}

/// A running dashboard.
#[derive(Debug)]
pub struct Dashboard {
    addr: SocketAddr,
    frames: watch::Sender<Frame>,
    finish: Option<oneshot::Sender<Duration>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Dashboard {
    /// Binds `addr` and serves the dashboard on a thread of its own; `stop` (the run's
    /// signals) cuts the linger short.
    pub fn start(addr: SocketAddr, stop: Stop) -> Result<Self, DashboardError> {
        let listener = std::net::TcpListener::bind(addr)
            .map_err(|source| DashboardError::Listen { addr, source })?;
        let bound = listener
            .local_addr()
            .and_then(|a| listener.set_nonblocking(true).map(|()| a))
            .map_err(|source| DashboardError::Listen { addr, source })?;
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(DashboardError::Start)?;
        let (frames, rx) = watch::channel(Frame::default());
        let (finish, finish_rx) = oneshot::channel::<Duration>();
        let thread = std::thread::Builder::new()
            .name("onshi-dashboard".into())
            .spawn(move || runtime.block_on(run(listener, rx, finish_rx, stop)))
            .map_err(DashboardError::Start)?;
        Ok(Self {
            addr: bound,
            frames,
            finish: Some(finish),
            thread: Some(thread),
        })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The page's URL (`http://127.0.0.1:PORT/`).
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// Where frames go: give it to [`super::execute::Plan::live`].
    pub fn publisher(&self) -> watch::Sender<Frame> {
        self.frames.clone()
    }

    /// Serves the current (final) frame for `linger` more, or until a signal, then
    /// closes: event streams end, connections close within [`LIMITS`]' grace.
    pub fn finish(mut self, linger: Duration) {
        self.close(linger);
    }

    fn close(&mut self, linger: Duration) {
        if let Some(f) = self.finish.take() {
            let _ = f.send(linger);
        }
        if let Some(t) = self.thread.take()
            && t.join().is_err()
        {
            tracing::warn!("the dashboard's thread panicked");
        }
    }
}

impl Drop for Dashboard {
    /// Closes at once (no linger).
    fn drop(&mut self) {
        self.close(Duration::ZERO);
    }
}

/// The server's thread: serves until told to finish, lingers, closes.
async fn run(
    listener: std::net::TcpListener,
    frames: watch::Receiver<Frame>,
    finish: oneshot::Receiver<Duration>,
    stop: Stop,
) {
    let listener = match tokio::net::TcpListener::from_std(listener) {
        Ok(l) => l,
        Err(e) => {
            tracing::warn!("dashboard: {e}");
            return;
        }
    };
    let (closing_tx, closing) = watch::channel(false);
    let router = app(frames, closing.clone(), MAX_CLIENTS);
    let close = async {
        // A dropped handle closes at once.
        let linger = finish.await.unwrap_or(Duration::ZERO);
        tokio::select! {
            () = tokio::time::sleep(linger.min(MAX_LINGER)) => {}
            _ = stop.until_requested() => {}
        }
        closing_tx.send_replace(true);
    };
    let mut shutdown = closing.clone();
    let serve = serving::serve(
        listener,
        router,
        LIMITS,
        async move {
            let _ = shutdown.wait_for(|c| *c).await;
        },
        stop.until_hurried(),
    );
    tokio::join!(close, serve);
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)] // tests: a failed unwrap is a failed test

    use super::*;
    use axum::body::Body;
    use axum::http::Request;
    use futures::StreamExt as _;
    use tower::ServiceExt as _;

    fn get_req(path: &str) -> Request<Body> {
        Request::get(path).body(Body::empty()).unwrap()
    }

    #[test]
    fn addresses_are_host_port_or_a_port_on_loopback() {
        assert_eq!(parse_addr("8089").unwrap().to_string(), "127.0.0.1:8089");
        assert_eq!(parse_addr("0").unwrap().to_string(), "127.0.0.1:0");
        assert_eq!(
            parse_addr("0.0.0.0:9000").unwrap().to_string(),
            "0.0.0.0:9000"
        );
        assert_eq!(parse_addr("[::1]:7").unwrap().to_string(), "[::1]:7");
        assert_eq!(
            parse_addr("localhost:8089").unwrap().to_string(),
            "127.0.0.1:8089"
        );
        for bad in [
            "",
            "x",
            "65536",
            "127.0.0.1",
            "127.0.0.1:x",
            "example.com:80",
            ":80",
        ] {
            assert!(parse_addr(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn an_event_is_one_data_line_of_json() {
        let mut f = Frame::waiting("r", "s\nwith a newline", 3, 10);
        f.seq = 7;
        let e = sse_event(&f);
        assert!(e.starts_with("id: 7\ndata: {"), "{e}");
        assert!(e.ends_with("}\n\n"), "{e}");
        assert_eq!(e.matches('\n').count(), 3, "{e}");
        let json = e.lines().nth(1).unwrap().strip_prefix("data: ").unwrap();
        assert_eq!(serde_json::from_str::<Frame>(json).unwrap(), f);
    }

    #[tokio::test]
    async fn the_page_is_self_contained_and_the_frame_is_json() {
        let (tx, rx) = watch::channel(Frame::waiting("run-1", "smoke", 1, 5));
        let (_closing_tx, closing) = watch::channel(false);
        let router = app(rx, closing, 2);
        let page = router.clone().oneshot(get_req("/")).await.unwrap();
        assert_eq!(page.status(), StatusCode::OK);
        let csp = page.headers()[header::CONTENT_SECURITY_POLICY]
            .to_str()
            .unwrap()
            .to_owned();
        assert!(csp.starts_with("default-src 'none'"), "{csp}");
        let html = axum::body::to_bytes(page.into_body(), 1 << 20)
            .await
            .unwrap();
        let html = String::from_utf8(html.to_vec()).unwrap();
        assert!(html.contains("<script>") && html.contains("EventSource"));
        for external in ["src=", "href=", "@import", "url("] {
            assert!(!html.contains(external), "{external} in the page");
        }
        tx.send_modify(|f| f.completed = 3);
        let r = router.oneshot(get_req("/frame")).await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        let body = axum::body::to_bytes(r.into_body(), 1 << 20).await.unwrap();
        let f: Frame = serde_json::from_slice(&body).unwrap();
        assert_eq!((f.run_id.as_str(), f.completed), ("run-1", 3));
    }

    #[tokio::test]
    async fn the_event_stream_sends_the_current_frame_then_each_new_one_until_closed() {
        let (tx, rx) = watch::channel(Frame::waiting("run-1", "smoke", 1, 5));
        let (closing_tx, closing) = watch::channel(false);
        let router = app(rx, closing, 1);
        let r = router.clone().oneshot(get_req("/events")).await.unwrap();
        assert_eq!(r.headers()[header::CONTENT_TYPE], "text/event-stream");
        let mut body = r.into_body().into_data_stream();
        let first = body.next().await.unwrap().unwrap();
        assert!(first.starts_with(b"id: 0\ndata: {\"run_id\":\"run-1\""));
        // One stream at a time here: a second client is turned away.
        let busy = router.clone().oneshot(get_req("/events")).await.unwrap();
        assert_eq!(busy.status(), StatusCode::SERVICE_UNAVAILABLE);
        tx.send_modify(|f| {
            f.seq = 1;
            f.completed = 2;
        });
        let second = String::from_utf8(body.next().await.unwrap().unwrap().to_vec()).unwrap();
        assert!(second.starts_with("id: 1\n") && second.contains("\"completed\":2"));
        // The last frame goes out before the stream ends.
        tx.send_modify(|f| {
            f.seq = 2;
            f.done = true;
        });
        closing_tx.send_replace(true);
        let last = String::from_utf8(body.next().await.unwrap().unwrap().to_vec()).unwrap();
        assert!(last.contains("\"done\":true"), "{last}");
        assert!(body.next().await.is_none(), "the stream ends");
        // Its slot is free again.
        let again = router.oneshot(get_req("/events")).await.unwrap();
        assert_eq!(again.status(), StatusCode::OK);
    }

    #[test]
    fn a_dashboard_serves_until_finished_and_a_signal_cuts_the_linger() {
        let stop = Stop::new();
        let d = Dashboard::start(parse_addr("0").unwrap(), stop.clone()).unwrap();
        assert!(d.addr().ip().is_loopback() && d.addr().port() != 0);
        assert!(d.url().starts_with("http://127.0.0.1:") && d.url().ends_with('/'));
        d.publisher().send_replace(Frame::waiting("r", "s", 1, 1));
        let started = std::time::Instant::now();
        stop.request(onshi_support::stop::StopSignal::Interrupt);
        d.finish(Duration::from_secs(60));
        assert!(started.elapsed() < Duration::from_secs(5));
        // A taken port is refused with the address.
        let held = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = held.local_addr().unwrap();
        let e = Dashboard::start(addr, Stop::new()).unwrap_err();
        assert!(e.to_string().contains(&addr.to_string()), "{e}");
    }
}

//! Serving HTTP: `axum::serve`'s accept loop, with the deadlines it has no
//! knobs for, so a slow or silent client cannot hold a connection.
//!
//! - **Header read** (`WARTA_HEADER_READ_TIMEOUT_MS`): once the first byte
//!   of a request has arrived, its whole header block must follow within
//!   this; a client sending half a header block is disconnected.
//! - **Idle** (`WARTA_IDLE_TIMEOUT_MS`): a connection with no request in
//!   flight, nothing arriving and nothing being sent is closed after this
//!   (HTTP/1 closes, HTTP/2 says GOAWAY; a response still streaming keeps
//!   it open). Also bounds a connection that never sends
//!   anything. Longer than a proxy's pooled upstream connections wait
//!   (nginx's `keepalive_timeout 60s`), so the proxy never reuses one this
//!   side is closing.
//! - **Body read** (`WARTA_BODY_READ_TIMEOUT_MS`): a request body that sends
//!   nothing for this long fails; the handler answers 400 (or 413/422 where
//!   it reads the body itself).
//! - **Whole request** (`WARTA_REQUEST_TIMEOUT_MS`): the router's
//!   `TimeoutLayer` answers 408 to a request not answered within this,
//!   which also ends a body trickled a byte at a time.
//!
//! hyper's own header timer (re-armed after every response, so it doubles
//! as HTTP/1's idle limit) is set to idle plus header read: a backstop
//! behind the watchdog below, which tells the two apart by watching when
//! bytes arrive.

use std::{
    convert::Infallible,
    future::Future,
    io,
    net::SocketAddr,
    pin::{Pin, pin},
    sync::{
        Arc,
        atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    Router,
    body::Body,
    response::Response,
    serve::{Listener, ListenerExt as _},
};
use hyper::body::Incoming;
use hyper_util::{
    rt::{TokioExecutor, TokioIo, TokioTimer},
    server::conn::auto,
};
use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    net::TcpStream,
    sync::watch,
    time::Instant,
};
use tower::{Service as _, ServiceExt as _};
use tower_http::timeout::TimeoutBody;

use crate::config::Timeouts;

/// Serves `router` on `listener` until `shutdown` completes, then stops
/// accepting, lets in-flight requests finish, and returns once every
/// connection has closed: `axum::serve(..).with_graceful_shutdown(..)`,
/// with [`Timeouts`].
pub async fn serve(
    listener: tokio::net::TcpListener,
    router: Router,
    timeouts: Timeouts,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let mut listener = listener.tap_io(|stream: &mut TcpStream| {
        if let Err(error) = stream.set_nodelay(true) {
            tracing::trace!(%error, "cannot set TCP_NODELAY");
        }
    });
    let mut make_service = router.into_make_service_with_connect_info::<SocketAddr>();
    let builder = Arc::new(connection_builder(&timeouts));

    // As axum does: connections wait on `signal.closed()`, which completes
    // when the shutdown task drops the only receiver; the accept loop then
    // waits for every connection task to drop its `open` receiver.
    let (signal, signal_receiver) = watch::channel(());
    tokio::spawn(async move {
        shutdown.await;
        drop(signal_receiver);
    });
    let (closed, open) = watch::channel(());

    loop {
        let (stream, peer) = tokio::select! {
            // Skips connection errors, and logs and waits a second on
            // others (out of file descriptors), as `axum::serve` does.
            accepted = Listener::accept(&mut listener) => accepted,
            () = signal.closed() => break,
        };
        // Puts `ConnectInfo<SocketAddr>` on every request of the connection.
        let app = make_service.call(peer).await.unwrap_or_else(|never| match never {});
        let (builder, signal, open) = (Arc::clone(&builder), signal.clone(), open.clone());
        tokio::spawn(async move {
            serve_connection(&builder, stream, peer, app, timeouts, &signal).await;
            drop(open);
        });
    }
    drop(open);
    drop(listener);
    closed.closed().await;
}

fn connection_builder(timeouts: &Timeouts) -> auto::Builder<TokioExecutor> {
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // Without a timer hyper ignores header timeouts (and panics on one set
    // explicitly).
    builder
        .http1()
        .timer(TokioTimer::new())
        .header_read_timeout(timeouts.idle + timeouts.header_read);
    builder.http2().timer(TokioTimer::new());
    builder
}

async fn serve_connection<S>(
    builder: &auto::Builder<TokioExecutor>,
    stream: TcpStream,
    peer: SocketAddr,
    app: S,
    timeouts: Timeouts,
    signal: &watch::Sender<()>,
) where
    S: tower::Service<http::Request<Body>, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    let activity = Arc::new(Activity::new());
    let service = {
        let activity = Arc::clone(&activity);
        hyper::service::service_fn(move |request: http::Request<Incoming>| {
            let in_flight = activity.begin();
            let request = request.map(|body| Body::new(TimeoutBody::new(timeouts.body_read, body)));
            let app = app.clone();
            async move {
                let response = app.oneshot(request).await;
                drop(in_flight);
                response
            }
        })
    };
    let io = TokioIo::new(Watched {
        stream,
        activity: Arc::clone(&activity),
        first: Vec::with_capacity(H2_PREFACE.len()),
    });
    let mut connection = pin!(builder.serve_connection_with_upgrades(io, service));
    let mut stopping = pin!(signal.closed());
    let mut check = pin!(tokio::time::sleep(timeouts.header_read.min(timeouts.idle)));
    let mut closing = false;
    loop {
        tokio::select! {
            result = connection.as_mut() => {
                if let Err(error) = result {
                    tracing::trace!(%peer, %error, "a connection ended with an error");
                }
                break;
            }
            () = stopping.as_mut(), if !closing => {
                closing = true;
                connection.as_mut().graceful_shutdown();
            }
            () = check.as_mut() => match activity.verdict(timeouts) {
                Verdict::Wait(until) => check.as_mut().reset(until),
                Verdict::Idle if !closing => {
                    tracing::debug!(%peer, "closing an idle connection");
                    closing = true;
                    connection.as_mut().graceful_shutdown();
                    // One that does not close when asked, and stays idle, is
                    // dropped at the next look.
                    activity.touch();
                    check.as_mut().reset(Instant::now() + timeouts.header_read);
                }
                Verdict::Idle => {
                    tracing::debug!(%peer, "dropping an idle connection that did not close when asked");
                    break;
                }
                Verdict::TooSlow => {
                    tracing::debug!(%peer, "dropping a connection whose request header did not arrive in time");
                    break;
                }
            },
        }
    }
}

/// What the watchdog decides about a connection.
#[derive(Debug, PartialEq, Eq)]
enum Verdict {
    /// All is well; look again then.
    Wait(Instant),
    /// Nothing in flight, nothing arriving and nothing sent for the idle
    /// timeout (or, once asked to close, for the header timeout).
    Idle,
    /// A request began arriving and its header block has not in time.
    TooSlow,
}

/// What one connection is doing, for the watchdog. Times are milliseconds
/// since the connection opened.
#[derive(Debug)]
struct Activity {
    opened: Instant,
    in_flight: AtomicUsize,
    /// When the connection last did something: a handler finished, or
    /// bytes went out (a response body still streaming).
    last_active: AtomicU64,
    /// HTTP/1 only: when bytes first arrived while no request was in
    /// flight, a request head on its way. [`NOTHING`] when none is.
    arriving_since: AtomicU64,
    /// HTTP/2 (the client opened with its preface): bytes arriving between
    /// requests are pings and window updates, not a request head, so only
    /// idleness counts.
    h2: AtomicBool,
}

const NOTHING: u64 = u64::MAX;

impl Activity {
    fn new() -> Self {
        Self {
            opened: Instant::now(),
            in_flight: AtomicUsize::new(0),
            last_active: AtomicU64::new(0),
            arriving_since: AtomicU64::new(NOTHING),
            h2: AtomicBool::new(false),
        }
    }

    fn now(&self) -> u64 {
        u64::try_from(self.opened.elapsed().as_millis()).unwrap_or(u64::MAX - 1)
    }

    fn at(&self, ms: u64) -> Instant {
        self.opened + Duration::from_millis(ms)
    }

    /// The connection did something now.
    fn touch(&self) {
        self.last_active.store(self.now(), Ordering::Release);
    }

    /// A request's head was read: its handler runs until the guard drops.
    fn begin(self: &Arc<Self>) -> InFlight {
        self.in_flight.fetch_add(1, Ordering::AcqRel);
        self.arriving_since.store(NOTHING, Ordering::Release);
        InFlight(Arc::clone(self))
    }

    /// Bytes were read from the client.
    fn received(&self) {
        if self.in_flight.load(Ordering::Acquire) == 0 && !self.h2.load(Ordering::Acquire) {
            let _ = self
                .arriving_since
                .compare_exchange(NOTHING, self.now(), Ordering::AcqRel, Ordering::Acquire);
        }
    }

    fn verdict(&self, timeouts: Timeouts) -> Verdict {
        let now = Instant::now();
        if self.in_flight.load(Ordering::Acquire) > 0 {
            return Verdict::Wait(now + timeouts.header_read.min(timeouts.idle));
        }
        let arriving = self.arriving_since.load(Ordering::Acquire);
        if arriving != NOTHING {
            let deadline = self.at(arriving) + timeouts.header_read;
            return if deadline > now {
                Verdict::Wait(deadline)
            } else {
                Verdict::TooSlow
            };
        }
        let deadline = self.at(self.last_active.load(Ordering::Acquire)) + timeouts.idle;
        if deadline > now {
            Verdict::Wait(deadline)
        } else {
            Verdict::Idle
        }
    }
}

/// Held while a request's handler runs (its response body may stream on
/// afterwards: every write then counts as activity).
struct InFlight(Arc<Activity>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.touch();
        self.0.in_flight.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The client's socket, telling [`Activity`] when bytes arrive and leave,
/// and whether the client speaks HTTP/2 (its first bytes are the preface).
struct Watched {
    stream: TcpStream,
    activity: Arc<Activity>,
    /// The first bytes read, until they say which protocol it is.
    first: Vec<u8>,
}

/// How an HTTP/2 client's preface begins (`PRI * HTTP/2.0`); no HTTP/1
/// method does.
const H2_PREFACE: &[u8] = b"PRI ";

impl AsyncRead for Watched {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let before = buf.filled().len();
        let polled = Pin::new(&mut this.stream).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            if this.first.len() < H2_PREFACE.len() {
                let wanted = H2_PREFACE.len() - this.first.len();
                let read = &buf.filled()[before..];
                this.first.extend_from_slice(&read[..read.len().min(wanted)]);
                if this.first == H2_PREFACE {
                    this.activity.h2.store(true, Ordering::Release);
                }
            }
            this.activity.received();
        }
        polled
    }
}

impl AsyncWrite for Watched {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write(cx, buf);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            this.activity.touch();
        }
        polled
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let polled = Pin::new(&mut this.stream).poll_write_vectored(cx, bufs);
        if matches!(polled, Poll::Ready(Ok(written)) if written > 0) {
            this.activity.touch();
        }
        polled
    }

    fn is_write_vectored(&self) -> bool {
        self.stream.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TIMEOUTS: Timeouts = Timeouts {
        header_read: Duration::from_secs(10),
        idle: Duration::from_secs(60),
        body_read: Duration::from_secs(10),
        request: Duration::from_secs(30),
    };

    #[test]
    fn a_quiet_connection_is_idle_and_a_half_sent_header_is_too_slow() {
        let activity = Arc::new(Activity::new());
        assert!(matches!(activity.verdict(TIMEOUTS), Verdict::Wait(_)), "just opened");
        // Pretend it opened long ago: nothing arrived since.
        let old = Activity {
            opened: Instant::now() - Duration::from_secs(61),
            ..Activity::new()
        };
        assert_eq!(old.verdict(TIMEOUTS), Verdict::Idle);
        // Bytes arrived 11 s ago and no request has begun.
        old.arriving_since.store(old.now() - 11_000, Ordering::Release);
        assert_eq!(old.verdict(TIMEOUTS), Verdict::TooSlow);
        // A request in flight is never cut, however long it takes.
        let busy = Arc::new(Activity {
            opened: Instant::now() - Duration::from_secs(600),
            ..Activity::new()
        });
        let guard = busy.begin();
        assert!(matches!(busy.verdict(TIMEOUTS), Verdict::Wait(_)));
        drop(guard);
        assert!(
            matches!(busy.verdict(TIMEOUTS), Verdict::Wait(_)),
            "idle time starts when it ends"
        );
        // HTTP/2: what arrives between requests (pings, window updates) is
        // no request head; an idle connection is only idle.
        let h2 = Activity {
            opened: Instant::now() - Duration::from_secs(61),
            ..Activity::new()
        };
        h2.h2.store(true, Ordering::Release);
        h2.received();
        assert_eq!(h2.verdict(TIMEOUTS), Verdict::Idle);
        // A response still streaming out is not idle.
        h2.touch();
        assert!(matches!(h2.verdict(TIMEOUTS), Verdict::Wait(_)));
    }
}

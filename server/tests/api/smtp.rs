//! A real SMTP server (mailin-embedded) the tests start on a free port: the
//! worker sends to it over TCP exactly as to a production relay.

use std::{
    net::TcpListener,
    sync::{Arc, Condvar, Mutex},
    time::{Duration, Instant},
};

use mailin_embedded::{
    Handler, Response, Server, SslConfig,
    response::{INTERNAL_ERROR, OK},
};

/// One message the server accepted.
#[derive(Debug, Clone)]
#[allow(dead_code)]
pub(crate) struct Received {
    /// The envelope sender (`MAIL FROM`), without angle brackets.
    pub(crate) from: String,
    /// The envelope recipients (`RCPT TO`), in order.
    pub(crate) to: Vec<String>,
    /// The message as sent after `DATA`, dot-unstuffed, lossy UTF-8.
    pub(crate) raw: String,
}

impl Received {
    /// The value of header `name` (case-insensitive), unfolded (continuation
    /// lines joined), first occurrence in the top-level header block.
    #[allow(dead_code)]
    pub(crate) fn header(&self, name: &str) -> Option<String> {
        let mut found: Option<String> = None;
        for line in self.raw.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            if line.is_empty() {
                break; // the end of the header block
            }
            if line.starts_with([' ', '\t']) {
                // RFC 5322 unfolding: drop the line break, keep the whitespace.
                if let Some(value) = found.as_mut() {
                    value.push_str(line);
                }
                continue;
            }
            if found.is_some() {
                break;
            }
            if let Some((key, value)) = line.split_once(':')
                && key.trim_end().eq_ignore_ascii_case(name)
            {
                found = Some(value.to_owned());
            }
        }
        found.map(|value| value.trim().to_owned())
    }
}

#[derive(Default)]
struct State {
    /// Record only the emails followers get about new articles (their
    /// Message-ID starts `<article-`): the tests counting those need not
    /// count the verification links every registration sends.
    only_followers: bool,
    messages: Vec<Received>,
    holding: bool,
    held: usize,
    /// Bumped by each release: a held message waits until it changes.
    generation: u64,
}

type Shared = Arc<(Mutex<State>, Condvar)>;

/// The per-connection handler: mailin-embedded clones it for each session.
#[derive(Clone, Default)]
struct Recorder {
    shared: Shared,
    from: String,
    to: Vec<String>,
    data: Vec<u8>,
}

impl Handler for Recorder {
    fn data_start(&mut self, _domain: &str, from: &str, _is8bit: bool, to: &[String]) -> Response {
        from.clone_into(&mut self.from);
        self.to = to.to_vec();
        self.data.clear();
        OK
    }

    fn data(&mut self, buf: &[u8]) -> std::io::Result<()> {
        self.data.extend_from_slice(buf);
        Ok(())
    }

    fn data_end(&mut self) -> Response {
        let message = Received {
            from: std::mem::take(&mut self.from),
            to: std::mem::take(&mut self.to),
            raw: String::from_utf8_lossy(&std::mem::take(&mut self.data)).into_owned(),
        };
        let (lock, condvar) = &*self.shared;
        let mut state = lock.lock().expect("not poisoned");
        if state.only_followers
            && !message
                .header("Message-ID")
                .is_some_and(|id| id.starts_with("<article-"))
        {
            return OK;
        }
        if state.holding {
            let generation = state.generation;
            state.held += 1;
            let _state = condvar
                .wait_while(state, |state| state.generation == generation)
                .expect("not poisoned");
            // Never accepted: a temporary failure instead of the 250.
            return INTERNAL_ERROR;
        }
        state.messages.push(message);
        OK
    }
}

/// A running SMTP server; it lives until the test process ends.
pub(crate) struct SmtpServer {
    shared: Shared,
    port: u16,
}

#[allow(dead_code)]
impl SmtpServer {
    /// Binds 127.0.0.1:0 and serves from a background thread (32 sessions
    /// at once); returns at once, the listener already accepting.
    pub(crate) fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind SMTP listener");
        let port = listener.local_addr().expect("SMTP listener address").port();
        let handler = Recorder::default();
        let shared = Arc::clone(&handler.shared);
        std::thread::Builder::new()
            .name(format!("smtp-{port}"))
            .spawn(move || {
                let mut server = Server::new(handler);
                server
                    .with_name("smtp.test")
                    .with_ssl(SslConfig::None)
                    .expect("no TLS")
                    .with_num_threads(32)
                    .with_tcp_listener(listener);
                if let Err(error) = server.serve() {
                    eprintln!("test SMTP server on port {port} stopped: {error}");
                }
            })
            .expect("spawn SMTP server thread");
        SmtpServer { shared, port }
    }

    /// [`SmtpServer::start`], recording only the emails followers get about
    /// new articles; everything else (verification links, notices) is
    /// accepted and forgotten.
    pub(crate) fn for_followers() -> SmtpServer {
        let server = Self::start();
        server.state().only_followers = true;
        server
    }

    /// `smtp://127.0.0.1:{port}`, for `SMTP_URL`.
    pub(crate) fn url(&self) -> String {
        format!("smtp://127.0.0.1:{}", self.port)
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.shared.0.lock().expect("not poisoned")
    }

    /// Every message accepted so far: the server was about to answer 250
    /// to the end of DATA.
    pub(crate) fn received(&self) -> Vec<Received> {
        self.state().messages.clone()
    }

    pub(crate) fn count(&self) -> usize {
        self.state().messages.len()
    }

    /// Waits until at least `n` messages are accepted or `timeout` passes;
    /// returns the count then.
    pub(crate) async fn wait_for(&self, n: usize, timeout: Duration) -> usize {
        let deadline = Instant::now() + timeout;
        loop {
            let count = self.count();
            if count >= n || Instant::now() >= deadline {
                return count;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// From now on every message blocks at the end of DATA, unaccepted: its
    /// client waits for a 250 that does not come. Returns at once.
    pub(crate) fn hold(&self) {
        self.state().holding = true;
    }

    /// How many messages are held right now.
    pub(crate) fn held(&self) -> usize {
        self.state().held
    }

    /// Ends holding: the held messages are dropped, never accepted, and
    /// answered 451 (a temporary failure). New messages are accepted again.
    pub(crate) fn release_dropping(&self) {
        let mut state = self.state();
        state.holding = false;
        state.held = 0;
        state.generation += 1;
        drop(state);
        self.shared.1.notify_all();
    }
}

//! Issue 23, point 5: a slow or silent client cannot hold a connection.
//! Raw sockets, as a slowloris sends them, against an app with short
//! deadlines; each wait is bounded, and ends when the server acts.

use std::time::{Duration, Instant};

use tokio::{
    io::{AsyncReadExt as _, AsyncWriteExt as _},
    net::TcpStream,
};

use crate::helpers::TestApp;

/// The deadlines the app is given: short, so the test is quick.
const HEADER_MS: u64 = 400;
const IDLE_MS: u64 = 800;
const BODY_MS: u64 = 400;
const REQUEST_MS: u64 = 1_500;

async fn app() -> TestApp {
    TestApp::builder()
        .var("WARTA_HEADER_READ_TIMEOUT_MS", HEADER_MS.to_string())
        .var("WARTA_IDLE_TIMEOUT_MS", IDLE_MS.to_string())
        .var("WARTA_BODY_READ_TIMEOUT_MS", BODY_MS.to_string())
        .var("WARTA_REQUEST_TIMEOUT_MS", REQUEST_MS.to_string())
        .spawn()
        .await
}

async fn connect(app: &TestApp) -> TcpStream {
    let address = app.address.trim_start_matches("http://");
    TcpStream::connect(address).await.expect("connect")
}

/// Reads until the server closes the connection (or 10 s pass, which
/// fails the test); what it said, and how long after `since` it closed.
async fn until_closed(stream: &mut TcpStream, since: Instant) -> (String, Duration) {
    let mut said = Vec::new();
    let read = tokio::time::timeout(Duration::from_secs(10), async {
        let mut buffer = [0_u8; 4096];
        loop {
            match stream.read(&mut buffer).await {
                Ok(0) | Err(_) => return,
                Ok(n) => said.extend_from_slice(&buffer[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server kept the connection open for 10 s");
    (String::from_utf8_lossy(&said).into_owned(), since.elapsed())
}

#[tokio::test]
async fn half_a_header_block_is_cut_off_after_the_header_deadline() {
    let app = app().await;
    let mut stream = connect(&app).await;
    let started = Instant::now();
    stream
        .write_all(b"GET / HTTP/1.1\r\nHost: warta\r\nUser-Agent: slow")
        .await
        .unwrap();
    let (said, after) = until_closed(&mut stream, started).await;
    eprintln!("half a header block: closed after {after:?} (header deadline {HEADER_MS} ms)");
    assert!(said.is_empty(), "nothing answered, just closed: {said}");
    assert!(after >= Duration::from_millis(HEADER_MS - 50), "{after:?}");
    assert!(after < Duration::from_millis(IDLE_MS + HEADER_MS + 1_000), "{after:?}");
}

#[tokio::test]
async fn a_connection_that_says_nothing_or_stays_idle_is_closed() {
    let app = app().await;
    let mut silent = connect(&app).await;
    let started = Instant::now();
    let (_, after) = until_closed(&mut silent, started).await;
    eprintln!("a silent connection: closed after {after:?} (idle deadline {IDLE_MS} ms)");
    assert!(after >= Duration::from_millis(IDLE_MS - 50), "{after:?}");

    // A kept-alive connection after its request: idle, then closed.
    let mut kept = connect(&app).await;
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: warta\r\n\r\n")
        .await
        .unwrap();
    let started = Instant::now();
    let (said, after) = until_closed(&mut kept, started).await;
    eprintln!("a kept-alive connection: closed {after:?} after its request (idle deadline {IDLE_MS} ms)");
    assert!(said.starts_with("HTTP/1.1 200"), "{said}");
    assert!(after >= Duration::from_millis(IDLE_MS - 50), "{after:?}");
}

#[tokio::test]
async fn a_body_that_stops_coming_or_trickles_in_is_refused_not_waited_for() {
    let app = app().await;
    // 8 of 100 bytes, then nothing.
    let mut stalled = connect(&app).await;
    stalled
        .write_all(
            b"POST /fn/login HTTP/1.1\r\nHost: warta\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 100\r\n\r\nemail=ad",
        )
        .await
        .unwrap();
    let started = Instant::now();
    let (said, after) = until_closed(&mut stalled, started).await;
    eprintln!(
        "8 of 100 body bytes: answered {:?} after {after:?}",
        said.lines().next()
    );
    assert!(said.starts_with("HTTP/1.1 4"), "a client error, never a 5xx: {said}");
    assert!(after < Duration::from_millis(REQUEST_MS + 1_000), "{after:?}");

    // A byte every 300 ms: never idle for the body deadline, so the whole
    // request's deadline ends it.
    let mut trickle = connect(&app).await;
    trickle
        .write_all(
            b"POST /fn/login HTTP/1.1\r\nHost: warta\r\nContent-Type: application/x-www-form-urlencoded\r\n\
              Content-Length: 100\r\n\r\n",
        )
        .await
        .unwrap();
    let started = Instant::now();
    let writer = async {
        for _ in 0..100 {
            if trickle.write_all(b"a").await.is_err() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
    };
    // The writer stops when the server answers (and closes).
    let _ = tokio::time::timeout(Duration::from_millis(REQUEST_MS + 600), writer).await;
    let (said, after) = until_closed(&mut trickle, started).await;
    eprintln!(
        "a body trickled a byte at a time: answered {:?} after {after:?}",
        said.lines().next()
    );
    assert!(said.starts_with("HTTP/1.1 408"), "{said}");
    assert!(after < Duration::from_millis(REQUEST_MS + 2_000), "{after:?}");
}

//! The scrape endpoint: a small HTTP/1.1 server on tokio, written for hostile clients rather
//! than for features. One request a connection (`Connection: close`); GET and HEAD of
//! `/metrics` only; the request head bounded in size and in the time it may take to arrive; a
//! bounded number of connections at once, the oldest idle one closed to let a new one in; the
//! answer's write bounded in time, so that a scraper that never reads holds nothing for long.
//! Renders are shared: one at a time, and one a moment old is served again, so that many
//! scrapers at once cost the run what one does. Nothing a client sends can panic it.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::AbortHandle;

use super::exposition::{Format, render};
use super::feed::Feed;

/// Connections served at once. A scraper needs one; a few more let a person look with curl
/// meanwhile. Past it, a new connection closes the oldest one still sending its request (or
/// else the oldest): idle connections cannot keep a scraper out.
pub const MAX_CONNECTIONS: usize = 16;
/// A request head larger than this is refused (431): a scrape's is a few hundred bytes.
pub const MAX_HEAD: usize = 8 * 1024;
/// The whole request head must arrive within this (a slowloris client is cut off then).
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// The whole answer must be taken within this.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);
/// A render this young is served again rather than made anew.
pub const FRESH: Duration = Duration::from_millis(250);

/// A connection being served: whether it is still sending its request head.
struct Open {
    abort: AbortHandle,
    reading: Arc<AtomicBool>,
}

pub(super) async fn serve(listener: TcpListener, feed: Feed) {
    let renders = Arc::new(Renders::default());
    // Aborting this task (the endpoint dropped) drops the set, which ends every connection.
    let mut connections = tokio::task::JoinSet::new();
    let mut open: VecDeque<Open> = VecDeque::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    open.retain(|c| !c.abort.is_finished());
                    if open.len() >= MAX_CONNECTIONS {
                        let victim = open
                            .iter()
                            .position(|c| c.reading.load(Ordering::Relaxed))
                            .unwrap_or(0);
                        if let Some(c) = open.remove(victim) {
                            c.abort.abort();
                        }
                    }
                    let reading = Arc::new(AtomicBool::new(true));
                    let (feed, renders, flag) = (feed.clone(), renders.clone(), reading.clone());
                    let abort = connections.spawn(async move {
                        connection(stream, &feed, &renders, &flag).await;
                    });
                    open.push_back(Open { abort, reading });
                }
                // Out of file descriptors, say: wait rather than spin on the error.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
    }
}

/// The last render, shared by the connections; its lock also makes renders one at a time.
#[derive(Default)]
struct Renders {
    latest: tokio::sync::Mutex<Option<Rendered>>,
}

struct Rendered {
    at: Instant,
    format: Format,
    body: Arc<String>,
    finished: bool,
}

impl Renders {
    /// The exposition in `format`: the last one when it is fresh (and final, once the run has
    /// ended), else a new one, rendered off the runtime's workers.
    async fn get(&self, feed: &Feed, format: Format) -> Option<(Arc<String>, bool)> {
        let mut latest = self.latest.lock().await;
        if let Some(r) = latest.as_ref().filter(|r| {
            r.format == format && r.at.elapsed() < FRESH && (r.finished || !feed.is_finished())
        }) {
            return Some((r.body.clone(), r.finished));
        }
        // Off the runtime's workers: a catalog run's exposition takes milliseconds to read and
        // render, which would delay the requests on the worker and show up in their latency.
        let feed = feed.clone();
        let (body, finished) = tokio::task::spawn_blocking(move || {
            let (sample, finished) = feed.sample();
            (Arc::new(render(&sample, format)), finished)
        })
        .await
        .ok()?;
        *latest = Some(Rendered {
            at: Instant::now(),
            format,
            body: body.clone(),
            finished,
        });
        Some((body, finished))
    }
}

/// What a request asked for, once its head is read.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Request {
    /// GET or HEAD of /metrics, in this format.
    Metrics {
        head_only: bool,
        format: Format,
    },
    NotFound,
    MethodNotAllowed,
    Bad,
    TooLarge,
}

/// Reads a request head of at most `MAX_HEAD` bytes; `None` when the client went away.
async fn read_request(stream: &mut TcpStream) -> Option<Request> {
    let mut buf = vec![0u8; MAX_HEAD];
    let mut len = 0;
    loop {
        if len == buf.len() {
            return Some(Request::TooLarge);
        }
        let n = stream.read(&mut buf[len..]).await.ok()?;
        if n == 0 {
            return None;
        }
        len += n;
        if let Some(request) = parse(&buf[..len]) {
            return Some(request);
        }
    }
}

/// `None`: the head is not whole yet.
pub(super) fn parse(bytes: &[u8]) -> Option<Request> {
    let mut headers = [httparse::EMPTY_HEADER; 32];
    let mut req = httparse::Request::new(&mut headers);
    match req.parse(bytes) {
        Ok(httparse::Status::Partial) => None,
        Err(httparse::Error::TooManyHeaders) => Some(Request::TooLarge),
        Err(_) => Some(Request::Bad),
        Ok(httparse::Status::Complete(_)) => {
            let path = req.path.unwrap_or("");
            // The absolute form (`GET http://host/metrics`), which a server must take too.
            let path = ["http://", "https://"]
                .iter()
                .find_map(|scheme| {
                    path.get(..scheme.len())
                        .filter(|p| p.eq_ignore_ascii_case(scheme))
                        .map(|_| &path[scheme.len()..])
                })
                .map_or(path, |rest| rest.find('/').map_or("/", |at| &rest[at..]));
            let path = path.split_once('?').map_or(path, |(p, _)| p);
            if path != "/metrics" {
                return Some(Request::NotFound);
            }
            let head_only = match req.method {
                Some("GET") => false,
                Some("HEAD") => true,
                _ => return Some(Request::MethodNotAllowed),
            };
            // Accept headers given more than once are one list (RFC 9110 §5.3).
            let accept: Vec<&str> = req
                .headers
                .iter()
                .filter(|h| h.name.eq_ignore_ascii_case("accept"))
                .filter_map(|h| std::str::from_utf8(h.value).ok())
                .collect();
            let accept = accept.join(",");
            Some(Request::Metrics {
                head_only,
                format: Format::negotiate((!accept.is_empty()).then_some(accept.as_str())),
            })
        }
    }
}

async fn connection(mut stream: TcpStream, feed: &Feed, renders: &Renders, reading: &AtomicBool) {
    let _ = stream.set_nodelay(true);
    let request = match tokio::time::timeout(HEAD_TIMEOUT, read_request(&mut stream)).await {
        Ok(Some(request)) => request,
        // Gone, or too slow: nothing is owed.
        Ok(None) | Err(_) => return,
    };
    reading.store(false, Ordering::Relaxed);
    let (status, content_type, body, finished, head_only) = match request {
        Request::Metrics { head_only, format } => {
            let Some((body, finished)) = renders.get(feed, format).await else {
                return;
            };
            ("200 OK", format.content_type(), body, finished, head_only)
        }
        Request::NotFound => plain("404 Not Found", "cogbench serves /metrics only\n"),
        Request::MethodNotAllowed => plain("405 Method Not Allowed", "GET or HEAD only\n"),
        Request::Bad => plain("400 Bad Request", "not an HTTP/1.x request\n"),
        Request::TooLarge => plain(
            "431 Request Header Fields Too Large",
            "request head too large\n",
        ),
    };
    let allow = if status.starts_with("405") {
        "Allow: GET, HEAD\r\n"
    } else {
        ""
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n{allow}Cache-Control: no-store\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let write = async {
        stream.write_all(head.as_bytes()).await?;
        if !head_only {
            stream.write_all(body.as_bytes()).await?;
        }
        stream.flush().await?;
        stream.shutdown().await
    };
    let written = matches!(tokio::time::timeout(WRITE_TIMEOUT, write).await, Ok(Ok(())));
    // The final figures count as scraped once a whole GET answer carrying them went out and
    // the scraper closed the connection after it: a written answer may only sit in the
    // kernel's buffers, and a client that never reads does not close (one that closes
    // without reading resets the connection instead).
    if written
        && finished
        && !head_only
        && status.starts_with("200")
        && tokio::time::timeout(WRITE_TIMEOUT, closed_by_peer(&mut stream))
            .await
            .unwrap_or(false)
    {
        feed.final_read();
    }
}

/// Whether the peer ends the connection cleanly (anything it still sends is read and dropped).
async fn closed_by_peer(stream: &mut TcpStream) -> bool {
    let mut buf = [0u8; 512];
    loop {
        match stream.read(&mut buf).await {
            Ok(0) => return true,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
}

fn plain(
    status: &'static str,
    body: &'static str,
) -> (&'static str, &'static str, Arc<String>, bool, bool) {
    (
        status,
        "text/plain; charset=utf-8",
        Arc::new(body.to_owned()),
        false,
        false,
    )
}

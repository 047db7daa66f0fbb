//! The scrape endpoint: a small HTTP/1.1 server on tokio, written for hostile clients rather
//! than for features. One request a connection (`Connection: close`); GET and HEAD of
//! `/metrics` only; the request head bounded in size and in the time it may take to arrive; a
//! bounded number of connections at once; the answer's write bounded in time, so that a
//! scraper that never reads holds nothing for long. Nothing a client sends can panic it.

use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

use super::exposition::{Format, render};
use super::feed::Feed;

/// Connections served at once; more are closed as soon as they are accepted. A scraper needs
/// one; a few more let a person look with curl meanwhile.
pub const MAX_CONNECTIONS: usize = 16;
/// A request head larger than this is refused (431): a scrape's is a few hundred bytes.
pub const MAX_HEAD: usize = 8 * 1024;
/// The whole request head must arrive within this (a slowloris client is cut off then).
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// The whole answer must be taken within this.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(10);

pub(super) async fn serve(listener: TcpListener, feed: Feed) {
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    // Aborting this task (the endpoint dropped) drops the set, which ends every connection.
    let mut connections = tokio::task::JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    let Ok(permit) = permits.clone().try_acquire_owned() else {
                        continue;
                    };
                    let feed = feed.clone();
                    connections.spawn(async move {
                        connection(stream, &feed).await;
                        drop(permit);
                    });
                }
                // Out of file descriptors, say: wait rather than spin on the error.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            },
            Some(_) = connections.join_next(), if !connections.is_empty() => {}
        }
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
            let path = path.split_once('?').map_or(path, |(p, _)| p);
            if path != "/metrics" {
                return Some(Request::NotFound);
            }
            let head_only = match req.method {
                Some("GET") => false,
                Some("HEAD") => true,
                _ => return Some(Request::MethodNotAllowed),
            };
            let accept = req
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case("accept"))
                .and_then(|h| std::str::from_utf8(h.value).ok());
            Some(Request::Metrics {
                head_only,
                format: Format::negotiate(accept),
            })
        }
    }
}

async fn connection(mut stream: TcpStream, feed: &Feed) {
    let _ = stream.set_nodelay(true);
    let request = match tokio::time::timeout(HEAD_TIMEOUT, read_request(&mut stream)).await {
        Ok(Some(request)) => request,
        // Gone, or too slow: nothing is owed.
        Ok(None) | Err(_) => return,
    };
    let (status, content_type, body, finished, head_only) = match request {
        Request::Metrics { head_only, format } => {
            // Off the runtime's workers: a catalog run's exposition takes milliseconds to
            // read and render, which would delay the requests on the worker and show up in
            // their latency.
            let feed = feed.clone();
            let Ok((body, finished)) = tokio::task::spawn_blocking(move || {
                let (sample, finished) = feed.sample();
                (render(&sample, format), finished)
            })
            .await
            else {
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
    // The final figures count as scraped once a whole GET answer carrying them went out.
    if written && finished && !head_only && status.starts_with("200") {
        feed.final_read();
    }
}

fn plain(
    status: &'static str,
    body: &'static str,
) -> (&'static str, &'static str, String, bool, bool) {
    (
        status,
        "text/plain; charset=utf-8",
        body.to_owned(),
        false,
        false,
    )
}

//! The hot path's HTTP/1.1 client for `http://` and `https://` targets: a fixed set of
//! keep-alive connections, each used by one request at a time, written and read by the task
//! that sends the request (no connection task, no channel, no per-request allocation once the
//! buffers have grown). Plain and TLS connections share the one read and parse path
//! (`stream::Stream`). reqwest stays the client for HTTP/2, provisioning and read-backs.
//!
//! Why: profiled against nginx answering `{}` (scripts/bench/compare.sh, 64 connections),
//! reqwest's per-request client and connector clones, pool checkout and the channel to each
//! connection's task cost about a fifth of cogbench's CPU per request; with two cores shared
//! with the target, that CPU is throughput. Over TLS reqwest cost five times the lean
//! client's CPU per request.
//!
//! Connecting (TCP, and the TLS handshake) is set-up: it happens before a request's send
//! time is taken, so it is not in service time, and each connection's set-up time is kept in
//! a histogram of its own.

use std::io::Write as _;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::Semaphore;

use super::compiled::Compiled;
use super::exchange::{Failure, Reply};
use super::stream::{Connector, Stream};
use super::transport::{Setup, Timed, Transport};
use crate::client::failure::{Cause, Kind};
use crate::client::{MAX_ANSWER_BYTES, TOO_LARGE};

/// Where requests go, split once from the endpoint URL.
#[derive(Debug, Clone)]
pub struct Origin {
    /// `https`: the name the certificate must hold (and SNI, unless an IP address).
    pub tls: Option<rustls::pki_types::ServerName<'static>>,
    /// `host:port` to connect to.
    pub addr: String,
    /// The `Host` header value.
    pub host: String,
    /// The request target (`/` or the endpoint's path).
    pub path: String,
}

impl Origin {
    /// `None` for anything but `http://` and `https://`.
    pub fn of(url: &reqwest::Url) -> Option<Origin> {
        let tls = match url.scheme() {
            "http" => None,
            "https" => Some(crate::client::tls::server_name(url)?),
            _ => return None,
        };
        let host = url.host_str()?;
        let port = url.port_or_known_default()?;
        let authority = match url.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_owned(),
        };
        Some(Origin {
            tls,
            addr: format!("{host}:{port}"),
            host: authority,
            path: url.path().to_owned(),
        })
    }
}

/// The fixed part of a request: request line and headers up to `Content-Length`.
pub fn head(
    origin: &Origin,
    method: &str,
    content_type: &str,
    target: Option<&str>,
    extra: &[(reqwest::header::HeaderName, reqwest::header::HeaderValue)],
) -> Vec<u8> {
    let mut h = Vec::with_capacity(256);
    let _ = write!(
        h,
        "{method} {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: cogbench/{}\r\nAccept: */*\r\nContent-Type: {content_type}\r\n",
        origin.path,
        origin.host,
        env!("CARGO_PKG_VERSION")
    );
    if let Some(t) = target {
        let _ = write!(h, "{}: {t}\r\n", crate::protocol::HEADER_TARGET);
    }
    for (name, value) in extra {
        h.extend_from_slice(name.as_str().as_bytes());
        h.extend_from_slice(b": ");
        h.extend_from_slice(value.as_bytes());
        h.extend_from_slice(b"\r\n");
    }
    h
}

pub struct Conn {
    stream: Stream,
    /// Bytes read from the socket, kept between reads of one answer.
    read: Vec<u8>,
    write: Vec<u8>,
    /// Fires at or before the read deadline of the request on the wire, and is moved on only
    /// when it fires early. Why: a timer armed and cleared for every request (a timeout
    /// around each) was a tenth of the client's user CPU; this one is set once per read
    /// timeout of the connection's life.
    timer: Option<std::pin::Pin<Box<tokio::time::Sleep>>>,
}

pub struct Pool {
    origin: Origin,
    connector: Connector,
    idle: Mutex<Vec<Conn>>,
    /// One permit per connection: at most `size` requests are on the wire at once.
    slots: Semaphore,
    connect_timeout: Duration,
    read_timeout: Duration,
    /// Whether any connection was ever established: a target that never accepted one is
    /// unreachable, not slow.
    connected: std::sync::atomic::AtomicBool,
    /// Each connection's set-up time (TCP connect, and the TLS handshake), in microseconds.
    setup: Mutex<Histogram<u64>>,
}

impl Pool {
    /// `tls` is the configuration of an `https` origin's handshakes (unused for `http`).
    pub fn new(
        origin: Origin,
        tls: Option<std::sync::Arc<rustls::ClientConfig>>,
        size: usize,
        connect_timeout: Duration,
        read_timeout: Duration,
    ) -> Pool {
        let connector = match (&origin.tls, tls) {
            (Some(name), Some(config)) => Connector::tls(config, name.clone()),
            _ => Connector::Tcp,
        };
        Pool {
            origin,
            connector,
            idle: Mutex::new(Vec::with_capacity(size)),
            slots: Semaphore::new(size.max(1)),
            connect_timeout,
            read_timeout,
            connected: std::sync::atomic::AtomicBool::new(false),
            setup: Mutex::new(crate::metrics::recording_histogram()),
        }
    }

    /// Waits for a free connection; returns when the request can go on the wire. The wait
    /// is not service time (the caller starts that clock after this).
    pub async fn slot(&self) -> tokio::sync::SemaphorePermit<'_> {
        self.slots
            .acquire()
            .await
            .expect("the semaphore is never closed")
    }

    /// A new connection, handshake done; `--cli-connect-timeout` bounds both. A target that
    /// refused every handshake was never reached (as reqwest counts it).
    async fn connect(&self) -> Result<Conn, Failure> {
        let started = Instant::now();
        let stream = within(
            self.connect_timeout,
            self.connector.connect(&self.origin.addr),
        )
        .await
        .map_err(|_| Failure::from(Cause::ConnectTimeout(self.connect_timeout)))??;
        let _ = self
            .setup
            .lock()
            .expect("never poisoned")
            .record(crate::metrics::micros(started.elapsed()));
        if !self.connected.load(std::sync::atomic::Ordering::Relaxed) {
            self.connected
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(Conn {
            stream,
            read: Vec::with_capacity(4096),
            write: Vec::with_capacity(512),
            timer: None,
        })
    }

    /// An idle connection the server has not closed. A server closing an idle keep-alive
    /// connection makes it readable (end of stream): such a connection is dropped here,
    /// before anything is written, so no request is ever sent twice. A request whose
    /// connection breaks after it was written is a transport error, never retried.
    fn checkout(&self) -> Option<Conn> {
        loop {
            let mut conn = self.idle.lock().expect("never poisoned").pop()?;
            if conn.stream.reusable() {
                return Some(conn);
            }
        }
    }

    /// One exchange on a pooled or new connection (the caller holds a slot).
    #[cfg(test)]
    pub async fn on_connection(
        &self,
        head: &[u8],
        body: &[u8],
        with_length: bool,
    ) -> Result<Reply, Failure> {
        let conn = match self.checkout() {
            Some(c) => c,
            None => Box::pin(self.connect()).await?,
        };
        self.on(conn, head, body, with_length, Instant::now()).await
    }

    /// One exchange on `conn`, sent at `sent`, which goes back to the pool if the answer
    /// leaves it usable.
    pub async fn on(
        &self,
        mut conn: Conn,
        head: &[u8],
        body: &[u8],
        with_length: bool,
        sent: Instant,
    ) -> Result<Reply, Failure> {
        let result = if self.read_timeout.is_zero() {
            round_trip(&mut conn, head, body, with_length).await
        } else {
            let deadline = tokio::time::Instant::from_std(sent + self.read_timeout);
            let mut timer = conn
                .timer
                .take()
                .unwrap_or_else(|| Box::pin(tokio::time::sleep_until(deadline)));
            let ended = {
                let mut trip = std::pin::pin!(round_trip(&mut conn, head, body, with_length));
                loop {
                    tokio::select! {
                        biased;
                        r = &mut trip => break Some(r),
                        () = timer.as_mut() => {
                            if tokio::time::Instant::now() >= deadline {
                                break None;
                            }
                            timer.as_mut().reset(deadline);
                        }
                    }
                }
            };
            match ended {
                Some(r) => {
                    conn.timer = Some(timer);
                    r
                }
                None => return Err(Cause::ReadTimeout(self.read_timeout).into()),
            }
        };
        match result {
            Ok((reply, keep)) => {
                if keep {
                    self.idle.lock().expect("never poisoned").push(conn);
                }
                Ok(reply)
            }
            Err(Trip(cause)) => Err(cause.into()),
        }
    }
}

impl Transport for Pool {
    fn prepare(&self, c: &mut Compiled) {
        c.head = head(
            &self.origin,
            c.method.as_str(),
            c.content_type.to_str().unwrap_or("invalid"),
            c.target_header.as_ref().and_then(|t| t.to_str().ok()),
            &c.headers,
        );
    }

    async fn exchange(&self, c: &Compiled, body: Vec<u8>) -> Timed {
        let _slot = self.slot().await;
        // Connecting is set-up, not service time: the clock starts once a connection is
        // ready (an open model's response time, from the intended start, still holds it).
        let asked = Instant::now();
        let (conn, sent) = match self.checkout() {
            Some(conn) => (Ok(conn), asked),
            None => {
                // Boxed: a TLS handshake's future is kilobytes, and inline it would make
                // every request's future (and each move of it) that large.
                let conn = Box::pin(self.connect()).await;
                (conn, Instant::now())
            }
        };
        let reply = match conn {
            Ok(conn) => self.on(conn, &c.head, &body, c.with_length, sent).await,
            Err(f) => Err(f),
        };
        Timed {
            setup: sent - asked,
            ..Timed::ended(reply, sent)
        }
    }

    fn ever_connected(&self) -> bool {
        self.connected.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn setup(&self) -> Option<Setup> {
        Some(Setup {
            tls: self.connector.is_tls(),
            histogram: self.setup.lock().expect("never poisoned").clone(),
        })
    }
}

/// `fut` bounded by `limit`; a zero limit waits for ever (the AWS CLI's `0`).
async fn within<F: std::future::Future>(
    limit: Duration,
    fut: F,
) -> Result<F::Output, tokio::time::error::Elapsed> {
    if limit.is_zero() {
        Ok(fut.await)
    } else {
        tokio::time::timeout(limit, fut).await
    }
}

/// Why the exchange broke (connection closed or reset, or an answer that is not HTTP).
#[derive(Debug)]
struct Trip(Cause);

impl From<std::io::Error> for Trip {
    fn from(e: std::io::Error) -> Trip {
        use std::io::ErrorKind as K;
        let kind = match e.kind() {
            K::ConnectionReset
            | K::ConnectionAborted
            | K::BrokenPipe
            | K::UnexpectedEof
            | K::NotConnected => Kind::Closed,
            _ => Kind::Other,
        };
        Trip(Cause::Io(kind, e))
    }
}

impl Trip {
    fn closed() -> Trip {
        Trip(Cause::Said(
            Kind::Closed,
            "the connection closed before the answer was whole",
        ))
    }

    fn malformed(why: &'static str) -> Trip {
        Trip(Cause::Said(Kind::Malformed, why))
    }

    fn too_large() -> Trip {
        Trip(Cause::Said(Kind::TooLarge, TOO_LARGE))
    }
}

const NOT_HTTP: &str = "the answer is not HTTP/1.1: its status line or headers do not parse";

async fn round_trip(
    conn: &mut Conn,
    head: &[u8],
    body: &[u8],
    with_length: bool,
) -> Result<(Reply, bool), Trip> {
    conn.write.clear();
    conn.write.extend_from_slice(head);
    if with_length || !body.is_empty() {
        conn.write.extend_from_slice(b"Content-Length: ");
        push_decimal(&mut conn.write, body.len());
        conn.write.extend_from_slice(b"\r\n");
    }
    conn.write.extend_from_slice(b"\r\n");
    conn.write.extend_from_slice(body);
    conn.stream.write_all(&conn.write).await?;
    // TLS may hold the last record back until asked; plain TCP's flush does nothing.
    conn.stream.flush().await?;
    conn.read.clear();
    let mut interim = 0usize;
    loop {
        let (parsed, head_len) = read_head(conn, interim == 0).await?;
        // Informational answers (100 Continue, 103 Early Hints) may come before the answer,
        // any number of them (RFC 9110 §15.2); this client never asks for them. 101 ends the
        // exchange like a final answer: nothing here asks to switch protocols.
        if (100..200).contains(&parsed.status) && parsed.status != 101 {
            interim += head_len;
            if interim > MAX_ANSWER_BYTES {
                return Err(Trip::too_large());
            }
            conn.read.drain(..head_len);
            continue;
        }
        return finish(conn, parsed, head_len).await;
    }
}

/// `n` in decimal digits (the formatting machinery cost more than the rest of the request
/// line's assembly).
fn push_decimal(out: &mut Vec<u8>, mut n: usize) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.extend_from_slice(&digits[at..]);
}

/// The next answer head, read from what is buffered and then from the connection.
async fn read_head(conn: &mut Conn, first: bool) -> Result<(Head, usize), Trip> {
    loop {
        if !conn.read.is_empty() {
            match parse_head(&conn.read)? {
                Some(parsed) => return Ok(parsed),
                // Headers count against the same cap as bodies (an error message header can
                // echo a 128 KiB value).
                None if conn.read.len() > MAX_ANSWER_BYTES => return Err(Trip::too_large()),
                None => {}
            }
        }
        if fill(conn).await? == 0 {
            return Err(if first && conn.read.is_empty() {
                Trip(Cause::Said(
                    Kind::Closed,
                    "the connection closed with no answer",
                ))
            } else {
                Trip::closed()
            });
        }
    }
}

async fn finish(conn: &mut Conn, parsed: Head, head_len: usize) -> Result<(Reply, bool), Trip> {
    let mut keep = parsed.keep_alive;
    let body = match parsed.framing {
        Framing::Length(n) => {
            if n > MAX_ANSWER_BYTES {
                return Err(Trip::too_large());
            }
            while conn.read.len() < head_len + n {
                if fill(conn).await? == 0 {
                    return Err(Trip::closed());
                }
            }
            if conn.read.len() > head_len + n {
                // Bytes nobody asked for: the connection cannot be trusted again.
                keep = false;
            }
            conn.read[head_len..head_len + n].to_vec()
        }
        Framing::Chunked => {
            let mut out = Vec::new();
            let mut at = head_len;
            loop {
                match chunk(&conn.read[at..])? {
                    Some((0, used)) => {
                        // The last chunk, then trailers ending in an empty line.
                        let rest = at + used;
                        loop {
                            if let Some(end) = find(&conn.read[rest..], b"\r\n") {
                                if end == 0 {
                                    break;
                                }
                                // A trailer line: skip it.
                                conn.read.drain(rest..rest + end + 2);
                                continue;
                            }
                            if fill(conn).await? == 0 {
                                return Err(Trip::closed());
                            }
                        }
                        break;
                    }
                    Some((size, used)) => {
                        if out.len() + size > MAX_ANSWER_BYTES {
                            return Err(Trip::too_large());
                        }
                        let start = at + used;
                        while conn.read.len() < start + size + 2 {
                            if fill(conn).await? == 0 {
                                return Err(Trip::closed());
                            }
                        }
                        out.extend_from_slice(&conn.read[start..start + size]);
                        at = start + size + 2;
                    }
                    None => {
                        if fill(conn).await? == 0 {
                            return Err(Trip::closed());
                        }
                    }
                }
            }
            out
        }
        Framing::Close => {
            keep = false;
            loop {
                if conn.read.len() - head_len > MAX_ANSWER_BYTES {
                    return Err(Trip::too_large());
                }
                if fill(conn).await? == 0 {
                    break;
                }
            }
            conn.read[head_len..].to_vec()
        }
        Framing::Empty => Vec::new(),
    };
    Ok((
        Reply {
            status: parsed.status,
            content_type: parsed.content_type,
            request_id: parsed.request_id,
            error_type: parsed.error_type,
            error_message: parsed.error_message,
            body,
        },
        keep,
    ))
}

/// Reads more bytes onto the end of the buffer; 0 at the end of the stream.
async fn fill(conn: &mut Conn) -> Result<usize, Trip> {
    if conn.read.capacity() - conn.read.len() < 1024 {
        conn.read.reserve(4096);
    }
    let n = conn.stream.read_buf(&mut conn.read).await?;
    Ok(n)
}

#[derive(Debug, PartialEq)]
enum Framing {
    Length(usize),
    Chunked,
    /// Read to the end of the stream.
    Close,
    Empty,
}

#[derive(Debug)]
struct Head {
    status: u16,
    content_type: Option<String>,
    request_id: Option<String>,
    error_type: Option<String>,
    error_message: bool,
    framing: Framing,
    keep_alive: bool,
}

/// The status line and headers, once they are all in `buf`.
fn parse_head(buf: &[u8]) -> Result<Option<(Head, usize)>, Trip> {
    // Uninitialised slots: writing 96 empty headers before every parse cost as much as the
    // parse itself.
    let mut slots = [const { std::mem::MaybeUninit::<httparse::Header<'_>>::uninit() }; 96];
    let mut response = httparse::Response::new(&mut []);
    let len = match httparse::ParserConfig::default().parse_response_with_uninit_headers(
        &mut response,
        buf,
        &mut slots,
    ) {
        Ok(httparse::Status::Complete(n)) => n,
        Ok(httparse::Status::Partial) => return Ok(None),
        Err(_) => return Err(Trip::malformed(NOT_HTTP)),
    };
    let status = response.code.ok_or(Trip::malformed(NOT_HTTP))?;
    let http10 = response.version == Some(0);
    let mut head = Head {
        status,
        content_type: None,
        request_id: None,
        error_type: None,
        error_message: false,
        framing: Framing::Close,
        keep_alive: !http10,
    };
    let text = |v: &[u8]| String::from_utf8_lossy(v).into_owned();
    let mut length = None;
    let mut chunked = false;
    for h in response.headers.iter() {
        let name = h.name;
        if name.eq_ignore_ascii_case("content-length") {
            let n = std::str::from_utf8(h.value)
                .ok()
                .and_then(|s| s.trim().parse::<usize>().ok())
                .ok_or(Trip::malformed("a Content-Length that is not a number"))?;
            if length.is_some_and(|l| l != n) {
                return Err(Trip::malformed("two Content-Length headers that differ"));
            }
            length = Some(n);
        } else if name.eq_ignore_ascii_case("transfer-encoding") {
            chunked = h
                .value
                .rsplit(|b| *b == b',')
                .next()
                .is_some_and(|last| last.trim_ascii().eq_ignore_ascii_case(b"chunked"));
        } else if name.eq_ignore_ascii_case("connection") {
            let v = h.value.trim_ascii();
            if v.eq_ignore_ascii_case(b"close") {
                head.keep_alive = false;
            } else if v.eq_ignore_ascii_case(b"keep-alive") {
                head.keep_alive = true;
            }
        } else if name.eq_ignore_ascii_case("content-type") {
            head.content_type = Some(text(h.value));
        } else if name.eq_ignore_ascii_case(crate::protocol::HEADER_REQUEST_ID) {
            head.request_id = Some(text(h.value));
        } else if name.eq_ignore_ascii_case(crate::protocol::HEADER_ERROR_TYPE) {
            head.error_type = Some(text(h.value));
        } else if name.eq_ignore_ascii_case(crate::protocol::HEADER_ERROR_MESSAGE) {
            head.error_message = true;
        }
    }
    head.framing = if status == 204 || status == 304 || (100..200).contains(&status) {
        Framing::Empty
    } else if chunked {
        Framing::Chunked
    } else if let Some(n) = length {
        if n == 0 {
            Framing::Empty
        } else {
            Framing::Length(n)
        }
    } else {
        Framing::Close
    };
    Ok(Some((head, len)))
}

/// A chunk-size line at the start of `buf`: (size, bytes of the line), or `None` if the line
/// is not all there yet.
fn chunk(buf: &[u8]) -> Result<Option<(usize, usize)>, Trip> {
    let Some(end) = find(buf, b"\r\n") else {
        return if buf.len() > 1024 {
            Err(Trip::malformed("a chunk-size line longer than 1 KiB"))
        } else {
            Ok(None)
        };
    };
    let line = &buf[..end];
    let digits = line
        .split(|b| *b == b';')
        .next()
        .unwrap_or_default()
        .trim_ascii();
    let size = std::str::from_utf8(digits)
        .ok()
        .and_then(|s| usize::from_str_radix(s, 16).ok())
        .ok_or(Trip::malformed("a chunk size that is not hexadecimal"))?;
    Ok(Some((size, end + 2)))
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn head_of(raw: &str) -> Head {
        parse_head(raw.as_bytes())
            .ok()
            .flatten()
            .expect("a complete head")
            .0
    }

    #[test]
    fn reads_the_headers_the_judge_needs() {
        let h = head_of(
            "HTTP/1.1 400 Bad Request\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: r-1\r\nX-Amzn-ErrorType: CodeMismatchException:http://x\r\ncontent-length: 12\r\n\r\n",
        );
        assert_eq!(h.status, 400);
        assert_eq!(
            h.content_type.as_deref(),
            Some("application/x-amz-json-1.1")
        );
        assert_eq!(h.request_id.as_deref(), Some("r-1"));
        assert_eq!(
            h.error_type.as_deref(),
            Some("CodeMismatchException:http://x")
        );
        assert_eq!(h.framing, Framing::Length(12));
        assert!(h.keep_alive);
    }

    #[test]
    fn framing_follows_rfc_9112() {
        assert_eq!(
            head_of("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").framing,
            Framing::Chunked
        );
        assert_eq!(head_of("HTTP/1.1 200 OK\r\n\r\n").framing, Framing::Close);
        assert_eq!(
            head_of("HTTP/1.1 204 No Content\r\n\r\n").framing,
            Framing::Empty
        );
        assert_eq!(
            head_of("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").framing,
            Framing::Empty
        );
        assert!(
            !head_of("HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\n")
                .keep_alive
        );
        assert!(!head_of("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\n").keep_alive);
        assert!(
            parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n")
                .is_err()
        );
        assert!(parse_head(b"HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n").is_err());
        assert!(
            parse_head(b"HTTP/1.1 200 OK\r\nContent-Le")
                .unwrap()
                .is_none()
        );
        assert!(parse_head(b"NOT HTTP\r\n\r\n").is_err());
    }

    #[test]
    fn chunk_lines_parse() {
        assert_eq!(chunk(b"1a;ext=1\r\nrest").ok().flatten(), Some((26, 10)));
        assert_eq!(chunk(b"0\r\n\r\n").ok().flatten(), Some((0, 3)));
        assert!(chunk(b"1a").unwrap().is_none());
        assert!(chunk(b"zz\r\n").is_err());
    }

    #[test]
    fn origins_split_from_urls() {
        let o = Origin::of(&reqwest::Url::parse("http://127.0.0.1:9229/").unwrap()).unwrap();
        assert_eq!(
            (o.addr.as_str(), o.host.as_str(), o.path.as_str()),
            ("127.0.0.1:9229", "127.0.0.1:9229", "/")
        );
        let o = Origin::of(&reqwest::Url::parse("http://[::1]:80/api/").unwrap()).unwrap();
        assert_eq!(
            (o.addr.as_str(), o.host.as_str(), o.path.as_str()),
            ("[::1]:80", "[::1]", "/api/")
        );
        let o = Origin::of(&reqwest::Url::parse("https://127.0.0.1/").unwrap()).unwrap();
        assert_eq!(
            (
                o.addr.as_str(),
                o.host.as_str(),
                o.tls.map(|n| n.to_str().into_owned())
            ),
            ("127.0.0.1:443", "127.0.0.1", Some("127.0.0.1".to_owned()))
        );
        let o =
            Origin::of(&reqwest::Url::parse("https://Cognito.Example:8443/x").unwrap()).unwrap();
        assert_eq!(
            (o.addr.as_str(), o.tls.map(|n| n.to_str().into_owned())),
            ("cognito.example:8443", Some("cognito.example".to_owned()))
        );
        assert!(Origin::of(&reqwest::Url::parse("ftp://127.0.0.1/").unwrap()).is_none());
    }

    /// A pool of one plain connection to `addr`, and the head of a POST with `target`.
    fn one_connection(
        addr: std::net::SocketAddr,
        target: Option<&str>,
        read_timeout: Duration,
    ) -> (Pool, Vec<u8>) {
        let origin = Origin::of(&reqwest::Url::parse(&format!("http://{addr}/")).unwrap()).unwrap();
        let head = head(&origin, "POST", "application/x-amz-json-1.1", target, &[]);
        let pool = Pool::new(origin, None, 1, Duration::from_secs(2), read_timeout);
        (pool, head)
    }

    /// A server that closes each connection after one answer, without saying so: the next
    /// request finds the pooled connection closed before writing, and takes a new one.
    #[tokio::test]
    async fn a_connection_closed_while_idle_is_replaced_before_sending() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            for _ in 0..3 {
                let (mut s, _) = listener.accept().await.unwrap();
                let mut buf = vec![0u8; 4096];
                let _ = s.read(&mut buf).await.unwrap();
                s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
                    .await
                    .unwrap();
                drop(s);
            }
        });
        let (pool, head) = one_connection(addr, None, Duration::from_secs(2));
        for _ in 0..3 {
            let _slot = pool.slot().await;
            let a = pool.on_connection(&head, b"{}", true).await.ok().unwrap();
            assert_eq!(a.status, 200);
            // Let the server's close reach this side.
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// One connection's timer is set by its first request and moved on only when it fires:
    /// each request must still get its whole read timeout from its own send, however long
    /// the connection idled before it or how late in the timer's span it went out.
    #[tokio::test]
    async fn each_request_gets_its_whole_read_timeout_on_a_reused_connection() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        // Answer delays in ms, all on one connection; the read timeout is 300 ms.
        let delays = [0u64, 0, 200, 200, 200, 450];
        tokio::spawn(async move {
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 4096];
            for delay in delays {
                if s.read(&mut buf).await.unwrap_or(0) == 0 {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(delay)).await;
                if s.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
                    .await
                    .is_err()
                {
                    return;
                }
            }
        });
        let (pool, head) = one_connection(addr, None, Duration::from_millis(300));
        let ask = async || {
            let _slot = pool.slot().await;
            pool.on_connection(&head, b"{}", true).await
        };
        assert_eq!(ask().await.ok().unwrap().status, 200);
        // Idle past the first request's deadline: the timer has fired with nobody waiting.
        tokio::time::sleep(Duration::from_millis(400)).await;
        assert_eq!(ask().await.ok().unwrap().status, 200);
        // Three answers of 200 ms in a row: the timer armed for one request fires while a
        // later one is on the wire, which still has time left and must not be cut short.
        for _ in 0..3 {
            assert_eq!(ask().await.ok().unwrap().status, 200);
        }
        let started = Instant::now();
        let late = ask()
            .await
            .err()
            .expect("an answer after 450 ms is past 300 ms");
        assert_eq!(late.kind, Kind::Timeout);
        let waited = started.elapsed();
        assert!(
            waited >= Duration::from_millis(300) && waited < Duration::from_millis(440),
            "timed out after {waited:?}, not at 300 ms from the send"
        );
    }

    #[test]
    fn lengths_are_written_in_decimal() {
        for n in [0usize, 7, 10, 95, 1234567, usize::MAX] {
            let mut out = Vec::new();
            push_decimal(&mut out, n);
            assert_eq!(out, n.to_string().into_bytes());
        }
    }

    /// A server that answers in pieces, chunked, then closes: every framing path end to end.
    #[tokio::test]
    async fn exchanges_survive_split_chunked_and_closed_answers() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move {
            let answers: [&[&[u8]]; 3] = [
                &[b"HTTP/1.1 200 OK\r\nContent-", b"Length: 2\r\n\r\n{", b"}"],
                &[
                    b"HTTP/1.1 400 Bad\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{\"a\"\r\n",
                    b"3\r\n:1}\r\n0\r\n\r\n",
                ],
                &[
                    b"HTTP/1.1 500 Oops\r\nConnection: close\r\n\r\nbad",
                    b" gateway",
                ],
            ];
            let (mut s, _) = listener.accept().await.unwrap();
            let mut buf = vec![0u8; 4096];
            for (i, parts) in answers.iter().enumerate() {
                let _ = s.read(&mut buf).await.unwrap();
                for p in *parts {
                    s.write_all(p).await.unwrap();
                    s.flush().await.unwrap();
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                if i == 2 {
                    drop(s);
                    break;
                }
            }
        });
        let (pool, head) = one_connection(addr, Some("X.Y"), Duration::from_secs(2));
        let _slot = pool.slot().await;
        let a = pool.on_connection(&head, b"{}", true).await.ok().unwrap();
        assert_eq!((a.status, a.body.as_slice()), (200, b"{}".as_slice()));
        let b = pool.on_connection(&head, b"{}", true).await.ok().unwrap();
        assert_eq!(
            (b.status, b.body.as_slice()),
            (400, b"{\"a\":1}".as_slice())
        );
        let c = pool.on_connection(&head, b"{}", true).await.ok().unwrap();
        assert_eq!(
            (c.status, c.body.as_slice()),
            (500, b"bad gateway".as_slice())
        );
        assert!(
            pool.idle.lock().unwrap().is_empty(),
            "a closed connection is not pooled"
        );
    }
}

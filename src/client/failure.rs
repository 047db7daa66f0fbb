//! Why requests got no HTTP answer: each failure is sorted into a small fixed set of kinds,
//! and the run keeps the first message of each kind, so that a run of 100% transport errors
//! says what went wrong (`tls: invalid peer certificate: UnknownIssuer`) instead of only
//! counting. The messages come from the client and the socket, never from a request: no
//! body, code or secret is ever part of one.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// How an exchange failed before a complete HTTP answer came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No connection: refused, unreachable, name not resolved.
    Connect,
    /// The TLS handshake failed (a certificate refused, say).
    Tls,
    /// No connection or no whole answer within the configured timeout.
    Timeout,
    /// The connection closed or was reset before a whole answer.
    Closed,
    /// The bytes that came are not an HTTP answer.
    Malformed,
    /// The answer passed [`crate::client::MAX_ANSWER_BYTES`] and was cut off.
    TooLarge,
    Other,
}

impl Kind {
    pub const ALL: [Kind; 7] = [
        Kind::Connect,
        Kind::Tls,
        Kind::Timeout,
        Kind::Closed,
        Kind::Malformed,
        Kind::TooLarge,
        Kind::Other,
    ];
    pub const COUNT: usize = Kind::ALL.len();

    pub fn index(self) -> usize {
        self as usize
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Connect => "connect",
            Kind::Tls => "tls",
            Kind::Timeout => "timeout",
            Kind::Closed => "closed",
            Kind::Malformed => "malformed",
            Kind::TooLarge => "too_large",
            Kind::Other => "other",
        }
    }
}

/// Why one exchange failed, kept as the client reported it: turned into text only for the
/// first failure of its kind, so a run of failures allocates no message per request.
#[derive(Debug)]
pub(crate) enum Cause {
    /// reqwest's error (HTTPS, HTTP/2).
    Client(reqwest::Error),
    /// A socket error of the lean HTTP/1.1 client.
    Io(Kind, std::io::Error),
    /// A failure the lean client detected itself.
    Said(Kind, &'static str),
    /// The lean client's connect or read timeout (`--cli-connect-timeout`,
    /// `--cli-read-timeout`) ran out.
    ConnectTimeout(Duration),
    ReadTimeout(Duration),
}

impl Cause {
    pub fn kind(&self) -> Kind {
        match self {
            Cause::Client(e) => kind_of(e),
            Cause::Io(k, _) | Cause::Said(k, _) => *k,
            Cause::ConnectTimeout(_) | Cause::ReadTimeout(_) => Kind::Timeout,
        }
    }

    pub(crate) fn message(&self) -> String {
        match self {
            Cause::Client(e) => innermost(e),
            Cause::Io(Kind::Connect, e) => format!("could not connect: {e}"),
            Cause::Io(_, e) => e.to_string(),
            Cause::Said(_, s) => (*s).to_owned(),
            Cause::ConnectTimeout(d) => {
                format!("no connection within {d:?} (--cli-connect-timeout)")
            }
            Cause::ReadTimeout(d) => format!("no whole answer within {d:?} (--cli-read-timeout)"),
        }
    }
}

/// The innermost cause's text: reqwest's outer layers say only "error sending request for
/// url (…)", the innermost says why.
pub fn innermost(e: &reqwest::Error) -> String {
    let mut cause: &dyn std::error::Error = e;
    while let Some(next) = cause.source() {
        cause = next;
    }
    cause.to_string()
}

/// The kind of a reqwest failure, from its error chain.
pub fn kind_of(e: &reqwest::Error) -> Kind {
    if e.is_timeout() {
        return Kind::Timeout;
    }
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(c) = cause {
        if is_tls(c) {
            return Kind::Tls;
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as K;
            match io.kind() {
                K::ConnectionReset
                | K::ConnectionAborted
                | K::BrokenPipe
                | K::UnexpectedEof
                | K::NotConnected => return Kind::Closed,
                _ => {}
            }
        }
        cause = c.source();
    }
    if e.is_connect() {
        return Kind::Connect;
    }
    let text = innermost(e);
    if text.contains("connection closed before message completed")
        || text.contains("incomplete")
        || text.contains("reset")
    {
        Kind::Closed
    } else if text.contains("parse") || text.contains("invalid") {
        Kind::Malformed
    } else {
        Kind::Other
    }
}

/// Whether `e` is rustls's error. tokio-rustls hands it over inside an io::Error inside
/// another (hyper-util's), and an io::Error's `source` skips what it wraps.
fn is_tls(e: &(dyn std::error::Error + 'static)) -> bool {
    if e.downcast_ref::<rustls::Error>().is_some() {
        return true;
    }
    e.downcast_ref::<std::io::Error>()
        .and_then(|io| io.get_ref())
        .is_some_and(|inner| is_tls(inner))
}

/// The longest message kept, in characters: enough for any client or OS error, bounded
/// whatever a target makes a library say.
pub const MESSAGE_CHARS: usize = 200;

/// The first failure of one kind.
#[derive(Debug, Clone, PartialEq)]
pub struct First {
    pub message: String,
    /// From the start of the load.
    pub at: Duration,
}

/// The first message of each kind of transport failure of a run: at most [`Kind::COUNT`]
/// messages of at most [`MESSAGE_CHARS`] characters each, however many requests fail.
pub struct FirstFailures {
    started: Instant,
    first: [OnceLock<First>; Kind::COUNT],
}

impl FirstFailures {
    pub fn new(started: Instant) -> FirstFailures {
        FirstFailures {
            started,
            first: Default::default(),
        }
    }

    /// Notes a failure of `kind`; only the first of its kind is turned into text (later ones
    /// cost an atomic load).
    pub(crate) fn note(&self, kind: Kind, cause: &Cause) {
        let slot = &self.first[kind.index()];
        if slot.get().is_none() {
            let at = self.started.elapsed();
            slot.get_or_init(|| First {
                message: safe_message(&cause.message()),
                at,
            });
        }
    }

    pub fn first(&self, kind: Kind) -> Option<&First> {
        self.first[kind.index()].get()
    }
}

/// A message fit to print and write: no password of a URL, nothing a terminal acts on, on
/// one line, at most [`MESSAGE_CHARS`] characters.
pub fn safe_message(raw: &str) -> String {
    let text = crate::term::inline(&crate::term::redact_url(raw));
    if text.chars().count() <= MESSAGE_CHARS {
        return text;
    }
    let cut: String = text.chars().take(MESSAGE_CHARS - 1).collect();
    format!("{cut}…")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_first_message_of_each_kind_is_kept() {
        let f = FirstFailures::new(Instant::now());
        let reset = || {
            Cause::Io(
                Kind::Closed,
                std::io::Error::new(std::io::ErrorKind::ConnectionReset, "reset by peer"),
            )
        };
        let note = |c: Cause| {
            let kind = c.kind();
            f.note(kind, &c);
            kind
        };
        assert_eq!(note(reset()), Kind::Closed);
        note(Cause::Said(Kind::Closed, "a later message"));
        note(Cause::Said(Kind::Malformed, "not HTTP"));
        assert_eq!(f.first(Kind::Closed).unwrap().message, "reset by peer");
        assert_eq!(f.first(Kind::Malformed).unwrap().message, "not HTTP");
        assert!(f.first(Kind::Tls).is_none());
        assert_eq!(
            note(Cause::ReadTimeout(Duration::from_secs(3))),
            Kind::Timeout
        );
        assert_eq!(
            f.first(Kind::Timeout).unwrap().message,
            "no whole answer within 3s (--cli-read-timeout)"
        );
    }

    #[test]
    fn a_message_is_bounded_printable_and_free_of_passwords() {
        let f = FirstFailures::new(Instant::now());
        let long = format!(
            "from http://admin:s3cretPass@127.0.0.1:1/ \u{1b}[2J\nPASS {}",
            "x".repeat(10_000)
        );
        f.note(
            Kind::Other,
            &Cause::Io(Kind::Other, std::io::Error::other(long)),
        );
        let m = &f.first(Kind::Other).unwrap().message;
        assert!(!m.contains("s3cretPass"), "{m}");
        assert!(
            m.starts_with("from http://admin:***@127.0.0.1:1/ \\u{1b}[2J\\nPASS x"),
            "{m}"
        );
        assert!(!m.chars().any(|c| c.is_control()), "{m}");
        assert_eq!(m.chars().count(), MESSAGE_CHARS);
        assert!(m.ends_with('…'));
    }

    #[test]
    fn the_cut_off_message_names_the_cap() {
        assert!(crate::client::TOO_LARGE.contains(&crate::client::MAX_ANSWER_BYTES.to_string()));
    }
}

//! How a request reaches the target. Each client is one `Transport` (the lean HTTP/1.1
//! client in `http1`, reqwest in `reqwest_client`); the engine holds the run's in `wire`.

use std::time::{Duration, Instant};

use super::compiled::Compiled;
use super::exchange::{Failure, Reply};

// Kept under their old path for the modules that name them by it.
pub use crate::client::failure::{First, FirstFailures, Kind};

/// One exchange on the wire: the answer or how it failed, when the request went out (after
/// any wait for a free connection and any connection set-up, neither of which is service
/// time) and when the answer was in.
pub(crate) struct Timed {
    pub(crate) reply: Result<Reply, Failure>,
    pub(crate) sent: Instant,
    pub(crate) done: Instant,
    /// How long this request waited for a new connection to be set up (zero on a reused one,
    /// or when the transport does not time it).
    pub(crate) setup: Duration,
}

impl Timed {
    /// An exchange whose request went out at `sent` and that ended now.
    pub(crate) fn ended(reply: Result<Reply, Failure>, sent: Instant) -> Timed {
        Timed {
            reply,
            sent,
            done: Instant::now(),
            setup: Duration::ZERO,
        }
    }
}

/// When a request was meant to start. A scheduled start (the open model) is the origin of its
/// response time whatever delayed the send, connection set-up included: that is what keeps it
/// free of coordinated omission. A virtual user's start (the closed model, a retry, the next
/// request of a sequence) is the moment it asked: its response time leaves set-up out, as
/// service time does.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Start {
    pub(crate) at: Instant,
    pub(crate) scheduled: bool,
}

impl Start {
    pub(crate) fn scheduled(at: Instant) -> Start {
        Start {
            at,
            scheduled: true,
        }
    }

    pub(crate) fn now() -> Start {
        Start {
            at: Instant::now(),
            scheduled: false,
        }
    }
}

pub(crate) trait Transport: Send + Sync {
    /// Fills in, once before the load, what this transport sends with every request of `c`.
    fn prepare(&self, c: &mut Compiled);

    /// Sends `c`'s request with `body` and reads its answer.
    fn exchange(&self, c: &Compiled, body: Vec<u8>) -> impl Future<Output = Timed> + Send;

    /// Whether any request ever had a connection to the target.
    fn ever_connected(&self) -> bool;

    /// The set-up times of the connections made so far, when this transport times them.
    fn setup(&self) -> Option<Setup> {
        None
    }
}

/// How long connections took to set up (TCP connect, and the TLS handshake for `https`).
pub struct Setup {
    pub tls: bool,
    /// Microseconds, one value per connection made.
    pub histogram: hdrhistogram::Histogram<u64>,
}

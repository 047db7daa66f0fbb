//! Fault switches for `POST /` (`cogbench emulator --faults SPEC`): a stall window for
//! coordinated-omission tests, a fixed delay, and fractions of requests answered with an
//! injected error, dropped without an answer, or never answered. The `/_emulator/` side routes
//! are never faulted.
//!
//! Order per request: the stall hold, then the delay, then at most one random fault. A random
//! fault is decided before the operation is dispatched, so a faulted request changes no state;
//! otherwise the request is answered normally. With no faults configured the emulator holds no
//! [`FaultState`] and the only cost is one `Option` check.

use axum::body::Body;
use axum::http::StatusCode;
use axum::response::Response;
use bytes::Bytes;
use tokio::sync::watch;
use tokio::time::Instant;

use super::wire::{ApiError, error_response, names, text};
use crate::faults::{Fault, Faults, stall_hold};

/// The message of every injected error answer.
pub const INJECTED: &str = "injected fault";

/// The faults of one running emulator, with its start instant and the signal that releases
/// hung requests when the server shuts down (otherwise a graceful shutdown would wait forever).
pub struct FaultState {
    faults: Faults,
    start: Instant,
    closing: watch::Sender<bool>,
}

impl FaultState {
    pub fn applies_to(&self, target: Option<&str>) -> bool {
        self.faults.applies_to(target)
    }

    pub fn new(faults: Faults) -> FaultState {
        FaultState {
            faults,
            start: Instant::now(),
            closing: watch::Sender::new(false),
        }
    }

    /// The stall hold, then the delay, then this request's random fault, if any.
    pub async fn before_dispatch(&self) -> Option<Fault> {
        if let Some(stall) = self.faults.stall {
            let now = Instant::now();
            let hold = stall_hold(now.saturating_duration_since(self.start), stall);
            if !hold.is_zero() {
                // Every request of one window is released at the same instant.
                tokio::time::sleep_until(now + hold).await;
            }
        }
        if let Some(delay) = self.faults.delay
            && (self.faults.delay_fraction >= 1.0 || fastrand::f64() < self.faults.delay_fraction)
        {
            tokio::time::sleep(delay).await;
        }
        if self.faults.random_total() > 0.0 {
            self.faults.pick(fastrand::f64())
        } else {
            None
        }
    }

    /// The answer to a faulted request. `body` is read (up to `limit` bytes) before an error
    /// answer, so the connection stays usable as after any other answer.
    pub async fn answer(&self, fault: Fault, body: Body, limit: usize) -> Response {
        match fault {
            Fault::Error | Fault::Bare500 | Fault::Throttle | Fault::Hang | Fault::Garbage => {
                let _ = axum::body::to_bytes(body, limit).await;
            }
            Fault::Reset => drop(body),
        }
        match fault {
            Fault::Error => error_response(&ApiError::new(names::INTERNAL_ERROR, INJECTED)),
            Fault::Throttle => error_response(&ApiError::new(
                names::TOO_MANY_REQUESTS,
                super::quota::RATE_EXCEEDED,
            )),
            Fault::Bare500 => text(StatusCode::INTERNAL_SERVER_ERROR, INJECTED),
            Fault::Garbage => text(StatusCode::OK, "<html>\u{1}garbage, not JSON{"),
            Fault::Reset => reset(),
            Fault::Hang => {
                let mut closing = self.closing.subscribe();
                // Returns only when the server shuts down; the connection is then dropped.
                let _ = closing.wait_for(|closing| *closing).await;
                reset()
            }
        }
    }

    /// Releases hung requests (their connections are dropped unanswered); for shutdown.
    pub fn release_hangs(&self) {
        self.closing.send_replace(true);
    }
}

/// A response whose body fails at once: hyper then closes the connection before the status
/// line is flushed, so the client sees the connection drop without any answer.
fn reset() -> Response {
    let failing = futures_util::stream::once(async {
        Err::<Bytes, _>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "injected fault: connection dropped",
        ))
    });
    Response::new(Body::from_stream(failing))
}

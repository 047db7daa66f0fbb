//! Executors on tokio. Every request is one case drawn from the mix; its answer is judged
//! and recorded. Open-model requests start on schedule whatever the answers do; latency is
//! kept both from the actual send (service time) and from the intended start (response time).
//!
//! Pacers (`open`: arrival rates; `closed`: virtual users, iterations) decide when each
//! request starts and all drive the one execute path (`execute`, with `group` for cases that
//! send several requests), which sends through the run's `Transport` (`wire`: the lean
//! HTTP/1.1 client or reqwest).

mod closed;
mod compiled;
mod exchange;
mod execute;
mod group;
mod http1;
pub mod mix;
mod open;
mod outcome;
mod pacing;
mod phase;
mod readback;
mod reqwest_client;
mod retry;
mod runner;
mod stream;
#[cfg(test)]
mod tls_tests;
pub mod transport;
mod wire;

pub use compiled::Compiled;
pub use outcome::PhaseOutcome;
pub use pacing::Pacing;
pub use runner::Engine;

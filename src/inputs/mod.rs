//! The front door: each command family's inputs — its parsed command line, the environment
//! and its scenario file — turned into a `Plan` and the run's options, with one precedence:
//! the command line, then the environment, then the scenario, then defaults. Nothing here
//! sends a byte; every input is checked before a target is reached.

mod bench;
mod diff;
mod provision;
mod run;
mod start_at;
mod target;
#[cfg(test)]
mod tests;

pub use crate::env::{Env, ProcessEnv};
pub use bench::{BenchInputs, bench};
pub use diff::{DiffInputs, diff};
pub use provision::provision;
pub use run::{MetricsListen, Printing, RunInputs, record, run};
pub use target::target_overrides;

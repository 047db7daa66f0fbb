//! cogbench: load and conformance testing of Amazon Cognito's ConfirmSignUp operation.
//!
//! The flow is a straight line: scenario → `Plan` → target → fixtures → engine → judge and
//! metrics → reports → gate (exit code). `run::run` drives it; integration tests call it
//! in-process.

pub mod awscli;
pub mod bench;
pub mod cases;
pub mod cli;
pub mod client;
pub mod commands;
pub mod compare;
pub mod deviations;
pub mod diff;
pub mod emulator;
pub mod engine;
pub mod env;
pub mod exit;
pub mod exit_codes;
pub mod faults;
pub mod files;
pub mod gate;
pub mod inputs;
pub mod interrupt;
pub mod live_metrics;
pub mod merge;
pub mod metrics;
pub mod oracle;
pub mod progress;
pub mod protocol;
pub mod provision;
pub mod report;
pub mod run;
pub mod scenario;
pub mod schedule;
pub mod statics;
pub mod summary;
pub mod target;
pub mod target_kinds;
pub mod term;
pub mod time;
pub mod users;
pub(crate) mod yaml;

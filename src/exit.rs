//! How a command ends badly: one typed error, and the one place where every error becomes an
//! exit code (the codes live in `exit_codes`: 1 failed, 2 bad input, 3 target, 130 interrupted).

use crate::errln;
use crate::exit_codes::{EXIT_BAD_INPUT, EXIT_FAILED, EXIT_INTERRUPTED, EXIT_TARGET};
use crate::provision;
use crate::run::RunError;

/// Why a command stopped. `Ok(code)` is a command that ran to its verdict; this is the rest.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    /// An input that cannot be used: nothing was sent (exit 2).
    #[error("{0}")]
    BadInput(String),
    /// The target could not be reached or served (exit 3).
    #[error("{0}")]
    Target(String),
    /// Work done, but its output could not be written (exit 1).
    #[error("{0}")]
    Failed(String),
    /// Ctrl-C or SIGTERM; the message says what was left (exit 130).
    #[error("{0}")]
    Interrupted(String),
    #[error(transparent)]
    Run(#[from] RunError),
    /// One side of `diff`: the run that failed is named.
    #[error("({side}): {source}")]
    Side {
        side: &'static str,
        source: RunError,
    },
    #[error(transparent)]
    Provision(#[from] provision::Error),
}

impl Failure {
    pub fn exit_code(&self) -> i32 {
        match self {
            Failure::BadInput(_) => EXIT_BAD_INPUT,
            Failure::Target(_) => EXIT_TARGET,
            Failure::Failed(_) => EXIT_FAILED,
            Failure::Interrupted(_) => EXIT_INTERRUPTED,
            Failure::Run(e) | Failure::Side { source: e, .. } => e.exit_code(),
            Failure::Provision(e) => e.exit_code(),
        }
    }

    /// Prints the error on stderr and gives the exit code.
    pub fn report(&self) -> i32 {
        match self {
            // Not an error: the user asked for it.
            Failure::Interrupted(m) => errln!("cogbench: {m}"),
            // `diff` names the side before the colon.
            Failure::Side { .. } => errln!("cogbench: error {self}"),
            _ => errln!("cogbench: error: {self}"),
        }
        self.exit_code()
    }
}

impl RunError {
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::Target(_) | RunError::Credentials(_) => EXIT_TARGET,
            RunError::Reports { .. } | RunError::Snapshot { .. } => EXIT_FAILED,
            RunError::Output(_) => EXIT_BAD_INPUT,
        }
    }
}

impl provision::Error {
    pub fn exit_code(&self) -> i32 {
        match self {
            provision::Error::BadInput(_) => EXIT_BAD_INPUT,
            provision::Error::Target(_) => EXIT_TARGET,
            provision::Error::Write(_) => EXIT_FAILED,
            provision::Error::Interrupted(_) => EXIT_INTERRUPTED,
        }
    }
}

/// A command's result as its exit code, its error (if any) printed.
pub fn code(result: Result<i32, Failure>) -> i32 {
    result.unwrap_or_else(|f| f.report())
}

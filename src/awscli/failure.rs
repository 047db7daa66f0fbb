//! How `confirm-sign-up` ends: the AWS CLI v2's exit codes (and cogbench's one), and the error
//! that carries one with the message to print.

/// Success.
pub const EXIT_OK: i32 = 0;
/// cogbench's: `--verdict` and the answer failed it.
pub const EXIT_VERDICT_FAILED: i32 = crate::exit_codes::EXIT_FAILED;
/// The AWS CLI's: the command line could not be used (syntax, values, parameter validation).
pub const EXIT_USAGE: i32 = 252;
/// The AWS CLI's: the environment or configuration is invalid.
pub const EXIT_CONFIG: i32 = 253;
/// The AWS CLI's: the request was sent and the service answered with an error.
pub const EXIT_SERVICE_ERROR: i32 = 254;
/// The AWS CLI's catch-all: no usable answer, or an error the AWS CLI has no code for.
pub const EXIT_GENERAL: i32 = 255;

/// An error that ends the command: its exit code and what to print on stderr.
#[derive(Debug)]
pub struct Failure {
    pub code: i32,
    pub message: String,
}

pub fn usage(message: impl Into<String>) -> Failure {
    Failure {
        code: EXIT_USAGE,
        message: message.into(),
    }
}

/// An error the AWS CLI raises as a Python exception once its arguments are parsed
/// (`Error parsing parameter ...`, `Parameter validation failed:`, a missing profile): it
/// prints a blank line before the message, so this does too.
pub fn raised(code: i32, message: impl AsRef<str>) -> Failure {
    Failure {
        code,
        message: format!("\n{}", message.as_ref()),
    }
}

//! Where the confirmation codes of provisioned users come from.

/// Where the confirmation codes of provisioned users come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeSource {
    /// `GET {endpoint}/_emulator/codes/{pool}/{username}`.
    EmulatorRoute,
    /// cognito-local's `{data_dir}/.cognito/db/{pool}.json`.
    CognitoLocal { data_dir: std::path::PathBuf },
    /// The target checks no code (moto): this one is sent.
    Fixed(String),
    /// `GET` of a URL template with `{pool}` and `{username}`; the body is the code.
    Http { url: String },
    /// A shell command template with `{pool}` and `{username}`; its output is the code.
    Command { command: String },
    /// No codes: cases that need one are skipped.
    None,
}

//! Where requests go and what that target can do: the embedded emulator started in-process,
//! or a running emulator at a URL.

pub mod api;
mod capped_http;
pub mod codes;
mod credential_files;
pub mod credentials;
mod error_chain;
pub mod provision;
mod running;
pub mod sigv4;
pub mod workers;

pub use api::{Api, ApiError};
pub use credentials::CredentialsLoadError;
pub use provision::{Fixtures, ProvisionError};
pub use running::Target;
pub use sigv4::Signer;

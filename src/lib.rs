//! cogbench: load and conformance testing of Amazon Cognito's ConfirmSignUp operation.

pub mod client;
pub mod emulator;
pub mod protocol;

//! `cogbench confirm-sign-up`: one ConfirmSignUp request with exactly the options of the AWS
//! CLI's `aws cognito-idp confirm-sign-up` (the seed page), answered the way the AWS CLI
//! answers, plus `--client-secret` and `--verdict`.
//!
//! Layout: [`args`] (the options), [`model`] (the input shape, botocore's parameter
//! validation, skeletons), [`shorthand`] (the shorthand syntax), [`output`] (json, text,
//! table), [`query`] (`--query`), [`send`] (endpoint, client, the request, `--debug`),
//! [`verdict`] (`--verdict`).

mod args;
mod command;
mod failure;
mod model;
mod output;
mod profile;
pub mod query;
mod send;
mod shorthand;
mod verdict;

pub use args::ConfirmArgs;
pub use command::run;
pub use failure::{
    EXIT_CONFIG, EXIT_GENERAL, EXIT_OK, EXIT_SERVICE_ERROR, EXIT_USAGE, EXIT_VERDICT_FAILED,
    Failure,
};

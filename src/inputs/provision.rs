//! `provision`: the scenario, the users to sign up and how to reach the target.

use super::target::target_overrides;
use crate::cli::{ProgressArg, ProvisionArgs};
use crate::env::Env;
use crate::provision::Options;
use crate::scenario::Overrides;

/// `provision` has none of the AWS CLI's global options, but reads AWS_ENDPOINT_URL as they
/// do.
pub fn provision(args: &ProvisionArgs, env: &dyn Env) -> Options {
    Options {
        scenario: args.scenario.clone(),
        users: args.users,
        output: args.output.clone(),
        overrides: Overrides {
            data_dir: args.data_dir.clone(),
            ..target_overrides(&args.target, None, env)
        },
        create_pool: args.create_pool,
        progress: args.progress != ProgressArg::Quiet,
        interrupts: None,
    }
}

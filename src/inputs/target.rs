//! What every command that reaches a target reads the same way: where the target is, TLS,
//! signing, the region and the timeouts.

use std::time::Duration;

use crate::cli::{GlobalArgs, TargetArgs, TimeoutArgs};
use crate::env::Env;
use crate::exit::Failure;
use crate::scenario::Overrides;

/// How to reach the target: the flags, else the AWS CLI's environment (AWS_ENDPOINT_URL,
/// AWS_REGION, AWS_DEFAULT_REGION, AWS_CA_BUNDLE, and for kind aws AWS_USE_FIPS_ENDPOINT and
/// AWS_USE_DUALSTACK_ENDPOINT; AWS_PROFILE and the keys are read by the credential chain),
/// else the scenario's `target:`. `global` is `None` for a command without
/// the AWS CLI's global options (`provision`), which still reads the environment's endpoint.
pub fn target_overrides(
    target: &TargetArgs,
    global: Option<&GlobalArgs>,
    env: &dyn Env,
) -> Overrides {
    Overrides {
        endpoint_url: target
            .endpoint_url
            .clone()
            .or_else(|| env.value("AWS_ENDPOINT_URL")),
        target_kind: target.target_kind.clone(),
        region: global
            .and_then(|g| g.region.clone())
            .or_else(|| env.value("AWS_REGION"))
            .or_else(|| env.value("AWS_DEFAULT_REGION")),
        no_verify_ssl: global.is_some_and(|g| g.no_verify_ssl),
        ca_bundle: global
            .and_then(|g| g.ca_bundle.clone())
            .or_else(|| env.value("AWS_CA_BUNDLE").map(Into::into)),
        no_sign_request: global.is_some_and(|g| g.no_sign_request),
        profile: global.and_then(|g| g.profile.clone()),
        use_fips: env_bool(env, "AWS_USE_FIPS_ENDPOINT"),
        use_dual_stack: env_bool(env, "AWS_USE_DUALSTACK_ENDPOINT"),
        ..Overrides::default()
    }
}

/// A boolean of the AWS CLI's environment: `true` in any letter case is true, any other
/// value false, as botocore reads it.
fn env_bool(env: &dyn Env, name: &str) -> Option<bool> {
    env.value(name).map(|v| v.eq_ignore_ascii_case("true"))
}

/// `--cli-connect-timeout` and `--cli-read-timeout` over the scenario's `http:`.
pub fn with_timeouts(overrides: Overrides, t: &TimeoutArgs) -> Result<Overrides, Failure> {
    Ok(Overrides {
        connect_timeout: seconds("--cli-connect-timeout", t.cli_connect_timeout)?,
        read_timeout: seconds("--cli-read-timeout", t.cli_read_timeout)?,
        ..overrides
    })
}

fn seconds(flag: &str, v: Option<f64>) -> Result<Option<Duration>, Failure> {
    match v {
        None => Ok(None),
        Some(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => {
            Ok(Some(Duration::from_secs_f64(s)))
        }
        Some(s) => Err(Failure::BadInput(format!(
            "{flag}: {s} is not a number of seconds in (0, 86400]"
        ))),
    }
}

/// `--grace-period`, or the default.
pub fn grace(v: Option<f64>) -> Result<Duration, Failure> {
    match v {
        None => Ok(crate::run::DEFAULT_GRACE_PERIOD),
        Some(s) if s.is_finite() && (0.0..=3600.0).contains(&s) => Ok(Duration::from_secs_f64(s)),
        Some(s) => Err(Failure::BadInput(format!(
            "--grace-period: {s} is not a number of seconds in [0, 3600]"
        ))),
    }
}

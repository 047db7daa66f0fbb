//! AWS credentials for signing, looked up as the AWS CLI looks them up, with `aws-config`'s
//! providers in an explicit chain:
//!
//! 1. environment variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//!    `AWS_SESSION_TOKEN`) — skipped when `--profile` names a profile, as the AWS CLI does;
//! 2. the shared config and credentials files (`~/.aws/config`, `~/.aws/credentials`, or
//!    `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`), profile `--profile`, else
//!    `AWS_PROFILE`, else `default`: static keys, `credential_process`, IAM Identity Center
//!    (SSO, from the token cache `aws sso login` writes), `role_arn` with `source_profile`,
//!    `web_identity_token_file`;
//! 3. a web identity token named by `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN`.
//!
//! Left out on purpose: the container (ECS) and instance (IMDS) metadata providers, which
//! the SDKs' default chain ends with. Without any AWS configuration the lookup reads two
//! absent files and a few variables and contacts nothing; a profile whose `credential_source`
//! is `Ec2InstanceMetadata` or `EcsContainer` is refused rather than sent to 169.254.169.254.
//! Only SSO, assume-role and web-identity profiles reach the network (their AWS endpoints).

use std::sync::Arc;
use std::time::Duration;

use aws_config::Region;
use aws_config::environment::credentials::EnvironmentVariableCredentialsProvider;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::web_identity_token::WebIdentityTokenCredentialsProvider;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider, future};

use super::error_chain::describe;
use super::sigv4::{SERVICE, Signer};
use crate::scenario::{Plan, Signing};

/// How long one provider may take (an SSO or STS call included) before the run gives up.
const TIMEOUT: Duration = Duration::from_secs(30);

#[derive(Debug, thiserror::Error)]
pub enum CredentialsLoadError {
    #[error("AWS credentials from {source_name}: {detail}")]
    Provider { source_name: String, detail: String },
    #[error(
        "--profile {0}: the shared config and credentials files hold no credentials for this profile"
    )]
    NoProfile(String),
    #[error("AWS credentials: {source_name} gave no answer within {}s", TIMEOUT.as_secs())]
    TimedOut { source_name: String },
    #[error(
        "AWS credentials: none found (environment variables, shared config and credentials files, web identity token), and target kind {0} refuses the unsigned CreateUserPool, CreateUserPoolClient, AdminGetUser and DeleteUserPool this plan sends; set credentials or name a profile with --profile (nothing was sent)"
    )]
    Required(&'static str),
}

/// The signer of a run's provisioning and admin calls, or `None` to send them unsigned:
/// `--no-sign-request`, or no credentials anywhere (said in one line when the target is an AWS
/// endpoint). Credentials that are configured but cannot be loaded fail the run against an AWS
/// endpoint, before anything is sent; elsewhere (emulators ignore signatures) the problem is
/// said and the calls go unsigned. `quiet` keeps the line naming where credentials came from.
pub async fn signer(plan: &Plan, quiet: bool) -> Result<Option<Arc<Signer>>, CredentialsLoadError> {
    let Signing::Chain { profile } = &plan.signing else {
        return Ok(None);
    };
    let endpoint = plan.target.endpoint.as_deref();
    match load(profile.as_deref(), &plan.region).await {
        Ok(Some(signer)) => {
            if !quiet {
                crate::errln!(
                    "cogbench: signing provisioning and admin calls (SigV4, {SERVICE}, {}) with credentials from {}",
                    signer.region(),
                    signer.source()
                );
            }
            Ok(Some(Arc::new(signer)))
        }
        // A kind that signs is never sent unsigned calls it would refuse.
        Ok(None) if plan.target.kind.real_pool && plan.sends_signed_calls() => {
            Err(CredentialsLoadError::Required(plan.target.kind.as_str()))
        }
        Ok(None) => {
            if let Some(line) = endpoint.and_then(unsigned_notice) {
                crate::errln!("{line}");
            }
            Ok(None)
        }
        Err(e)
            if plan.target.kind.real_pool
                || endpoint.is_some_and(crate::scenario::quota::is_aws) =>
        {
            Err(e)
        }
        Err(e) => {
            crate::errln!(
                "cogbench: warning: {e}; provisioning and admin calls go unsigned (the target is not an AWS endpoint)"
            );
            Ok(None)
        }
    }
}

/// The first credentials the chain finds, as a signer for `region`; `None` when no provider
/// has any (then calls go unsigned). `profile` is `--profile`.
pub async fn load(
    profile: Option<&str>,
    region: &str,
) -> Result<Option<Signer>, CredentialsLoadError> {
    for (source, provider) in chain(profile, region) {
        let answer = tokio::time::timeout(TIMEOUT, provider.provide_credentials())
            .await
            .map_err(|_| CredentialsLoadError::TimedOut {
                source_name: source.clone(),
            })?;
        match answer {
            Ok(credentials) => {
                return Ok(Some(Signer::from_provider(
                    credentials,
                    provider,
                    region,
                    &source,
                )));
            }
            Err(CredentialsError::CredentialsNotLoaded(_)) => continue,
            Err(e) => {
                return Err(CredentialsLoadError::Provider {
                    source_name: source,
                    detail: describe(&e),
                });
            }
        }
    }
    match profile {
        Some(p) => Err(CredentialsLoadError::NoProfile(p.to_owned())),
        None => Ok(None),
    }
}

/// The providers in the order they are asked, each with a name for messages.
fn chain(profile: Option<&str>, region: &str) -> Vec<(String, SharedCredentialsProvider)> {
    // SSO, STS (assume role, web identity) are AWS endpoints: an HTTPS client on rustls with
    // ring, as the rest of cogbench, trusting the system's roots.
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let config = ProviderConfig::without_region()
        .with_region(Some(Region::new(region.to_owned())))
        .with_http_client(https);

    let mut providers = Vec::with_capacity(3);
    if profile.is_none() {
        providers.push((
            "environment variables".to_owned(),
            SharedCredentialsProvider::new(EnvironmentVariableCredentialsProvider::new()),
        ));
    }
    let mut files = ProfileFileCredentialsProvider::builder()
        .configure(&config)
        .with_custom_provider("Ec2InstanceMetadata", NoMetadata("Ec2InstanceMetadata"))
        .with_custom_provider("EcsContainer", NoMetadata("EcsContainer"));
    if let Some(p) = profile {
        files = files.profile_name(p);
    }
    let name = profile
        .map(str::to_owned)
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
        .unwrap_or_else(|| "default".to_owned());
    providers.push((
        format!("the shared config and credentials files (profile {name})"),
        SharedCredentialsProvider::new(files.build()),
    ));
    providers.push((
        "a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)".to_owned(),
        SharedCredentialsProvider::new(
            WebIdentityTokenCredentialsProvider::builder()
                .configure(&config)
                .build(),
        ),
    ));
    providers
}

/// Stands in for the instance- and container-metadata providers a profile can name as its
/// `credential_source`: cogbench never contacts those endpoints.
#[derive(Debug)]
struct NoMetadata(&'static str);

impl ProvideCredentials for NoMetadata {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::ready(Err(CredentialsError::invalid_configuration(format!(
            "credential_source = {}: cogbench does not query instance or container metadata \
             (export the credentials, or use a profile with keys, SSO or credential_process)",
            self.0
        ))))
    }
}

/// The line said when no credentials were found and the target is an AWS endpoint, which
/// refuses unsigned provisioning and admin calls.
pub fn unsigned_notice(endpoint: &str) -> Option<String> {
    crate::scenario::quota::is_aws(endpoint).then(|| {
        "cogbench: no AWS credentials found (environment variables, shared config and credentials \
         files, web identity token): provisioning and admin calls go unsigned, and an AWS endpoint \
         refuses them (set credentials, or name a profile with --profile)"
            .to_owned()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(endpoint: &str, overrides: &crate::scenario::Overrides) -> Plan {
        let yaml = format!(
            "name: t\ntarget: {{kind: endpoint, endpoint: \"{endpoint}\", codes: {{none: true}}, admin_reads: false}}\n\
             phases: [{{vus: 1, rounds: 1, think_time: 1s}}]\nmix: {{unknown-user: 1}}\n"
        );
        crate::scenario::parse(
            &yaml,
            std::path::Path::new("t.yaml"),
            Arc::new(crate::cases::Catalog::builtin()),
            overrides,
        )
        .unwrap()
    }

    /// A profile that cannot be loaded stops a run against AWS before anything is sent (only
    /// files are read: an explicit profile skips the environment's keys), and is a warning
    /// elsewhere.
    #[tokio::test]
    async fn unloadable_credentials_fail_only_against_aws() {
        let overrides = crate::scenario::Overrides {
            profile: Some("cogbench-test-no-such-profile".into()),
            ..Default::default()
        };
        let aws = plan("https://cognito-idp.us-east-1.amazonaws.com", &overrides);
        let e = signer(&aws, true).await.unwrap_err();
        assert!(
            e.to_string().contains("cogbench-test-no-such-profile"),
            "{e}"
        );
        let local = plan("http://127.0.0.1:9", &overrides);
        assert!(signer(&local, true).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn no_sign_request_looks_nothing_up() {
        let overrides = crate::scenario::Overrides {
            no_sign_request: true,
            profile: Some("cogbench-test-no-such-profile".into()),
            ..Default::default()
        };
        let aws = plan("https://cognito-idp.us-east-1.amazonaws.com", &overrides);
        assert_eq!(aws.signing, Signing::Off);
        assert!(signer(&aws, true).await.unwrap().is_none());
    }

    #[test]
    fn the_notice_is_for_aws_endpoints_only() {
        assert!(unsigned_notice("https://cognito-idp.eu-west-1.amazonaws.com").is_some());
        assert!(unsigned_notice("http://127.0.0.1:9229").is_none());
        assert!(unsigned_notice("http://localhost:5000").is_none());
    }

    /// A profile pointing at instance metadata is refused without any request.
    #[tokio::test]
    async fn metadata_sources_are_refused_offline() {
        let e = NoMetadata("Ec2InstanceMetadata")
            .provide_credentials()
            .await
            .unwrap_err();
        let text = describe(&e);
        assert!(
            text.contains("not properly configured")
                && text.contains("credential_source = Ec2InstanceMetadata"),
            "{text}"
        );
    }
}

//! AWS credentials for signing, looked up as the AWS CLI looks them up, with `aws-config`'s
//! providers in an explicit chain:
//!
//! 1. environment variables (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//!    `AWS_SESSION_TOKEN`) — skipped when `--profile` names a profile, as the AWS CLI does;
//! 2. the shared config and credentials files (`~/.aws/config`, `~/.aws/credentials`, or
//!    `AWS_CONFIG_FILE`, `AWS_SHARED_CREDENTIALS_FILE`), profile `--profile`, else
//!    `AWS_PROFILE`, else `default`: static keys, `credential_process`, IAM Identity Center
//!    (SSO, from the token cache `aws sso login` writes), `role_arn` with `source_profile` or
//!    with `credential_source = Environment | Ec2InstanceMetadata | EcsContainer`,
//!    `web_identity_token_file`;
//! 3. a web identity token named by `AWS_WEB_IDENTITY_TOKEN_FILE` and `AWS_ROLE_ARN`;
//! 4. the container credentials endpoint (ECS task roles, EKS Pod Identity):
//!    `AWS_CONTAINER_CREDENTIALS_RELATIVE_URI` (on 169.254.170.2) or
//!    `AWS_CONTAINER_CREDENTIALS_FULL_URI`, with `AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE` or
//!    `AWS_CONTAINER_AUTHORIZATION_TOKEN` sent as its `Authorization` header;
//! 5. instance metadata (IMDSv2: a token, then the role's credentials), at
//!    `AWS_EC2_METADATA_SERVICE_ENDPOINT` or 169.254.169.254; never when
//!    `AWS_EC2_METADATA_DISABLED=true`.
//!
//! `--profile` ends the chain after step 3, so that a profile without credentials is said
//! rather than answered by the machine's role (the AWS CLI refuses a missing profile too, but
//! goes on to steps 4–5 for one that exists without credentials).
//!
//! What a machine without any AWS configuration contacts: nothing for steps 1–4 (two absent
//! files and a few variables are read). Step 5 is where a laptop could wait, so it is taken
//! only when the target is an AWS endpoint (an emulator or other loopback target cannot
//! check an instance role's rotating keys anyway), or when `AWS_EC2_METADATA_SERVICE_ENDPOINT`
//! names the service explicitly, and then as the AWS CLI does it: one attempt, 1 s to connect
//! and 1 s to read, at most 2 s for each of its (up to three) requests in all, an unreachable
//! service meaning "no credentials". A profile that names
//! `credential_source = Ec2InstanceMetadata` asks for instance metadata whatever the target.
//! SSO, assume-role and web-identity profiles reach their AWS endpoints (SSO, STS).

use std::sync::Arc;
use std::time::Duration;

use aws_config::Region;
use aws_config::ecs::EcsCredentialsProvider;
use aws_config::environment::credentials::EnvironmentVariableCredentialsProvider;
use aws_config::imds::credentials::ImdsCredentialsProvider;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::web_identity_token::WebIdentityTokenCredentialsProvider;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};

use super::capped_http::{BODY_LIMIT, Capped};
use super::credential_files::{self, SHARED_LIMIT};
use super::error_chain::{describe, summary};
use super::sigv4::{SERVICE, Signer};
use crate::scenario::{Plan, Signing};

/// How long one provider may take (an SSO or STS call included) before the run gives up.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Instance metadata as the AWS CLI asks it (botocore's `metadata_service_timeout` and
/// `metadata_service_num_attempts` defaults): one attempt, 1 s to connect, 1 s to read. The
/// SDK's own defaults (4 attempts, 30 s in all) would keep a laptop waiting.
const IMDS_ATTEMPTS: u32 = 1;
const IMDS_TIMEOUT: Duration = Duration::from_secs(1);
/// One request in all (connecting and reading together): the read timeout bounds each wait
/// for bytes, so a server trickling a byte at a time would otherwise hold a request until the
/// SDK's 10 s operation timeout.
const IMDS_REQUEST_TIMEOUT: Duration = Duration::from_secs(2);

/// The variable naming the instance metadata service, which makes cogbench ask it even for a
/// target that is not an AWS endpoint.
const IMDS_ENDPOINT_VAR: &str = "AWS_EC2_METADATA_SERVICE_ENDPOINT";

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
    match load(profile.as_deref(), &plan.region, endpoint).await {
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
/// has any (then calls go unsigned). `profile` is `--profile`; `endpoint` is the target's
/// (`None`: the embedded emulator), which decides whether instance metadata is asked.
pub async fn load(
    profile: Option<&str>,
    region: &str,
    endpoint: Option<&str>,
) -> Result<Option<Signer>, CredentialsLoadError> {
    // Unit tests share the developer's environment and must never reach 169.254.169.254;
    // the integration tests run the binary with a stub endpoint or metadata disabled.
    let var = |k: &str| std::env::var(k).ok();
    let imds = !cfg!(test) && asks_instance_metadata(endpoint, var);
    let checks = Checks::look(var);
    let mut checks = checks;
    checks.profile = checks.profile_token_problem(profile, var);
    for (source, provider) in chain(profile, region, imds, &checks) {
        if let Some(problem) = checks.problem_of(&source) {
            return Err(CredentialsLoadError::Provider {
                source_name: source,
                detail: problem.to_owned(),
            });
        }
        let answer = tokio::time::timeout(TIMEOUT, provider.provide_credentials())
            .await
            .map_err(|_| CredentialsLoadError::TimedOut {
                source_name: source.clone(),
            })?;
        match answer {
            Ok(credentials) => {
                if let Some(at) = credentials.expiry()
                    && at <= std::time::SystemTime::now()
                {
                    let when = crate::time::rfc3339_utc(at);
                    // AWS would refuse every signed call; an emulator ignores the date.
                    if endpoint.is_some_and(crate::scenario::quota::is_aws) {
                        return Err(CredentialsLoadError::Provider {
                            source_name: source,
                            detail: format!("the credentials it gave expired at {when}"),
                        });
                    }
                    crate::errln!(
                        "cogbench: warning: the credentials from {source} expired at {when}; signing with them anyway (the target is not an AWS endpoint)"
                    );
                }
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
                    detail: summary(&checks.redact(describe(&e))),
                });
            }
        }
    }
    match profile {
        Some(p) => Err(CredentialsLoadError::NoProfile(p.to_owned())),
        None => Ok(None),
    }
}

/// Whether the chain ends with instance metadata: for an AWS endpoint (the only kind of
/// target that can check an instance role's keys), or when `AWS_EC2_METADATA_SERVICE_ENDPOINT`
/// points somewhere on purpose; never with `AWS_EC2_METADATA_DISABLED=true`.
fn asks_instance_metadata(endpoint: Option<&str>, var: impl Fn(&str) -> Option<String>) -> bool {
    if var("AWS_EC2_METADATA_DISABLED").is_some_and(|v| v.trim().eq_ignore_ascii_case("true")) {
        return false;
    }
    endpoint.is_some_and(crate::scenario::quota::is_aws)
        || var(IMDS_ENDPOINT_VAR).is_some_and(|v| !v.trim().is_empty())
}

const CONTAINER: &str = "the container credentials endpoint (AWS_CONTAINER_CREDENTIALS_*_URI)";
const SHARED_FILES: &str = "the shared config and credentials files";
const WEB_IDENTITY: &str = "a web identity token (AWS_WEB_IDENTITY_TOKEN_FILE)";

/// What is known of the chain's files before any provider opens one: which shared files are
/// unusable (said once, then treated as empty), why the container or web identity provider
/// cannot be used (a failure of that provider when the chain reaches it), and the container
/// authorization token, which no message may quote.
#[derive(Debug, Default)]
struct Checks {
    config_unusable: bool,
    credentials_unusable: bool,
    container: Option<String>,
    web_identity: Option<String>,
    profile: Option<String>,
    secrets: Vec<String>,
}

impl Checks {
    fn look(var: impl Fn(&str) -> Option<String>) -> Checks {
        let mut checks = Checks::default();
        for (name, path) in credential_files::shared_paths(&var) {
            let Some(why) = path.and_then(|p| credential_files::unusable(&p, SHARED_LIMIT)) else {
                continue;
            };
            crate::errln!("cogbench: warning: {name}: {why}; not opened, read as empty");
            match name {
                "AWS_CONFIG_FILE" => checks.config_unusable = true,
                _ => checks.credentials_unusable = true,
            }
        }
        let token_file = var("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE").filter(|v| !v.is_empty());
        let token = var("AWS_CONTAINER_AUTHORIZATION_TOKEN").filter(|v| !v.is_empty());
        // The SDK prefers the file to the variable, as here.
        checks.container = match &token_file {
            Some(_) => credential_files::token_problem(
                "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
                token_file.clone(),
            ),
            None => token.as_deref().and_then(|t| {
                credential_files::header_problem(t.as_bytes())
                    .map(|why| format!("AWS_CONTAINER_AUTHORIZATION_TOKEN {why}"))
            }),
        };
        if let Some(path) = &token_file
            && credential_files::unusable(std::path::Path::new(path), SHARED_LIMIT).is_none()
            && let Ok(bytes) = std::fs::read(path)
        {
            checks
                .secrets
                .push(String::from_utf8_lossy(&bytes).into_owned());
        }
        checks.secrets.extend(token);
        checks.secrets.retain(|s| !s.trim().is_empty());
        // The SDK reads the token only when a role is named too.
        if var("AWS_ROLE_ARN").is_some_and(|v| !v.is_empty()) {
            checks.web_identity = credential_files::token_problem_of_size(
                "AWS_WEB_IDENTITY_TOKEN_FILE",
                var("AWS_WEB_IDENTITY_TOKEN_FILE"),
            );
        }
        checks
    }

    /// The selected profile's `web_identity_token_file`, when the config file names one that
    /// is unusable (the SDK would read it whole).
    fn profile_token_problem(
        &self,
        profile: Option<&str>,
        var: impl Fn(&str) -> Option<String>,
    ) -> Option<String> {
        if self.config_unusable {
            return None;
        }
        let name = profile
            .map(str::to_owned)
            .or_else(|| var("AWS_PROFILE").filter(|p| !p.is_empty()))
            .unwrap_or_else(|| "default".to_owned());
        let [(_, config), _] = credential_files::shared_paths(&var);
        let text = std::fs::read_to_string(config?).ok()?;
        let file = credential_files::profile_token_file(&text, &name)?;
        credential_files::token_problem_of_size("web_identity_token_file", Some(file))
            .map(|why| format!("profile {name}: {why}"))
    }

    fn problem_of(&self, source: &str) -> Option<&str> {
        if source.starts_with(SHARED_FILES) {
            return self.profile.as_deref();
        }
        match source {
            CONTAINER => self.container.as_deref(),
            WEB_IDENTITY => self.web_identity.as_deref(),
            _ => None,
        }
    }

    /// `text` with every known token masked (whole, and without its line break).
    fn redact(&self, mut text: String) -> String {
        for secret in &self.secrets {
            for form in [secret.as_str(), secret.trim()] {
                if !form.is_empty() {
                    text = text.replace(form, "(the authorization token)");
                }
            }
        }
        text
    }

    /// The shared files the profile provider may open: an unusable one is read as empty.
    // aws-config's aliases are deprecated for aws-runtime's types, which are the same types
    // but would make aws-runtime a direct dependency for two names.
    #[allow(deprecated)]
    fn profile_files(&self) -> Option<aws_config::profile::profile_file::ProfileFiles> {
        use aws_config::profile::profile_file::{ProfileFileKind, ProfileFiles};
        if !self.config_unusable && !self.credentials_unusable {
            return None;
        }
        let mut files = ProfileFiles::builder()
            .include_default_config_file(!self.config_unusable)
            .include_default_credentials_file(!self.credentials_unusable);
        if self.config_unusable {
            files = files.with_contents(ProfileFileKind::Config, "");
        }
        if self.credentials_unusable {
            files = files.with_contents(ProfileFileKind::Credentials, "");
        }
        Some(files.build())
    }
}

/// The providers in the order they are asked, each with a name for messages. `imds` adds
/// instance metadata at the end (a profile's `credential_source = Ec2InstanceMetadata` may
/// reach it either way).
fn chain(
    profile: Option<&str>,
    region: &str,
    imds: bool,
    checks: &Checks,
) -> Vec<(String, SharedCredentialsProvider)> {
    // SSO, STS (assume role, web identity) are AWS endpoints: an HTTPS client on rustls with
    // ring, as the rest of cogbench, trusting the system's roots. The same client speaks plain
    // HTTP to the container and instance metadata endpoints.
    let https = aws_smithy_http_client::Builder::new()
        .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
            aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
        ))
        .build_https();
    let config = ProviderConfig::without_region()
        .with_region(Some(Region::new(region.to_owned())))
        .with_http_client(Capped::new(https, BODY_LIMIT));

    let container = SharedCredentialsProvider::new(
        EcsCredentialsProvider::builder().configure(&config).build(),
    );
    let mut imds_client = aws_config::imds::Client::builder()
        .configure(&config)
        .max_attempts(IMDS_ATTEMPTS)
        .connect_timeout(IMDS_TIMEOUT)
        .read_timeout(IMDS_TIMEOUT)
        .operation_attempt_timeout(IMDS_REQUEST_TIMEOUT)
        .operation_timeout(IMDS_REQUEST_TIMEOUT);
    // The client reads the config file for its endpoint unless given one: an unusable file
    // leaves the variable or the documented address.
    if checks.config_unusable {
        let endpoint = std::env::var(IMDS_ENDPOINT_VAR)
            .ok()
            .filter(|v| !v.trim().is_empty())
            .unwrap_or_else(|| "http://169.254.169.254".to_owned());
        if let Ok(with) = imds_client.clone().endpoint(endpoint) {
            imds_client = with;
        }
    }
    let instance = SharedCredentialsProvider::new(
        ImdsCredentialsProvider::builder()
            .configure(&config)
            .imds_client(imds_client.build())
            .build(),
    );

    let mut providers = Vec::with_capacity(5);
    if profile.is_none() {
        providers.push((
            "environment variables".to_owned(),
            SharedCredentialsProvider::new(EnvironmentVariableCredentialsProvider::new()),
        ));
    }
    // The profile provider knows these two names itself, but with the SDK's IMDS defaults.
    let mut files = ProfileFileCredentialsProvider::builder()
        .configure(&config)
        .with_custom_provider("Ec2InstanceMetadata", instance.clone())
        .with_custom_provider("EcsContainer", container.clone());
    if let Some(p) = profile {
        files = files.profile_name(p);
    }
    if let Some(unusable_left_out) = checks.profile_files() {
        files = files.profile_files(unusable_left_out);
    }
    let name = profile
        .map(str::to_owned)
        .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()))
        .unwrap_or_else(|| "default".to_owned());
    providers.push((
        format!("{SHARED_FILES} (profile {name})"),
        SharedCredentialsProvider::new(files.build()),
    ));
    providers.push((
        WEB_IDENTITY.to_owned(),
        SharedCredentialsProvider::new(
            WebIdentityTokenCredentialsProvider::builder()
                .configure(&config)
                .build(),
        ),
    ));
    // A profile named with --profile ends the chain here: the AWS CLI refuses a missing one
    // outright (ProfileNotFound), and one without credentials should be said, not answered by
    // whatever role the machine or container has. (The CLI would go on to the container and
    // instance sources for a profile that exists but holds no credentials.)
    if profile.is_some() {
        return providers;
    }
    providers.push((CONTAINER.to_owned(), container));
    if imds {
        providers.push(("instance metadata (IMDSv2)".to_owned(), instance));
    }
    providers
}

/// The line said when no credentials were found and the target is an AWS endpoint, which
/// refuses unsigned provisioning and admin calls.
pub fn unsigned_notice(endpoint: &str) -> Option<String> {
    crate::scenario::quota::is_aws(endpoint).then(|| {
        "cogbench: no AWS credentials found (environment variables, shared config and credentials \
         files, web identity token, container and instance metadata): provisioning and admin calls \
         go unsigned, and an AWS endpoint refuses them (set credentials, or name a profile with --profile)"
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

    /// Instance metadata is asked for AWS endpoints, or when pointed at on purpose; never
    /// for the embedded emulator or a loopback target by default, never when disabled. Only
    /// the decision is tested: nothing is sent.
    #[test]
    fn instance_metadata_is_asked_only_where_it_can_matter() {
        let none = |_: &str| None;
        let aws = Some("https://cognito-idp.us-east-1.amazonaws.com");
        let local = Some("http://127.0.0.1:9229");
        assert!(asks_instance_metadata(aws, none));
        assert!(!asks_instance_metadata(local, none));
        assert!(!asks_instance_metadata(None, none));
        let pointed = |k: &str| (k == IMDS_ENDPOINT_VAR).then(|| "http://127.0.0.1:1".to_owned());
        assert!(asks_instance_metadata(local, pointed));
        assert!(asks_instance_metadata(None, pointed));
        let disabled = |k: &str| match k {
            "AWS_EC2_METADATA_DISABLED" => Some("TRUE".to_owned()),
            _ => pointed(k),
        };
        assert!(!asks_instance_metadata(aws, disabled));
        assert!(!asks_instance_metadata(local, disabled));
    }

    /// The chain's order is the AWS CLI's; instance metadata is last, when asked.
    #[test]
    fn the_chain_keeps_the_cli_order() {
        let names = |profile, imds| -> Vec<String> {
            chain(profile, "us-east-1", imds, &Checks::default())
                .into_iter()
                .map(|(name, _)| name)
                .collect()
        };
        let all = names(None, true);
        assert_eq!(all.len(), 5, "{all:?}");
        for (i, word) in [
            "environment",
            "shared config",
            "web identity",
            "container",
            "instance",
        ]
        .iter()
        .enumerate()
        {
            assert!(all[i].contains(word), "{i}: {all:?}");
        }
        let without = names(None, false);
        assert!(
            !without.iter().any(|n| n.contains("instance")),
            "{without:?}"
        );
        let profile = names(Some("ci"), true);
        assert_eq!(profile.len(), 2, "{profile:?}");
        assert!(profile[0].contains("(profile ci)"), "{profile:?}");
        assert!(profile[1].contains("web identity"), "{profile:?}");
    }
}

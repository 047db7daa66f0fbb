//! The options of `cogbench confirm-sign-up`: the seed's synopsis, option for option, plus
//! `--client-secret` and `--verdict`.

use std::path::PathBuf;

use super::output::Format;

/// A secret given on the command line: never shown by `Debug`.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

fn secret(s: &str) -> Result<Secret, String> {
    Ok(Secret(s.to_owned()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Skeleton {
    Input,
    Output,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorArg {
    On,
    Off,
    Auto,
}

const AFTER: &str = "\
Exit codes (the AWS CLI v2's): 0 success · 252 usage error (bad option or value, bad \
endpoint URL, parameter validation, bad --query) · 253 configuration error (no region, \
unreadable --ca-bundle) · 254 the service answered with an error · 255 no usable answer \
(connection refused, timeout, TLS failure, unparsable answer) or a profile that is not found.
cogbench's own: 1 with --verdict, the answer failed its conformance verdict.

Environment: AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, then AWS_ENDPOINT_URL (when no \
--endpoint-url); AWS_REGION, then AWS_DEFAULT_REGION, then the profile's `region` (when no \
--region); AWS_PROFILE (when no --profile); AWS_CONFIG_FILE and AWS_SHARED_CREDENTIALS_FILE \
(the shared files, default ~/.aws/config and ~/.aws/credentials); AWS_DEFAULT_OUTPUT (when no \
--output); AWS_CA_BUNDLE (when no --ca-bundle); NO_COLOR (with --color auto); \
COGBENCH_CLIENT_SECRET (when no --client-secret).

Without --endpoint-url the request goes to https://cognito-idp.<region>.amazonaws.com/, the \
real service. --debug --generate-cli-skeleton output prints the endpoint that would be used \
and sends nothing.

One request is sent, never retried. Success prints ConfirmSignUp's output, which is empty: \
nothing with --output json (as the AWS CLI prints nothing for an empty {}), text and table. \
A service error prints `An error occurred (<type>) when calling the ConfirmSignUp operation: \
<message>` on stderr.

Example:
  cogbench confirm-sign-up --endpoint-url http://127.0.0.1:9229 \\
      --region us-east-1 --client-id 38fjsnc484p94kpqsnet7mpld0 \\
      --username jane --confirmation-code 123456";

#[derive(Debug, Clone, clap::Args)]
#[command(after_long_help = AFTER, args_override_self = true)]
pub struct ConfirmArgs {
    /// The ID of the app client associated with the user pool. Required (unless given by
    /// --cli-input-json).
    #[arg(long, value_name = "value", help_heading = "ConfirmSignUp options")]
    pub client_id: Option<String>,
    /// A keyed-hash message authentication code (HMAC) calculated using the secret key of a
    /// user pool client and username plus the client ID in the message.
    #[arg(long, value_name = "value", help_heading = "ConfirmSignUp options")]
    pub secret_hash: Option<String>,
    /// The username of the user (or an alias attribute, or the sub). Required (unless given by
    /// --cli-input-json).
    #[arg(long, value_name = "value", help_heading = "ConfirmSignUp options")]
    pub username: Option<String>,
    /// The confirmation code sent by a user's request to confirm registration. Required
    /// (unless given by --cli-input-json).
    #[arg(long, value_name = "value", help_heading = "ConfirmSignUp options")]
    pub confirmation_code: Option<String>,
    /// Force user confirmation irrespective of an existing alias (default false): a verified
    /// alias held by another user moves to this one instead of AliasExistsException.
    #[arg(
        long,
        overrides_with = "no_force_alias_creation",
        help_heading = "ConfirmSignUp options"
    )]
    pub force_alias_creation: bool,
    /// Send ForceAliasCreation false.
    #[arg(
        long,
        overrides_with = "force_alias_creation",
        help_heading = "ConfirmSignUp options"
    )]
    pub no_force_alias_creation: bool,
    /// Shorthand `AnalyticsEndpointId=string`, or JSON `{"AnalyticsEndpointId": "string"}`.
    #[arg(long, value_name = "value", help_heading = "ConfirmSignUp options")]
    pub analytics_metadata: Option<String>,
    /// Shorthand `IpAddress=string,EncodedData=string`, or JSON
    /// `{"IpAddress": "string", "EncodedData": "string"}`.
    #[arg(long, value_name = "value", help_heading = "ConfirmSignUp options")]
    pub user_context_data: Option<String>,
    /// Shorthand `KeyName1=string,KeyName2=string`, or JSON `{"string": "string", ...}`.
    #[arg(long, value_name = "value", help_heading = "ConfirmSignUp options")]
    pub client_metadata: Option<String>,
    /// The session ID from the SignUp response (20 to 2048 characters), for signing in with
    /// USER_AUTH right after confirming. Never printed: --debug shows it as ***.
    #[arg(long, value_name = "value", value_parser = secret, help_heading = "ConfirmSignUp options")]
    pub session: Option<Secret>,
    /// The request as JSON (the --generate-cli-skeleton format), a string or `file://path`;
    /// options given on the command line override its members.
    #[arg(long, value_name = "value", help_heading = "ConfirmSignUp options")]
    pub cli_input_json: Option<String>,
    /// Print a JSON skeleton and send nothing: `input` (the default) for --cli-input-json;
    /// `output` validates the options and prints the output skeleton, which for
    /// ConfirmSignUp's empty output is `{}` (nothing with --output json).
    #[arg(
        long,
        value_name = "value",
        num_args = 0..=1,
        default_missing_value = "input",
        value_enum,
        help_heading = "ConfirmSignUp options"
    )]
    pub generate_cli_skeleton: Option<Skeleton>,

    /// Log the endpoint, the request and the answer to stderr; the confirmation code, the
    /// SecretHash, the Session and the client secret show as ***.
    #[arg(long, help_heading = "Global options")]
    pub debug: bool,
    /// Send to this URL instead of the region's AWS endpoint (also
    /// AWS_ENDPOINT_URL_COGNITO_IDENTITY_PROVIDER, AWS_ENDPOINT_URL): http:// or https://, any
    /// host, no user name or password, no query or fragment. A region is still required.
    #[arg(long, value_name = "value", help_heading = "Global options")]
    pub endpoint_url: Option<String>,
    /// Do not verify the server's TLS certificate.
    #[arg(long, help_heading = "Global options")]
    pub no_verify_ssl: bool,
    /// Accepted and ignored: ConfirmSignUp does not paginate.
    #[arg(long, help_heading = "Global options")]
    pub no_paginate: bool,
    /// The formatting style for command output (default json, or AWS_DEFAULT_OUTPUT).
    #[arg(
        long,
        value_name = "value",
        value_enum,
        help_heading = "Global options"
    )]
    pub output: Option<Format>,
    /// A JMESPath query to use in filtering the response data.
    #[arg(long, value_name = "value", help_heading = "Global options")]
    pub query: Option<String>,
    /// The profile of the shared config and credentials files (also AWS_PROFILE): it must
    /// exist, and its `region` is used when no --region, AWS_REGION or AWS_DEFAULT_REGION is
    /// set. No credentials are read: ConfirmSignUp is unsigned.
    #[arg(long, value_name = "value", help_heading = "Global options")]
    pub profile: Option<String>,
    /// The region (also AWS_REGION, AWS_DEFAULT_REGION, the profile's `region`); required, as
    /// by the AWS CLI. Without an endpoint URL the request goes to
    /// https://cognito-idp.<region>.amazonaws.com/.
    #[arg(long, value_name = "value", help_heading = "Global options")]
    pub region: Option<String>,
    /// Print cogbench's version.
    #[arg(long, help_heading = "Global options")]
    pub version: bool,
    /// Colour of table output and of the verdict: on, off, auto (a terminal, and NO_COLOR
    /// unset).
    #[arg(long, value_name = "value", value_enum, default_value_t = ColorArg::Auto, help_heading = "Global options")]
    pub color: ColorArg,
    /// Accepted: ConfirmSignUp is never signed, with or without it.
    #[arg(long, help_heading = "Global options")]
    pub no_sign_request: bool,
    /// A PEM file of CA certificates, the only roots trusted for TLS (also AWS_CA_BUNDLE).
    #[arg(long, value_name = "value", help_heading = "Global options")]
    pub ca_bundle: Option<PathBuf>,
    /// Seconds to wait for the answer (default 60; 0 waits for ever).
    #[arg(long, value_name = "value", help_heading = "Global options")]
    pub cli_read_timeout: Option<u64>,
    /// Seconds to wait for the connection (default 60; 0 waits for ever).
    #[arg(long, value_name = "value", help_heading = "Global options")]
    pub cli_connect_timeout: Option<u64>,

    /// cogbench's addition: the app client's secret, from which cogbench computes the
    /// SecretHash over the username and client ID (also COGBENCH_CLIENT_SECRET, which keeps it
    /// out of the process list). Never printed.
    #[arg(long, value_name = "value", value_parser = secret, help_heading = "cogbench additions")]
    pub client_secret: Option<Secret>,
    /// cogbench's addition: after the answer, print on stderr this request's conformance
    /// verdict (against the catalog case it matches where the request alone decides the
    /// answer, else against the documented answer shape) and the time it took.
    #[arg(long, help_heading = "cogbench additions")]
    pub verdict: bool,
}

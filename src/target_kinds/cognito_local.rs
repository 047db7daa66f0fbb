//! cognito-local (npm): codes read from its database files.

use super::code_source::CodeSource;
use super::descriptor::KindSpec;
use crate::cases::Capability;

pub static SPEC: KindSpec = KindSpec {
    name: "cognito-local",
    in_process: false,
    // cognito-local 5.3.0 answers ResendConfirmationCode with a 500.
    capabilities: &[],
    codes: |inputs| {
        Ok(CodeSource::CognitoLocal {
            data_dir: inputs
                .data_dir
                .ok_or("target: kind cognito-local needs `data_dir` (or --data-dir): the folder it runs in, where .cognito/db/ holds its pools")?
                .into(),
        })
    },
    takes_codes: false,
    // cognito-local rewrites a pool's whole database file on every change, and two saves in
    // flight at once can leave the older one on disk (a user it holds in memory missing from
    // the file, its code unreadable): one sign-up at a time.
    max_signup_workers: Some(1),
    refuses_existing_pool: None,
    refuses_provision: None,
    from_region: false,
    real_pool: false,
    lacks: &[
        (
            Capability::PostConfirmationTrigger,
            "cognito-local calls triggers only through the Lambda endpoint of its config.json (LambdaClient, TriggerFunctions); when it names a `cogbench emulator` and its reference trigger, as scripts/peers/run-catalog.sh sets up, declare `configured: [post-confirmation-trigger]` (its ConfirmSignUp answers 200 whatever the trigger does: the trigger's error is logged, not returned)",
        ),
        (
            Capability::WebAcl,
            "cognito-local has no web ACL (AWS WAF) to put a pool behind",
        ),
        (
            Capability::RateQuota,
            "cognito-local enforces no request-rate quota",
        ),
        (
            Capability::InternalErrorFault,
            "cognito-local has no switch that makes it answer InternalErrorException",
        ),
    ],
    configurable: &[Capability::PostConfirmationTrigger],
};

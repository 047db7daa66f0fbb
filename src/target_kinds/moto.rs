//! moto's server mode (PyPI): it checks no codes, so any code is sent.

use super::code_source::CodeSource;
use super::descriptor::KindSpec;
use crate::cases::Capability;

pub static SPEC: KindSpec = KindSpec {
    name: "moto",
    in_process: false,
    // moto 5.2.5 answers ResendConfirmationCode with a 500.
    capabilities: &[],
    // moto checks no confirmation code (it has none to expose): any code is accepted.
    codes: |_| Ok(CodeSource::Fixed("123456".into())),
    takes_codes: false,
    max_signup_workers: None,
    refuses_existing_pool: None,
    refuses_provision: None,
    from_region: false,
    real_pool: false,
    lacks: &[
        (
            Capability::PostConfirmationTrigger,
            "moto stores a pool's LambdaConfig but invokes no trigger on ConfirmSignUp",
        ),
        (
            Capability::WebAcl,
            "moto blocks no user-pool request by a web ACL",
        ),
        (Capability::RateQuota, "moto enforces no request-rate quota"),
        (
            Capability::InternalErrorFault,
            "moto has no switch that makes it answer InternalErrorException",
        ),
    ],
    configurable: &[],
};

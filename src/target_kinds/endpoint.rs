//! Any other endpoint that speaks the Cognito API unsigned, with a code source of the
//! scenario's (`target.codes`).

use super::code_source::CodeSource;
use super::descriptor::KindSpec;
use crate::cases::Capability;

pub static SPEC: KindSpec = KindSpec {
    name: "endpoint",
    in_process: false,
    capabilities: &[Capability::ResendCodes],
    codes: |inputs| Ok(inputs.scenario_codes.unwrap_or(CodeSource::None)),
    takes_codes: true,
    max_signup_workers: None,
    refuses_existing_pool: None,
    refuses_provision: None,
    from_region: false,
    real_pool: false,
    // What a pool there has, the scenario declares (`target.configured`).
    lacks: &[],
    configurable: &[
        Capability::PostConfirmationTrigger,
        Capability::WebAcl,
        Capability::RateQuota,
        Capability::InternalErrorFault,
    ],
};

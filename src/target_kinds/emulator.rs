//! A running `cogbench emulator` (or a server with its `/_emulator/` side routes): the kind
//! of an endpoint given without one.

use super::code_source::CodeSource;
use super::descriptor::KindSpec;
use crate::cases::Capability;

pub static SPEC: KindSpec = KindSpec {
    name: "emulator",
    in_process: false,
    // Only cogbench's emulator has a clock to move (its side route), and sets up the pools
    // the trigger, WAF, quota and internal-error cases need (its reference trigger and
    // `cogbench:` pool tags).
    capabilities: &[
        Capability::AdvanceClock,
        Capability::ResendCodes,
        Capability::PostConfirmationTrigger,
        Capability::WebAcl,
        Capability::RateQuota,
        Capability::InternalErrorFault,
    ],
    codes: |_| Ok(CodeSource::EmulatorRoute),
    takes_codes: false,
    max_signup_workers: None,
    refuses_existing_pool: None,
    refuses_provision: None,
    from_region: false,
    real_pool: false,
    lacks: &[],
    configurable: &[],
};

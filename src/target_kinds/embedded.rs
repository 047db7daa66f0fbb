//! The reference emulator, started in-process.

use super::code_source::CodeSource;
use super::descriptor::KindSpec;
use crate::cases::Capability;

pub static SPEC: KindSpec = KindSpec {
    name: "embedded",
    in_process: true,
    // Only cogbench's emulator has a clock to move (its side route).
    capabilities: &[Capability::AdvanceClock, Capability::ResendCodes],
    codes: |_| Ok(CodeSource::EmulatorRoute),
    takes_codes: false,
    max_signup_workers: None,
    refuses_existing_pool: Some(
        "pool.existing: the embedded emulator starts empty; name the running target that holds the pool (target.endpoint or --endpoint-url)",
    ),
    refuses_provision: Some(
        "provision: the embedded emulator starts empty and stops with the command that started it; name a running target (target.endpoint or --endpoint-url, e.g. `cogbench emulator --port 9229`)",
    ),
};

//! The reference emulator, started in-process: a running emulator's descriptor, except that
//! it starts empty and stops with the command that started it.

use super::descriptor::KindSpec;

pub static SPEC: KindSpec = KindSpec {
    name: "embedded",
    in_process: true,
    refuses_existing_pool: Some(
        "pool.existing: the embedded emulator starts empty; name the running target that holds the pool (target.endpoint or --endpoint-url)",
    ),
    refuses_provision: Some(
        "provision: the embedded emulator starts empty and stops with the command that started it; name a running target (target.endpoint or --endpoint-url, e.g. `cogbench emulator --port 9229`)",
    ),
    ..super::emulator::SPEC
};

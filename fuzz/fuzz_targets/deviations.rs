//! Any bytes as a known-deviations list (`--known-deviations`): a list or a positioned
//! error, never a panic.
#![no_main]

#[path = "common_scratch.rs"]
mod common_scratch;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let file = common_scratch::scratch_file("deviations", "known-deviations.yaml", data);
    let _ = cogbench::deviations::load(&file);
});

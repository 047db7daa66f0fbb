//! Any bytes as a snapshot (`run --oracle`, `oracle check`): a snapshot or an error naming
//! the file, never a panic.
#![no_main]

#[path = "common_scratch.rs"]
mod common_scratch;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let file = common_scratch::scratch_file("snapshot", "snapshot.json", data);
    let _ = cogbench::oracle::Snapshot::load(&file);
});

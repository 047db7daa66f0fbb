//! Any bytes as the users CSV of existing-pool mode (`users.from_csv`): users or an error
//! naming the file and line, never a panic.
#![no_main]

#[path = "common_scratch.rs"]
mod common_scratch;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let file = common_scratch::scratch_file("users_csv", "users.csv", data);
    let scenario = file.with_file_name("scenario.yaml");
    let _ = cogbench::scenario::existing::read_csv(&scenario, "users.csv");
});

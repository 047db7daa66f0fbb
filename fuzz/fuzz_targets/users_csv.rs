//! Any bytes as the users CSV of existing-pool mode (`users.from_csv`): users or an error
//! naming the file and line, never a panic; a file that checks reads back row for row, each
//! row checking again.
#![no_main]

#[path = "common_scratch.rs"]
mod common_scratch;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let file = common_scratch::scratch_file("users_csv", "users.csv", data);
    let scenario = file.with_file_name("scenario.yaml");
    let now = std::time::SystemTime::now();
    for case_sensitive in [true, false] {
        let Ok(listed) = cogbench::scenario::existing::check_csv(
            &scenario,
            "users.csv",
            None,
            now,
            std::time::Duration::from_secs(60),
            case_sensitive,
        ) else {
            continue;
        };
        let rows = listed.read().expect("a file that checked opens again");
        let mut n = 0u64;
        for row in rows {
            row.expect("a row that checked reads again");
            n += 1;
        }
        assert_eq!(n, listed.rows, "every row read back");
    }
});

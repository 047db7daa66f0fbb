//! Any bytes as a run's summary.json, read as `compare`, `merge` and `report` read it: an
//! error naming the file, or reports written, never a panic.
#![no_main]

#[path = "common_scratch.rs"]
mod common_scratch;

use cogbench::report::export::{Format, read_summary, render, typed};
use libfuzzer_sys::fuzz_target;

const FORMATS: [&str; 6] = ["json", "csv", "junit", "hlog", "html", "markdown"];

fuzz_target!(|data: &[u8]| {
    let file = common_scratch::scratch_file("summary", "summary.json", data);
    let _ = cogbench::compare::compare(&file, &file, (None, None, None));
    let _ = cogbench::merge::merge(std::slice::from_ref(&file), None);
    let Ok((_, value)) = read_summary(&file) else {
        return;
    };
    let Ok(summary) = typed(&value) else {
        return;
    };
    // Exporters are pure: what a hostile summary can break is in the rendering.
    for name in FORMATS {
        let format = Format::parse(name).expect("a known format");
        let _ = render(format, &summary);
    }
});

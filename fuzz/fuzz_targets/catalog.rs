//! Any text as a team catalog (a scenario's `catalog:`), added to the built-in one: cases
//! added or a positioned error, never a panic.
#![no_main]

use std::path::Path;
use std::sync::OnceLock;

use cogbench::cases::Catalog;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static BUILTIN: OnceLock<Catalog> = OnceLock::new();
    let text = String::from_utf8_lossy(data);
    let mut catalog = BUILTIN.get_or_init(Catalog::builtin).clone();
    let _ = catalog.extend_from_str(&text, Path::new("team-catalog.yaml"));
    // The same text as a whole catalog (the built-in one's format).
    let _ = Catalog::parse(&text, Path::new("cases.yaml"));
});

//! Any text as a scenario file: a plan or a positioned error, never a panic.
#![no_main]

use std::path::Path;
use std::sync::{Arc, OnceLock};

use cogbench::cases::Catalog;
use cogbench::scenario::{self, Overrides};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static CATALOG: OnceLock<Arc<Catalog>> = OnceLock::new();
    let catalog = CATALOG.get_or_init(|| Arc::new(Catalog::builtin())).clone();
    let text = String::from_utf8_lossy(data);
    let _ = scenario::parse(
        &text,
        Path::new("fuzz.yaml"),
        catalog,
        &Overrides::default(),
    );
});

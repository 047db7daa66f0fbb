//! Any argv through the command-line parser main uses (`Cli::try_parse`): arguments are the
//! input split at NUL bytes. A parse or a usage error, never a panic (clap's debug asserts on
//! the definitions run too, since fuzz builds have debug assertions on).
#![no_main]

use std::ffi::OsString;
use std::os::unix::ffi::OsStringExt;

use clap::Parser;
use cogbench::cli::Cli;
use libfuzzer_sys::fuzz_target;

const SUBCOMMANDS: [&str; 14] = [
    "run",
    "record",
    "oracle",
    "provision",
    "diff",
    "validate",
    "emulator",
    "bench",
    "compare",
    "merge",
    "report",
    "confirm-sign-up",
    "cases",
    "help",
];

fuzz_target!(|data: &[u8]| {
    // The first byte picks a subcommand so the fuzzer need not discover the names first.
    let Some((&pick, rest)) = data.split_first() else {
        return;
    };
    let mut argv: Vec<OsString> = vec!["cogbench".into()];
    if pick < 0xf0 {
        argv.push(SUBCOMMANDS[usize::from(pick) % SUBCOMMANDS.len()].into());
    }
    argv.extend(
        rest.split(|&b| b == 0)
            .map(|a| OsString::from_vec(a.to_vec())),
    );
    let _ = Cli::try_parse_from(argv);
});

//! Any text as `confirm-sign-up --cli-input-json`, with `--generate-cli-skeleton output` so
//! the options are validated and nothing is sent: exit 0 or the AWS CLI's usage error (252),
//! never a panic.
#![no_main]

use std::sync::OnceLock;

use clap::Parser;
use cogbench::cli::{Cli, Command};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    let rt = RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime")
    });
    let text = String::from_utf8_lossy(data);
    // `--option=value`, so a text starting with `-` stays the option's value.
    let input = format!("--cli-input-json={text}");
    let argv = [
        "cogbench",
        "confirm-sign-up",
        &input,
        "--generate-cli-skeleton",
        "output",
        "--output",
        "json",
        // `output` resolves the region as the AWS CLI does (no region: exit 253); the
        // endpoint it would use is never contacted.
        "--region",
        "us-east-1",
    ];
    let Ok(Cli {
        command: Command::ConfirmSignUp(args),
    }) = Cli::try_parse_from(argv)
    else {
        return;
    };
    let code = rt.block_on(cogbench::awscli::run(args));
    assert!(
        code == 0 || code == cogbench::awscli::EXIT_USAGE,
        "exit {code} for a skeleton request"
    );
});

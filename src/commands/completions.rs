//! `cogbench completions SHELL`: the shell's completion script, written from the command line's
//! own definition, so every command and option is in it.

use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit::Failure;

pub fn completions(shell: clap_complete::Shell) -> Result<i32, Failure> {
    let mut command = Cli::command();
    // Written to memory first: clap_complete panics on a write error, and stdout may be a pipe
    // closed early (`| head`).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "cogbench", &mut script);
    let script = String::from_utf8(script)
        .map_err(|_| Failure::Failed("the completion script is not UTF-8".into()))?;
    crate::term::out_raw(&script);
    Ok(0)
}

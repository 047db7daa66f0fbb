//! The binary: parse the command line, start the runtime, and hand each command its inputs
//! (`cogbench::inputs`) and its work (`cogbench::commands`). Every error becomes an exit code
//! in `cogbench::exit`.

use std::process::ExitCode;

use cogbench::cli::{self, Command};
use cogbench::commands;
use cogbench::errln;
use cogbench::exit::{self, Failure};
use cogbench::exit_codes::EXIT_FAILED;
use cogbench::inputs::{self, ProcessEnv};
use cogbench::interrupt::Interrupts;

fn main() -> ExitCode {
    let cli = cli::parse();
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            errln!("cogbench: error: cannot start the async runtime: {e}");
            return ExitCode::from(EXIT_FAILED as u8);
        }
    };
    let env = ProcessEnv;
    let code = match cli.command {
        Command::ConfirmSignUp(args) => runtime.block_on(cogbench::awscli::run(args)),
        Command::Run(args) => on_target(&runtime, async |interrupts| {
            commands::run(inputs::run(&args, &env)?, interrupts).await
        }),
        Command::Record(args) => on_target(&runtime, async |interrupts| {
            let inputs = inputs::record(&args, &env)?;
            commands::record(inputs, args.accept_server_errors, interrupts).await
        }),
        Command::Diff(args) => on_target(&runtime, async |interrupts| {
            let inputs = inputs::diff(&args, &env)?;
            let files = (args.left.as_path(), args.right.as_path());
            commands::diff(inputs, files, args.fail_on_difference, interrupts).await
        }),
        Command::Provision(args) => on_target(&runtime, async |interrupts| {
            commands::provision(inputs::provision(&args, &env), interrupts).await
        }),
        Command::Bench(args) => on_target(&runtime, async |interrupts| {
            commands::bench(inputs::bench(&args, &env)?, interrupts).await
        }),
        Command::Emulator {
            port,
            host,
            region,
            attempt_limit,
            faults,
            quota,
            lambda_endpoint,
            require_signature,
            signing_access_key_id,
        } => on_target(&runtime, async |interrupts| {
            let options = commands::EmulatorOptions {
                host,
                port,
                region,
                attempt_limit,
                faults,
                quota,
                lambda_endpoint,
                require_signature,
                signing_access_key_id,
            };
            commands::emulator(options, &ProcessEnv, interrupts).await
        }),
        Command::Oracle { command } => exit::code(commands::oracle(command)),
        Command::Validate { files } => exit::code(commands::validate(&files)),
        Command::Cases { output } => exit::code(commands::cases(output)),
        Command::Completions { shell } => exit::code(commands::completions(shell)),
        Command::Man {
            command,
            output_dir,
        } => exit::code(commands::man(&command, output_dir.as_deref())),
        Command::Schema { format } => exit::code(commands::schema(format)),
        Command::Compare(args) => exit::code(commands::compare(&args)),
        Command::Merge(args) => exit::code(commands::merge(&args)),
        Command::Report {
            run_dir,
            formats,
            output_dir,
        } => exit::code(commands::report(&run_dir, &formats, output_dir.as_deref())),
    };
    // Output that could not be written (a full disk) is a failed command, unless it earned worse.
    let code = if code == 0 && cogbench::term::output_failed() {
        EXIT_FAILED
    } else {
        code
    };
    ExitCode::from(code.clamp(0, 255) as u8)
}

/// A command that may reach a target or serve one: it runs on the runtime, and hears Ctrl-C and
/// SIGTERM from its first step, so that one during set-up still cleans up.
fn on_target(
    runtime: &tokio::runtime::Runtime,
    command: impl AsyncFnOnce(Interrupts) -> Result<i32, Failure>,
) -> i32 {
    exit::code(runtime.block_on(async { command(Interrupts::listen()).await }))
}

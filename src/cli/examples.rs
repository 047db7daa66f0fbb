//! One example (or two) for each command's help, and the emulator's page: what a newcomer reads
//! first. A test parses every example line with the real command line, so none can drift.

use crate::protocol::pool_settings as tags;

pub const TOP: &str = "\
Examples:
  cogbench run scenarios/smoke.yaml
  cogbench run scenarios/conformance.yaml --report junit --report html
  cogbench emulator --port 9229
  cogbench cases

`cogbench help COMMAND` (or COMMAND --help) shows a command's options and an example; \
`cogbench man` prints the manual page.";

pub const RUN: &str = "\
Examples:
  cogbench run scenarios/smoke.yaml
  cogbench run scenarios/conformance.yaml --cases 'member-*' --report junit
  cogbench run scenarios/smoke.yaml --endpoint-url http://127.0.0.1:9229";

pub const RECORD: &str = "\
Example:
  cogbench record scenarios/conformance.yaml --output snapshot.json";

pub const ORACLE_CHECK: &str = "\
Example:
  cogbench oracle check fixtures/snapshots/embedded.json";

pub const PROVISION: &str = "\
Example:
  cogbench provision --scenario my-pool.yaml --users 1000 --output users.csv";

pub const DIFF: &str = "\
Example:
  cogbench diff scenarios/smoke.yaml scenarios/emulators/moto.yaml";

pub const VALIDATE: &str = "\
Example:
  cogbench validate scenarios/smoke.yaml scenarios/conformance.yaml";

pub const EMULATOR: &str = "\
Examples:
  cogbench emulator --port 9229
  cogbench emulator --port 9229 --faults error=0.01,delay=5ms@0.1
  cogbench emulator --port 9229 --quota user-creation=50";

pub const BENCH: &str = "\
Example:
  cogbench bench --endpoint-url http://127.0.0.1:8080 --case raw -c 64 -z 10s";

pub const COMPARE: &str = "\
Example:
  cogbench compare BASELINE_DIR CURRENT_DIR --max-p99-increase 10";

pub const MERGE: &str = "\
Example:
  cogbench merge shard-1 shard-2 shard-3 --output-dir merged";

pub const REPORT: &str = "\
Example:
  cogbench report reports/smoke/RUN --format html --format junit";

pub const CONFIRM_SIGN_UP: &str = "\
Example:
  cogbench confirm-sign-up --endpoint-url http://127.0.0.1:9229 \\
      --region us-east-1 --client-id 38fjsnc484p94kpqsnet7mpld0 \\
      --username jane --confirmation-code 123456";

pub const CASES: &str = "\
Examples:
  cogbench cases
  cogbench cases --output json";

pub const COMPLETIONS: &str = "\
Examples:
  cogbench completions bash > /etc/bash_completion.d/cogbench
  cogbench completions zsh > ~/.zfunc/_cogbench
  cogbench completions fish > ~/.config/fish/completions/cogbench.fish";

pub const MAN: &str = "\
Examples:
  cogbench man run | man -l -
  cogbench man --output-dir /usr/local/share/man/man1";

/// The emulator's long description: besides `--faults`, the pool set-ups its cases use, which
/// a pool's creator asks for through UserPoolTags and LambdaConfig.
pub fn emulator_about() -> String {
    format!(
        "Serve the embedded reference emulator for other tools (Ctrl-C stops it).\n\n\
         Faults for the whole emulator are set with --faults (each is listed under it). A pool \
         gets its own through UserPoolTags at CreateUserPool:\n\
         \x20 {fault}=internal-error\n\
         \x20     every ConfirmSignUp to the pool answers 500 InternalErrorException\n\
         \x20 {block}=NAME\n\
         \x20     a web ACL rule: a ConfirmSignUp carrying the header NAME answers 403 \
         ForbiddenException (a WAF block)\n\
         \x20 {quota}=RPS\n\
         \x20     the pool's own UserCreation rate (SignUp and ConfirmSignUp); over it, \
         TooManyRequestsException\n\n\
         A pool's LambdaConfig.PostConfirmation trigger runs once a user is confirmed. The \
         function {trigger} runs in-process and does what ClientMetadata[\"{key}\"] says: \
         succeed, raise:TEXT, echo, bad-output or fail. Any other function is invoked at \
         --lambda-endpoint.",
        fault = tags::TAG_FAULT,
        block = tags::TAG_BLOCK_HEADER,
        quota = tags::TAG_QUOTA,
        trigger = tags::REFERENCE_TRIGGER,
        key = tags::TRIGGER_BEHAVIOUR_KEY,
    )
}

#[cfg(test)]
mod tests {
    use clap::{CommandFactory, Parser};

    /// Help is indented by nothing and examples by two: at 78 columns none is wrapped on an
    /// 80-column terminal, where a wrapped half would read as a command of its own.
    const EXAMPLE_WIDTH: usize = 78;

    use crate::cli::Cli;

    /// The example lines of a help text: `  cogbench …`, up to a redirection or a pipe, in words
    /// (single quotes group, as a shell's do).
    fn examples(text: &str) -> Vec<Vec<String>> {
        for line in text.lines().filter(|l| l.starts_with("  ")) {
            assert!(
                line.chars().count() <= EXAMPLE_WIDTH,
                "an example line wider than {EXAMPLE_WIDTH} columns is wrapped on an 80-column \
                 terminal: {line}"
            );
        }
        // A line ending in ` \` goes on, as in a shell.
        let joined = text.replace(" \\\n", " ");
        joined
            .lines()
            .filter_map(|l| l.strip_prefix("  cogbench "))
            .map(|line| {
                let mut words = vec!["cogbench".to_owned()];
                let mut word = String::new();
                let mut quoted = false;
                for c in line.chars() {
                    match c {
                        '\'' => quoted = !quoted,
                        ' ' if !quoted => {
                            words.extend(Some(std::mem::take(&mut word)).filter(|w| !w.is_empty()))
                        }
                        _ => word.push(c),
                    }
                }
                words.extend(Some(word).filter(|w| !w.is_empty()));
                let end = words.iter().position(|w| w == ">" || w == "|");
                words.truncate(end.unwrap_or(words.len()));
                words
            })
            .collect()
    }

    fn help_of(command: &clap::Command) -> String {
        [command.get_after_help(), command.get_after_long_help()]
            .into_iter()
            .flatten()
            .map(|h| h.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Every command's help shows an example, and every example is a command line cogbench
    /// takes, naming files the repository has (placeholders are in capitals).
    #[test]
    fn every_command_has_an_example_that_parses() {
        let mut stack = vec![(String::new(), Cli::command())];
        let mut seen = 0;
        while let Some((path, command)) = stack.pop() {
            let lines = examples(&help_of(&command));
            let with_subcommands = command.has_subcommands();
            assert!(
                !lines.is_empty(),
                "`cogbench{path}` has no example in its help"
            );
            for words in &lines {
                if !with_subcommands || path.is_empty() {
                    assert!(
                        words.join(" ").starts_with(&format!("cogbench{path}")),
                        "`cogbench{path}`'s example is for another command: {words:?}"
                    );
                }
                if let Err(e) = Cli::try_parse_from(words) {
                    panic!("`{}` does not parse:\n{e}", words.join(" "));
                }
                for word in words.iter().filter(|w| {
                    (w.ends_with(".yaml") || w.ends_with(".json"))
                        && !w.chars().any(|c| c.is_ascii_uppercase())
                        && w.contains('/')
                }) {
                    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(word);
                    assert!(file.exists(), "an example names {word}, which is not there");
                }
                seen += 1;
            }
            for sub in command.get_subcommands().filter(|s| s.get_name() != "help") {
                stack.push((format!("{path} {}", sub.get_name()), sub.clone()));
            }
        }
        assert!(seen >= 20, "{seen} examples");
    }

    #[test]
    fn the_emulator_page_lists_every_fault_and_pool_set_up() {
        let mut command = Cli::command();
        let emulator = command.find_subcommand_mut("emulator").expect("emulator");
        let help = emulator.render_long_help().to_string();
        for (name, _, _) in crate::faults::TABLE {
            assert!(
                help.contains(&format!("{name}=")),
                "--help lacks fault {name}"
            );
        }
        let short = emulator.render_help().to_string();
        for (name, _, _) in crate::faults::TABLE {
            assert!(short.contains(&format!("{name}=")), "-h lacks fault {name}");
        }
        for tag in [
            super::tags::TAG_FAULT,
            super::tags::TAG_BLOCK_HEADER,
            super::tags::TAG_QUOTA,
        ] {
            assert!(help.contains(tag), "--help lacks the pool tag {tag}");
        }
    }

    #[test]
    fn run_says_what_its_file_is() {
        let mut command = Cli::command();
        let run = command.find_subcommand_mut("run").expect("run");
        let help = run.render_long_help().to_string();
        assert!(
            help.contains("<FILE>\n          The scenario file (YAML)"),
            "{help}"
        );
    }
}

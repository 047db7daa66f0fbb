//! Values offered to completion scripts for options cogbench checks itself: the value is taken
//! as text, as before, and refused later with cogbench's own message (which names the file or
//! the scenario key); the completion scripts and `--help` list the names.

use std::ffi::OsStr;

use clap::builder::{PossibleValue, StringValueParser, TypedValueParser};

#[derive(Clone)]
pub struct Offered(fn() -> Vec<&'static str>);

impl TypedValueParser for Offered {
    type Value = String;

    fn parse_ref(
        &self,
        command: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<String, clap::Error> {
        StringValueParser::new().parse_ref(command, arg, value)
    }

    fn possible_values(&self) -> Option<Box<dyn Iterator<Item = PossibleValue> + '_>> {
        Some(Box::new((self.0)().into_iter().map(PossibleValue::new)))
    }
}

pub fn target_kinds() -> Offered {
    Offered(|| crate::target_kinds::ALL.iter().map(|k| k.name).collect())
}

pub fn report_formats() -> Offered {
    Offered(|| {
        crate::scenario::reports::Format::ALL
            .map(crate::scenario::reports::Format::name)
            .to_vec()
    })
}

pub fn colors() -> Offered {
    Offered(|| vec!["on", "off", "auto"])
}

/// `cogbench man`'s COMMAND words: every command's name, nested ones included (a test holds
/// the list to the command line's definition).
pub fn command_words() -> Offered {
    Offered(|| COMMAND_WORDS.to_vec())
}

const COMMAND_WORDS: &[&str] = &[
    "bench",
    "cases",
    "check",
    "compare",
    "completions",
    "confirm-sign-up",
    "diff",
    "emulator",
    "man",
    "merge",
    "oracle",
    "provision",
    "record",
    "report",
    "run",
    "scenario",
    "schema",
    "validate",
];

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn the_command_words_are_the_commands() {
        let mut words = Vec::new();
        let mut stack = vec![super::super::Cli::command()];
        while let Some(command) = stack.pop() {
            for sub in command.get_subcommands() {
                words.push(sub.get_name().to_owned());
                stack.push(sub.clone());
            }
        }
        words.retain(|w| w != "help");
        words.sort();
        words.dedup();
        assert_eq!(words, super::COMMAND_WORDS);
    }
}

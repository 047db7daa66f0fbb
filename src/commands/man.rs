//! `cogbench man`: manual pages in roff, from the command line's own definition: cogbench(1),
//! a command's own (cogbench-run(1), …), or all of them into a folder, as packagers install
//! them.

use std::path::Path;

use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit::Failure;

pub fn man(path: &[String], output_dir: Option<&Path>) -> Result<i32, Failure> {
    let command = Cli::command();
    match output_dir {
        None => {
            let name = std::iter::once("cogbench")
                .chain(path.iter().map(String::as_str))
                .collect::<Vec<_>>()
                .join("-");
            let Some((_, command)) = pages(command).into_iter().find(|p| p.0 == name) else {
                return Err(Failure::BadInput(format!(
                    "no command `{}`; `cogbench --help` lists them",
                    crate::term::inline(&path.join(" "))
                )));
            };
            crate::term::out_raw(&page(command)?);
            Ok(0)
        }
        Some(dir) => {
            if dir.exists() && !dir.is_dir() {
                return Err(Failure::BadInput(format!(
                    "--output-dir {} is a file, not a folder",
                    dir.display()
                )));
            }
            std::fs::create_dir_all(dir)
                .map_err(|e| Failure::Failed(format!("cannot create {}: {e}", dir.display())))?;
            let mut written = 0;
            for (name, command) in pages(command) {
                let path = dir.join(format!("{name}.1"));
                std::fs::write(&path, page(command)?).map_err(|e| {
                    Failure::Failed(format!("cannot write {}: {e}", path.display()))
                })?;
                written += 1;
            }
            crate::errln!(
                "cogbench: {written} manual pages written to {}",
                dir.display()
            );
            Ok(0)
        }
    }
}

/// The top command and every subcommand (nested ones as `cogbench-oracle-check`), each named
/// as its page is.
fn pages(top: clap::Command) -> Vec<(String, clap::Command)> {
    // `help` has no page: the pages would otherwise list cogbench-help(1), which none writes.
    let mut top = without_help(top);
    top.build();
    let mut pages = Vec::new();
    let mut stack = vec![("cogbench".to_owned(), top)];
    while let Some((name, command)) = stack.pop() {
        for sub in command.get_subcommands() {
            let sub_name = format!("{name}-{}", sub.get_name());
            stack.push((sub_name.clone(), sub.clone().name(sub_name)));
        }
        pages.push((name, command));
    }
    pages.sort_by(|a, b| a.0.cmp(&b.0));
    pages
}

fn without_help(command: clap::Command) -> clap::Command {
    let names: Vec<String> = command
        .get_subcommands()
        .filter(|s| s.has_subcommands())
        .map(|s| s.get_name().to_owned())
        .collect();
    names
        .iter()
        .fold(command.disable_help_subcommand(true), |c, name| {
            c.mut_subcommand(name, without_help)
        })
}

/// A page as clap_mangen writes it, but for the text after the options: its examples go in an
/// EXAMPLES section set line for line (filled, a command would be broken and hyphenated), the
/// rest in NOTES.
fn page(command: clap::Command) -> Result<String, Failure> {
    let after = command
        .get_after_long_help()
        .or(command.get_after_help())
        .map(|t| t.to_string())
        .unwrap_or_default();
    let command = command
        .after_help(None::<&str>)
        .after_long_help(None::<&str>);
    let mut roff = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut roff)
        .map_err(|e| Failure::Failed(format!("cannot render the manual page: {e}")))?;
    let mut roff = String::from_utf8(roff)
        .map_err(|_| Failure::Failed("the manual page is not UTF-8".into()))?;
    let extra = after_sections(&after);
    match roff.find("\n.SH VERSION") {
        Some(at) => roff.insert_str(at + 1, &extra),
        None => roff.push_str(&extra),
    }
    Ok(roff)
}

/// The after-help text's paragraphs as roff: those headed `Example…:` in EXAMPLES, unfilled
/// (the heading kept when it says more than "Example:"); the others in NOTES.
fn after_sections(text: &str) -> String {
    let mut examples = String::new();
    let mut notes = String::new();
    for paragraph in text
        .split("\n\n")
        .map(str::trim_end)
        .filter(|p| !p.is_empty())
    {
        let mut lines = paragraph.lines();
        let first = lines.next().unwrap_or_default();
        if first.starts_with("Example") && first.ends_with(':') {
            examples.push_str(".PP\n");
            if first != "Example:" && first != "Examples:" {
                examples.push_str(&roff_line(first));
            }
            examples.push_str(".nf\n");
            for line in lines {
                examples.push_str(&roff_line(line));
            }
            examples.push_str(".fi\n");
        } else {
            // Prose is filled; indented lines (a command, a line to copy) are set as they are.
            notes.push_str(".PP\n");
            let mut prose: Vec<&str> = Vec::new();
            for line in paragraph.lines() {
                if line.starts_with("  ") {
                    if !prose.is_empty() {
                        notes.push_str(&roff_line(&prose.join(" ")));
                        prose.clear();
                    }
                    notes.push_str(".nf\n");
                    notes.push_str(&roff_line(line));
                    notes.push_str(".fi\n");
                } else {
                    prose.push(line);
                }
            }
            if !prose.is_empty() {
                notes.push_str(&roff_line(&prose.join(" ")));
            }
        }
    }
    let mut out = String::new();
    if !examples.is_empty() {
        out.push_str(".SH EXAMPLES\n");
        out.push_str(&examples);
    }
    if !notes.is_empty() {
        out.push_str(".SH NOTES\n");
        out.push_str(&notes);
    }
    out
}

/// One line of text as roff: backslashes and minus signs escaped, and a leading `.` or `'`
/// kept from reading as a request.
fn roff_line(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) {
        format!("\\&{escaped}\n")
    } else {
        format!("{escaped}\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_a_page_named_for_it() {
        let names: Vec<String> = pages(Cli::command()).into_iter().map(|p| p.0).collect();
        for expected in [
            "cogbench",
            "cogbench-run",
            "cogbench-oracle-check",
            "cogbench-man",
        ] {
            assert!(names.contains(&expected.to_owned()), "{names:?}");
        }
        assert!(!names.iter().any(|n| n.ends_with("-help")), "{names:?}");
    }

    #[test]
    fn a_page_names_its_command_and_shows_its_example() {
        let (_, run) = pages(Cli::command())
            .into_iter()
            .find(|p| p.0 == "cogbench-run")
            .expect("run's page");
        let roff = page(run).expect("renders");
        assert!(roff.starts_with(".ie"), "{}", &roff[..80.min(roff.len())]);
        assert!(roff.contains(".TH cogbench-run 1"), "{roff}");
        assert!(
            roff.contains(".SH EXAMPLES\n.PP\n.nf\n  cogbench run scenarios/smoke.yaml\n"),
            "{roff}"
        );
        assert!(!roff.contains(".SH EXTRA"), "{roff}");
    }

    #[test]
    fn no_page_names_a_help_page() {
        for (name, command) in pages(Cli::command()) {
            let roff = page(command).expect("renders");
            assert!(
                !roff.contains("\\-help(1)"),
                "{name} lists a help page:\n{roff}"
            );
        }
    }

    #[test]
    fn notes_are_filled_and_text_cannot_read_as_requests() {
        let roff = after_sections(
            "Exit codes: 0 ok\nand more.\n\n.so /etc/passwd\n\nExample:\n  a \\ b -x",
        );
        assert_eq!(
            roff,
            ".SH EXAMPLES\n.PP\n.nf\n  a \\e b \\-x\n.fi\n\
             .SH NOTES\n.PP\nExit codes: 0 ok and more.\n.PP\n\\&.so /etc/passwd\n"
        );
    }
}

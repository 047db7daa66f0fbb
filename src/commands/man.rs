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
fn pages(mut top: clap::Command) -> Vec<(String, clap::Command)> {
    top.build();
    let mut pages = Vec::new();
    let mut stack = vec![("cogbench".to_owned(), top)];
    while let Some((name, command)) = stack.pop() {
        for sub in command.get_subcommands() {
            if sub.get_name() == "help" {
                continue;
            }
            let sub_name = format!("{name}-{}", sub.get_name());
            stack.push((sub_name.clone(), sub.clone().name(sub_name)));
        }
        pages.push((name, command));
    }
    pages.sort_by(|a, b| a.0.cmp(&b.0));
    pages
}

fn page(command: clap::Command) -> Result<String, Failure> {
    let mut roff = Vec::new();
    clap_mangen::Man::new(command)
        .render(&mut roff)
        .map_err(|e| Failure::Failed(format!("cannot render the manual page: {e}")))?;
    String::from_utf8(roff).map_err(|_| Failure::Failed("the manual page is not UTF-8".into()))
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
        assert!(roff.contains("cogbench run scenarios/smoke.yaml"), "{roff}");
    }
}

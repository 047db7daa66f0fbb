//! The commands that read no target: `validate` (scenario files) and `cases` (the catalog).

use std::path::PathBuf;
use std::sync::Arc;

use super::cases_table::{self, Row};
use crate::cases::Catalog;
use crate::cli::Output;
use crate::exit::Failure;
use crate::outln;
use crate::scenario::{self, Overrides};
use crate::term::out_json;

/// Each file is checked and reported, the bad ones too.
pub fn validate(files: &[PathBuf]) -> Result<i32, Failure> {
    let catalog = Arc::new(Catalog::builtin());
    let mut code = 0;
    for file in files {
        match scenario::load(file, catalog.clone(), &Overrides::default()) {
            Ok(plan) => {
                let cycle: u64 = plan
                    .mix
                    .iter()
                    .filter(|m| m.skip.is_none())
                    .map(|m| u64::from(m.weight))
                    .sum();
                let bound: Option<u64> = plan.phases.iter().map(|p| p.starts(cycle)).sum();
                let skipped = plan.mix.iter().filter(|m| m.skip.is_some()).count();
                let users = match &plan.main_pool().pool.existing {
                    Some(e) => format!(
                        "{} listed users of existing pool {}",
                        plan.main_pool().users.listed.as_ref().map_or(0, |l| l.rows),
                        e.id
                    ),
                    None => match plan.on_demand_signups() {
                        0 => format!("{} users to provision", plan.total_signups()),
                        later => format!(
                            "{} users to provision before the load and about {later} during it, as it needs them",
                            plan.total_signups().saturating_sub(later)
                        ),
                    },
                };
                outln!(
                    "ok {}: {} cases ({} skipped on this target), {} phases, {}, {users}",
                    file.display(),
                    plan.mix.len(),
                    skipped,
                    plan.phases.len(),
                    bound.map_or("starts bounded by time".to_owned(), |b| format!(
                        "up to {b} starts (a group case sends several requests per start)"
                    )),
                );
            }
            Err(e) => code = Failure::BadInput(e.to_string()).report(),
        }
    }
    Ok(code)
}

pub fn cases(output: Output) -> Result<i32, Failure> {
    let catalog = Catalog::builtin();
    match output {
        Output::Json => {
            let items: Vec<_> = catalog
                .cases
                .iter()
                .map(|c| {
                    serde_json::json!({
                        "id": c.id,
                        "title": c.title,
                        "checks": c.checks,
                        "spec": c.spec,
                        "needs": c.needs().iter().map(|n| n.as_str()).collect::<Vec<_>>(),
                        "wants": c.wants().iter().map(|n| n.as_str()).collect::<Vec<_>>(),
                        "requires": c.requires.iter().map(|r| r.as_str()).collect::<Vec<_>>(),
                        "confidence": c.confidence.as_str(),
                        "note": c.note,
                    })
                })
                .collect();
            out_json(&format!(
                "{}\n",
                serde_json::to_string_pretty(&items).expect("JSON")
            ));
        }
        Output::Table => {
            use std::io::IsTerminal;
            let rows: Vec<Row<'_>> = catalog
                .cases
                .iter()
                .map(|c| Row {
                    id: &c.id,
                    confidence: c.confidence.as_str(),
                    spec: &c.spec,
                    needs: c
                        .needs()
                        .iter()
                        .chain(c.wants().iter())
                        .map(|n| n.as_str())
                        .collect::<Vec<_>>()
                        .join(","),
                    title: &c.title,
                })
                .collect();
            // On a terminal, its width ($COLUMNS first, as clap's help takes it); piped, none,
            // so that each case stays on one line for grep.
            let width = std::io::stdout()
                .is_terminal()
                .then(|| {
                    std::env::var("COLUMNS")
                        .ok()
                        .and_then(|c| c.trim().parse::<usize>().ok())
                        .filter(|w| *w > 0)
                        .or_else(|| terminal_size::terminal_size().map(|(w, _)| usize::from(w.0)))
                })
                .flatten();
            crate::term::out(&cases_table::render(&rows, width));
            let footer = format!(
                "{} cases; `cogbench cases --output json` gives what each checks.",
                catalog.cases.len()
            );
            outln!();
            for line in crate::term::wrap(&footer, width.unwrap_or(usize::MAX)) {
                outln!("{line}");
            }
        }
    }
    Ok(0)
}

//! `oracle check`.

use std::sync::Arc;

use crate::cases::Catalog;
use crate::cli::{OracleCommand, Output};
use crate::exit::Failure;
use crate::scenario::{self, Overrides};
use crate::term::{out, out_json};

pub fn oracle(command: OracleCommand) -> Result<i32, Failure> {
    let OracleCommand::Check(args) = command;
    let snapshot = crate::oracle::Snapshot::load(&args.snapshot).map_err(Failure::BadInput)?;
    let catalog = match &args.scenario {
        None => Catalog::builtin(),
        Some(file) => {
            let plan = scenario::load(file, Arc::new(Catalog::builtin()), &Overrides::default())
                .map_err(|e| Failure::BadInput(e.to_string()))?;
            (*plan.catalog).clone()
        }
    };
    let report =
        crate::oracle::check::check(&snapshot, &args.snapshot.display().to_string(), &catalog);
    match args.output {
        Output::Table => out(&crate::oracle::check::render(&report)),
        Output::Json => out_json(&format!(
            "{}\n",
            serde_json::to_string_pretty(&report).expect("the report serialises")
        )),
    }
    Ok(report.exit_code())
}

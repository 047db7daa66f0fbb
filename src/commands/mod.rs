//! What each command does once its inputs are read (`crate::inputs`): run, print, and say how
//! it ended — `Ok(code)` for a verdict, `Err(Failure)` for the rest (`crate::exit`).

mod bench;
mod cases_table;
mod catalog;
mod completions;
mod diff;
mod emulator;
mod man;
mod oracle;
mod provision;
mod reports;
mod run;
mod schema;

pub use bench::bench;
pub use catalog::{cases, validate};
pub use completions::completions;
pub use diff::diff;
pub use emulator::{EmulatorOptions, emulator};
pub use man::man;
pub use oracle::oracle;
pub use provision::provision;
pub use reports::{compare, merge, report};
pub use run::{record, run};
pub use schema::schema;

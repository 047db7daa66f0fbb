//! The errors the service model lists for ConfirmSignUp (`fixtures/errors.yaml`), for coverage:
//! which a run provoked, and why the others could not be.

use serde::Deserialize;

pub const TABLE: &str = include_str!("../../fixtures/errors.yaml");

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DocumentedError {
    pub name: String,
    pub spec: String,
    /// Why no request can provoke it on the targets cogbench drives.
    pub unprovokable: Option<String>,
    /// What is uncertain about its trigger, shown beside it in reports.
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ErrorTable {
    #[allow(dead_code)]
    version: u32,
    pub errors: Vec<DocumentedError>,
}

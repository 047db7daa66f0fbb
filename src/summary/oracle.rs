//! Which oracle judged a run, as summary.json holds it.

use serde::{Deserialize, Serialize};

/// Which oracle judged a run, in summary.json. Every field defaults, so the reports read
/// it from a summary of any age.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct OracleInfo {
    /// The snapshot file, as given.
    pub file: String,
    pub target_kind: String,
    pub endpoint: String,
    pub recorded_at: String,
    /// Whether the snapshot was recorded with the same catalog as this run's.
    pub same_catalog: bool,
    /// Cases the snapshot judged.
    pub cases_judged: u64,
    /// Cases it lacks, judged by the catalog instead.
    pub cases_from_catalog: Vec<String>,
    /// The recording did not finish: cases it lacks may have other answers.
    pub partial: bool,
}

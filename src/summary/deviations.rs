//! How a run's failures compared with a list of known deviations, as summary.json holds it.

use serde::{Deserialize, Serialize};

/// What the gate found.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DeviationReport {
    pub file: String,
    pub target: String,
    /// Listed and failing the same way.
    pub known: Vec<String>,
    /// Failing, and not listed: a regression (or a list never brought up to date).
    pub new: Vec<String>,
    /// Listed, and now passing: the list must lose the entry.
    pub fixed: Vec<String>,
    /// Listed, failing otherwise than listed.
    pub changed: Vec<ChangedDeviation>,
    /// Listed, but the case did not run (not in the mix, skipped, or not judged).
    pub not_run: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChangedDeviation {
    pub case: String,
    /// Each part that differs: what the list holds and what the run observed.
    pub changes: Vec<Change>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Change {
    /// `checks`, `difference`, `answer`, `pattern` or `state`.
    pub what: String,
    pub listed: String,
    pub observed: String,
}

impl ChangedDeviation {
    /// (what, listed, observed) for display.
    pub fn lines(&self) -> impl Iterator<Item = (&str, &str, &str)> {
        self.changes
            .iter()
            .map(|c| (c.what.as_str(), c.listed.as_str(), c.observed.as_str()))
    }
}

impl DeviationReport {
    pub fn holds(&self) -> bool {
        self.new.is_empty() && self.fixed.is_empty() && self.changed.is_empty()
    }

    /// The cases that make the list not hold: new, fixed and changed deviations.
    pub fn failing_cases(&self) -> impl Iterator<Item = &str> {
        self.new
            .iter()
            .chain(&self.fixed)
            .map(String::as_str)
            .chain(self.changed.iter().map(|c| c.case.as_str()))
    }
}

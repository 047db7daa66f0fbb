//! Known deviations of a peer from the catalog: a file listing, per case, how the peer's
//! answer differs from the documented one. A run checked against it passes when the failures
//! are exactly the listed ones, so a new deviation (a regression) and a fixed one (the list
//! going stale) are both noticed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::report::{Summary, Verdict};
use crate::yaml::{self, YamlError};

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownDeviations {
    /// The peer and version the list was observed on.
    pub target: String,
    /// How the list was made (the command), for whoever regenerates it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed_with: Option<String>,
    pub deviations: Vec<Deviation>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deviation {
    pub case: String,
    pub spec: String,
    /// Fields of the answer that differ; the gate compares these. `["*"]`: the case fails, in a
    /// way that varies between runs (a race against a target that is not atomic).
    pub fields: Vec<String>,
    pub expected: BTreeMap<String, String>,
    pub observed: BTreeMap<String, String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

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
    /// Listed, failing on other fields than listed.
    pub changed: Vec<ChangedDeviation>,
    /// Listed, but the case did not run (not in the mix, skipped, or not judged).
    pub not_run: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ChangedDeviation {
    pub case: String,
    pub listed: Vec<String>,
    pub observed: Vec<String>,
}

impl DeviationReport {
    pub fn holds(&self) -> bool {
        self.new.is_empty() && self.fixed.is_empty() && self.changed.is_empty()
    }
}

pub fn load(path: &Path) -> Result<KnownDeviations, YamlError> {
    let fail = |message: String| YamlError::whole(path, message);
    let text = yaml::read_file(path, "known-deviations")?;
    let list: KnownDeviations = yaml::from_str(&text, path)?;
    let mut seen = BTreeSet::new();
    for d in &list.deviations {
        if !seen.insert(&d.case) {
            return Err(fail(format!("case `{}` is listed twice", d.case)));
        }
    }
    Ok(list)
}

fn fields_of(observed: &BTreeMap<String, String>) -> Vec<String> {
    observed.keys().cloned().collect()
}

pub fn check(list: &KnownDeviations, file: &Path, summary: &Summary) -> DeviationReport {
    let mut report = DeviationReport {
        file: file.display().to_string(),
        target: list.target.clone(),
        ..Default::default()
    };
    let listed: BTreeMap<&str, &Deviation> = list
        .deviations
        .iter()
        .map(|d| (d.case.as_str(), d))
        .collect();
    for case in &summary.cases {
        let entry = listed.get(case.name.as_str());
        match (case.verdict, entry) {
            (Verdict::Fail, None) => report.new.push(case.name.clone()),
            (Verdict::Fail, Some(d)) => {
                let observed = case.observed.as_ref().map(fields_of).unwrap_or_default();
                let mut listed_fields = d.fields.clone();
                listed_fields.sort();
                if listed_fields == ["*"] || observed == listed_fields {
                    report.known.push(case.name.clone());
                } else {
                    report.changed.push(ChangedDeviation {
                        case: case.name.clone(),
                        listed: listed_fields,
                        observed,
                    });
                }
            }
            (Verdict::Pass, Some(_)) => report.fixed.push(case.name.clone()),
            (Verdict::Skipped, Some(_)) => report.not_run.push(case.name.clone()),
            (_, None) => {}
        }
    }
    for d in &list.deviations {
        if !summary.cases.iter().any(|c| c.name == d.case) {
            report.not_run.push(d.case.clone());
        }
    }
    report
}

/// The deviations a run observed, as a file to commit (`--write-deviations`). Races
/// (`is_race`) are listed as failing in any way: their outcome depends on timing.
pub fn from_summary(
    summary: &Summary,
    target: &str,
    observed_with: &str,
    is_race: &dyn Fn(&str) -> bool,
) -> KnownDeviations {
    KnownDeviations {
        target: target.to_owned(),
        observed_with: Some(observed_with.to_owned()),
        deviations: summary
            .cases
            .iter()
            .filter(|c| c.verdict == Verdict::Fail)
            .map(|c| {
                let observed = c.observed.clone().unwrap_or_default();
                let race = is_race(&c.name);
                Deviation {
                    case: c.name.clone(),
                    spec: c.spec.clone(),
                    fields: if race { vec!["*".into()] } else { fields_of(&observed) },
                    expected: c.expected.clone().unwrap_or_default(),
                    observed,
                    note: race.then(|| {
                        "a race: the observed answers vary from run to run; the first run's are shown".into()
                    }),
                }
            })
            .collect(),
    }
}

pub fn render(list: &KnownDeviations) -> String {
    format!(
        "# Known deviations of {} from cogbench's catalog, observed by running it (regenerate with\n# the command below, then review every entry). `cogbench run … --known-deviations <this file>`\n# passes when the failures are exactly these.\n{}",
        list.target,
        yaml::to_string(list)
    )
}

//! Known deviations of a peer from the catalog: a file listing, per failing case, what the
//! peer answered — the failing checks, every distinct difference, every distinct answer with
//! its count, the whole sequence or race of a group case, and the states read back. A run
//! checked against it passes when it fails exactly the listed cases in exactly the listed way,
//! so a new deviation (a regression), a fixed one (the list going stale) and a changed one (a
//! different status, type, message or count) are all noticed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::cases::answer::{Counted, NormalisedAnswer, State, Tally};
use crate::cases::{Check, Difference};
use crate::summary::types::{CaseSummary, Summary, Verdict};

pub use crate::summary::deviations::{Change, ChangedDeviation, DeviationReport};
use crate::yaml::{self, YamlError};

/// The format of the file; version 1 compared field names only.
pub const VERSION: u32 = 2;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownDeviations {
    pub version: u32,
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
    /// The catalog's confidence in the expectation the peer fails.
    #[serde(default)]
    pub confidence: String,
    /// The checks that fail (answer, headers, state).
    pub checks: Vec<Check>,
    /// Every distinct difference between expectation and answer.
    pub differences: Vec<Difference>,
    /// Every distinct answer the peer gave, normalised, with its count.
    pub answers: Vec<Counted<NormalisedAnswer>>,
    /// A group case: every distinct sequence or race outcome, with its count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub patterns: Vec<Counted<String>>,
    /// Every distinct state read back, with its count.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub states: Vec<Counted<State>>,
    /// The answers vary from run to run (a race against a target that is not atomic): only
    /// that the case fails is compared; what one run saw is kept for reading.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub varies: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

pub fn load(path: &Path) -> Result<KnownDeviations, YamlError> {
    let fail = |message: String| YamlError::whole(path, message);
    let text = crate::files::read_to_string_limited(
        path,
        crate::files::KNOWN_DEVIATIONS_MAX,
        "known-deviations",
    )
    .map_err(|e| fail(e.split_once(": ").map_or(e.clone(), |(_, m)| m.to_owned())))?;
    // A file that is not YAML gets the parser's own error, with its position.
    let value: serde_norway::Value = yaml::from_str(&text, path)?;
    match value.get("version").and_then(serde_norway::Value::as_u64) {
        Some(v) if v == u64::from(VERSION) => {}
        Some(1) | None => {
            return Err(fail(format!(
                "a known-deviations list of version {VERSION} is expected: lists of version 1 compared field names only; write it again with `cogbench run … --write-deviations FILE`"
            )));
        }
        Some(v) => {
            return Err(fail(format!(
                "version {v} is not one this cogbench reads (version {VERSION})"
            )));
        }
    }
    let list: KnownDeviations = yaml::from_str(&text, path)?;
    let mut seen = BTreeSet::new();
    for d in &list.deviations {
        if !seen.insert(&d.case) {
            return Err(fail(format!("case `{}` is listed twice", d.case)));
        }
    }
    Ok(list)
}

/// The deviation a failing case shows in a run, as the list would hold it.
fn observed(c: &CaseSummary, varies: bool) -> Deviation {
    let checks: Vec<Check> = c
        .by_check
        .iter()
        .filter(|k| k.verdict == Verdict::Fail)
        .map(|k| k.check)
        .collect();
    let mut differences: Vec<Difference> = Vec::new();
    for d in c.failures.iter().flatten() {
        if !differences.contains(d) {
            differences.push(d.clone());
        }
    }
    differences
        .sort_by(|a, b| (a.check, &a.field, &a.observed).cmp(&(b.check, &b.field, &b.observed)));
    Deviation {
        case: c.name.clone(),
        spec: c.spec.clone(),
        confidence: c.catalog_confidence.clone(),
        checks,
        differences,
        answers: sorted(&c.answers),
        patterns: sorted(&c.patterns)
            .into_iter()
            .map(|p| Counted {
                count: p.count,
                value: p.value.to_string(),
            })
            .collect(),
        states: sorted(&c.states),
        varies,
        note: varies
            .then(|| "a race: the answers vary from run to run; one run's are shown".to_owned()),
    }
}

/// A tally's values in a stable order, so two runs' lists compare and diff cleanly.
fn sorted<T: Clone + Serialize>(t: &Tally<T>) -> Vec<Counted<T>> {
    let mut v = t.distinct.clone();
    v.sort_by_cached_key(|c| serde_json::to_string(&c.value).unwrap_or_default());
    v
}

/// The parts of a listed deviation that differ from the one observed.
fn changes(listed: &Deviation, now: &Deviation) -> Vec<Change> {
    let mut out = Vec::new();
    let mut compare = |what: &str, a: Vec<String>, b: Vec<String>| {
        let (a, b): (BTreeSet<String>, BTreeSet<String>) =
            (a.into_iter().collect(), b.into_iter().collect());
        if a != b {
            let only = |x: &BTreeSet<String>, y: &BTreeSet<String>| {
                let v: Vec<&str> = x.difference(y).map(String::as_str).collect();
                if v.is_empty() {
                    "(nothing else)".to_owned()
                } else {
                    v.join(" | ")
                }
            };
            out.push(Change {
                what: what.to_owned(),
                listed: only(&a, &b),
                observed: only(&b, &a),
            });
        }
    };
    compare(
        "checks",
        listed
            .checks
            .iter()
            .map(|c| c.as_str().to_owned())
            .collect(),
        now.checks.iter().map(|c| c.as_str().to_owned()).collect(),
    );
    let difference = |d: &Difference| format!("{} {}: {}", d.check.as_str(), d.field, d.observed);
    compare(
        "difference",
        listed.differences.iter().map(difference).collect(),
        now.differences.iter().map(difference).collect(),
    );
    // Counts are compared as shares of the case's answers (executions, reads): a list made with
    // one round of the catalog still holds for a scenario that runs its cases four times, and
    // an answer that comes more or less often than listed is a change.
    compare(
        "answer",
        shares(&listed.answers, |a| a.describe()),
        shares(&now.answers, |a| a.describe()),
    );
    compare(
        "pattern",
        shares(&listed.patterns, |p| format!("({p})")),
        shares(&now.patterns, |p| format!("({p})")),
    );
    compare(
        "state",
        shares(&listed.states, crate::cases::answer::describe_state),
        shares(&now.states, crate::cases::answer::describe_state),
    );
    out
}

/// Each value with its share of all: `1/16 × …` (the fraction reduced, so shares compare).
fn shares<T>(counted: &[Counted<T>], describe: impl Fn(&T) -> String) -> Vec<String> {
    let total: u64 = counted.iter().map(|c| c.count).sum();
    counted
        .iter()
        .map(|c| {
            let g = gcd(c.count, total).max(1);
            format!("{}/{} × {}", c.count / g, total / g, describe(&c.value))
        })
        .collect()
}

fn gcd(a: u64, b: u64) -> u64 {
    if b == 0 { a } else { gcd(b, a % b) }
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
                let found = if d.varies {
                    Vec::new()
                } else {
                    changes(d, &observed(case, false))
                };
                if found.is_empty() {
                    report.known.push(case.name.clone());
                } else {
                    report.changed.push(ChangedDeviation {
                        case: case.name.clone(),
                        changes: found,
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
/// (`is_race`) are marked as varying: their outcome depends on timing.
pub fn from_summary(
    summary: &Summary,
    target: &str,
    observed_with: &str,
    is_race: &dyn Fn(&str) -> bool,
) -> KnownDeviations {
    KnownDeviations {
        version: VERSION,
        target: target.to_owned(),
        observed_with: Some(observed_with.to_owned()),
        deviations: summary
            .cases
            .iter()
            .filter(|c| c.verdict == Verdict::Fail)
            .map(|c| observed(c, is_race(&c.name)))
            .collect(),
    }
}

pub fn render(list: &KnownDeviations) -> String {
    format!(
        "# Known deviations of {} from cogbench's catalog, observed by running it (regenerate with\n# the command below, then review every entry). `cogbench run … --known-deviations <this file>`\n# passes when the failures are exactly these: the same checks, differences, answers (with\n# their counts), sequences or races, and states.\n{}",
        list.target,
        yaml::to_string(list)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(message: &str) -> NormalisedAnswer {
        NormalisedAnswer {
            status: 400,
            error: Some("CodeMismatchException".into()),
            message: Some(message.into()),
            content_type: Some("application/json".into()),
            headers: Vec::new(),
            body: vec!["__type".into(), "message".into()],
        }
    }

    fn deviation(message: &str, count: u64) -> Deviation {
        Deviation {
            case: "wrong-code".into(),
            spec: "§3.1".into(),
            confidence: "inferred".into(),
            checks: vec![Check::Answer],
            differences: vec![Difference {
                check: Check::Answer,
                field: "message".into(),
                expected: "/Invalid…/".into(),
                observed: message.into(),
            }],
            answers: vec![Counted {
                count,
                value: answer(message),
            }],
            patterns: Vec::new(),
            states: Vec::new(),
            varies: false,
            note: None,
        }
    }

    #[test]
    fn a_different_message_or_share_is_a_change() {
        let listed = deviation("Incorrect confirmation code", 1);
        assert!(changes(&listed, &deviation("Incorrect confirmation code", 1)).is_empty());
        let c = changes(&listed, &deviation("Wrong code", 1));
        let what: Vec<&str> = c.iter().map(|x| x.what.as_str()).collect();
        assert_eq!(what, ["difference", "answer"]);
        // Four rounds of the same answer are the same share of the answers.
        assert!(changes(&listed, &deviation("Incorrect confirmation code", 4)).is_empty());
        let mut other = deviation("Incorrect confirmation code", 3);
        other.answers.push(Counted {
            count: 1,
            value: answer("Wrong code"),
        });
        let c = changes(&listed, &other);
        let answers: Vec<&Change> = c.iter().filter(|x| x.what == "answer").collect();
        assert_eq!(answers.len(), 1);
        assert!(answers[0].listed.starts_with("1/1 × "), "{:?}", answers[0]);
        assert!(answers[0].observed.contains("3/4 × "), "{:?}", answers[0]);
    }

    #[test]
    fn a_list_of_the_old_version_is_refused_with_the_way_forward() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.yaml");
        std::fs::write(&p, "target: x\ndeviations: []\n").unwrap();
        let e = load(&p).unwrap_err().to_string();
        assert!(e.contains("--write-deviations"), "{e}");
        std::fs::write(&p, "version: 2\ntarget: x\ndeviations: []\n").unwrap();
        assert!(load(&p).unwrap().deviations.is_empty());
    }

    #[test]
    fn the_rendered_list_reads_back() {
        let list = KnownDeviations {
            version: VERSION,
            target: "peer".into(),
            observed_with: None,
            deviations: vec![deviation("Incorrect confirmation code", 16)],
        };
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("d.yaml");
        std::fs::write(&p, render(&list)).unwrap();
        let back = load(&p).unwrap();
        assert!(changes(&list.deviations[0], &back.deviations[0]).is_empty());
    }
}

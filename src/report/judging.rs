//! What judged each verdict and how sure it is: the oracle (the catalog or a snapshot), the
//! case's confidence, its checks judged one by one, the race outcome and the `--fail-on`
//! gate. junit.xml, summary.md and report.html read these parts of summary.json through the
//! views here, so the three say them in the terminal table's words.
//!
//! Every field defaults: a summary written before these fields existed still renders (its
//! cases read as judged by the catalog, with no per-check verdicts).

use serde::Deserialize;

pub use super::RaceOutcome;

/// `oracle` at the top of summary.json: the snapshot that judged the run (absent: the catalog).
pub use crate::oracle::OracleInfo as OracleView;

/// One entry of a case's `by_check`. Strings rather than the typed enums, so a check or
/// verdict added later still renders.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct CheckView {
    pub check: String,
    pub verdict: String,
    pub judged: u64,
    pub failed: u64,
}

/// One field of a failing answer. `check` is empty in summaries older than the per-check
/// verdicts.
#[derive(Debug, Deserialize, Default, Clone)]
#[serde(default)]
pub struct DifferenceView {
    pub check: String,
    pub field: String,
    pub expected: String,
    pub observed: String,
}

/// The case-level fields this module words, as each exporter's case view holds them.
pub struct Judged<'a> {
    pub confidence: &'a str,
    pub catalog_confidence: &'a str,
    pub by_check: &'a [CheckView],
    pub failures: &'a [Vec<DifferenceView>],
}

/// For `#[serde(default = …)]`: a case without `oracle` was judged by the catalog.
pub fn catalog() -> String {
    "catalog".into()
}

/// The oracle's name, `catalog` for a summary that does not say.
pub fn oracle_name(oracle: &str) -> &str {
    if oracle.is_empty() { "catalog" } else { oracle }
}

/// The run's oracle in one line, as the terminal table says it.
pub fn oracle_line(oracle: Option<&OracleView>) -> String {
    match oracle {
        Some(o) => {
            format!(
                "snapshot {} ({}, recorded {}) judged {} cases; {} by the catalog{}{}",
                o.file,
                // The embedded emulator's endpoint is a parenthesised description, not a URL.
                if o.endpoint.starts_with('(') {
                    format!("{} {}", o.target_kind, o.endpoint)
                } else {
                    format!("{} at {}", o.target_kind, o.endpoint)
                },
                o.recorded_at,
                o.cases_judged,
                o.cases_from_catalog.len(),
                listed(&o.cases_from_catalog),
                if o.same_catalog {
                    ""
                } else {
                    " · recorded with another catalog"
                }
            ) + if o.partial {
                " · a recording that did not finish"
            } else {
                ""
            }
        }
        None => {
            "the catalog (each expectation with its confidence: documented, observed, inferred)"
                .into()
        }
    }
}

/// ` (a, b)`: the cases the catalog judged instead of the snapshot, the first few by name.
fn listed(cases: &[String]) -> String {
    const NAMED: usize = 10;
    match cases.len() {
        0 => String::new(),
        n if n <= NAMED => format!(" ({})", cases.join(", ")),
        n => format!(" ({}, and {} more)", cases[..NAMED].join(", "), n - NAMED),
    }
}

/// `recorded (catalog: inferred)` when a snapshot's verdict stands in for the catalog's
/// level, else the level alone.
pub fn confidence_text(j: &Judged) -> String {
    if j.catalog_confidence.is_empty() || j.catalog_confidence == j.confidence {
        j.confidence.to_owned()
    } else {
        format!("{} (catalog: {})", j.confidence, j.catalog_confidence)
    }
}

fn check_rank(check: &str) -> u8 {
    match check {
        "answer" => 0,
        "headers" => 1,
        "state" => 2,
        "" => 4,
        _ => 3,
    }
}

/// The checks that failed, in check order: from `by_check`, or for an older summary from
/// the checks its differences name (none when they name none).
pub fn failing_check_names<'a>(j: &Judged<'a>) -> Vec<&'a str> {
    let mut names: Vec<&str> = if j.by_check.is_empty() {
        j.failures
            .iter()
            .flatten()
            .map(|d| d.check.as_str())
            .filter(|c| !c.is_empty())
            .collect()
    } else {
        j.by_check
            .iter()
            .filter(|k| k.verdict == "fail")
            .map(|k| k.check.as_str())
            .collect()
    };
    names.sort_by_key(|c| check_rank(c));
    names.dedup();
    names
}

/// `answer (1 of 8), headers (1 of 8)`: each failing check with its failed and judged counts;
/// without per-check verdicts, the case's failed answers instead.
pub fn failing_checks(j: &Judged, failed_responses: u64, judged: u64) -> String {
    let failing: Vec<String> = j
        .by_check
        .iter()
        .filter(|k| k.verdict == "fail")
        .map(|k| format!("{} ({} of {})", k.check, k.failed, k.judged))
        .collect();
    if failing.is_empty() {
        format!("{failed_responses} of {judged} judged answers")
    } else {
        failing.join(", ")
    }
}

/// A failing answer's differences grouped by check, in check order (answer, headers, state),
/// each group in the order the judge listed its fields.
pub fn grouped(differences: &[DifferenceView]) -> Vec<(&str, Vec<&DifferenceView>)> {
    let mut sorted: Vec<&DifferenceView> = differences.iter().collect();
    sorted.sort_by_key(|d| check_rank(&d.check));
    let mut groups: Vec<(&str, Vec<&DifferenceView>)> = Vec::new();
    for d in sorted {
        match groups.last_mut() {
            Some((check, ds)) if *check == d.check.as_str() => ds.push(d),
            _ => groups.push((d.check.as_str(), vec![d])),
        }
    }
    groups
}

/// `--fail-on`: the levels that fail the run, and the failing cases of other levels.
pub struct Gate<'a> {
    pub levels: &'a [String],
    pub ungated: Vec<&'a str>,
}

impl<'a> Gate<'a> {
    /// `cases`: (verdict, case, confidence) of every case of the run.
    pub fn of(
        fail_on: Option<&'a [String]>,
        cases: impl IntoIterator<Item = (&'a str, &'a str, &'a str)>,
    ) -> Option<Gate<'a>> {
        let levels = fail_on?;
        let ungated = cases
            .into_iter()
            .filter(|(verdict, _, confidence)| {
                *verdict == "fail" && !levels.iter().any(|l| l == confidence)
            })
            .map(|(_, name, _)| name)
            .collect();
        Some(Gate { levels, ungated })
    }

    /// Whether a failing case of this confidence fails the run.
    pub fn gates(&self, confidence: &str) -> bool {
        self.levels.iter().any(|l| l == confidence)
    }

    /// As the terminal says it: `fails only on documented, observed cases; 2 failing cases
    /// of other levels do not fail it: a, b`.
    pub fn line(&self) -> String {
        format!(
            "fails only on {} cases{}",
            self.levels.join(", "),
            if self.ungated.is_empty() {
                String::new()
            } else {
                format!(
                    "; {} failing cases of other levels do not fail it: {}",
                    self.ungated.len(),
                    self.ungated.join(", ")
                )
            }
        )
    }

    /// For a failing case that does not fail the run.
    pub fn exempt_note(&self) -> String {
        format!(
            "does not fail the run (--fail-on {})",
            self.levels.join(",")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(check: &str, verdict: &str, judged: u64, failed: u64) -> CheckView {
        CheckView {
            check: check.into(),
            verdict: verdict.into(),
            judged,
            failed,
        }
    }

    fn diff(check: &str, field: &str) -> DifferenceView {
        DifferenceView {
            check: check.into(),
            field: field.into(),
            expected: "e".into(),
            observed: "o".into(),
        }
    }

    #[test]
    fn failing_checks_come_from_by_check_or_else_the_differences() {
        let by_check = [
            check("answer", "pass", 8, 0),
            check("headers", "fail", 8, 1),
            check("state", "fail", 1, 1),
        ];
        let failures = vec![vec![diff("state", "s"), diff("headers", "h")]];
        let j = Judged {
            confidence: "recorded",
            catalog_confidence: "inferred",
            by_check: &by_check,
            failures: &failures,
        };
        assert_eq!(failing_check_names(&j), ["headers", "state"]);
        assert_eq!(failing_checks(&j, 2, 8), "headers (1 of 8), state (1 of 1)");
        assert_eq!(confidence_text(&j), "recorded (catalog: inferred)");
        let grouped: Vec<(&str, usize)> = grouped(&failures[0])
            .into_iter()
            .map(|(c, ds)| (c, ds.len()))
            .collect();
        assert_eq!(grouped, [("headers", 1), ("state", 1)]);

        // A summary from before per-check verdicts.
        let old = vec![vec![diff("", "status")]];
        let j = Judged {
            confidence: "observed",
            catalog_confidence: "",
            by_check: &[],
            failures: &old,
        };
        assert!(failing_check_names(&j).is_empty());
        assert_eq!(failing_checks(&j, 2, 32), "2 of 32 judged answers");
        assert_eq!(confidence_text(&j), "observed");
        assert_eq!(oracle_name(""), "catalog");
    }

    #[test]
    fn the_gate_names_the_failing_cases_it_leaves_out() {
        let levels = vec!["documented".to_owned(), "observed".to_owned()];
        let gate = Gate::of(
            Some(&levels),
            [
                ("fail", "a", "recorded"),
                ("fail", "b", "observed"),
                ("fail", "c", "inferred"),
                ("pass", "d", "inferred"),
            ],
        )
        .unwrap();
        assert_eq!(
            gate.line(),
            "fails only on documented, observed cases; 2 failing cases of other levels do not fail it: a, c"
        );
        assert!(gate.gates("observed") && !gate.gates("recorded"));
        assert_eq!(
            gate.exempt_note(),
            "does not fail the run (--fail-on documented,observed)"
        );
        assert!(Gate::of(None, [("fail", "a", "recorded")]).is_none());
    }

    #[test]
    fn the_oracle_line_names_the_snapshot_once() {
        let o = OracleView {
            file: "snap.json".into(),
            target_kind: "aws".into(),
            endpoint: "https://cognito-idp.eu-west-1.amazonaws.com".into(),
            recorded_at: "2026-12-01T10:00:00Z".into(),
            same_catalog: false,
            cases_judged: 5,
            cases_from_catalog: vec!["x".into()],
            partial: false,
        };
        assert_eq!(
            oracle_line(Some(&o)),
            "snapshot snap.json (aws at https://cognito-idp.eu-west-1.amazonaws.com, recorded 2026-12-01T10:00:00Z) judged 5 cases; 1 by the catalog (x) · recorded with another catalog"
        );
        assert!(oracle_line(None).starts_with("the catalog"));
    }
}

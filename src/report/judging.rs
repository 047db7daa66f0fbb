//! What judged each verdict and how sure it is: the oracle (the catalog or a snapshot), the
//! case's confidence, its checks judged one by one, the race outcome and the `--fail-on`
//! gate. junit.xml, summary.md, report.html and the terminal table word these parts of the
//! summary here, so the four say them alike.

use std::collections::BTreeMap;

use crate::cases::{Check, Difference};
use crate::summary::oracle::OracleInfo;
use crate::summary::types::{CaseSummary, Conformance, Summary, Verdict};

/// One field of a failing answer as the reports show it. `check` is `None` for a field
/// rebuilt from `expected`/`observed` (a summary without `failures`), which names none.
pub struct Line<'a> {
    pub check: Option<Check>,
    pub field: &'a str,
    pub expected: &'a str,
    pub observed: &'a str,
}

impl<'a> Line<'a> {
    fn of(d: &'a Difference) -> Line<'a> {
        Line {
            check: Some(d.check),
            field: &d.field,
            expected: &d.expected,
            observed: &d.observed,
        }
    }

    /// The check's name, empty when none is named.
    pub fn check_name(&self) -> &'static str {
        self.check.map_or("", Check::as_str)
    }
}

/// A failing answer's differences as lines.
pub fn lines(differences: &[Difference]) -> Vec<Line<'_>> {
    differences.iter().map(Line::of).collect()
}

/// `expected` and `observed` side by side, field by field (a missing map reads as empty).
pub fn side_by_side<'a>(
    expected: Option<&'a BTreeMap<String, String>>,
    observed: Option<&'a BTreeMap<String, String>>,
) -> Vec<Line<'a>> {
    let get = |m: Option<&'a BTreeMap<String, String>>, f: &str| -> &'a str {
        m.and_then(|m| m.get(f)).map_or("", String::as_str)
    };
    let mut fields: Vec<&String> = expected
        .into_iter()
        .chain(observed)
        .flat_map(BTreeMap::keys)
        .collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .map(|f| Line {
            check: None,
            field: f,
            expected: get(expected, f),
            observed: get(observed, f),
        })
        .collect()
}

/// A case's failing answers: each entry of `failures` when present, else one built from
/// `expected`/`observed` side by side when the summary has both.
pub fn failing_answers(c: &CaseSummary) -> Vec<Vec<Line<'_>>> {
    if !c.failures.is_empty() {
        return c.failures.iter().map(|f| lines(f)).collect();
    }
    match (&c.expected, &c.observed) {
        (Some(e), Some(o)) => vec![side_by_side(Some(e), Some(o))],
        _ => Vec::new(),
    }
}

/// The cases failures first, then the skipped, then the passes; the summary's order within.
pub fn failures_first(cases: &[CaseSummary]) -> Vec<&CaseSummary> {
    let mut sorted: Vec<&CaseSummary> = cases.iter().collect();
    sorted.sort_by_key(|c| match c.verdict {
        Verdict::Fail => 0,
        Verdict::Skipped => 1,
        Verdict::Pass => 2,
    });
    sorted
}

/// The cases' verdicts counted, `separator` between the counts: `1 passed, 2 failed, 1 skipped`.
pub fn case_counts(c: &Conformance, separator: &str) -> String {
    format!(
        "{} passed{separator}{} failed{separator}{} skipped",
        c.passed, c.failed, c.skipped
    )
}

/// `7 of 403 judged answers failed`.
pub fn answers_failed(c: &Conformance) -> String {
    format!(
        "{} of {} judged answers failed",
        c.responses_failed, c.responses_judged
    )
}

/// `thresholds 1 held, 2 failed`.
pub fn thresholds_held(v: &Summary) -> String {
    let held = v.thresholds.iter().filter(|t| t.passed).count();
    format!(
        "thresholds {held} held, {} failed",
        v.thresholds.len() - held
    )
}

/// The oracle's name, `catalog` for a summary that does not say.
pub fn oracle_name(oracle: &str) -> &str {
    if oracle.is_empty() { "catalog" } else { oracle }
}

/// The run's oracle in one line, as the terminal table says it.
pub fn oracle_line(oracle: Option<&OracleInfo>) -> String {
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
pub fn confidence_text(c: &CaseSummary) -> String {
    if c.catalog_confidence.is_empty() || c.catalog_confidence == c.confidence {
        c.confidence.to_owned()
    } else {
        format!("{} (catalog: {})", c.confidence, c.catalog_confidence)
    }
}

/// Check order (answer, headers, state), a line naming no check last.
fn check_rank(check: Option<Check>) -> usize {
    check.map_or(Check::ALL.len() + 1, Check::index)
}

/// The checks that failed, in check order: from `by_check`, or for an older summary from
/// the checks its differences name.
pub fn failing_check_names(c: &CaseSummary) -> Vec<&'static str> {
    let mut checks: Vec<Check> = if c.by_check.is_empty() {
        c.failures.iter().flatten().map(|d| d.check).collect()
    } else {
        c.by_check
            .iter()
            .filter(|k| k.verdict == Verdict::Fail)
            .map(|k| k.check)
            .collect()
    };
    checks.sort_by_key(|k| k.index());
    checks.dedup();
    checks.into_iter().map(Check::as_str).collect()
}

/// `answer (1 of 8), headers (1 of 8)`: each failing check with its failed and judged counts;
/// without per-check verdicts, the case's failed answers instead.
pub fn failing_checks(c: &CaseSummary) -> String {
    let failing: Vec<String> = c
        .by_check
        .iter()
        .filter(|k| k.verdict == Verdict::Fail)
        .map(|k| format!("{} ({} of {})", k.check.as_str(), k.failed, k.judged))
        .collect();
    if failing.is_empty() {
        format!("{} of {} judged answers", c.failed_responses, c.judged)
    } else {
        failing.join(", ")
    }
}

/// A failing answer's lines grouped by check, in check order (answer, headers, state), each
/// group in the order the judge listed its fields.
pub fn grouped<'l, 'a>(lines: &'l [Line<'a>]) -> Vec<(&'static str, Vec<&'l Line<'a>>)> {
    let mut sorted: Vec<&Line> = lines.iter().collect();
    sorted.sort_by_key(|d| check_rank(d.check));
    let mut groups: Vec<(&'static str, Vec<&Line>)> = Vec::new();
    for d in sorted {
        match groups.last_mut() {
            Some((check, ds)) if *check == d.check_name() => ds.push(d),
            _ => groups.push((d.check_name(), vec![d])),
        }
    }
    groups
}

/// A failing answer's lines one after the other, in the order of [`grouped`].
pub fn in_check_order<'l, 'a>(lines: &'l [Line<'a>]) -> impl Iterator<Item = &'l Line<'a>> {
    grouped(lines).into_iter().flat_map(|(_, ds)| ds)
}

/// `--fail-on`: the levels that fail the run, and the failing cases of other levels.
pub struct Gate<'a> {
    pub levels: &'a [String],
    pub ungated: Vec<&'a str>,
}

impl<'a> Gate<'a> {
    /// The run's gate, when it has `--fail-on`.
    pub fn of(summary: &'a Summary) -> Option<Gate<'a>> {
        let levels = summary.fail_on.as_deref()?;
        let ungated = summary
            .cases
            .iter()
            .filter(|c| c.verdict == Verdict::Fail && !levels.iter().any(|l| l == c.confidence))
            .map(|c| c.name.as_str())
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
mod tests;

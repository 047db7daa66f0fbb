//! A snapshot from a finished run's summary (`cogbench record`), and what makes that run less
//! than ground truth.

use std::collections::BTreeMap;

use super::{
    FORMAT, Header, RecordedAnswers, Snapshot, VERSION, by_count, endpoint_without_credentials,
};
use crate::summary::types::{Summary, Verdict};

impl Snapshot {
    /// The snapshot of a finished run: the cases it judged, and the ones it skipped.
    pub fn from_summary(summary: &Summary, region: &str) -> Snapshot {
        let mut cases = BTreeMap::new();
        let mut skipped = BTreeMap::new();
        for c in &summary.cases {
            if c.verdict == Verdict::Skipped && c.answers.is_empty() {
                skipped.insert(
                    c.name.clone(),
                    c.skip_reason.clone().unwrap_or_else(|| "skipped".into()),
                );
                continue;
            }
            let unanswered = c
                .by_class
                .iter()
                .filter(|(class, n)| {
                    **n > 0 && ["transport_error", "timeout", "throttled"].contains(class)
                })
                .map(|(class, n)| ((*class).to_owned(), *n))
                .collect();
            cases.insert(
                c.name.clone(),
                RecordedAnswers {
                    spec: c.spec.clone(),
                    catalog_confidence: c.catalog_confidence.clone(),
                    requests: c.count,
                    unanswered,
                    answers: by_count(&c.answers),
                    patterns: by_count(&c.patterns),
                    states: by_count(&c.states),
                },
            );
        }
        Snapshot {
            format: FORMAT.into(),
            version: VERSION,
            header: Header {
                target_kind: summary.target.kind.clone(),
                // The embedded emulator listens on a new port each run: its name says more.
                endpoint: if summary.target.kind == "embedded" {
                    "(embedded, in-process)".to_owned()
                } else {
                    endpoint_without_credentials(&summary.target.endpoint)
                },
                region: region.to_owned(),
                recorded_at: summary.finished_at.clone(),
                cogbench_version: summary.tool.version.to_owned(),
                catalog_sha256: summary.scenario.catalog_sha256.clone(),
                scenario: summary.scenario.name.clone(),
                partial: summary.partial,
            },
            cases,
            skipped,
        }
    }
}

/// What makes a recording less than ground truth, one line a case: cases with no judged
/// answer, answers lost to transport errors, timeouts or throttling, and (unless
/// `accept_server_errors`) answers that were server errors, but for the error type a case of
/// `expect_5xx` (case, error type) expects.
pub fn recording_problems(
    summary: &Summary,
    accept_server_errors: bool,
    expect_5xx: &[(String, String)],
) -> Vec<String> {
    let mut out = Vec::new();
    for c in &summary.cases {
        if c.verdict == Verdict::Skipped && c.answers.is_empty() {
            if c.unjudged {
                out.push(format!(
                    "{}: no judged answer ({})",
                    c.name,
                    c.skip_reason.as_deref().unwrap_or("")
                ));
            }
            continue;
        }
        // A throttled answer the case expects is judged, so never counted here.
        let lost: Vec<String> = ["transport_error", "timeout", "throttled"]
            .iter()
            .filter_map(|k| {
                c.by_class
                    .get(k)
                    .filter(|n| **n > 0)
                    .map(|n| format!("{n} {k}"))
            })
            .collect();
        if !lost.is_empty() {
            out.push(format!("{}: {} not recorded", c.name, lost.join(", ")));
        }
        let faults: u64 = c
            .answers
            .distinct
            .iter()
            .filter(|a| a.value.status >= 500)
            .filter(|a| {
                !expect_5xx
                    .iter()
                    .any(|(case, error)| *case == c.name && a.value.error.as_ref() == Some(error))
            })
            .map(|a| a.count)
            .sum();
        if faults > 0 && !accept_server_errors {
            out.push(format!(
                "{}: {faults} server errors (5xx) recorded as answers",
                c.name
            ));
        }
    }
    out
}

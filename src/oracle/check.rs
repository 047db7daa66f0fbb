//! `cogbench oracle check SNAPSHOT`: the catalog held against what a target answered when it
//! was recorded. Where the recording contradicts the catalog's expectation, the catalog needs a
//! correction (both sides are shown); where it agrees with an inferred expectation, the
//! inference is confirmed; cases the snapshot lacks are listed.

use serde::Serialize;

use super::{RecordedAnswers, Snapshot};
use crate::cases::answer::{Pattern, PatternKind};
use crate::cases::judge::{self, diff};
use crate::cases::{Case, Catalog, Confidence, Difference, Expect};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The recorded answers or states contradict the catalog: a catalog correction.
    Contradicts,
    /// They agree with an expectation the catalog only inferred: now confirmed.
    Confirms,
    /// They agree with a documented or observed expectation.
    Agrees,
    /// The snapshot has no judged answer for the case.
    Lacks,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Contradicts => "contradicts",
            Outcome::Confirms => "confirms",
            Outcome::Agrees => "agrees",
            Outcome::Lacks => "lacks",
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct CaseCheck {
    pub case: String,
    pub spec: String,
    pub confidence: &'static str,
    pub outcome: Outcome,
    /// For a contradiction: the catalog's side (`expected`) and the recording's (`observed`).
    pub differences: Vec<Difference>,
    /// Why the snapshot lacks the case, or what it recorded.
    pub detail: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct CheckReport {
    pub snapshot: String,
    pub target_kind: String,
    pub endpoint: String,
    pub recorded_at: String,
    pub same_catalog: bool,
    /// The recording did not finish.
    pub partial: bool,
    pub contradicts: u64,
    pub confirms: u64,
    pub agrees: u64,
    pub lacks: u64,
    pub cases: Vec<CaseCheck>,
}

impl CheckReport {
    /// Exit 1 on a contradiction.
    pub fn exit_code(&self) -> i32 {
        i32::from(self.contradicts > 0)
    }
}

pub fn check(snapshot: &Snapshot, file: &str, catalog: &Catalog) -> CheckReport {
    let mut cases = Vec::new();
    for case in &catalog.cases {
        let recorded = snapshot
            .cases
            .get(&case.id)
            .filter(|r| !r.answers.is_empty());
        let Some(rec) = recorded else {
            let detail = match snapshot.skipped.get(&case.id) {
                Some(why) => format!("skipped when recorded: {why}"),
                None if snapshot.cases.contains_key(&case.id) => {
                    "recorded, but no answer was judged (transport errors, timeouts or throttling only)".into()
                }
                None => "not in the recording's mix".into(),
            };
            cases.push(CaseCheck {
                case: case.id.clone(),
                spec: case.spec.clone(),
                confidence: case.confidence.as_str(),
                outcome: Outcome::Lacks,
                differences: Vec::new(),
                detail,
            });
            continue;
        };
        let differences = contradictions(case, rec);
        let outcome = if !differences.is_empty() {
            Outcome::Contradicts
        } else if case.confidence == Confidence::Inferred {
            Outcome::Confirms
        } else {
            Outcome::Agrees
        };
        cases.push(CaseCheck {
            case: case.id.clone(),
            spec: case.spec.clone(),
            confidence: case.confidence.as_str(),
            outcome,
            differences,
            detail: describe(rec),
        });
    }
    let count = |o: Outcome| cases.iter().filter(|c| c.outcome == o).count() as u64;
    CheckReport {
        snapshot: file.to_owned(),
        target_kind: snapshot.header.target_kind.clone(),
        endpoint: snapshot.header.endpoint.clone(),
        recorded_at: snapshot.header.recorded_at.clone(),
        same_catalog: snapshot.header.catalog_sha256 == catalog.sha256(),
        partial: snapshot.header.partial,
        contradicts: count(Outcome::Contradicts),
        confirms: count(Outcome::Confirms),
        agrees: count(Outcome::Agrees),
        lacks: count(Outcome::Lacks),
        cases,
    }
}

/// What the recording holds for a case, in one line.
fn describe(rec: &RecordedAnswers) -> String {
    let mut parts: Vec<String> = rec
        .answers
        .distinct
        .iter()
        .map(|c| format!("{} × {}", c.count, c.value.label()))
        .collect();
    if let Some(p) = rec.patterns.distinct.first() {
        parts.push(format!("pattern: {}", p.value));
    }
    if let Some(s) = rec.states.distinct.first() {
        parts.push(format!(
            "state: {}",
            crate::cases::answer::describe_state(&s.value)
        ));
    }
    parts.join("; ")
}

/// Where the recorded answers, patterns and states contradict the case's expectation.
fn contradictions(case: &Case, rec: &RecordedAnswers) -> Vec<Difference> {
    let mut out: Vec<Difference> = Vec::new();
    let mut push = |d: Difference| {
        if !out.contains(&d) {
            out.push(d);
        }
    };
    let expects: Vec<&Expect> = std::iter::once(&case.expect)
        .chain(case.expect_others.iter())
        .collect();
    // Each distinct answer must meet one of the case's expectations (a group's answers meet
    // `expect` or `expect_others`); it is held against the one with the same outcome.
    for answer in rec.answers.values() {
        let fits = expects
            .iter()
            .map(|e| judge::judge_normalised(e, answer))
            .min_by_key(Vec::len)
            .unwrap_or_default();
        for d in fits {
            push(d);
        }
    }
    if let Some(repeat) = case.repeat {
        let wanted = expected_pattern(case, repeat);
        for p in rec.patterns.values() {
            if !pattern_fits(case, p) {
                push(diff(
                    if repeat.concurrent {
                        "race"
                    } else {
                        "sequence"
                    },
                    &wanted,
                    p,
                ));
            }
        }
    }
    for state in rec.states.values() {
        let mut d = Vec::new();
        judge::judge_state(&case.expect.post, state, &mut d);
        // Keys the recording did not read are not contradicted, only unchecked.
        for x in d.into_iter().filter(|x| x.observed != "(not read)") {
            push(x);
        }
    }
    out
}

fn label_of(e: &Expect) -> String {
    match &e.error {
        Some(err) => format!("{} {err}", e.status),
        None => e.status.to_string(),
    }
}

fn expected_pattern(case: &Case, repeat: crate::cases::Repeat) -> String {
    let last = label_of(&case.expect);
    let count = repeat.count;
    match (&case.expect_others, repeat.concurrent) {
        (Some(o), false) => format!("{} × {}, then {last}", count - 1, label_of(o)),
        (Some(o), true) if repeat.at_least_one => format!(
            "1 to {count} × {last} and the rest × {}, at once",
            label_of(o)
        ),
        (Some(o), true) => format!("1 × {last} and {} × {}, at once", count - 1, label_of(o)),
        (None, _) => format!("{count} × {last}"),
    }
}

/// Whether a recorded pattern has the shape the case expects (status and error type of each
/// answer; the texts are judged answer by answer).
fn pattern_fits(case: &Case, p: &Pattern) -> bool {
    let last = label_of(&case.expect);
    let others = case.expect_others.as_ref().map(label_of);
    let n = p.requests();
    match (p.kind, others) {
        (PatternKind::Sequence, Some(o)) => {
            let mut labels: Vec<&str> = p
                .runs
                .iter()
                // A hand-made file could claim any count: a sequence is never over 100 long.
                .flat_map(|r| std::iter::repeat_n(r.answer.as_str(), (r.count as usize).min(1000)))
                .collect();
            labels.pop() == Some(last.as_str()) && labels.iter().all(|l| *l == o)
        }
        (PatternKind::Race, Some(o)) => {
            let count = |label: &str| {
                p.runs
                    .iter()
                    .filter(|r| r.answer == label)
                    .map(|r| r.count)
                    .sum::<u32>()
            };
            let winners = count(&last);
            if case.repeat.is_some_and(|r| r.at_least_one) {
                winners >= 1 && winners + count(&o) == n
            } else {
                winners == 1 && count(&o) == n.saturating_sub(1)
            }
        }
        (_, None) => p.runs.iter().all(|r| r.answer == last),
    }
}

/// The report for a terminal.
pub fn render(report: &CheckReport) -> String {
    let target = if report.endpoint.starts_with('(') {
        format!("{} {}", report.target_kind, report.endpoint)
    } else {
        format!("{} at {}", report.target_kind, report.endpoint)
    };
    let mut s = format!(
        "snapshot {} of {target}, recorded {}{}\n",
        report.snapshot,
        report.recorded_at,
        if report.same_catalog {
            ""
        } else {
            " (with another catalog than this cogbench's: expectations may have moved)"
        }
    );
    if report.partial {
        s.push_str(
            "the recording did not finish: the cases it lacks may not be what the target answers\n",
        );
    }
    let section = |s: &mut String, outcome: Outcome, title: &str| {
        let mine: Vec<&CaseCheck> = report
            .cases
            .iter()
            .filter(|c| c.outcome == outcome)
            .collect();
        if mine.is_empty() {
            return;
        }
        s.push_str(&format!("\n{title} ({}):\n", mine.len()));
        for c in mine {
            s.push_str(&format!("  {} [{}; {}]", c.case, c.confidence, c.spec));
            if outcome == Outcome::Contradicts {
                s.push('\n');
                for d in &c.differences {
                    s.push_str(&format!(
                        "      {} {}: catalog expects {}, recorded {}\n",
                        d.check.as_str(),
                        d.field,
                        d.expected,
                        d.observed
                    ));
                }
            } else {
                s.push_str(&format!(": {}\n", c.detail));
            }
        }
    };
    section(
        &mut s,
        Outcome::Contradicts,
        "Contradicts the catalog (a catalog correction)",
    );
    section(
        &mut s,
        Outcome::Confirms,
        "Confirms an inferred expectation",
    );
    section(&mut s, Outcome::Lacks, "Not in the snapshot");
    s.push_str(&format!(
        "\n{} contradict, {} confirm an inferred expectation, {} agree, {} not in the snapshot\n",
        report.contradicts, report.confirms, report.agrees, report.lacks
    ));
    s
}

//! The summary from what a run measured: the engine's counters and histograms, its phases
//! and its users' usage, judged case by case.

use std::time::SystemTime;

use super::plan::plan_echo;
use super::types::{self, CaseSummary, Conformance, Summary, Totals, Verdict};
use crate::cases::{Capability, Check};
use crate::engine::{Engine, PhaseOutcome};
use crate::metrics::{CaseStats, Percentiles, new_histogram};
use crate::scenario::Plan;
use crate::target::Target;

pub fn target_info(target: &Target) -> types::TargetInfo {
    types::TargetInfo {
        kind: target.kind.to_owned(),
        endpoint: crate::term::redact_url(&target.endpoint),
        capabilities: target
            .capabilities
            .iter()
            .map(|c: &Capability| c.as_str())
            .collect(),
    }
}

/// The run's totals from its cases and phases, with `response` and `service` the sums of
/// the cases' histograms. `sent`, `abandoned` and `unaccounted` are left to the caller.
pub fn totals_of(
    cases: &[CaseSummary],
    phases: &[PhaseOutcome],
    response: &hdrhistogram::Histogram<u64>,
    service: &hdrhistogram::Histogram<u64>,
) -> Totals {
    let mut totals = Totals {
        by_class: types::by_class(&[0; 6]),
        ..Totals::default()
    };
    for c in cases {
        for (class, n) in &c.by_class {
            *totals.by_class.entry(class).or_default() += n;
        }
    }
    totals.requests = totals.by_class.values().sum();
    totals.errors = cases.iter().map(|c| c.errors).sum();
    totals.error_rate = if totals.requests > 0 {
        totals.errors as f64 / totals.requests as f64
    } else {
        0.0
    };
    // Folded from 0.0: an empty f64 sum is -0.0, printed "-0.00s" when no phase ran.
    totals.duration_seconds = phases
        .iter()
        .map(|p| p.duration_seconds)
        .fold(0.0, |a, b| a + b);
    totals.requests_per_second = if totals.duration_seconds > 0.0 {
        totals.requests as f64 / totals.duration_seconds
    } else {
        0.0
    };
    totals.dropped = phases.iter().map(|p| p.dropped).sum();
    totals.retries = cases.iter().map(|c| c.retries).sum();
    totals.completed = totals.requests;
    totals.latency_us = Percentiles::of(response);
    totals.service_time_us = Percentiles::of(service);
    totals
}

/// Cases by verdict, and the answers judged.
pub fn conformance_of(cases: &[CaseSummary]) -> Conformance {
    let mut c = Conformance::default();
    for case in cases {
        match case.verdict {
            Verdict::Pass => c.passed += 1,
            Verdict::Fail => c.failed += 1,
            Verdict::Skipped => c.skipped += 1,
        }
        c.responses_judged += case.judged;
        c.responses_passed += case.passed_responses;
        c.responses_failed += case.failed_responses;
    }
    c
}

/// `interrupted_during`: the set-up step an interrupt stopped, which is why no case was sent.
pub fn summarize(
    plan: &Plan,
    engine: &Engine,
    target: types::TargetInfo,
    phases: Vec<PhaseOutcome>,
    started_at: SystemTime,
    finished_at: SystemTime,
    interrupted_during: Option<&str>,
) -> Summary {
    let mut cases = Vec::new();
    let (mut all_response, mut all_service) = (new_histogram(), new_histogram());
    let mut compiled_index = 0;
    let mut transport = [0; crate::engine::transport::Kind::COUNT];
    for m in &plan.mix {
        let case = &plan.catalog.cases[m.case];
        let stats = if m.skip.is_none() {
            let s = engine.recorder.snapshot(compiled_index);
            compiled_index += 1;
            s
        } else {
            CaseStats::default()
        };
        let _ = all_response.add(&stats.response);
        let _ = all_service.add(&stats.service);
        for (sum, n) in transport.iter_mut().zip(stats.transport) {
            *sum += n;
        }
        let v = &stats.verdicts;
        let (verdict, skip_reason, unjudged) = if let Some(reason) = &m.skip {
            (Verdict::Skipped, Some(reason.clone()), false)
        } else if v.failed > 0 {
            (Verdict::Fail, None, false)
        } else if let Some(shard) = plan.shard
            && v.judged == 0
            && stats.count() == 0
        {
            // A shard's part of the phases may hold none of a case: not a failure of the
            // target; the merge judges the case over every shard.
            let why = format!(
                "never sent by shard {shard}: its part of the phases did not come to this case (`cogbench merge` judges it over all the shards)"
            );
            (Verdict::Skipped, Some(why), false)
        } else if v.judged == 0
            && stats.count() == 0
            && let Some(during) = interrupted_during
        {
            // Not a failure of the target: the run never came to this case.
            let why = if during == "load" {
                "not sent: the run was interrupted before this case came up in the mix".to_owned()
            } else {
                format!("not sent: the run was interrupted during set-up ({during})")
            };
            (Verdict::Skipped, Some(why), false)
        } else if v.judged == 0 {
            let by_class = types::by_class(&stats.by_class);
            (Verdict::Skipped, Some(unjudged_reason(&by_class)), true)
        } else {
            (Verdict::Pass, None, false)
        };
        let (expected, observed) = match v.samples.first() {
            Some(first) => {
                let (e, o) = types::side_by_side(&first.differences);
                (Some(e), Some(o))
            }
            None => (None, None),
        };
        let judged_by_snapshot = m.skip.is_none()
            && engine.cases()[compiled_index.saturating_sub(1)].is_judged_by_snapshot();
        cases.push(CaseSummary {
            name: case.id.clone(),
            title: case.title.clone(),
            checks: case.checks.clone(),
            spec: case.spec.clone(),
            confidence: if judged_by_snapshot {
                "recorded"
            } else {
                case.confidence.as_str()
            },
            catalog_confidence: case.confidence.as_str().to_owned(),
            oracle: if judged_by_snapshot {
                "snapshot"
            } else {
                "catalog"
            }
            .to_owned(),
            oracle_note: None,
            note: case.note.clone(),
            verdict,
            by_check: Check::ALL
                .iter()
                .map(|&check| {
                    let judged = if check == Check::State {
                        v.post_checked
                    } else {
                        v.judged
                    };
                    check_verdict(check, judged, v.failed_by_check[check.index()])
                })
                .collect(),
            skip_reason,
            unjudged,
            count: stats.count(),
            errors: stats.errors(),
            retries: stats.retries,
            by_class: types::by_class(&stats.by_class),
            transport_errors: types::TransportErrors::of(&stats.transport, |_| None),
            judged: v.judged,
            passed_responses: v.passed,
            failed_responses: v.failed,
            postconditions_checked: v.post_checked,
            latency_us: Percentiles::of(&stats.response),
            service_time_us: Percentiles::of(&stats.service),
            expected,
            observed,
            failures: v.samples.iter().map(|s| s.differences.clone()).collect(),
            sample: stats.sample.clone(),
            race: types::RaceOutcome::of(&stats.patterns),
            answers: stats.answers.clone(),
            patterns: stats.patterns.clone(),
            states: stats.states.clone(),
            timeline: stats.timeline.clone(),
            histograms: (!stats.response.is_empty()).then(|| types::Histograms {
                response: crate::metrics::codec::encode(&stats.response),
                service: crate::metrics::codec::encode(&stats.service),
            }),
        });
    }
    let mut totals = totals_of(&cases, &phases, &all_response, &all_service);
    // Read after the cases' snapshots: a late answer can only make `sent` look covered.
    totals.sent = engine.sent.load(std::sync::atomic::Ordering::Relaxed);
    // Only an interrupt's grace period running out leaves requests behind on purpose; any
    // other gap between sent and recorded is a request the harness lost, and shows.
    totals.abandoned = if engine.was_abandoned() {
        totals.sent.saturating_sub(totals.completed)
    } else {
        0
    };
    totals.unaccounted = totals
        .sent
        .saturating_sub(totals.completed + totals.abandoned);

    let conformance = conformance_of(&cases);
    let coverage = coverage(plan, &cases);
    let timing = timing(&phases);
    Summary {
        schema_version: types::SCHEMA_VERSION,
        tool: types::Tool::default(),
        scenario: types::ScenarioInfo {
            name: plan.name.clone(),
            file: plan.file.display().to_string(),
            description: plan.description.clone(),
            catalog_sha256: plan.catalog.sha256().to_owned(),
        },
        plan: plan_echo(plan).into(),
        target,
        started_at: crate::time::rfc3339_utc(started_at),
        finished_at: crate::time::rfc3339_utc(finished_at),
        load_started_at: None,
        start_at: None,
        start_late_ms: None,
        shard: plan.shard,
        merged: None,
        partial: false,
        interrupted: false,
        interrupted_during: None,
        aborted: None,
        totals,
        transport_errors: types::TransportErrors::of(&transport, |k| {
            engine.first_failures.first(k).cloned()
        }),
        connections: engine
            .connection_setup()
            .map(|s| types::Connections::of(s.tls, &s.histogram)),
        timing,
        conformance,
        coverage,
        deviations: None,
        oracle: None,
        fail_on: None,
        phases,
        users: engine
            .pools()
            .iter()
            .enumerate()
            .flat_map(|(i, (users, _))| {
                let prefix = if i == 0 {
                    String::new()
                } else {
                    format!("{}.", plan.pools[i].variant.as_str())
                };
                users
                    .usage()
                    .into_iter()
                    .map(move |(k, u)| (format!("{prefix}{k}"), u))
            })
            .collect(),
        cases,
        thresholds: Vec::new(),
        timeline: engine.recorder.overall_timeline(),
        exit_code: 0,
    }
}

/// One check's verdict from its counts.
pub fn check_verdict(check: Check, judged: u64, failed: u64) -> types::CheckVerdict {
    types::CheckVerdict {
        check,
        verdict: if failed > 0 {
            Verdict::Fail
        } else if judged == 0 {
            Verdict::Skipped
        } else {
            Verdict::Pass
        },
        judged,
        failed,
    }
}

/// Whether the harness kept its schedule, over all phases.
pub fn timing(phases: &[PhaseOutcome]) -> types::Timing {
    let open = phases.iter().filter(|p| p.model == "open").count();
    let mode = match open {
        0 => "closed",
        n if n == phases.len() => "open",
        _ => "mixed",
    };
    let mut lag: Option<hdrhistogram::Histogram<u64>> = None;
    for h in phases.iter().filter_map(|p| p.schedule_lag.as_ref()) {
        match &mut lag {
            None => lag = Some(h.clone()),
            Some(all) => {
                let _ = all.add(h);
            }
        }
    }
    types::Timing {
        mode,
        scheduling_lag_us: lag.as_ref().map(Percentiles::of),
        late_starts: phases.iter().map(|p| p.late_starts).sum(),
        dropped: phases.iter().map(|p| p.dropped).sum(),
        latency_from: match mode {
            "closed" => "send",
            "open" => "intended start",
            _ => "intended start (open phases), send (closed phases)",
        },
    }
}

pub fn coverage(plan: &Plan, cases: &[CaseSummary]) -> types::Coverage {
    let catalog = &plan.catalog;
    let in_run = |c: &CaseSummary| catalog.get(&c.name);
    let mut errors = Vec::new();
    let mut skipped = Vec::new();
    for e in &catalog.errors {
        let mine: Vec<&CaseSummary> = cases
            .iter()
            .filter(|c| {
                in_run(c).is_some_and(|k| k.expect.error.as_deref() == Some(e.name.as_str()))
            })
            .collect();
        // Throttling under load is the target's quota, counted apart from the cases: say so
        // rather than that nothing provoked it.
        let throttled: u64 = cases
            .iter()
            .filter_map(|c| c.by_class.get("throttled"))
            .sum();
        let load_note = (e.name == "TooManyRequestsException" && mine.is_empty() && throttled > 0)
            .then(|| {
                format!(
                    "no case of this run's mix expects it; {throttled} answers of the load were throttled, counted apart (see the throttled line)"
                )
            });
        let (mut covered, mut not) =
            error_coverage(&e.name, &e.spec, e.unprovokable.as_deref(), &mine);
        // Still provokable (a case would), so only the reason changes.
        if let (Some(note), Some(n)) = (load_note, not.as_mut()) {
            n.reason = note;
        }
        covered.note = e.note.clone();
        errors.push(covered);
        skipped.extend(not);
    }
    let covered: Vec<&String> = catalog
        .members
        .iter()
        .filter(|m| {
            cases.iter().any(|c| {
                c.judged > 0 && in_run(c).is_some_and(|k| k.own_members.contains(m.as_str()))
            })
        })
        .collect();
    types::Coverage {
        cases_total: cases.len() as u64,
        errors_documented: catalog.errors.len() as u64,
        errors_provoked: errors.iter().filter(|e| e.provoked).count() as u64,
        errors_skipped: skipped,
        errors,
        members_total: catalog.members.len() as u64,
        members_covered: covered.len() as u64,
        members_uncovered: catalog
            .members
            .iter()
            .filter(|m| !covered.contains(m))
            .cloned()
            .collect(),
    }
}

/// One documented error's coverage by `mine`, the run's cases that expect it, and why it
/// was not provoked when it was not.
pub fn error_coverage(
    error: &str,
    spec: &str,
    unprovokable: Option<&str>,
    mine: &[&CaseSummary],
) -> (types::ErrorCoverage, Option<types::ErrorSkipped>) {
    // Provoked: the target answered with this error where a case expected it (other
    // details of the answer may still differ).
    let provoked = mine
        .iter()
        .any(|c| c.by_class.get("expected_error").is_some_and(|n| *n > 0));
    let skipped = (!provoked).then(|| {
        let reason = if let Some(why) = unprovokable {
            why.to_owned()
        } else if mine.is_empty() {
            "no case in this run's mix provokes it".to_owned()
        } else {
            mine.iter()
                .map(|c| match (&c.verdict, &c.skip_reason) {
                    (Verdict::Skipped, Some(why)) => format!("{} skipped: {why}", c.name),
                    _ => format!("{} failed", c.name),
                })
                .collect::<Vec<_>>()
                .join("; ")
        };
        types::ErrorSkipped {
            error: error.to_owned(),
            reason,
            provokable: unprovokable.is_none(),
        }
    });
    let covered = types::ErrorCoverage {
        error: error.to_owned(),
        spec: spec.to_owned(),
        provoked,
        cases: mine.iter().map(|c| c.name.clone()).collect(),
        note: None,
    };
    (covered, skipped)
}

/// Why a case that ran had no answer judged, from its counts by outcome class.
pub fn unjudged_reason(by_class: &std::collections::BTreeMap<&'static str, u64>) -> String {
    use crate::cases::Class;
    let n = |class: Class| by_class.get(class.as_str()).copied().unwrap_or(0);
    if by_class.values().sum::<u64>() == 0 {
        return "never sent: the phases ended before this case came up in the mix".into();
    }
    format!(
        "no answer was judged: {} transport errors, {} timeouts, {} throttled",
        n(Class::TransportError),
        n(Class::Timeout),
        n(Class::Throttled)
    )
}

//! Thresholds and verdicts → exit code.

use hdrhistogram::Histogram;

use crate::exit_codes::{EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK};
use crate::metrics::new_histogram;
use crate::scenario::{Metric, Stat, Threshold};
use crate::summary::types::{Summary, ThresholdResult, Verdict};

/// The histograms thresholds read, merged over all cases.
#[derive(Debug, Clone)]
pub struct Merged {
    pub response: Histogram<u64>,
    pub service: Histogram<u64>,
}

impl Default for Merged {
    fn default() -> Self {
        Merged {
            response: new_histogram(),
            service: new_histogram(),
        }
    }
}

fn stat(h: &Histogram<u64>, s: Stat) -> f64 {
    if h.is_empty() {
        return 0.0;
    }
    match s.quantile() {
        Some(q) => h.value_at_quantile(q) as f64,
        None if s == Stat::Max => h.max() as f64,
        None => h.mean(),
    }
}

/// Evaluates each threshold against the run. `per_case` gives a case's own histograms.
pub fn evaluate(
    thresholds: &[Threshold],
    summary: &Summary,
    merged: &Merged,
    per_case: &dyn Fn(&str) -> Option<Merged>,
) -> Vec<ThresholdResult> {
    thresholds
        .iter()
        .map(|t| {
            let case = t
                .case
                .as_deref()
                .and_then(|id| summary.cases.iter().find(|c| c.name == id));
            let own = t.case.as_deref().and_then(per_case);
            let hist = own.as_ref().unwrap_or(merged);
            let observed = match t.metric {
                Metric::Latency(s) => stat(&hist.response, s),
                Metric::ServiceTime(s) => stat(&hist.service, s),
                Metric::ErrorRate => match case {
                    Some(c) if c.count > 0 => c.errors as f64 / c.count as f64,
                    Some(_) => 0.0,
                    None => summary.totals.error_rate,
                },
                // Against a list of known deviations, the listed failures are expected ones;
                // with `--fail-on`, so are the failures of cases at other confidence levels.
                Metric::ConformanceFailures => {
                    let known = |name: &str| {
                        summary
                            .deviations
                            .as_ref()
                            .is_some_and(|d| d.known.iter().any(|k| k == name))
                            || !gated(summary, name)
                    };
                    match case {
                        Some(c) if known(&c.name) => 0.0,
                        Some(c) => c.failed_responses as f64,
                        None => summary
                            .cases
                            .iter()
                            .filter(|c| !known(&c.name))
                            .map(|c| c.failed_responses)
                            .sum::<u64>() as f64,
                    }
                }
                Metric::Requests => case.map_or(summary.totals.requests, |c| c.count) as f64,
                Metric::Rps => summary.totals.requests_per_second,
                Metric::Dropped => summary.totals.dropped as f64,
                Metric::Unaccounted => summary.totals.unaccounted as f64,
                Metric::Retries => case.map_or(summary.totals.retries, |c| c.retries) as f64,
                Metric::Throttled => case
                    .map_or(&summary.totals.by_class, |c| &c.by_class)
                    .get("throttled")
                    .copied()
                    .unwrap_or(0) as f64,
            };
            let unit = match t.metric {
                Metric::Latency(_) | Metric::ServiceTime(_) => "us",
                Metric::ErrorRate => "ratio",
                Metric::Rps => "per_second",
                _ => "count",
            };
            ThresholdResult {
                expression: t.source.clone(),
                observed,
                unit,
                passed: t.op.holds(observed, t.limit),
            }
        })
        .collect()
}

/// Whether `--fail-on` lets the case's failures fail the run (every case, without it).
fn gated(summary: &Summary, case: &str) -> bool {
    summary.fail_on.as_ref().is_none_or(|levels| {
        summary
            .cases
            .iter()
            .find(|c| c.name == case)
            .is_none_or(|c| levels.iter().any(|l| l == c.confidence))
    })
}

pub fn exit_code(summary: &Summary) -> i32 {
    if summary.interrupted {
        // A merge was not interrupted itself: one of its shards was, and a gate on partial
        // data cannot pass.
        return if summary.merged.is_some() {
            EXIT_FAILED
        } else {
            EXIT_INTERRUPTED
        };
    }
    // Against a list of known deviations, the listed failures are expected; anything else in
    // the list's report (new, fixed or changed) fails.
    // `--fail-on`: only failing cases at these confidence levels fail the run.
    let verdicts_failed = match &summary.deviations {
        Some(d) => d.failing_cases().any(|case| gated(summary, case)),
        None => summary
            .cases
            .iter()
            .any(|c| c.verdict == Verdict::Fail && gated(summary, &c.name)),
    };
    let failed = summary.aborted.is_some()
        || verdicts_failed
        || summary.cases.iter().any(|c| c.unjudged)
        || summary.thresholds.iter().any(|t| !t.passed);
    if failed { EXIT_FAILED } else { EXIT_OK }
}

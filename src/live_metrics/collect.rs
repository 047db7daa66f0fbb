//! Samples from a run: from the engine while it goes (each case read under its own lock, as
//! briefly as one pass over its histograms), and from the summary once it has ended, so that
//! the last figures served are summary.json's even when abandoned requests land later.

use std::collections::BTreeMap;

use super::sample::{Buckets, CaseSample, Sample};
use crate::cases::{Check, Class};
use crate::engine::Engine;
use crate::summary::types::Summary;

pub fn live(engine: &Engine, scenario: &str) -> Sample {
    let recorder = &engine.recorder;
    let cases = engine
        .cases()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            recorder.read(i, |s| CaseSample {
                id: c.id.clone(),
                by_class: s.by_class,
                retries: s.retries,
                passed: s.verdicts.passed,
                failed: s.verdicts.failed,
                failed_by_check: s.verdicts.failed_by_check,
                latency: Buckets::of(&s.response),
                service_time: Buckets::of(&s.service),
            })
        })
        .collect();
    // Read after the cases: a request recorded meanwhile only makes `sent` look covered, as
    // in summary.json.
    let sent = engine.sent.load(std::sync::atomic::Ordering::Relaxed);
    Sample {
        scenario: scenario.to_owned(),
        finished: false,
        sent,
        in_flight: engine.in_flight(),
        schedule_lag_us: engine.pacing.lag_us(),
        late_starts: engine.pacing.late_starts(),
        dropped_starts: engine.dropped(),
        cases,
    }
}

/// The finished run's figures, read from its summary: the cases the engine ran (`ids`, those
/// the live samples showed), in its order.
pub fn finished(summary: &Summary, ids: &[String]) -> Sample {
    let by_name: BTreeMap<&str, _> = summary.cases.iter().map(|c| (c.name.as_str(), c)).collect();
    let cases = ids
        .iter()
        .map(|id| {
            let Some(c) = by_name.get(id.as_str()) else {
                return CaseSample {
                    id: id.clone(),
                    ..CaseSample::default()
                };
            };
            let histogram = |which: fn(&crate::summary::types::Histograms) -> &String| {
                c.histograms
                    .as_ref()
                    .and_then(|h| crate::metrics::codec::decode(which(h)).ok())
                    .map(|h| Buckets::of(&h))
                    .unwrap_or_default()
            };
            let mut failed_by_check = [0; 3];
            for v in &c.by_check {
                failed_by_check[v.check.index()] = v.failed;
            }
            debug_assert_eq!(Check::ALL.len(), failed_by_check.len());
            CaseSample {
                id: id.clone(),
                by_class: Class::ALL.map(|k| c.by_class.get(k.as_str()).copied().unwrap_or(0)),
                retries: c.retries,
                passed: c.passed_responses,
                failed: c.failed_responses,
                failed_by_check,
                latency: histogram(|h| &h.response),
                service_time: histogram(|h| &h.service),
            }
        })
        .collect();
    let t = &summary.totals;
    Sample {
        scenario: summary.scenario.name.clone(),
        finished: true,
        sent: t.sent,
        in_flight: t.sent.saturating_sub(t.requests),
        schedule_lag_us: 0,
        late_starts: summary.timing.late_starts,
        dropped_starts: summary.timing.dropped,
        cases,
    }
}

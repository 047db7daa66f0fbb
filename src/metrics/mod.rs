//! Per-case measurements: HDR histograms in microseconds (3 significant figures) per outcome
//! class, verdict counts with a few failure samples, and a per-second timeline. Everything
//! is bounded: nothing grows with the number of requests.

pub mod codec;
mod timeline;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use hdrhistogram::Histogram;

use crate::cases::answer::{NormalisedAnswer, Pattern, State, Tally};
use crate::cases::{Check, Class, Difference};
pub use timeline::Point;

/// Failure samples kept per case: enough to show a pattern, bounded for long runs.
pub const MAX_SAMPLES: usize = 3;

const TRANSPORT_KINDS: usize = crate::client::failure::Kind::COUNT;

pub fn new_histogram() -> Histogram<u64> {
    // Auto-resizing: memory follows the largest value seen, not a preset range.
    Histogram::new(3).expect("3 significant figures is a valid precision")
}

pub fn micros(d: Duration) -> u64 {
    (d.as_micros() as u64).max(1)
}

#[derive(Debug, Clone)]
pub struct FailureSample {
    pub differences: Vec<Difference>,
}

#[derive(Debug, Clone, Default)]
pub struct Verdicts {
    /// Answers compared with the expectation.
    pub judged: u64,
    pub passed: u64,
    pub failed: u64,
    /// Answers whose postconditions were read back.
    pub post_checked: u64,
    /// Failed answers per check (`Check::index`): each check is judged on its own.
    pub failed_by_check: [u64; 3],
    pub samples: Vec<FailureSample>,
}

#[derive(Debug, Clone)]
pub struct CaseStats {
    pub by_class: [u64; 6],
    /// Transport errors and timeouts by kind (`transport::Kind::index`).
    pub transport: [u64; TRANSPORT_KINDS],
    /// Of the recorded requests, the retries (retry policy).
    pub retries: u64,
    /// From the intended start (free of coordinated omission), all classes.
    pub response: Histogram<u64>,
    /// From the actual send, all classes.
    pub service: Histogram<u64>,
    /// Response time per outcome class, created on first use.
    pub per_class: [Option<Histogram<u64>>; 6],
    pub verdicts: Verdicts,
    /// The case's first judged answer, as observed.
    pub sample: Option<BTreeMap<String, String>>,
    /// Every distinct judged answer, normalised, with its count (bounded).
    pub answers: Tally<NormalisedAnswer>,
    /// Group cases: every distinct sequence or race outcome of an execution (bounded).
    pub patterns: Tally<Pattern>,
    /// Every distinct state read back (bounded).
    pub states: Tally<State>,
    interval: Histogram<u64>,
    interval_count: u64,
    interval_errors: u64,
    pub timeline: Vec<Point>,
}

impl Default for CaseStats {
    fn default() -> Self {
        CaseStats {
            by_class: [0; 6],
            transport: [0; TRANSPORT_KINDS],
            retries: 0,
            response: new_histogram(),
            service: new_histogram(),
            per_class: Default::default(),
            verdicts: Verdicts::default(),
            sample: None,
            answers: Tally::default(),
            patterns: Tally::default(),
            states: Tally::default(),
            interval: new_histogram(),
            interval_count: 0,
            interval_errors: 0,
            timeline: Vec::new(),
        }
    }
}

impl CaseStats {
    pub fn count(&self) -> u64 {
        self.by_class.iter().sum()
    }

    pub fn errors(&self) -> u64 {
        Class::ALL
            .iter()
            .filter(|c| c.is_error())
            .map(|c| self.by_class[c.index()])
            .sum()
    }
}

/// The outcome of one request, ready to record.
#[derive(Debug)]
pub struct Record {
    pub class: Class,
    pub service: Duration,
    pub response: Duration,
    /// `None`: not judged (transport error, timeout, throttling).
    pub verdict: Option<Result<(), Vec<Difference>>>,
    pub post_checked: bool,
    /// A retry of a request whose earlier attempt is recorded too.
    pub retry: bool,
    /// What the answer was (status, error type, message), for comparing targets; only the
    /// first answer of a case carries one (see `Recorder::wants_sample`).
    pub sample: Option<BTreeMap<String, String>>,
    /// The answer normalised (any HTTP answer); tallied when it was judged.
    pub answer: Option<NormalisedAnswer>,
    /// The last record of a group execution: the execution's sequence or race outcome.
    pub pattern: Option<Pattern>,
    /// The state read back after the answer.
    pub state: Option<State>,
    /// How the exchange failed, when no whole HTTP answer came.
    pub transport: Option<crate::client::failure::Kind>,
}

pub struct Recorder {
    cases: Vec<Mutex<CaseStats>>,
    sampled: Vec<AtomicBool>,
    started: Instant,
    overall: Mutex<Vec<Point>>,
    pub completed: AtomicU64,
    pub errors: AtomicU64,
    pub conformance_failures: AtomicU64,
    /// Response-time p99 of the last whole second, for the live display.
    pub last_p99_us: AtomicU64,
    /// Where each case's closed intervals also go (the `.hlog` interval logs).
    interval_sink: OnceLock<Box<dyn IntervalSink>>,
}

/// Takes each case's response-time histogram of each closed second, as it closes.
pub trait IntervalSink: Send + Sync {
    /// `start` is the interval's start from the run's start.
    fn interval(&self, case: usize, start: Duration, length: Duration, h: &Histogram<u64>);
    fn finish(&self);
}

impl Recorder {
    pub fn new(cases: usize) -> Recorder {
        Recorder {
            cases: (0..cases)
                .map(|_| Mutex::new(CaseStats::default()))
                .collect(),
            sampled: (0..cases).map(|_| AtomicBool::new(false)).collect(),
            started: Instant::now(),
            overall: Mutex::new(Vec::new()),
            completed: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            conformance_failures: AtomicU64::new(0),
            last_p99_us: AtomicU64::new(0),
            interval_sink: OnceLock::new(),
        }
    }

    pub fn started(&self) -> Instant {
        self.started
    }

    /// Second 1 of the timelines starts now (a run that waited for `--start-at` after it
    /// built its engine), before anything was recorded.
    pub fn restart_clock(&mut self, at: Instant) {
        self.started = at;
    }

    /// Streams every closed interval to `sink` from now on (set once, before the phases).
    pub fn stream_intervals(&self, sink: Box<dyn IntervalSink>) {
        let _ = self.interval_sink.set(sink);
    }

    /// Flushes the interval stream, if any.
    pub fn finish_intervals(&self) {
        if let Some(sink) = self.interval_sink.get() {
            sink.finish();
        }
    }

    /// Whether the case still lacks a sample answer (so the caller builds one only then).
    pub fn wants_sample(&self, case: usize) -> bool {
        !self.sampled[case].load(Ordering::Relaxed)
    }

    pub fn record(&self, case: usize, r: Record) {
        if r.sample.is_some() {
            self.sampled[case].store(true, Ordering::Relaxed);
        }
        let response = micros(r.response);
        let service = micros(r.service);
        let is_error = r.class.is_error();
        let failed = matches!(r.verdict, Some(Err(_)));
        {
            let mut s = self.cases[case].lock().unwrap_or_else(|e| e.into_inner());
            let s = &mut *s;
            s.by_class[r.class.index()] += 1;
            if let Some(kind) = r.transport {
                s.transport[kind.index()] += 1;
            }
            s.retries += u64::from(r.retry);
            if s.sample.is_none() {
                s.sample = r.sample;
            }
            let _ = s.response.record(response);
            let _ = s.service.record(service);
            let _ = s.per_class[r.class.index()]
                .get_or_insert_with(new_histogram)
                .record(response);
            let _ = s.interval.record(response);
            s.interval_count += 1;
            s.interval_errors += u64::from(is_error);
            if let (Some(answer), Some(_)) = (r.answer, &r.verdict) {
                s.answers.add(answer, 1);
            }
            if let Some(p) = r.pattern {
                s.patterns.add(p, 1);
            }
            if let Some(state) = r.state {
                s.states.add(state, 1);
            }
            if let Some(v) = r.verdict {
                s.verdicts.judged += 1;
                s.verdicts.post_checked += u64::from(r.post_checked);
                match v {
                    Ok(()) => s.verdicts.passed += 1,
                    Err(differences) => {
                        s.verdicts.failed += 1;
                        for check in Check::ALL {
                            if differences.iter().any(|d| d.check == check) {
                                s.verdicts.failed_by_check[check.index()] += 1;
                            }
                        }
                        let novel = !s
                            .verdicts
                            .samples
                            .iter()
                            .any(|x| same_fields(&x.differences, &differences));
                        if novel && s.verdicts.samples.len() < MAX_SAMPLES {
                            s.verdicts.samples.push(FailureSample { differences });
                        }
                    }
                }
            }
        }
        self.completed.fetch_add(1, Ordering::Relaxed);
        if is_error {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        if failed {
            self.conformance_failures.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Closes the current second: every case's interval becomes a timeline point.
    pub fn tick(&self, second: u64) {
        let mut merged = new_histogram();
        let (mut count, mut errors) = (0, 0);
        let sink = self.interval_sink.get();
        for (i, case) in self.cases.iter().enumerate() {
            let mut s = case.lock().unwrap_or_else(|e| e.into_inner());
            if s.interval_count == 0 {
                continue;
            }
            if let Some(sink) = sink {
                let start = Duration::from_secs(second.saturating_sub(1));
                sink.interval(i, start, Duration::from_secs(1), &s.interval);
            }
            let point =
                Point::from_interval(second, s.interval_count, s.interval_errors, &s.interval);
            let _ = merged.add(&s.interval);
            count += s.interval_count;
            errors += s.interval_errors;
            s.timeline.push(point);
            s.interval.reset();
            s.interval_count = 0;
            s.interval_errors = 0;
        }
        let point = Point::from_interval(second, count, errors, &merged);
        self.last_p99_us.store(point.p99_us, Ordering::Relaxed);
        self.overall
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(point);
    }

    pub fn snapshot(&self, case: usize) -> CaseStats {
        self.cases[case]
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn overall_timeline(&self) -> Vec<Point> {
        self.overall
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

fn same_fields(a: &[Difference], b: &[Difference]) -> bool {
    a.len() == b.len()
        && a.iter()
            .zip(b)
            .all(|(x, y)| x.check == y.check && x.field == y.field && x.observed == y.observed)
}

/// Latency figures of one histogram, in microseconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Percentiles {
    pub p50: u64,
    pub p90: u64,
    pub p99: u64,
    pub p999: u64,
    pub max: u64,
    pub mean: f64,
}

impl Percentiles {
    pub fn of(h: &Histogram<u64>) -> Percentiles {
        if h.is_empty() {
            return Percentiles::default();
        }
        Percentiles {
            p50: h.value_at_quantile(0.50),
            p90: h.value_at_quantile(0.90),
            p99: h.value_at_quantile(0.99),
            p999: h.value_at_quantile(0.999),
            max: h.max(),
            mean: (h.mean() * 10.0).round() / 10.0,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(class: Class, ms: u64, verdict: Option<Result<(), Vec<Difference>>>) -> Record {
        Record {
            class,
            service: Duration::from_millis(ms),
            response: Duration::from_millis(ms + 1),
            verdict,
            post_checked: false,
            retry: false,
            sample: None,
            answer: None,
            pattern: None,
            state: None,
            transport: None,
        }
    }

    #[test]
    fn counts_and_histograms_add_up() {
        let r = Recorder::new(2);
        for i in 0..100 {
            r.record(0, rec(Class::Success, i, Some(Ok(()))));
        }
        r.record(0, rec(Class::TransportError, 5, None));
        r.record(1, rec(Class::ExpectedError, 1, Some(Ok(()))));
        let s = r.snapshot(0);
        assert_eq!(s.count(), 101);
        assert_eq!(s.errors(), 1);
        assert_eq!(s.response.len(), 101);
        assert_eq!(s.verdicts.judged, 100);
        assert_eq!(r.completed.load(Ordering::Relaxed), 102);
        let p = Percentiles::of(&s.service);
        assert!((49_000..=51_000).contains(&p.p50), "{p:?}");
        assert!(p.max >= 99_000);
    }

    #[test]
    fn keeps_a_bounded_set_of_distinct_failures() {
        let r = Recorder::new(1);
        let d = |o: &str| {
            vec![Difference {
                check: Check::Answer,
                field: "status".into(),
                expected: "400".into(),
                observed: o.into(),
            }]
        };
        for i in 0..50 {
            r.record(
                0,
                rec(
                    Class::UnexpectedError,
                    1,
                    Some(Err(d(&format!("{}", 200 + i % 10)))),
                ),
            );
        }
        let s = r.snapshot(0);
        assert_eq!(s.verdicts.failed, 50);
        assert_eq!(s.verdicts.samples.len(), MAX_SAMPLES);
        assert_eq!(r.conformance_failures.load(Ordering::Relaxed), 50);
    }

    #[test]
    fn tick_moves_intervals_into_the_timeline() {
        let r = Recorder::new(2);
        r.record(0, rec(Class::Success, 10, Some(Ok(()))));
        r.record(1, rec(Class::UnexpectedError, 20, Some(Ok(()))));
        r.tick(1);
        r.tick(2);
        let t = r.overall_timeline();
        assert_eq!(t.len(), 2);
        assert_eq!((t[0].requests, t[0].errors), (2, 1));
        assert_eq!(t[1].requests, 0);
        assert_eq!(r.snapshot(0).timeline.len(), 1);
    }
}

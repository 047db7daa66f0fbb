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

/// A case's histograms start small (a catalog run sends a few requests to each of a hundred
/// cases, and 360 KiB a case up front doubled its memory) and are settled at their full size
/// on this many requests, within a load's first second or so, so that a slow second later in
/// a long run does not grow them.
const SETTLE_AFTER: u64 = 1_000;

/// Timelines are reserved for at most six hours of seconds; a longer run's grow as they go.
const MAX_RESERVED_SECONDS: u64 = 6 * 3600;

/// Failure samples kept per case: enough to show a pattern, bounded for long runs.
pub const MAX_SAMPLES: usize = 3;

const TRANSPORT_KINDS: usize = crate::client::failure::Kind::COUNT;

pub fn new_histogram() -> Histogram<u64> {
    // Auto-resizing: memory follows the largest value seen, not a preset range.
    Histogram::new(3).expect("3 significant figures is a valid precision")
}

/// Values a recording histogram holds from its creation: about 16.8 s in microseconds, past
/// the usual connect and read timeouts.
pub const RECORDING_CEILING_US: u64 = (1 << 24) - 1;

/// A histogram that records for the whole run (the seconds' merge, the schedule's lag, a busy
/// case's latencies once settled): sized up front for `RECORDING_CEILING_US` (120 KiB),
/// growing only past it. Sized by the largest value seen instead, every case's histograms grew
/// at once on the run's first slow second (a 0.2 s stall twenty minutes in, say), and the
/// blocks they left behind made a long run's memory larger than a short one's by megabytes.
pub fn recording_histogram() -> Histogram<u64> {
    let mut h = Histogram::new_with_max(RECORDING_CEILING_US, 3)
        .expect("3 significant figures up to 2^24 is a valid range");
    h.auto(true);
    h
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
    /// The last answer that passed, when judging it again would give the same (see
    /// `Recorder::record_repeat`).
    repeat: Option<Repeat>,
}

/// What judging reads of an answer, byte for byte: for one case, two answers with the same
/// bytes get the same class, verdict and normalised form, as long as nothing in them is
/// normalised by the request's own names (`Record::bytes_decide`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AnswerBytes<'a> {
    pub status: u16,
    pub content_type: Option<&'a str>,
    /// Whether a non-blank request id came (its value is never judged).
    pub request_id: bool,
    pub error_type: Option<&'a str>,
    pub error_message: bool,
    pub body: &'a [u8],
}

#[derive(Debug, Clone)]
struct Repeat {
    status: u16,
    content_type: Option<String>,
    request_id: bool,
    error_type: Option<String>,
    error_message: bool,
    body: Vec<u8>,
    class: Class,
    /// Where `answers` counts it.
    at: Option<usize>,
}

impl Repeat {
    fn is(&self, b: &AnswerBytes<'_>) -> bool {
        self.status == b.status
            && self.request_id == b.request_id
            && self.error_message == b.error_message
            && self.body == b.body
            && self.content_type.as_deref() == b.content_type
            && self.error_type.as_deref() == b.error_type
    }
}

impl Default for CaseStats {
    fn default() -> Self {
        CaseStats {
            by_class: [0; 6],
            transport: [0; TRANSPORT_KINDS],
            retries: 0,
            response: new_histogram(),
            service: new_histogram(),
            verdicts: Verdicts::default(),
            sample: None,
            answers: Tally::default(),
            patterns: Tally::default(),
            states: Tally::default(),
            interval: new_histogram(),
            interval_count: 0,
            interval_errors: 0,
            timeline: Vec::new(),
            repeat: None,
        }
    }
}

impl CaseStats {
    pub fn count(&self) -> u64 {
        self.by_class.iter().sum()
    }

    /// Moves the latency histograms to their full size once the case is busy (`SETTLE_AFTER`).
    fn settle_when_busy(&mut self) {
        if self.count() != SETTLE_AFTER {
            return;
        }
        for h in [&mut self.response, &mut self.service, &mut self.interval] {
            let mut full = recording_histogram();
            if full.distinct_values() > h.distinct_values() && full.add(&*h).is_ok() {
                *h = full;
            }
        }
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
    /// Whether the answer's bytes alone decided its judgement and normalised form (no text
    /// in it was normalised by the request's names or masked for its secrets).
    pub bytes_decide: bool,
}

pub struct Recorder {
    cases: Vec<Mutex<CaseStats>>,
    sampled: Vec<AtomicBool>,
    started: Instant,
    overall: Mutex<Vec<Point>>,
    /// The seconds' merged histogram, kept from one tick to the next: a fresh one each second
    /// grew through every size while long-lived records landed after it, and the holes it left
    /// behind made a long run's resident memory creep.
    merged: Mutex<Histogram<u64>>,
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
    /// Closes the stream; an error says what of it was lost.
    fn finish(&self) -> Result<(), String>;
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
            merged: Mutex::new(recording_histogram()),
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

    /// Makes room in every timeline for a load of `seconds` (up to `MAX_RESERVED_SECONDS`), so
    /// that they do not move to twice their size, and leave the old block behind, as they grow.
    pub fn reserve_seconds(&mut self, seconds: u64) {
        let points = seconds.saturating_add(1).min(MAX_RESERVED_SECONDS) as usize;
        for case in &mut self.cases {
            let s = case.get_mut().unwrap_or_else(|e| e.into_inner());
            s.timeline
                .reserve_exact(points.saturating_sub(s.timeline.len()));
        }
        let overall = self.overall.get_mut().unwrap_or_else(|e| e.into_inner());
        overall.reserve_exact(points.saturating_sub(overall.len()));
    }

    /// Streams every closed interval to `sink` from now on (set once, before the phases).
    pub fn stream_intervals(&self, sink: Box<dyn IntervalSink>) {
        let _ = self.interval_sink.set(sink);
    }

    /// Flushes the interval stream, if any.
    pub fn finish_intervals(&self) -> Result<(), String> {
        self.interval_sink
            .get()
            .map_or(Ok(()), |sink| sink.finish())
    }

    /// Whether the case still lacks a sample answer (so the caller builds one only then).
    pub fn wants_sample(&self, case: usize) -> bool {
        !self.sampled[case].load(Ordering::Relaxed)
    }

    /// Records a request whose answer has the same bytes as the case's last passing one,
    /// without judging it again: the same class, a pass, the same normalised answer. `false`
    /// (nothing recorded) when the bytes differ or no passing answer is remembered.
    /// Why: under load nearly every answer of a case repeats the one before; parsing,
    /// normalising and judging it again was a tenth of the client's CPU per request.
    pub fn record_repeat(
        &self,
        case: usize,
        bytes: &AnswerBytes<'_>,
        service: Duration,
        response: Duration,
        retry: bool,
    ) -> bool {
        let (response, service) = (micros(response), micros(service));
        let class = {
            let mut s = self.cases[case].lock().unwrap_or_else(|e| e.into_inner());
            let s = &mut *s;
            let Some(repeat) = s.repeat.as_ref().filter(|r| r.is(bytes)) else {
                return false;
            };
            let (class, at) = (repeat.class, repeat.at);
            s.by_class[class.index()] += 1;
            s.retries += u64::from(retry);
            let _ = s.response.record(response);
            let _ = s.service.record(service);
            let _ = s.interval.record(response);
            s.interval_count += 1;
            s.interval_errors += u64::from(class.is_error());
            s.settle_when_busy();
            s.answers.add_to(at, 1);
            s.verdicts.judged += 1;
            s.verdicts.passed += 1;
            class
        };
        self.completed.fetch_add(1, Ordering::Relaxed);
        if class.is_error() {
            self.errors.fetch_add(1, Ordering::Relaxed);
        }
        true
    }

    pub fn record(&self, case: usize, r: Record) {
        self.record_as(case, r, None);
    }

    /// `record`; with `bytes`, a passing answer that its bytes decide is remembered for
    /// `record_repeat`.
    pub fn record_as(&self, case: usize, r: Record, bytes: Option<&AnswerBytes<'_>>) {
        let remember = bytes.filter(|_| {
            r.bytes_decide
                && matches!(r.verdict, Some(Ok(())))
                && r.answer.is_some()
                && r.state.is_none()
                && r.pattern.is_none()
                && !r.post_checked
        });
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
            let _ = s.interval.record(response);
            s.interval_count += 1;
            s.interval_errors += u64::from(is_error);
            s.settle_when_busy();
            if let (Some(answer), Some(_)) = (r.answer, &r.verdict) {
                let at = s.answers.add_at(answer, 1);
                if let Some(b) = remember {
                    s.repeat = Some(Repeat {
                        status: b.status,
                        content_type: b.content_type.map(str::to_owned),
                        request_id: b.request_id,
                        error_type: b.error_type.map(str::to_owned),
                        error_message: b.error_message,
                        body: b.body.to_vec(),
                        class: r.class,
                        at,
                    });
                }
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
        let mut merged = self.merged.lock().unwrap_or_else(|e| e.into_inner());
        merged.reset();
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

    /// What `f` reads of the case's record, under its lock and copying nothing: for a reader
    /// that takes a few figures now and then (a scrape of the live metrics), so that the
    /// lock is held only while it reads.
    pub fn read<T>(&self, case: usize, f: impl FnOnce(&CaseStats) -> T) -> T {
        f(&self.cases[case].lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// The case's response and service-time histograms, without copying the rest of its
    /// record (its timeline grows with the run's length).
    pub fn latencies(&self, case: usize) -> (Histogram<u64>, Histogram<u64>) {
        let s = self.cases[case].lock().unwrap_or_else(|e| e.into_inner());
        (s.response.clone(), s.service.clone())
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
            bytes_decide: false,
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

    fn answer(status: u16) -> NormalisedAnswer {
        NormalisedAnswer {
            status,
            error: None,
            message: None,
            content_type: Some("application/x-amz-json-1.1".into()),
            headers: vec![],
            body: vec![],
        }
    }

    fn bytes(body: &[u8]) -> AnswerBytes<'_> {
        AnswerBytes {
            status: 200,
            content_type: Some("application/x-amz-json-1.1"),
            request_id: true,
            error_type: None,
            error_message: false,
            body,
        }
    }

    /// A repeat is counted exactly as judging it again would have counted it; anything that
    /// differs, or that was not a pass its bytes alone decided, is judged again.
    #[test]
    fn a_repeated_passing_answer_counts_as_judging_it_would() {
        let judged = Recorder::new(1);
        let repeated = Recorder::new(1);
        let passing = || Record {
            answer: Some(answer(200)),
            bytes_decide: true,
            ..rec(Class::Success, 3, Some(Ok(())))
        };
        for _ in 0..5 {
            judged.record(0, passing());
        }
        let same = bytes(b"{}");
        assert!(
            !repeated.record_repeat(
                0,
                &same,
                Duration::from_millis(3),
                Duration::from_millis(4),
                false
            ),
            "nothing is remembered before a first judged answer"
        );
        repeated.record_as(0, passing(), Some(&same));
        for _ in 0..4 {
            assert!(repeated.record_repeat(
                0,
                &same,
                Duration::from_millis(3),
                Duration::from_millis(4),
                false
            ));
        }
        let (a, b) = (judged.snapshot(0), repeated.snapshot(0));
        assert_eq!(a.by_class, b.by_class);
        assert_eq!(a.answers, b.answers);
        assert_eq!(
            (a.verdicts.judged, a.verdicts.passed),
            (b.verdicts.judged, b.verdicts.passed)
        );
        assert_eq!(a.response.len(), b.response.len());
        assert_eq!(
            judged.completed.load(Ordering::Relaxed),
            repeated.completed.load(Ordering::Relaxed)
        );

        // Any byte judging reads differs: judged again.
        let other_body = bytes(b"{ }");
        let no_id = AnswerBytes {
            request_id: false,
            ..same
        };
        let other_type = AnswerBytes {
            content_type: Some("application/json"),
            ..same
        };
        for b in [other_body, no_id, other_type] {
            assert!(!repeated.record_repeat(0, &b, Duration::ZERO, Duration::ZERO, false));
        }

        // Not remembered: a failure, a pass that names the request's user, a read-back.
        let r = Recorder::new(3);
        let failed = Record {
            answer: Some(answer(200)),
            bytes_decide: true,
            ..rec(Class::UnexpectedError, 1, Some(Err(vec![])))
        };
        let names_user = Record {
            bytes_decide: false,
            ..passing()
        };
        let read_back = Record {
            post_checked: true,
            ..passing()
        };
        for (case, record) in [failed, names_user, read_back].into_iter().enumerate() {
            r.record_as(case, record, Some(&same));
            assert!(
                !r.record_repeat(case, &same, Duration::ZERO, Duration::ZERO, false),
                "case {case} was remembered"
            );
        }
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

    #[test]
    fn a_recording_histogram_keeps_values_past_its_ceiling() {
        let mut h = recording_histogram();
        let len = h.distinct_values();
        h.record(RECORDING_CEILING_US).unwrap();
        assert_eq!(
            h.distinct_values(),
            len,
            "grew for a value under its ceiling"
        );
        h.record(600_000_000).unwrap();
        assert_eq!(h.len(), 2);
        assert!(h.max() >= 599_000_000, "{}", h.max());
    }

    #[test]
    fn a_case_settles_its_histograms_when_busy_keeping_every_count() {
        let r = Recorder::new(2);
        let small = r.snapshot(0).response.distinct_values();
        r.record(1, rec(Class::Success, 7, Some(Ok(()))));
        for i in 0..SETTLE_AFTER {
            r.record(0, rec(Class::Success, i % 50, Some(Ok(()))));
        }
        let busy = r.snapshot(0);
        let full = recording_histogram().distinct_values();
        assert!(small < full);
        for h in [&busy.response, &busy.service, &busy.interval] {
            assert_eq!(h.distinct_values(), full);
            assert_eq!(h.len(), SETTLE_AFTER);
        }
        assert_eq!(busy.service.max(), r.snapshot(0).service.max());
        assert!(busy.service.max() >= 49_000 && busy.service.min() <= 1_000);
        // A case with a few requests keeps its small histograms.
        assert!(r.snapshot(1).response.distinct_values() < full);
    }

    #[test]
    fn each_second_percentiles_its_own_requests_only() {
        let mut r = Recorder::new(1);
        r.reserve_seconds(3);
        r.record(0, rec(Class::Success, 900, Some(Ok(()))));
        r.tick(1);
        r.record(0, rec(Class::Success, 3, Some(Ok(()))));
        r.tick(2);
        let t = r.overall_timeline();
        assert!(t[0].p99_us >= 899_000, "{:?}", t[0]);
        assert!(
            t[1].p99_us < 5_000,
            "second 2 kept second 1's slow request: {:?}",
            t[1]
        );
    }
}

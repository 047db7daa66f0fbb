//! The open model: requests start on a schedule (constant or linearly ramping rate) whatever
//! the target does. The scheduler wakes, launches every request whose start time has come
//! (each keeps its own intended start, so a late send shows up in response time), and sleeps
//! until the next one: tokio's timer is millisecond-grained, so batching is what keeps high
//! rates exact.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use super::{Engine, PhaseOutcome, Stripe};
use crate::metrics::{Percentiles, micros, new_histogram};
use crate::scenario::Stage;

/// Offset of request `i` from the phase start, for a rate ramping linearly from `r0` to `r1`
/// over `d`: the inverse of N(t) = r0·t + (r1 − r0)·t² / 2d.
pub fn offset_of(i: u64, r0: f64, r1: f64, d: Duration) -> Duration {
    let i = i as f64;
    let a = (r1 - r0) / (2.0 * d.as_secs_f64());
    let t = if a.abs() < 1e-12 {
        i / r0
    } else {
        (-r0 + (r0 * r0 + 4.0 * a * i).max(0.0).sqrt()) / (2.0 * a)
    };
    Duration::from_secs_f64(t.max(0.0))
}

/// A late start: sent more than this after its intended time. Under it, the lag is the
/// timer's and the runtime's ordinary jitter.
pub const LATE_AFTER: Duration = Duration::from_millis(1);

/// The intended start of every request of a staged phase, computed on demand (no list).
pub struct Schedule {
    /// (first request, requests, stage start, rate from, rate to, length)
    stages: Vec<(u64, u64, Duration, f64, f64, Duration)>,
    total: u64,
    length: Duration,
    cursor: usize,
}

impl Schedule {
    pub fn new(start_rate: f64, stages: &[Stage]) -> Schedule {
        let mut out = Vec::with_capacity(stages.len());
        let (mut from, mut at, mut integral, mut first) = (start_rate, Duration::ZERO, 0.0, 0u64);
        for s in stages {
            integral += (from + s.target) / 2.0 * s.duration.as_secs_f64();
            // Counted on the running integral, so fractions carry from stage to stage.
            let upto = (integral + 1e-9).floor() as u64;
            out.push((first, upto - first, at, from, s.target, s.duration));
            first = upto;
            at += s.duration;
            from = s.target;
        }
        Schedule {
            stages: out,
            total: first,
            length: at,
            cursor: 0,
        }
    }

    pub fn total(&self) -> u64 {
        self.total
    }

    pub fn length(&self) -> Duration {
        self.length
    }

    /// Offset of request `i` from the phase start; `i` only grows between calls.
    pub fn offset(&mut self, i: u64) -> Duration {
        while self.cursor + 1 < self.stages.len() {
            let (first, n, ..) = self.stages[self.cursor];
            if i < first + n {
                break;
            }
            self.cursor += 1;
        }
        let (first, _, at, r0, r1, d) = self.stages[self.cursor];
        at + offset_of(i - first, r0, r1, d)
    }
}

/// Runs `stripe`'s requests of `schedule` (all of them unless `--shard`); `planned` is the
/// rate asked of this process, start and end.
pub(super) async fn run(
    engine: &Arc<Engine>,
    name: &str,
    planned: [f64; 2],
    schedule: Schedule,
    stripe: Stripe,
    max_in_flight: usize,
) -> PhaseOutcome {
    let total = stripe.count(schedule.total());
    let duration = schedule.length();
    let permits = Arc::new(Semaphore::new(max_in_flight));
    let start = Instant::now();
    // The schedule runs on a thread of its own: tokio's timer ticks in whole milliseconds, so
    // a task that sleeps on it starts every request up to a millisecond late; a thread
    // sleeping with the OS's high-resolution timer keeps the schedule to tens of microseconds.
    let (done_tx, done_rx) = tokio::sync::oneshot::channel();
    let (handle, engine2, permits2) = (
        tokio::runtime::Handle::current(),
        engine.clone(),
        permits.clone(),
    );
    std::thread::Builder::new()
        .name("cogbench-schedule".into())
        .spawn(move || {
            let kept = keep_schedule(&handle, &engine2, schedule, stripe, &permits2, start);
            let _ = done_tx.send(kept);
        })
        .expect("a thread for the schedule");
    let (next, lag, late) = done_rx.await.expect("the schedule thread reports back");
    // A shard's last request may come well before the phase's end (or it has none): it keeps
    // time with the other shards, whose next phase starts then.
    if stripe.step > 1 {
        engine.idle_until(start + duration).await;
    }
    let dropped = if engine.stopping() { 0 } else { total - next };
    // The rate is measured over the schedule's window, not the drain that follows it.
    let window = if engine.stopping() {
        start.elapsed()
    } else {
        start.elapsed().max(duration)
    };
    // Wait for the requests still in flight (each is bounded by the read timeout), unless
    // the run is told to stop waiting.
    tokio::select! {
        _ = permits.acquire_many(max_in_flight as u32) => {}
        _ = engine.abandoned() => {}
    }
    PhaseOutcome {
        name: name.to_owned(),
        executor: "",
        model: "open",
        planned_rate: Some(planned),
        starts: next,
        requests: 0,
        dropped,
        late_starts: late,
        duration_seconds: window.as_secs_f64(),
        achieved_rate: 0.0,
        schedule_lag_us: Some(Percentiles::of(&lag)),
        schedule_lag_histogram: Some(crate::metrics::codec::encode(&lag)),
        schedule_lag: Some(lag),
        note: None,
    }
}

/// Longest single sleep of the schedule thread, so a stop is noticed promptly.
const NAP: Duration = Duration::from_millis(20);

/// Starts every request of the schedule on the runtime at its intended time (all those due
/// at once when the thread wakes late). Returns the requests started, the lag histogram and
/// the late starts.
fn keep_schedule(
    handle: &tokio::runtime::Handle,
    engine: &Arc<Engine>,
    mut schedule: Schedule,
    stripe: Stripe,
    permits: &Arc<Semaphore>,
    start: Instant,
) -> (u64, hdrhistogram::Histogram<u64>, u64) {
    let total = stripe.count(schedule.total());
    let deadline = start + schedule.length();
    let mut lag = new_histogram();
    let mut late = 0u64;
    let mut next = 0u64;
    while next < total && !engine.stopping() {
        let intended = start + schedule.offset(stripe.offset + next * stripe.step);
        let now = Instant::now();
        if intended > now {
            std::thread::sleep((intended - now).min(NAP));
            continue;
        }
        let permit = match permits.clone().try_acquire_owned() {
            Ok(p) => p,
            // At the bound: wait (the request's response time keeps counting from its
            // intended start), unless the phase ends first.
            Err(_) => {
                let waited = handle.block_on(async {
                    tokio::select! {
                        p = permits.clone().acquire_owned() => p.ok(),
                        _ = tokio::time::sleep_until(deadline.into()) => None,
                        _ = engine.stop_notify.notified() => None,
                    }
                });
                match waited {
                    Some(p) => p,
                    None => break,
                }
            }
        };
        let behind = Instant::now().saturating_duration_since(intended);
        late += u64::from(behind > LATE_AFTER);
        let _ = lag.record(micros(behind));
        let engine = engine.clone();
        let seq = stripe.first_seq + next;
        handle.spawn(async move {
            engine.fire_seq(seq, intended).await;
            drop(permit);
        });
        next += 1;
    }
    (next, lag, late)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constant_rate_spaces_requests_evenly() {
        let d = Duration::from_secs(10);
        assert_eq!(offset_of(0, 1000.0, 1000.0, d), Duration::ZERO);
        assert_eq!(
            offset_of(500, 1000.0, 1000.0, d),
            Duration::from_millis(500)
        );
        assert_eq!(
            Schedule::new(
                1000.0,
                &[Stage {
                    target: 1000.0,
                    duration: d
                }]
            )
            .total(),
            10_000
        );
    }

    #[test]
    fn ramp_is_the_inverse_of_the_integral() {
        let d = Duration::from_secs(10);
        // From 0 to 1000/s over 10 s: 5000 requests; half of them by t = 10/√2 s.
        assert_eq!(
            Schedule::new(
                0.0,
                &[Stage {
                    target: 1000.0,
                    duration: d
                }]
            )
            .total(),
            5000
        );
        let t = offset_of(2500, 0.0, 1000.0, d).as_secs_f64();
        assert!((t - 10.0 / 2f64.sqrt()).abs() < 1e-6, "{t}");
        let end = offset_of(5000, 0.0, 1000.0, d).as_secs_f64();
        assert!((end - 10.0).abs() < 1e-6, "{end}");
        // Ramping down works too.
        let end = offset_of(5000, 1000.0, 0.0, d).as_secs_f64();
        assert!((end - 10.0).abs() < 1e-3, "{end}");
    }

    #[test]
    fn stages_follow_one_another() {
        let s = |target: f64, secs: u64| Stage {
            target,
            duration: Duration::from_secs(secs),
        };
        // Up from 0 to 100/s in 2 s (100 requests), 100/s for 3 s (300), down to 0 in 2 s (100).
        let mut sched = Schedule::new(0.0, &[s(100.0, 2), s(100.0, 3), s(0.0, 2)]);
        assert_eq!(sched.total(), 500);
        assert_eq!(sched.length(), Duration::from_secs(7));
        let mut last = Duration::ZERO;
        for i in 0..500 {
            let t = sched.offset(i);
            assert!(
                t >= last,
                "request {i} starts before request {}",
                i.max(1) - 1
            );
            last = t;
        }
        let mut sched = Schedule::new(0.0, &[s(100.0, 2), s(100.0, 3), s(0.0, 2)]);
        assert_eq!(sched.offset(100), Duration::from_secs(2));
        assert_eq!(sched.offset(250), Duration::from_millis(3500));
        assert!(sched.offset(499) < Duration::from_secs(7));
    }

    #[test]
    fn fractions_carry_across_stages() {
        let s = |target: f64, ms: u64| Stage {
            target,
            duration: Duration::from_millis(ms),
        };
        // Ten stages of 150 ms at 10/s: 1.5 requests each, 15 in all.
        let stages: Vec<Stage> = (0..10).map(|_| s(10.0, 150)).collect();
        assert_eq!(Schedule::new(10.0, &stages).total(), 15);
    }
}

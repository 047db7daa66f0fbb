//! The open model: requests start on a schedule (constant or linearly ramping rate) whatever
//! the target does. The scheduler wakes, launches every request whose start time has come
//! (each keeps its own intended start, so a late send shows up in response time), and sleeps
//! until the next one: tokio's timer is millisecond-grained, so batching is what keeps high
//! rates exact.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use super::{Engine, PhaseOutcome};
use crate::metrics::{Percentiles, micros, new_histogram};

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

/// Requests due in a phase of length `d`.
pub fn total_due(r0: f64, r1: f64, d: Duration) -> u64 {
    ((r0 + r1) / 2.0 * d.as_secs_f64()).floor() as u64
}

pub(super) async fn run(
    engine: &Arc<Engine>,
    name: &str,
    rate: f64,
    ramp_to: Option<f64>,
    duration: Duration,
    max_in_flight: usize,
) -> PhaseOutcome {
    let r1 = ramp_to.unwrap_or(rate);
    let total = total_due(rate, r1, duration);
    let permits = Arc::new(Semaphore::new(max_in_flight));
    let start = Instant::now();
    let deadline = start + duration;
    let mut lag = new_histogram();
    let mut next = 0u64;
    'schedule: while next < total && !engine.stopping() {
        let now = Instant::now();
        while next < total {
            let intended = start + offset_of(next, rate, r1, duration);
            if intended > now {
                break;
            }
            let permit = match permits.clone().try_acquire_owned() {
                Ok(p) => p,
                // At the bound: wait (the request's response time keeps counting from its
                // intended start), unless the phase ends first.
                Err(_) => tokio::select! {
                    p = permits.clone().acquire_owned() => p.expect("the semaphore is never closed"),
                    _ = tokio::time::sleep_until(deadline.into()) => break 'schedule,
                    _ = engine.stop_notify.notified() => break 'schedule,
                },
            };
            let _ = lag.record(micros(Instant::now().saturating_duration_since(intended)));
            let engine = engine.clone();
            let seq = next;
            tokio::spawn(async move {
                engine.fire_seq(seq, intended).await;
                drop(permit);
            });
            next += 1;
        }
        if next >= total {
            break;
        }
        let wake = start + offset_of(next, rate, r1, duration);
        tokio::select! {
            _ = tokio::time::sleep_until(wake.into()) => {}
            _ = engine.stop_notify.notified() => {}
        }
    }
    let dropped = if engine.stopping() { 0 } else { total - next };
    // The rate is measured over the schedule's window, not the drain that follows it.
    let window = if engine.stopping() {
        start.elapsed()
    } else {
        start.elapsed().max(duration)
    };
    // Wait for the requests still in flight (each is bounded by the read timeout).
    let _ = permits.acquire_many(max_in_flight as u32).await;
    PhaseOutcome {
        name: name.to_owned(),
        model: "open",
        planned_rate: Some([rate, r1]),
        starts: next,
        requests: 0,
        dropped,
        duration_seconds: window.as_secs_f64(),
        achieved_rate: 0.0,
        schedule_lag_us: Some(Percentiles::of(&lag)),
    }
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
        assert_eq!(total_due(1000.0, 1000.0, d), 10_000);
    }

    #[test]
    fn ramp_is_the_inverse_of_the_integral() {
        let d = Duration::from_secs(10);
        // From 0 to 1000/s over 10 s: 5000 requests; half of them by t = 10/√2 s.
        assert_eq!(total_due(0.0, 1000.0, d), 5000);
        let t = offset_of(2500, 0.0, 1000.0, d).as_secs_f64();
        assert!((t - 10.0 / 2f64.sqrt()).abs() < 1e-6, "{t}");
        let end = offset_of(5000, 0.0, 1000.0, d).as_secs_f64();
        assert!((end - 10.0).abs() < 1e-6, "{end}");
        // Ramping down works too.
        let end = offset_of(5000, 1000.0, 0.0, d).as_secs_f64();
        assert!((end - 10.0).abs() < 1e-3, "{end}");
    }
}

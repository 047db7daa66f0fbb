//! The open model: requests start on a schedule (constant or linearly ramping rate) whatever
//! the target does. The scheduler wakes, launches every request whose start time has come
//! (each keeps its own intended start, so a late send shows up in response time), and sleeps
//! until the next one: tokio's timer is millisecond-grained, so batching is what keeps high
//! rates exact.

use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use super::outcome::PhaseOutcome;
use super::runner::Engine;
use super::transport::Start;
use crate::metrics::{Percentiles, micros, recording_histogram};
use crate::schedule::{Schedule, Stripe};

/// A late start: sent more than this after its intended time. Under it, the lag is the
/// timer's and the runtime's ordinary jitter.
pub const LATE_AFTER: Duration = Duration::from_millis(1);

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
    engine.pacing.phase_ended(dropped);
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
    let mut lag = recording_histogram();
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
        engine.pacing.started(micros(behind), behind > LATE_AFTER);
        let engine = engine.clone();
        let seq = stripe.first_seq + next;
        handle.spawn(async move {
            engine.fire_seq(seq, Start::scheduled(intended)).await;
            drop(permit);
        });
        next += 1;
    }
    (next, lag, late)
}

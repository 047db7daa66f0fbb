//! The closed model: virtual users, each sending its next request when the previous one is
//! answered (plus optional think time). Either a fixed number of them (`constant-vus`,
//! `iterations`), or a number that follows stages (`ramping-vus`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::outcome::PhaseOutcome;
use super::runner::Engine;
use super::transport::Start;
use crate::scenario::{Stage, Stop};
use crate::schedule::{Stripe, vus_at, wanted_from};

pub(super) async fn run(
    engine: &Arc<Engine>,
    name: &str,
    vus: u32,
    stop: Stop,
    think: Duration,
    max_duration: Option<Duration>,
    first_seq: u64,
) -> PhaseOutcome {
    let start = Instant::now();
    let (limit, deadline) = match stop {
        Stop::Duration(d) => (u64::MAX, Some(start + d)),
        Stop::Iterations(n) => (n, max_duration.map(|d| start + d)),
        Stop::Rounds(n) => (n * engine.cycle_len(), max_duration.map(|d| start + d)),
    };
    // A shard with none of the phase's users keeps time with the others when the phase has a
    // length; one that ends by iterations has nothing to wait for.
    if vus == 0
        && let Stop::Duration(_) = stop
        && let Some(end) = deadline
    {
        engine.idle_until(end).await;
    }
    let next = Arc::new(AtomicU64::new(0));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..vus {
        let (engine, next) = (engine.clone(), next.clone());
        set.spawn(async move {
            loop {
                // One clock read serves the deadline and the request's start.
                let now = Start::now();
                if engine.stopping() || deadline.is_some_and(|d| now.at >= d) {
                    return;
                }
                let seq = next.fetch_add(1, Ordering::Relaxed);
                if seq >= limit {
                    return;
                }
                engine.fire_seq(first_seq + seq, now).await;
                if !think.is_zero() {
                    tokio::time::sleep(think).await;
                }
            }
        });
    }
    join_unless_abandoned(engine, &mut set).await;
    outcome(name, next.load(Ordering::Relaxed).min(limit), start)
}

/// Waits for every virtual user, or leaves those still waiting for an answer behind when the
/// run stops waiting (grace period over, second Ctrl-C).
async fn join_unless_abandoned(engine: &Arc<Engine>, set: &mut tokio::task::JoinSet<()>) {
    loop {
        tokio::select! {
            joined = set.join_next() => if joined.is_none() { return },
            _ = engine.abandoned() => {
                set.detach_all();
                return;
            }
        }
    }
}

fn outcome(name: &str, starts: u64, start: Instant) -> PhaseOutcome {
    PhaseOutcome {
        name: name.to_owned(),
        executor: "",
        model: "closed",
        planned_rate: None,
        starts,
        requests: 0,
        dropped: 0,
        late_starts: 0,
        duration_seconds: start.elapsed().as_secs_f64(),
        achieved_rate: 0.0,
        schedule_lag_us: None,
        schedule_lag: None,
        schedule_lag_histogram: None,
        note: None,
    }
}

pub(super) async fn run_ramping(
    engine: &Arc<Engine>,
    name: &str,
    start_vus: u32,
    stages: &[Stage],
    think: Duration,
    stripe: Stripe,
) -> PhaseOutcome {
    let start = Instant::now();
    let length: Duration = stages.iter().map(|s| s.duration).sum();
    let most = stages
        .iter()
        .map(|s| s.target as u32)
        .fold(start_vus, u32::max);
    let stages: Arc<[Stage]> = stages.into();
    let next = Arc::new(AtomicU64::new(0));
    let mut set = tokio::task::JoinSet::new();
    // A shard runs every N-th virtual user of the whole ramp: together, the shards have the
    // whole ramp's users at every moment.
    let mine = (stripe.offset..u64::from(most)).step_by(stripe.step as usize);
    if stripe.count(u64::from(most)) == 0 {
        engine.idle_until(start + length).await;
    }
    for i in mine {
        let i = i as u32;
        let (engine, next, stages) = (engine.clone(), next.clone(), stages.clone());
        set.spawn(async move {
            loop {
                let now = start.elapsed();
                if engine.stopping() || now >= length {
                    return;
                }
                if vus_at(start_vus, &stages, now) <= i {
                    // Idle until the ramp wants this user again (an iteration under way when
                    // the ramp went down was finished first, as in k6).
                    let Some(at) = wanted_from(start_vus, &stages, i, now) else {
                        return;
                    };
                    tokio::select! {
                        _ = tokio::time::sleep_until((start + at).into()) => {}
                        _ = engine.stop_notify.notified() => return,
                    }
                    continue;
                }
                let seq = next.fetch_add(1, Ordering::Relaxed);
                engine.fire_seq(stripe.first_seq + seq, Start::now()).await;
                if !think.is_zero() {
                    tokio::time::sleep(think).await;
                }
            }
        });
    }
    join_unless_abandoned(engine, &mut set).await;
    outcome(name, next.load(Ordering::Relaxed), start)
}

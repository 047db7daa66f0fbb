//! The closed model: `vus` virtual users, each sending its next request when the previous one
//! is answered (plus optional think time).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use super::{Engine, PhaseOutcome};
use crate::scenario::Stop;

pub(super) async fn run(
    engine: &Arc<Engine>,
    name: &str,
    vus: u32,
    stop: Stop,
    think: Duration,
) -> PhaseOutcome {
    let start = Instant::now();
    let (limit, deadline) = match stop {
        Stop::Duration(d) => (u64::MAX, Some(start + d)),
        Stop::Iterations(n) => (n, None),
        Stop::Rounds(n) => (n * engine.cycle_len(), None),
    };
    let next = Arc::new(AtomicU64::new(0));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..vus {
        let (engine, next) = (engine.clone(), next.clone());
        set.spawn(async move {
            loop {
                if engine.stopping() || deadline.is_some_and(|d| Instant::now() >= d) {
                    return;
                }
                let seq = next.fetch_add(1, Ordering::Relaxed);
                if seq >= limit {
                    return;
                }
                engine.fire_seq(seq, Instant::now()).await;
                if !think.is_zero() {
                    tokio::time::sleep(think).await;
                }
            }
        });
    }
    while set.join_next().await.is_some() {}
    PhaseOutcome {
        name: name.to_owned(),
        model: "closed",
        planned_rate: None,
        starts: next.load(Ordering::Relaxed).min(limit),
        requests: 0,
        dropped: 0,
        duration_seconds: start.elapsed().as_secs_f64(),
        achieved_rate: 0.0,
        schedule_lag_us: None,
    }
}

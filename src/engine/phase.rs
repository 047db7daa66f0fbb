//! A phase: its load picks the pacer (open for arrival rates, closed for virtual users and
//! iterations), and the phase's counts come from what the recorder saw.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use super::outcome::PhaseOutcome;
use super::runner::Engine;
use super::{closed, open};
use crate::scenario::{Load, Phase};
use crate::schedule::{Schedule, Stripe};

impl Engine {
    pub async fn run_phase(self: &Arc<Self>, phase: &Phase) -> PhaseOutcome {
        let before = self.recorder.completed.load(Ordering::Relaxed);
        let gave_up_before = self.gave_up.load(Ordering::Relaxed);
        // Starts may wait for a user supplied on demand, but not past the phase's time: a
        // phase bounded by time ends then, whatever the sign-ups do.
        self.user_waits_over.store(false, Ordering::Release);
        let timer = phase_length(&phase.load).map(|length| {
            let (engine, end) = (self.clone(), tokio::time::Instant::now() + length);
            tokio::spawn(async move {
                tokio::time::sleep_until(end).await;
                engine.end_user_waits();
            })
        });
        let stripe = phase.shard.as_ref().map_or(Stripe::WHOLE, |s| Stripe {
            offset: u64::from(s.shard.index - 1),
            step: u64::from(s.shard.count),
            first_seq: s.first_seq,
        });
        // A shard's open and ramping phases follow the whole phase's schedule or ramp, and
        // take every N-th request or virtual user of it. `whole_load` is `load` itself
        // without a shard, and a shard's part keeps its phase's variant.
        let mut outcome = match (&phase.load, phase.whole_load()) {
            (
                Load::Closed {
                    vus,
                    stop,
                    think_time,
                    max_duration,
                },
                _,
            ) => {
                closed::run(
                    self,
                    &phase.name,
                    *vus,
                    *stop,
                    *think_time,
                    *max_duration,
                    stripe.first_seq,
                )
                .await
            }
            (Load::RampingVus { think_time, .. }, Load::RampingVus { start, stages, .. }) => {
                closed::run_ramping(self, &phase.name, *start, stages, *think_time, stripe).await
            }
            (
                Load::Open {
                    start_rate,
                    stages,
                    max_in_flight,
                },
                Load::Open {
                    start_rate: whole_rate,
                    stages: whole_stages,
                    ..
                },
            ) => {
                let planned = [*start_rate, stages.last().map_or(*start_rate, |s| s.target)];
                let schedule = Schedule::new(*whole_rate, whole_stages);
                open::run(self, &phase.name, planned, schedule, stripe, *max_in_flight).await
            }
            (Load::RampingVus { .. } | Load::Open { .. }, _) => {
                unreachable!("Shard::split keeps the phase's variant")
            }
        };
        if let Some(timer) = timer {
            timer.abort();
        }
        let gave_up = self.gave_up.load(Ordering::Relaxed) - gave_up_before;
        outcome.starts = outcome.starts.saturating_sub(gave_up);
        outcome.dropped += gave_up;
        outcome.executor = phase.executor;
        outcome.note = phase.shard.as_ref().and_then(|s| s.empty_note(&phase.load));
        // Phases run one after another, so the recorder's count is exact for this phase.
        outcome.requests = self.recorder.completed.load(Ordering::Relaxed) - before;
        outcome.achieved_rate = if outcome.duration_seconds > 0.0 {
            outcome.requests as f64 / outcome.duration_seconds
        } else {
            0.0
        };
        outcome
    }
}

/// How long a phase bounded by time lasts (`None`: it ends by iterations or rounds).
fn phase_length(load: &Load) -> Option<std::time::Duration> {
    match load {
        Load::Closed {
            stop: crate::scenario::Stop::Duration(d),
            ..
        } => Some(*d),
        Load::Closed { max_duration, .. } => *max_duration,
        Load::RampingVus { stages, .. } | Load::Open { stages, .. } => {
            Some(stages.iter().map(|s| s.duration).sum())
        }
    }
}

//! Which users are signed up during the load instead of before it, and how many are kept
//! ready: a long run's users provisioned up front made its memory and its set-up grow with
//! its length.

use super::phase::{Load, Phase, Stop};
use crate::cases::Slot;

/// A slot's users are supplied on demand when the run needs more of them than this many
/// seconds of its load use (and than `MIN_STOCK`): that is the stock kept ready ahead of the
/// load. A shorter run's users are all provisioned before it starts.
const STOCK_SECONDS: f64 = 2.0;
const MIN_STOCK: u64 = 256;

/// The stock of a slot supplied on demand, or `None` when its `count` users are provisioned
/// before the load. Every slot may be supplied so but expired codes (the clock moves once,
/// before the load), unless `first_only`: the scenario says `users.on_demand: false`, or the
/// target is a real pool, whose SignUp shares ConfirmSignUp's request-rate quota (spec §4.5):
/// signing up during the load would take from the load's share. A reusable slot's stock is also the size of its rotation (see `users::Rotation`).
pub fn on_demand_stock(phases: &[Phase], first_only: bool, slot: Slot, count: u64) -> Option<u64> {
    if slot == Slot::Expired || first_only {
        return None;
    }
    let seconds = load_seconds(phases)?;
    let stock = ((count as f64 / seconds) * STOCK_SECONDS).ceil() as u64;
    let stock = stock.max(MIN_STOCK);
    (count > stock).then_some(stock)
}

/// How long the load lasts, when its phases end by time (not by iterations or rounds).
pub fn load_seconds(phases: &[Phase]) -> Option<f64> {
    let mut total = 0.0;
    for phase in phases {
        total += match &phase.load {
            Load::Closed {
                stop: Stop::Duration(d),
                ..
            } => d.as_secs_f64(),
            Load::Closed { .. } => return None,
            Load::RampingVus { stages, .. } | Load::Open { stages, .. } => {
                stages.iter().map(|s| s.duration.as_secs_f64()).sum()
            }
        };
    }
    (total > 0.0).then_some(total)
}

/// Of the sign-ups `signups` gives per slot (whose users `count` gives), those made during
/// the load rather than before it.
pub fn on_demand_signups(
    phases: &[Phase],
    first_only: bool,
    count: impl Fn(Slot) -> u64,
    signups: impl Fn(Slot) -> u64,
) -> u64 {
    Slot::ALL
        .iter()
        .filter(|&&slot| on_demand_stock(phases, first_only, slot, count(slot)).is_some())
        .map(|&slot| signups(slot))
        .sum()
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::scenario::Stage;

    fn open(rate: f64, seconds: u64) -> Phase {
        Phase {
            name: "p".into(),
            executor: "constant-arrival-rate",
            load: Load::Open {
                start_rate: rate,
                stages: vec![Stage {
                    target: rate,
                    duration: Duration::from_secs(seconds),
                }],
                max_in_flight: 64,
            },
            shard: None,
        }
    }

    #[test]
    fn only_a_long_runs_fresh_users_come_on_demand() {
        // 6,000 a second for a minute: a third of 360,000 fresh, two seconds' worth kept.
        let long = [open(6000.0, 60)];
        assert_eq!(
            on_demand_stock(&long, false, Slot::Fresh, 120_000),
            Some(4_000)
        );
        assert_eq!(
            on_demand_stock(&long, false, Slot::ResentFresh, 600),
            Some(256)
        );
        // Reusable users and those with a holder come so too, at the same rate-derived stock.
        for slot in [
            Slot::Confirmed,
            Slot::Unconfirmed,
            Slot::ContestedFresh,
            Slot::Crowd,
        ] {
            assert_eq!(
                on_demand_stock(&long, false, slot, 120_000),
                Some(4_000),
                "{slot:?}"
            );
        }
        // Fewer than the stock, expired codes, a real pool: all provisioned first.
        assert_eq!(on_demand_stock(&long, false, Slot::Fresh, 256), None);
        assert_eq!(on_demand_stock(&long, false, Slot::Expired, 120_000), None);
        assert_eq!(on_demand_stock(&long, true, Slot::Fresh, 120_000), None);
        // A load whose length is not a time cannot say how much two seconds of it use.
        let rounds = [Phase {
            load: Load::Closed {
                vus: 4,
                stop: Stop::Rounds(1000),
                think_time: Duration::ZERO,
                max_duration: None,
            },
            ..open(1.0, 1)
        }];
        assert_eq!(on_demand_stock(&rounds, false, Slot::Fresh, 120_000), None);
        let counts = |slot: Slot| match slot {
            Slot::Fresh => 120_000,
            Slot::ContestedFresh => 5_000,
            Slot::Expired => 9_000,
            _ => 0,
        };
        let signups = |slot: Slot| counts(slot) * if slot.with_holder() { 2 } else { 1 };
        assert_eq!(on_demand_signups(&long, false, counts, signups), 130_000);
        assert_eq!(on_demand_signups(&long, true, counts, signups), 0);
    }
}

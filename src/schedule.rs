//! Schedule arithmetic shared by the scenario (sizing, sharding), the target set-up and the
//! engine: the stages of a ramp, when the n-th request of an open-model phase is due, how many
//! virtual users a ramp wants at a moment, and the stripe of a phase one shard runs.

use std::time::Duration;

/// A stretch of a ramp: the value (requests per second, or virtual users) moves linearly to
/// `target` over `duration`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Stage {
    pub target: f64,
    pub duration: Duration,
}

/// The part of a whole phase this process runs (`--shard`): the requests (open model) or
/// virtual users (ramping) of index `offset`, `offset + step`, …, with its first request at
/// `first_seq` in the mix's sequence.
#[derive(Debug, Clone, Copy)]
pub struct Stripe {
    pub offset: u64,
    pub step: u64,
    pub first_seq: u64,
}

impl Stripe {
    pub const WHOLE: Stripe = Stripe {
        offset: 0,
        step: 1,
        first_seq: 0,
    };

    /// How many of `n` things (indices 0..n) are this stripe's.
    pub fn count(self, n: u64) -> u64 {
        if n > self.offset {
            (n - self.offset - 1) / self.step + 1
        } else {
            0
        }
    }
}

/// Requests an open-model phase schedules.
pub fn open_total(start_rate: f64, stages: &[Stage]) -> u64 {
    Schedule::new(start_rate, stages).total()
}

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

/// Virtual users wanted `t` into a ramp: linear within each stage, rounded down (as k6 does).
pub fn vus_at(start_vus: u32, stages: &[Stage], t: Duration) -> u32 {
    let mut from = f64::from(start_vus);
    let mut at = Duration::ZERO;
    for s in stages {
        if t < at + s.duration {
            let f = (t - at).as_secs_f64() / s.duration.as_secs_f64();
            return (from + (s.target - from) * f).floor() as u32;
        }
        at += s.duration;
        from = s.target;
    }
    0
}

/// The first moment at or after `now` when virtual user `i` (counting from 0) is wanted,
/// or `None` when the ramp never wants it again.
pub fn wanted_from(start_vus: u32, stages: &[Stage], i: u32, now: Duration) -> Option<Duration> {
    let need = f64::from(i) + 1.0;
    let mut from = f64::from(start_vus);
    let mut at = Duration::ZERO;
    for s in stages {
        let end = at + s.duration;
        if end > now {
            // Within [at, end) the count moves linearly from `from` to `target`.
            let t = if from >= need {
                Some(at)
            } else if s.target > from && s.target >= need {
                Some(at + s.duration.mul_f64((need - from) / (s.target - from)))
            } else {
                None
            };
            if let Some(t) = t.map(|t| t.max(now))
                && t < end
                && vus_at(start_vus, stages, t) > i
            {
                return Some(t);
            }
        }
        at = end;
        from = s.target;
    }
    None
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

    fn stage(target: f64, secs: u64) -> Stage {
        Stage {
            target,
            duration: Duration::from_secs(secs),
        }
    }

    #[test]
    fn ramps_follow_the_stages() {
        let stages = [stage(10.0, 10), stage(10.0, 5), stage(0.0, 10)];
        let at = |s: f64| vus_at(0, &stages, Duration::from_secs_f64(s));
        assert_eq!(at(0.0), 0);
        assert_eq!(at(5.0), 5);
        assert_eq!(at(9.99), 9);
        assert_eq!(at(12.0), 10);
        assert_eq!(at(20.0), 5);
        assert_eq!(at(25.0), 0);
    }

    #[test]
    fn a_user_waits_for_the_moment_the_ramp_wants_it() {
        let stages = [stage(10.0, 10), stage(10.0, 5), stage(0.0, 10)];
        let secs = |d: Option<Duration>| d.map(|d| d.as_secs_f64());
        // User 4 (the fifth) is wanted once the ramp reaches 5, at 5 s.
        assert_eq!(secs(wanted_from(0, &stages, 4, Duration::ZERO)), Some(5.0));
        // At 12 s all ten are wanted.
        assert_eq!(
            secs(wanted_from(0, &stages, 9, Duration::from_secs(12))),
            Some(12.0)
        );
        // On the way down, user 9 is never wanted again.
        assert_eq!(wanted_from(0, &stages, 9, Duration::from_secs(16)), None);
        // A user above every stage is never wanted.
        assert_eq!(wanted_from(0, &stages, 10, Duration::ZERO), None);
        // From a start of 3 users, user 2 is wanted at once.
        assert_eq!(secs(wanted_from(3, &stages, 2, Duration::ZERO)), Some(0.0));
    }
}

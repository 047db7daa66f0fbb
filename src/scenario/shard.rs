//! `--shard I/N`: one of N disjoint parts of a scenario's load, so that N processes (on as
//! many machines) together run the scenario once, as k6's execution segments do.
//!
//! Whatever is counted is dealt round-robin: of `n` things (virtual users, listed users),
//! shard I takes those whose index `j` (from 0) has `j % N == I - 1`, so the parts add up to
//! the whole exactly and differ by one at most. Open-model phases deal the requests of the
//! whole schedule the same way (shard I sends requests I-1, I-1+N, …, each at its time in the
//! whole schedule), so their rates are the whole's divided by N and their counts add up.

use serde::{Deserialize, Serialize};

/// The most shards a scenario splits into.
pub const MAX_SHARDS: u32 = 1000;

/// Shard `index` (from 1) of `count`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shard {
    pub index: u32,
    pub count: u32,
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl Shard {
    /// `I/N` with 1 ≤ I ≤ N ≤ 1000.
    pub fn parse(text: &str) -> Result<Shard, String> {
        let help = format!(
            "`{text}` is not a shard; expected I/N, this process's part I of N (1 ≤ I ≤ N ≤ {MAX_SHARDS}), e.g. 1/3"
        );
        let (i, n) = text.trim().split_once('/').ok_or_else(|| help.clone())?;
        let number = |s: &str| {
            let s = s.trim();
            if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
                return Err(help.clone());
            }
            s.parse::<u32>().map_err(|_| help.clone())
        };
        let (index, count) = (number(i)?, number(n)?);
        if count == 0 || count > MAX_SHARDS {
            return Err(format!(
                "`{text}`: the number of shards must be from 1 to {MAX_SHARDS}"
            ));
        }
        if index == 0 || index > count {
            return Err(format!(
                "`{text}`: the shard's index must be from 1 to {count} (shards are counted from 1)"
            ));
        }
        Ok(Shard { index, count })
    }

    /// The index from 0.
    fn at(self) -> u64 {
        u64::from(self.index - 1)
    }

    pub(super) fn n(self) -> u64 {
        u64::from(self.count)
    }

    /// This shard's part of `n` things dealt round-robin.
    pub fn share(self, n: u64) -> u64 {
        n / self.n() + u64::from(self.at() < n % self.n())
    }

    /// Whether the thing of index `j` (from 0) of those dealt is this shard's.
    pub fn owns(self, j: u64) -> bool {
        j % self.n() == self.at()
    }

    /// The things before this shard's when `n` are cut into `count` consecutive blocks of
    /// `share` each (shard 1's first): where this shard's block starts.
    pub fn block_start(self, n: u64) -> u64 {
        self.at() * (n / self.n()) + self.at().min(n % self.n())
    }

    /// The part of a work count (iterations, rounds) this shard does when only the shards that
    /// have virtual users work: `n` dealt among the first `min(vus, N)` shards.
    pub(super) fn work(self, n: u64, vus: u64) -> (u64, u64) {
        let workers = vus.min(self.n());
        if self.at() >= workers {
            return (0, n);
        }
        let sub = Shard {
            index: self.index,
            count: workers as u32,
        };
        (sub.share(n), sub.block_start(n))
    }
}

#[cfg(test)]
mod tests {
    use super::super::phase::{Load, Phase, Stage, Stop};
    use std::time::Duration;

    use super::*;

    fn shards(n: u32) -> impl Iterator<Item = Shard> {
        (1..=n).map(move |index| Shard { index, count: n })
    }

    fn phase(load: Load) -> Phase {
        Phase {
            name: "p".into(),
            executor: "iterations",
            load,
            shard: None,
        }
    }

    #[test]
    fn parses_i_of_n_and_refuses_the_rest() {
        assert_eq!(Shard::parse("1/3"), Ok(Shard { index: 1, count: 3 }));
        assert_eq!(Shard::parse("3/3"), Ok(Shard { index: 3, count: 3 }));
        assert_eq!(
            Shard::parse("1000/1000"),
            Ok(Shard {
                index: 1000,
                count: 1000
            })
        );
        for bad in [
            "0/3", "4/3", "x", "1/0", "1/1001", "-1/3", "1/", "/3", "1/3/4", "+1/3",
        ] {
            assert!(Shard::parse(bad).is_err(), "{bad}");
        }
        assert!(Shard::parse("4/3").unwrap_err().contains("from 1 to 3"));
        assert!(Shard::parse("x").unwrap_err().contains("I/N"));
    }

    #[test]
    fn shares_add_up_to_the_whole_and_differ_by_one_at_most() {
        for n in [1u32, 2, 3, 7, 10, 1000] {
            for total in [0u64, 1, 2, 3, 9, 10, 11, 999, 1000, 1001, 123_457] {
                let parts: Vec<u64> = shards(n).map(|s| s.share(total)).collect();
                assert_eq!(parts.iter().sum::<u64>(), total, "{total} in {n}");
                let (lo, hi) = (parts.iter().min().unwrap(), parts.iter().max().unwrap());
                assert!(hi - lo <= 1, "{parts:?}");
                // Dealing and counting agree; blocks tile the whole.
                for s in shards(n) {
                    assert_eq!(
                        (0..total.min(5000)).filter(|j| s.owns(*j)).count() as u64,
                        s.share(total.min(5000))
                    );
                }
                let mut at = 0;
                for s in shards(n) {
                    assert_eq!(s.block_start(total), at);
                    at += s.share(total);
                }
            }
        }
    }

    #[test]
    fn open_rates_are_divided_and_the_schedule_is_dealt_exactly() {
        let load = Load::Open {
            start_rate: 10.0,
            stages: vec![
                Stage {
                    target: 50.0,
                    duration: Duration::from_secs(3),
                },
                Stage {
                    target: 7.0,
                    duration: Duration::from_millis(1500),
                },
            ],
            max_in_flight: 100,
        };
        let whole = load.starts(1).unwrap();
        for n in [1u32, 2, 3, 7] {
            let (mut requests, mut rate, mut target, mut seq) = (0, 0.0, 0.0, 0);
            for s in shards(n) {
                let p = s.split(&phase(load.clone()));
                let Load::Open {
                    start_rate,
                    stages,
                    max_in_flight,
                } = &p.load
                else {
                    panic!()
                };
                rate += start_rate;
                target += stages[0].target;
                assert_eq!(stages[1].duration, Duration::from_millis(1500));
                assert!(*max_in_flight >= 100 / n as usize);
                let sh = p.shard.as_ref().unwrap();
                assert_eq!(sh.first_seq, seq, "blocks of the mix follow one another");
                seq += sh.open_requests().unwrap();
                requests += sh.open_requests().unwrap();
            }
            assert!((rate - 10.0).abs() < 1e-9, "{rate}");
            assert!((target - 50.0).abs() < 1e-9, "{target}");
            assert_eq!(requests, whole);
        }
    }

    #[test]
    fn closed_vus_and_iterations_add_up() {
        for (vus, iterations) in [(1u32, 10u64), (2, 10), (3, 10), (10, 3), (4, 1), (7, 1000)] {
            for n in [1u32, 2, 3, 5] {
                let load = Load::Closed {
                    vus,
                    stop: Stop::Iterations(iterations),
                    think_time: Duration::ZERO,
                    max_duration: None,
                };
                let (mut v, mut it, mut seq) = (0, 0, 0);
                for s in shards(n) {
                    let p = s.split(&phase(load.clone()));
                    let Load::Closed {
                        vus: sv,
                        stop: Stop::Iterations(si),
                        ..
                    } = p.load
                    else {
                        panic!()
                    };
                    assert!(sv > 0 || si == 0, "iterations only where there are users");
                    if si > 0 {
                        assert_eq!(p.shard.as_ref().unwrap().first_seq, seq);
                    }
                    v += sv;
                    it += si;
                    seq += si;
                }
                assert_eq!((v, it), (vus, iterations), "{vus} vus, {iterations} in {n}");
            }
        }
        // Rounds too, whole ones each.
        let load = Load::Closed {
            vus: 4,
            stop: Stop::Rounds(5),
            think_time: Duration::ZERO,
            max_duration: None,
        };
        let rounds: u64 = shards(3)
            .map(|s| match s.split(&phase(load.clone())).load {
                Load::Closed {
                    stop: Stop::Rounds(r),
                    ..
                } => r,
                _ => panic!(),
            })
            .sum();
        assert_eq!(rounds, 5);
    }

    #[test]
    fn a_shard_without_users_says_so() {
        let load = Load::Closed {
            vus: 2,
            stop: Stop::Duration(Duration::from_secs(4)),
            think_time: Duration::ZERO,
            max_duration: None,
        };
        let p = Shard { index: 3, count: 3 }.split(&phase(load.clone()));
        assert_eq!(p.load.max_concurrency(), 0);
        let note = p.shard.as_ref().unwrap().empty_note(&p.load).unwrap();
        assert!(note.contains("idled for the phase's 4s"), "{note}");
        let p = Shard { index: 1, count: 3 }.split(&phase(load));
        assert_eq!(p.shard.as_ref().unwrap().empty_note(&p.load), None);
    }

    fn plan(yaml: &str, dir: &std::path::Path, shard: Option<Shard>) -> super::super::Plan {
        super::super::parse(
            yaml,
            &dir.join("s.yaml"),
            std::sync::Arc::new(crate::cases::Catalog::builtin()),
            &super::super::Overrides {
                shard,
                ..Default::default()
            },
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn listed_users_are_dealt_round_robin() {
        let dir = tempfile::tempdir().unwrap();
        let mut csv = String::from("username,code\n");
        for i in 0..11 {
            csv += &format!("user{i},{:06}\n", 100_000 + i);
        }
        std::fs::write(dir.path().join("users.csv"), csv).unwrap();
        let yaml = "name: listed\ntarget: {kind: endpoint, endpoint: http://127.0.0.1:9, admin_reads: false}\n\
            pool: {existing: {id: us-east-1_Abc, client_id: abcdefghijklmnopqrstuvwxyz}}\n\
            users: {from_csv: users.csv}\nphases: [{vus: 1, duration: 1s}]\nmix: {valid-code: 1}\n";
        let listed = |p: &super::super::Plan| -> Vec<String> {
            let users = p.main_pool().users.listed.as_ref().unwrap();
            users.read().unwrap().map(|u| u.unwrap().username).collect()
        };
        let whole = listed(&plan(yaml, dir.path(), None));
        assert_eq!(whole.len(), 11);
        let mut all = Vec::new();
        for s in shards(3) {
            let p = plan(yaml, dir.path(), Some(s));
            let mine = listed(&p);
            let expected: Vec<String> = whole
                .iter()
                .enumerate()
                .filter(|(j, _)| s.owns(*j as u64))
                .map(|(_, u)| u.clone())
                .collect();
            assert_eq!(mine, expected);
            assert_eq!(p.shard, Some(s));
            all.extend(mine);
        }
        all.sort();
        let mut sorted = whole.clone();
        sorted.sort();
        assert_eq!(all, sorted, "every listed user in exactly one shard");
        // More shards than users: a shard would have none.
        let small = tempfile::tempdir().unwrap();
        std::fs::write(small.path().join("users.csv"), "username,code\na,123456\n").unwrap();
        let e = super::super::parse(
            yaml,
            &small.path().join("s.yaml"),
            std::sync::Arc::new(crate::cases::Catalog::builtin()),
            &super::super::Overrides {
                shard: Some(Shard { index: 2, count: 2 }),
                ..Default::default()
            },
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("fewer than the 2 shards"), "{e}");
    }

    #[test]
    fn provisioned_users_follow_the_shards_parts() {
        let dir = tempfile::tempdir().unwrap();
        // Bounded: the single-use users needed add up exactly over the shards.
        let yaml = "name: p\nphases: [{vus: 3, rounds: 7}, {arrival_rate: 30, duration: 1s}]\nmix: {valid-code: 2, unknown-user: 1}\n";
        let fresh = |s: Option<Shard>| {
            plan(yaml, dir.path(), s)
                .main_pool()
                .users
                .count(crate::cases::Slot::Fresh)
        };
        let whole = fresh(None);
        let parts: u64 = shards(3).map(|s| fresh(Some(s))).sum();
        assert!(parts >= whole, "{parts} < {whole}");
        // Rounds split exactly; the open phase's bound (+1, whole cycles) is what may round up.
        assert!(parts - whole <= 3 * 3, "{parts} vs {whole}");
        // A number given is split exactly.
        let yaml =
            "name: p\nusers: {fresh: 10}\nphases: [{vus: 3, duration: 1s}]\nmix: {valid-code: 1}\n";
        let given = |s: Option<Shard>| {
            plan(yaml, dir.path(), s)
                .main_pool()
                .users
                .count(crate::cases::Slot::Fresh)
        };
        let split: Vec<u64> = shards(3).map(|s| given(Some(s))).collect();
        assert_eq!(split, [4, 3, 3]);
        assert_eq!(given(None), 10);
    }

    #[test]
    fn ramping_vus_are_dealt_stage_by_stage() {
        let load = Load::RampingVus {
            start: 5,
            stages: vec![
                Stage {
                    target: 11.0,
                    duration: Duration::from_secs(2),
                },
                Stage {
                    target: 0.0,
                    duration: Duration::from_secs(2),
                },
            ],
            think_time: Duration::ZERO,
        };
        let (mut start, mut peak) = (0, 0.0);
        for s in shards(4) {
            let Load::RampingVus {
                start: st, stages, ..
            } = s.split(&phase(load.clone())).load
            else {
                panic!()
            };
            start += st;
            peak += stages[0].target;
        }
        assert_eq!((start, peak), (5, 11.0));
    }
}

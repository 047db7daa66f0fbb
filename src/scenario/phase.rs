//! Phases as written: closed (`vus`) or open (`arrival_rate`) load, each checked where it stands.

use std::time::Duration;

use serde::Deserialize;

use super::model::Dur;
use crate::yaml::checked_map;

/// How a phase ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stop {
    Duration(Duration),
    Iterations(u64),
    /// Each case of the mix `weight` times per round.
    Rounds(u64),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Load {
    /// `vus` virtual users, each sending its next request when the previous one is answered.
    Closed {
        vus: u32,
        stop: Stop,
        think_time: Duration,
    },
    /// Requests start on a schedule (per second), whatever the answers do.
    Open {
        rate: f64,
        ramp_to: Option<f64>,
        duration: Duration,
        max_in_flight: usize,
    },
}

#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub name: String,
    pub load: Load,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPhase {
    name: Option<String>,
    vus: Option<u64>,
    duration: Option<Dur>,
    iterations: Option<u64>,
    rounds: Option<u64>,
    think_time: Option<Dur>,
    arrival_rate: Option<f64>,
    ramp_to: Option<f64>,
    max_in_flight: Option<u64>,
}

const MAX_RATE: f64 = 1_000_000.0;

impl TryFrom<RawPhase> for Phase {
    type Error = String;
    fn try_from(r: RawPhase) -> Result<Phase, String> {
        let name = r.name.unwrap_or_default();
        let load = match (r.vus, r.arrival_rate) {
            (Some(_), Some(_)) => {
                return Err(
                    "a phase is either closed (`vus`) or open (`arrival_rate`), not both".into(),
                );
            }
            (None, None) => {
                return Err("a phase needs `vus` (closed model) or `arrival_rate` (open model, requests per second)".into());
            }
            (Some(vus), None) => {
                if !(1..=10_000).contains(&vus) {
                    return Err(format!("vus: {vus} is outside 1..=10000"));
                }
                if r.ramp_to.is_some() || r.max_in_flight.is_some() {
                    return Err("`ramp_to` and `max_in_flight` belong to open-model phases (`arrival_rate`)".into());
                }
                let stop = match (r.duration, r.iterations, r.rounds) {
                    (Some(d), None, None) => Stop::Duration(positive(d.0)?),
                    (None, Some(n), None) if (1..=1_000_000_000).contains(&n) => Stop::Iterations(n),
                    (None, None, Some(n)) if (1..=1_000_000).contains(&n) => Stop::Rounds(n),
                    (None, Some(n), None) => return Err(format!("iterations: {n} is outside 1..=1000000000")),
                    (None, None, Some(n)) => return Err(format!("rounds: {n} is outside 1..=1000000")),
                    _ => return Err("a closed phase ends by exactly one of `duration`, `iterations` or `rounds`".into()),
                };
                Load::Closed {
                    vus: vus as u32,
                    stop,
                    think_time: r.think_time.map(|d| d.0).unwrap_or_default(),
                }
            }
            (None, Some(rate)) => {
                check_rate("arrival_rate", rate)?;
                if let Some(to) = r.ramp_to {
                    check_rate("ramp_to", to)
                        .or_else(|e| if to == 0.0 { Ok(()) } else { Err(e) })?;
                }
                if r.iterations.is_some() || r.rounds.is_some() || r.think_time.is_some() {
                    return Err("an open-model phase ends by `duration`; `iterations`, `rounds` and `think_time` are for `vus` phases".into());
                }
                let duration =
                    positive(r.duration.ok_or("an open-model phase needs `duration`")?.0)?;
                let max_in_flight = r.max_in_flight.unwrap_or(1024);
                if !(1..=100_000).contains(&max_in_flight) {
                    return Err(format!(
                        "max_in_flight: {max_in_flight} is outside 1..=100000"
                    ));
                }
                Load::Open {
                    rate,
                    ramp_to: r.ramp_to,
                    duration,
                    max_in_flight: max_in_flight as usize,
                }
            }
        };
        Ok(Phase { name, load })
    }
}
checked_map!(Phase, RawPhase, "a phase");

fn positive(d: Duration) -> Result<Duration, String> {
    if d.is_zero() {
        Err("duration must be above zero".into())
    } else {
        Ok(d)
    }
}

fn check_rate(what: &str, rate: f64) -> Result<(), String> {
    if !(rate.is_finite() && rate > 0.0 && rate <= MAX_RATE) {
        return Err(format!(
            "{what}: {rate} requests per second is outside (0, {MAX_RATE}]"
        ));
    }
    Ok(())
}

pub(super) struct Phases(pub Vec<Phase>);
impl<'de> Deserialize<'de> for Phases {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Phases;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a list of phases")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut seq: A,
            ) -> Result<Phases, A::Error> {
                let mut phases = Vec::new();
                while let Some(mut p) = seq.next_element::<Phase>()? {
                    if p.name.is_empty() {
                        p.name = format!("phase-{}", phases.len() + 1);
                    }
                    phases.push(p);
                }
                if phases.is_empty() {
                    return Err(serde::de::Error::custom("at least one phase is needed"));
                }
                if phases.len() > 100 {
                    return Err(serde::de::Error::custom("at most 100 phases"));
                }
                Ok(Phases(phases))
            }
        }
        d.deserialize_seq(V)
    }
}

//! Phases as written: closed (`vus`) or open (`arrival_rate`) load, each checked where it stands.

use std::time::Duration;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_json::{Value, json};

use super::patterns::refine_property;
use super::shard::Shard;
use super::values::Dur;
use crate::yaml::{checked_map, visited};

/// How a phase ends.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stop {
    Duration(Duration),
    Iterations(u64),
    /// Each case of the mix `weight` times per round.
    Rounds(u64),
}

pub use crate::schedule::Stage;

#[derive(Debug, Clone, PartialEq)]
pub enum Load {
    /// `vus` virtual users, each sending its next request when the previous one is answered
    /// (`constant-vus`, `iterations`, and the `vus:` shorthand).
    Closed {
        vus: u32,
        stop: Stop,
        think_time: Duration,
        /// `iterations` executor: the phase also ends after this long.
        max_duration: Option<Duration>,
    },
    /// Virtual users added and removed along `stages` (`ramping-vus`).
    RampingVus {
        start: u32,
        stages: Vec<Stage>,
        think_time: Duration,
    },
    /// Requests start on a schedule, whatever the answers do (`constant-arrival-rate`,
    /// `ramping-arrival-rate`, and the `arrival_rate:` shorthand).
    Open {
        start_rate: f64,
        stages: Vec<Stage>,
        max_in_flight: usize,
    },
}

impl Load {
    /// The most virtual users (closed) or requests in flight (open) the phase can have.
    pub fn max_concurrency(&self) -> usize {
        match self {
            Load::Closed { vus, .. } => *vus as usize,
            Load::RampingVus { start, stages, .. } => stages
                .iter()
                .map(|s| s.target as usize)
                .fold(*start as usize, usize::max),
            Load::Open { max_in_flight, .. } => *max_in_flight,
        }
    }

    /// The connections the HTTP client keeps for this load when the scenario does not say:
    /// one per virtual user, or per request in flight up to 256 (an open phase's bound is a
    /// ceiling for bursts, not the usual need).
    pub fn default_connections(&self) -> usize {
        match self {
            Load::Open { max_in_flight, .. } => (*max_in_flight).min(256),
            Load::Closed { .. } | Load::RampingVus { .. } => self.max_concurrency(),
        }
    }

    /// Starts the load makes exactly, when bounded: `cycle` requests per round of the mix.
    /// `None` when it runs for a duration with virtual users (its count depends on the
    /// target's speed).
    pub fn starts(&self, cycle: u64) -> Option<u64> {
        match self {
            Load::Closed { stop, .. } => match stop {
                Stop::Rounds(n) => Some(n * cycle),
                Stop::Iterations(n) => Some(*n),
                Stop::Duration(_) => None,
            },
            Load::RampingVus { .. } => None,
            Load::Open { .. } => self.scheduled_requests(),
        }
    }

    /// Starts beyond [`Load::starts`] that users are sized for: one in an open phase.
    pub fn starts_to_spare(&self) -> u64 {
        match self {
            Load::Open { .. } => 1,
            Load::Closed { .. } | Load::RampingVus { .. } => 0,
        }
    }

    /// Open model: the requests its schedule starts.
    fn scheduled_requests(&self) -> Option<u64> {
        match self {
            Load::Open {
                start_rate, stages, ..
            } => Some(crate::schedule::open_total(*start_rate, stages)),
            Load::Closed { .. } | Load::RampingVus { .. } => None,
        }
    }

    /// The highest request rate the load can reach, or `None` when it has no bound (virtual
    /// users without think time send as fast as answers come).
    pub fn peak_rate(&self) -> Option<f64> {
        match self {
            Load::Open {
                start_rate, stages, ..
            } => Some(stages.iter().map(|s| s.target).fold(*start_rate, f64::max)),
            Load::Closed {
                vus, think_time, ..
            } if !think_time.is_zero() => Some(f64::from(*vus) / think_time.as_secs_f64()),
            Load::RampingVus {
                think_time,
                start,
                stages,
            } if !think_time.is_zero() => {
                let most = stages
                    .iter()
                    .map(|s| s.target)
                    .fold(f64::from(*start), f64::max);
                Some(most / think_time.as_secs_f64())
            }
            Load::Closed { .. } | Load::RampingVus { .. } => None,
        }
    }

    /// `shard`'s part of the load, and where its requests start in the mix's sequence.
    fn split(&self, shard: Shard) -> (Load, u64) {
        let n = shard.n() as f64;
        // Only what is divided between the shards changes: think times, stage durations and
        // `max_duration` stay the whole phase's.
        let mut load = self.clone();
        let first_seq = match &mut load {
            Load::Open {
                start_rate,
                stages,
                max_in_flight,
            } => {
                let whole = crate::schedule::open_total(*start_rate, stages);
                *start_rate /= n;
                for s in stages.iter_mut() {
                    s.target /= n;
                }
                *max_in_flight = (*max_in_flight as u64).div_ceil(shard.n()).max(1) as usize;
                shard.block_start(whole)
            }
            Load::Closed { vus, stop, .. } => {
                let all = u64::from(*vus);
                *vus = shard.share(all) as u32;
                match stop {
                    Stop::Duration(_) => 0,
                    Stop::Iterations(k) => {
                        let (part, first) = shard.work(*k, all);
                        *k = part;
                        first
                    }
                    // Whole rounds each: every shard's requests start a fresh cycle of the mix.
                    Stop::Rounds(k) => {
                        *k = shard.work(*k, all).0;
                        0
                    }
                }
            }
            Load::RampingVus { start, stages, .. } => {
                *start = shard.share(u64::from(*start)) as u32;
                for s in stages.iter_mut() {
                    s.target = shard.share(s.target.max(0.0).floor() as u64) as f64;
                }
                0
            }
        };
        (load, first_seq)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Phase {
    pub name: String,
    /// The executor's name, as k6 names them.
    pub executor: &'static str,
    /// This process's part of the load (the whole of it unless `--shard`).
    pub load: Load,
    /// With `--shard`: which part `load` is, and of what.
    pub shard: Option<PhaseShard>,
}

impl Phase {
    /// The phase's load for all shards together (`load` itself unless `--shard`).
    pub fn whole_load(&self) -> &Load {
        self.shard.as_ref().map_or(&self.load, |s| &s.whole)
    }

    /// Starts the phase makes exactly, when bounded: what a progress bar counts to.
    pub fn starts(&self, cycle: u64) -> Option<u64> {
        // A shard's part of an open phase: every N-th request of the whole schedule.
        let shard = self.shard.as_ref().and_then(PhaseShard::open_requests);
        shard.or_else(|| self.load.starts(cycle))
    }
}

/// A phase's shard: which part, of what.
#[derive(Debug, Clone, PartialEq)]
pub struct PhaseShard {
    pub shard: Shard,
    /// The phase's load for all shards together: open phases keep the whole schedule (this
    /// shard sends every N-th request of it), ramping phases the whole ramp (this shard runs
    /// every N-th virtual user of it).
    pub whole: Load,
    /// Where this shard's requests start in the mix's sequence (its first request is the
    /// whole phase's request `first_seq`), so the shards together draw the cases the whole
    /// phase would.
    pub first_seq: u64,
}

impl PhaseShard {
    /// Open model: the requests of the whole schedule this shard sends.
    pub fn open_requests(&self) -> Option<u64> {
        let whole = self.whole.scheduled_requests()?;
        Some(self.shard.share(whole))
    }

    /// What this shard has none of, if anything, for the phase's report.
    pub fn empty_note(&self, part: &Load) -> Option<String> {
        let who = format!("shard {}", self.shard);
        match part {
            Load::Closed { vus: 0, stop, .. } => Some(match stop {
                Stop::Duration(d) => format!(
                    "{who} has none of the phase's virtual users: it idled for the phase's {}",
                    super::units::format_duration(*d)
                ),
                _ => format!(
                    "{who} has none of the phase's virtual users: skipped (the phase ends when the other shards' iterations are done)"
                ),
            }),
            Load::Closed {
                stop: Stop::Iterations(0) | Stop::Rounds(0),
                ..
            } => Some(format!(
                "{who} has no iterations of the phase (fewer than its virtual users)"
            )),
            Load::RampingVus { .. } if part.max_concurrency() == 0 => Some(format!(
                "{who} has none of the phase's virtual users: it idled for the phase's length"
            )),
            Load::Open { .. } if self.open_requests() == Some(0) => Some(format!(
                "{who} has none of the phase's scheduled requests: it idled for the phase's length"
            )),
            Load::Closed { .. } | Load::RampingVus { .. } | Load::Open { .. } => None,
        }
    }
}

impl Shard {
    /// This shard's part of a phase, with the whole phase kept for the executors.
    pub fn split(self, phase: &Phase) -> Phase {
        let (load, first_seq) = phase.load.split(self);
        Phase {
            name: phase.name.clone(),
            executor: phase.executor,
            load,
            shard: Some(PhaseShard {
                shard: self,
                whole: phase.load.clone(),
                first_seq,
            }),
        }
    }
}

/// The executor, as k6 names it: constant-vus (vus, duration, think_time), iterations (vus,
/// iterations or rounds, max_duration, think_time), ramping-vus (start_vus, stages,
/// think_time), constant-arrival-rate (rate, duration, max_in_flight), ramping-arrival-rate
/// (start_rate, stages, max_in_flight).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
enum Executor {
    ConstantArrivalRate,
    RampingArrivalRate,
    ConstantVus,
    RampingVus,
    Iterations,
}

impl Executor {
    const ALL: [Executor; 5] = [
        Executor::ConstantArrivalRate,
        Executor::RampingArrivalRate,
        Executor::ConstantVus,
        Executor::RampingVus,
        Executor::Iterations,
    ];

    /// Its name, and the keys it takes (besides `name` and `executor`).
    fn keys(self) -> (&'static str, &'static [&'static str]) {
        match self {
            Executor::ConstantArrivalRate => (
                "constant-arrival-rate",
                &["rate", "arrival_rate", "duration", "max_in_flight"],
            ),
            Executor::RampingArrivalRate => (
                "ramping-arrival-rate",
                &["start_rate", "stages", "max_in_flight"],
            ),
            Executor::ConstantVus => ("constant-vus", &["vus", "duration", "think_time"]),
            Executor::RampingVus => ("ramping-vus", &["start_vus", "stages", "think_time"]),
            Executor::Iterations => (
                "iterations",
                &["vus", "iterations", "rounds", "max_duration", "think_time"],
            ),
        }
    }
}

/// The keys of the closed shorthand (`vus:` without an executor).
const CLOSED_KEYS: [&str; 5] = ["vus", "duration", "iterations", "rounds", "think_time"];
/// The keys of the open shorthand (`arrival_rate:` without an executor).
const OPEN_KEYS: [&str; 4] = ["arrival_rate", "ramp_to", "duration", "max_in_flight"];

/// A stage of a ramp: from the previous target (or the start) to this one, over `duration`.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(rename = "Stage")]
struct RawStage {
    /// Requests per second (ramping-arrival-rate) or virtual users (ramping-vus) at the
    /// stage's end.
    target: f64,
    /// How long the stage takes (above zero).
    duration: Dur,
}

/// A phase of the load. Closed: `vus` (with `duration`, `iterations` or `rounds`); open:
/// `arrival_rate` (requests per second, with `duration`); or `executor` and its keys.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPhase {
    /// The phase's name in the reports (default phase-1, phase-2…).
    #[schemars(with = "Option<super::patterns::PlainText>")]
    name: Option<String>,
    executor: Option<Executor>,
    /// Virtual users, each sending its next request when the previous one is answered.
    vus: Option<u64>,
    /// How long the phase runs (above zero).
    duration: Option<Dur>,
    /// Requests in all, shared by the virtual users.
    iterations: Option<u64>,
    /// Rounds of the mix: each case `weight` times per round.
    rounds: Option<u64>,
    /// A virtual user's pause between an answer and its next request.
    think_time: Option<Dur>,
    /// Requests started per second, whatever the answers do (the open model).
    arrival_rate: Option<f64>,
    /// constant-arrival-rate: requests started per second.
    rate: Option<f64>,
    /// With `arrival_rate`: the rate at the phase's end, reached linearly.
    ramp_to: Option<f64>,
    /// ramping-arrival-rate: the rate the first stage starts from (default 0).
    start_rate: Option<f64>,
    /// ramping-vus: the virtual users the first stage starts from (default 0).
    start_vus: Option<u64>,
    /// The ramp, stage by stage.
    stages: Option<Vec<RawStage>>,
    /// iterations: the phase also ends after this long.
    max_duration: Option<Dur>,
    /// Open model: the most requests in flight (default 1024). Past it, starts wait (the wait
    /// counts in response time); those never sent before the phase ends are reported dropped.
    max_in_flight: Option<u64>,
}

/// The total requests of a closed phase that ends by `iterations`.
const ITERATIONS: std::ops::RangeInclusive<u64> = 1..=1_000_000_000;
/// The rounds of a closed phase that ends by `rounds`.
const ROUNDS: std::ops::RangeInclusive<u64> = 1..=1_000_000;
/// The stages of a ramp.
const STAGES: std::ops::RangeInclusive<usize> = 1..=1000;

/// A key given (JSON's null is YAML's empty value, which the loader reads as no key).
fn given(key: &str) -> Value {
    json!({ "required": [key], "properties": { key: { "not": { "type": "null" } } } })
}

/// Only `keys` (and `name`, `executor`) given: the others absent or empty.
fn only(all: &[String], keys: &[&str]) -> Value {
    let others: serde_json::Map<String, Value> = all
        .iter()
        .filter(|k| !keys.contains(&k.as_str()) && !["name", "executor"].contains(&k.as_str()))
        .map(|k| (k.clone(), json!({ "type": "null" })))
        .collect();
    json!({ "properties": others })
}

/// Exactly one of `keys` given.
fn one_of(keys: &[&str]) -> Value {
    json!({ "oneOf": keys.iter().map(|k| given(k)).collect::<Vec<_>>() })
}

/// The phase's rules, from the tables and bounds the conversion below applies: each key's
/// range, which keys each executor (or shorthand) takes and needs. Left to cogbench validate:
/// durations above zero, a ramp that sends nothing, and the users it needs.
fn refine(schema: &mut schemars::Schema) {
    let rate = json!({ "exclusiveMinimum": 0, "maximum": MAX_RATE });
    let whole =
        |r: std::ops::RangeInclusive<u64>| json!({ "minimum": r.start(), "maximum": r.end() });
    refine_property(schema, "vus", whole(1..=MAX_VUS));
    refine_property(schema, "iterations", whole(ITERATIONS));
    refine_property(schema, "rounds", whole(ROUNDS));
    refine_property(schema, "max_in_flight", whole(1..=MAX_IN_FLIGHT as u64));
    refine_property(schema, "start_vus", whole(0..=MAX_VUS));
    refine_property(
        schema,
        "start_rate",
        json!({ "minimum": 0, "maximum": MAX_RATE }),
    );
    refine_property(schema, "rate", rate.clone());
    refine_property(
        schema,
        "ramp_to",
        json!({ "minimum": 0, "maximum": MAX_RATE }),
    );
    let stages = |max: f64| {
        json!({
            "minItems": STAGES.start(),
            "maxItems": STAGES.end(),
            "items": { "properties": { "target": { "minimum": 0, "maximum": max } } },
        })
    };
    refine_property(schema, "stages", stages(MAX_RATE));
    let all: Vec<String> = schema
        .get("properties")
        .and_then(|p| p.as_object())
        .expect("a phase has properties")
        .keys()
        .cloned()
        .collect();
    let mut rules: Vec<Value> = Executor::ALL
        .iter()
        .map(|e| {
            let (label, keys) = e.keys();
            let needs: Vec<Value> = match e {
                Executor::ConstantArrivalRate => vec![
                    given("duration"),
                    json!({ "anyOf": [
                        given("rate"),
                        { "allOf": [given("arrival_rate"), { "properties": { "arrival_rate": rate } }] },
                    ] }),
                ],
                Executor::RampingArrivalRate => vec![given("stages")],
                Executor::ConstantVus => vec![given("vus"), given("duration")],
                Executor::RampingVus => vec![
                    given("stages"),
                    json!({ "properties": { "stages": stages(MAX_VUS as f64) } }),
                ],
                Executor::Iterations => vec![one_of(&["iterations", "rounds"])],
            };
            let then: Vec<Value> = [only(&all, keys)].into_iter().chain(needs).collect();
            json!({
                "if": { "required": ["executor"], "properties": { "executor": { "const": label } } },
                "then": { "allOf": then },
            })
        })
        .collect();
    let closed = json!({ "allOf": [
        given("vus"),
        { "not": given("arrival_rate") },
        only(&all, &CLOSED_KEYS),
        one_of(&["duration", "iterations", "rounds"]),
    ] });
    let open = json!({ "allOf": [
        given("arrival_rate"),
        { "not": given("vus") },
        only(&all, &OPEN_KEYS),
        given("duration"),
        { "properties": { "arrival_rate": rate } },
    ] });
    rules.push(json!({
        "if": { "not": given("executor") },
        "then": { "anyOf": [closed, open] },
    }));
    schema.insert("allOf".into(), Value::Array(rules));
}

const MAX_RATE: f64 = 1_000_000.0;
const MAX_VUS: u64 = 10_000;

impl RawPhase {
    /// Keys given that the executor does not take, for a clear error.
    fn unexpected(&self, allowed: &[&str]) -> Option<&'static str> {
        // Each key is named as its field, which serde reads it by.
        macro_rules! given {
            ($raw:ident, $($field:ident),*) => {
                [$((stringify!($field), $raw.$field.is_some())),*]
            };
        }
        let given = given!(
            self,
            vus,
            duration,
            iterations,
            rounds,
            think_time,
            arrival_rate,
            rate,
            ramp_to,
            start_rate,
            start_vus,
            stages,
            max_duration,
            max_in_flight
        );
        given
            .into_iter()
            .find(|(k, set)| *set && !allowed.contains(k))
            .map(|(k, _)| k)
    }
}

fn vus_in_range(what: &str, n: u64) -> Result<u32, String> {
    if (1..=MAX_VUS).contains(&n) {
        Ok(n as u32)
    } else {
        Err(format!("{what}: {n} is outside 1..={MAX_VUS}"))
    }
}

/// The most requests an open phase may keep outstanding.
pub const MAX_IN_FLIGHT: usize = 100_000;

fn max_in_flight(r: &RawPhase) -> Result<usize, String> {
    let n = r.max_in_flight.unwrap_or(1024);
    if !(1..=MAX_IN_FLIGHT as u64).contains(&n) {
        return Err(format!("max_in_flight: {n} is outside 1..={MAX_IN_FLIGHT}"));
    }
    Ok(n as usize)
}

fn stages(r: &mut RawPhase, what: &str, max: f64) -> Result<Vec<Stage>, String> {
    let raw = r
        .stages
        .take()
        .ok_or_else(|| format!("`{what}` needs `stages`: a list of {{target, duration}}"))?;
    if !STAGES.contains(&raw.len()) {
        return Err(format!(
            "stages: {} to {} stages",
            STAGES.start(),
            STAGES.end()
        ));
    }
    raw.into_iter()
        .enumerate()
        .map(|(i, s)| {
            if !(s.target.is_finite() && (0.0..=max).contains(&s.target)) {
                return Err(format!(
                    "stages[{i}].target: {} is outside [0, {max}]",
                    s.target
                ));
            }
            Ok(Stage {
                target: s.target,
                duration: positive(s.duration.0)?,
            })
        })
        .collect()
}

impl TryFrom<RawPhase> for Phase {
    type Error = String;
    fn try_from(mut r: RawPhase) -> Result<Phase, String> {
        let name = r.name.take().unwrap_or_default();
        let executor = match r.executor {
            Some(e) => e,
            // The shorthand: `vus` (closed) or `arrival_rate` (open).
            None => match (r.vus, r.arrival_rate) {
                (Some(_), Some(_)) => {
                    return Err(
                        "a phase is either closed (`vus`) or open (`arrival_rate`), not both"
                            .into(),
                    );
                }
                (None, None) => {
                    return Err("a phase needs `executor`, or the shorthand `vus` (closed model) or `arrival_rate` (open model, requests per second)".into());
                }
                (Some(_), None) => {
                    if r.ramp_to.is_some() || r.max_in_flight.is_some() {
                        return Err("`ramp_to` and `max_in_flight` belong to open-model phases (`arrival_rate`)".into());
                    }
                    if let Some(k) = r.unexpected(&CLOSED_KEYS) {
                        return Err(format!("`{k}` does not belong to a `vus` phase"));
                    }
                    let vus = vus_in_range("vus", r.vus.unwrap_or_default())?;
                    let stop = match (r.duration, r.iterations, r.rounds) {
                        (Some(d), None, None) => Stop::Duration(positive(d.0)?),
                        (None, Some(n), None) if ITERATIONS.contains(&n) => Stop::Iterations(n),
                        (None, None, Some(n)) if ROUNDS.contains(&n) => Stop::Rounds(n),
                        (None, Some(n), None) => return Err(format!("iterations: {n} is outside 1..=1000000000")),
                        (None, None, Some(n)) => return Err(format!("rounds: {n} is outside 1..=1000000")),
                        _ => return Err("a closed phase ends by exactly one of `duration`, `iterations` or `rounds`".into()),
                    };
                    let executor = match stop {
                        Stop::Duration(_) => "constant-vus",
                        _ => "iterations",
                    };
                    return Ok(Phase {
                        name,
                        executor,
                        load: Load::Closed {
                            vus,
                            stop,
                            think_time: r.think_time.map(|d| d.0).unwrap_or_default(),
                            max_duration: None,
                        },
                        shard: None,
                    });
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
                    if let Some(k) = r.unexpected(&OPEN_KEYS) {
                        return Err(format!("`{k}` does not belong to an `arrival_rate` phase"));
                    }
                    let duration =
                        positive(r.duration.ok_or("an open-model phase needs `duration`")?.0)?;
                    let ramp = r.ramp_to.is_some();
                    return Ok(Phase {
                        name,
                        executor: if ramp {
                            "ramping-arrival-rate"
                        } else {
                            "constant-arrival-rate"
                        },
                        load: Load::Open {
                            start_rate: rate,
                            stages: vec![Stage {
                                target: r.ramp_to.unwrap_or(rate),
                                duration,
                            }],
                            max_in_flight: max_in_flight(&r)?,
                        },
                        shard: None,
                    });
                }
            },
        };
        let (label, allowed) = executor.keys();
        if let Some(k) = r.unexpected(allowed) {
            return Err(format!(
                "`{k}` does not belong to executor {label}; it takes {}",
                allowed.join(", ")
            ));
        }
        let think_time = r.think_time.map(|d| d.0).unwrap_or_default();
        let load = match executor {
            Executor::ConstantArrivalRate => {
                let rate = r
                    .rate
                    .or(r.arrival_rate)
                    .ok_or("constant-arrival-rate needs `rate` (requests per second)")?;
                check_rate("rate", rate)?;
                Load::Open {
                    start_rate: rate,
                    stages: vec![Stage {
                        target: rate,
                        duration: positive(
                            r.duration
                                .ok_or("constant-arrival-rate needs `duration`")?
                                .0,
                        )?,
                    }],
                    max_in_flight: max_in_flight(&r)?,
                }
            }
            Executor::RampingArrivalRate => {
                let start_rate = r.start_rate.unwrap_or(0.0);
                if !(start_rate.is_finite() && (0.0..=MAX_RATE).contains(&start_rate)) {
                    return Err(format!(
                        "start_rate: {start_rate} is outside [0, {MAX_RATE}]"
                    ));
                }
                let stages = stages(&mut r, label, MAX_RATE)?;
                let mut from = start_rate;
                for (i, s) in stages.iter().enumerate() {
                    if from == 0.0 && s.target == 0.0 {
                        return Err(format!(
                            "stages[{i}]: a stage from 0 to 0 requests per second sends nothing; leave it out"
                        ));
                    }
                    from = s.target;
                }
                Load::Open {
                    start_rate,
                    stages,
                    max_in_flight: max_in_flight(&r)?,
                }
            }
            Executor::ConstantVus => Load::Closed {
                vus: vus_in_range("vus", r.vus.ok_or("constant-vus needs `vus`")?)?,
                stop: Stop::Duration(positive(
                    r.duration.ok_or("constant-vus needs `duration`")?.0,
                )?),
                think_time,
                max_duration: None,
            },
            Executor::RampingVus => {
                let start = r.start_vus.unwrap_or(0);
                if start > MAX_VUS {
                    return Err(format!("start_vus: {start} is outside 0..={MAX_VUS}"));
                }
                let stages = stages(&mut r, label, MAX_VUS as f64)?;
                if start == 0 && stages.iter().all(|s| s.target < 1.0) {
                    return Err("ramping-vus: no stage has a virtual user".into());
                }
                Load::RampingVus {
                    start: start as u32,
                    stages,
                    think_time,
                }
            }
            Executor::Iterations => {
                let stop = match (r.iterations, r.rounds) {
                    (Some(n), None) if ITERATIONS.contains(&n) => Stop::Iterations(n),
                    (None, Some(n)) if ROUNDS.contains(&n) => Stop::Rounds(n),
                    (Some(n), None) => {
                        return Err(format!("iterations: {n} is outside 1..=1000000000"));
                    }
                    (None, Some(n)) => return Err(format!("rounds: {n} is outside 1..=1000000")),
                    _ => {
                        return Err(
                            "executor iterations needs exactly one of `iterations` (shared by the vus) or `rounds`"
                                .into(),
                        );
                    }
                };
                Load::Closed {
                    vus: vus_in_range("vus", r.vus.unwrap_or(1))?,
                    stop,
                    think_time,
                    max_duration: r.max_duration.map(|d| positive(d.0)).transpose()?,
                }
            }
        };
        Ok(Phase {
            name,
            executor: label,
            load,
            shard: None,
        })
    }
}
checked_map!(Phase, RawPhase, "a phase", refine: refine);

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

/// The most phases a scenario may have.
const MAX_PHASES: usize = 100;

pub(super) struct Phases(pub Vec<Phase>);
visited!(Phases, deserialize_seq(), "a list of phases", schema: |g| serde_json::from_value(json!({
    "type": "array",
    "minItems": 1,
    "maxItems": MAX_PHASES,
    "items": g.subschema_for::<Phase>(),
    "examples": [[{ "vus": 8, "duration": "30s" }], [{ "arrival_rate": 100, "duration": "1m" }]],
})).expect("a schema"), {
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Phases, A::Error> {
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
        if phases.len() > MAX_PHASES {
            return Err(serde::de::Error::custom(format!(
                "at most {MAX_PHASES} phases"
            )));
        }
        Ok(Phases(phases))
    }
});

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_load_counts_its_starts_and_bounds_its_rate() {
        let stage = |target, secs| Stage {
            target,
            duration: Duration::from_secs(secs),
        };
        let closed = |stop, think_ms| Load::Closed {
            vus: 4,
            stop,
            think_time: Duration::from_millis(think_ms),
            max_duration: None,
        };
        let ramping = Load::RampingVus {
            start: 2,
            stages: vec![stage(6.0, 1), stage(0.0, 1)],
            think_time: Duration::from_secs(2),
        };
        let open = Load::Open {
            start_rate: 10.0,
            stages: vec![stage(30.0, 2)],
            max_in_flight: 8,
        };
        // (load, starts with a cycle of 5, starts to spare, peak rate)
        for (load, starts, spare, peak) in [
            (closed(Stop::Rounds(3), 0), Some(15), 0, None),
            (closed(Stop::Iterations(7), 500), Some(7), 0, Some(8.0)),
            (
                closed(Stop::Duration(Duration::from_secs(2)), 0),
                None,
                0,
                None,
            ),
            (ramping, None, 0, Some(3.0)),
            (open, Some(40), 1, Some(30.0)),
        ] {
            assert_eq!(load.starts(5), starts, "{load:?}");
            assert_eq!(load.starts_to_spare(), spare, "{load:?}");
            assert_eq!(load.peak_rate(), peak, "{load:?}");
        }
    }
}

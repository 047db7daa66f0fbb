//! The run's results as data: `Summary`, the source of truth written to summary.json, and
//! its parts.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::cases::answer::{NormalisedAnswer, Pattern, State, Tally};
use crate::cases::{Check, Class, Difference};
use crate::engine::PhaseOutcome;
use crate::metrics::{Percentiles, Point};
use crate::statics;
use crate::users::Usage;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Summary {
    pub schema_version: u32,
    pub tool: Tool,
    pub scenario: ScenarioInfo,
    /// The scenario with every default applied; secrets shown as `***`.
    pub plan: super::echo::Echo,
    pub target: TargetInfo,
    pub started_at: String,
    pub finished_at: String,
    /// When the load clock started (after provisioning, and after the wait for `--start-at`),
    /// to the microsecond since this version (to the millisecond before): second 1 of the
    /// timelines starts here.
    #[serde(default)]
    pub load_started_at: Option<String>,
    /// `--start-at`: the instant the load was asked to start at (absent: at once).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_at: Option<String>,
    /// With `start_at`: how many milliseconds after it the load started (a set-up that
    /// outlasted it makes this large).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_late_ms: Option<f64>,
    /// `--shard I/N`: this run is part I of N of its scenario.
    #[serde(default)]
    pub shard: Option<crate::scenario::Shard>,
    /// `cogbench merge`: the shard runs this summary merges.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged: Option<MergeInfo>,
    /// True when the run did not finish its phases (interrupted, or stopped by an error).
    pub partial: bool,
    pub interrupted: bool,
    /// The set-up step an interrupt stopped (`provisioning`, …), or `load`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interrupted_during: Option<String>,
    pub aborted: Option<String>,
    pub totals: Totals,
    /// Why requests got no HTTP answer (transport errors and timeouts), by kind, with the
    /// first message of each kind; absent when every request was answered.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transport_errors: Vec<TransportErrors>,
    /// The load client's connections and their set-up time, apart from any request's
    /// latency; absent when the client does not time them (HTTP/2 through reqwest).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connections: Option<Connections>,
    pub timing: Timing,
    pub conformance: Conformance,
    pub coverage: Coverage,
    /// With `--known-deviations`: how the failures compare with the list.
    pub deviations: Option<super::deviations::DeviationReport>,
    /// With `--oracle`: the snapshot that judged the run's cases (absent: the catalog did).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oracle: Option<super::oracle::OracleInfo>,
    /// With `--fail-on`: the confidence levels whose failures fail the run (absent: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fail_on: Option<Vec<String>>,
    pub phases: Vec<PhaseOutcome>,
    pub users: BTreeMap<String, Usage>,
    pub cases: Vec<CaseSummary>,
    pub thresholds: Vec<ThresholdResult>,
    pub timeline: Vec<Point>,
    pub exit_code: i32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Tool {
    #[serde(deserialize_with = "statics::name")]
    pub name: statics::Name,
    #[serde(deserialize_with = "statics::name")]
    pub version: statics::Name,
}

impl Default for Tool {
    fn default() -> Self {
        Tool {
            name: "cogbench",
            version: env!("CARGO_PKG_VERSION"),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ScenarioInfo {
    pub name: String,
    pub file: String,
    pub description: Option<String>,
    /// SHA-256 of the case catalog the run used (built-in and team catalogs).
    #[serde(default)]
    pub catalog_sha256: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TargetInfo {
    pub kind: String,
    pub endpoint: String,
    #[serde(deserialize_with = "statics::names")]
    pub capabilities: Vec<&'static str>,
}

/// Whether the harness kept its schedule: the first thing to read before trusting latencies.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Timing {
    /// `open` (requests on a schedule), `closed` (virtual users), or `mixed` across phases.
    #[serde(deserialize_with = "statics::name")]
    pub mode: statics::Name,
    /// Open model: how late requests were sent against their intended start, all phases.
    pub scheduling_lag_us: Option<Percentiles>,
    /// Open model: requests sent more than 1 ms late.
    pub late_starts: u64,
    /// Open model: requests never sent because `max_in_flight` were outstanding until the
    /// phase ended.
    pub dropped: u64,
    /// What latency_us measures: from the intended start (open model, free of coordinated
    /// omission) or from the send (closed model, where the two coincide).
    #[serde(deserialize_with = "statics::name")]
    pub latency_from: statics::Name,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Totals {
    /// Requests whose outcome was recorded (every class: answers, transport errors, timeouts).
    pub requests: u64,
    /// Requests sent. `sent` − `requests` = `abandoned`: still in flight when the run stopped
    /// waiting (after the grace period of an interrupted run).
    pub sent: u64,
    /// Requests whose outcome was recorded: the same as `requests`, and the sum of `by_class`.
    pub completed: u64,
    pub abandoned: u64,
    /// `sent` − `completed` − `abandoned`: requests the harness lost; always 0 unless a bug.
    pub unaccounted: u64,
    /// Of `requests`, the retries the retry policy made (each attempt is recorded).
    pub retries: u64,
    pub duration_seconds: f64,
    pub requests_per_second: f64,
    /// Requests that did not end as their case expects (unexpected errors, transport errors,
    /// timeouts, throttling).
    pub errors: u64,
    pub error_rate: f64,
    pub dropped: u64,
    #[serde(deserialize_with = "statics::counts")]
    pub by_class: BTreeMap<&'static str, u64>,
    pub latency_us: Percentiles,
    pub service_time_us: Percentiles,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Conformance {
    /// Cases (not responses).
    pub passed: u64,
    pub failed: u64,
    pub skipped: u64,
    pub responses_judged: u64,
    pub responses_passed: u64,
    pub responses_failed: u64,
}

/// How much of the specification the run exercised.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Coverage {
    /// Cases in the run's mix.
    pub cases_total: u64,
    /// Errors the service model lists for ConfirmSignUp.
    pub errors_documented: u64,
    /// Documented errors a passing case observed in this run.
    pub errors_provoked: u64,
    /// Documented errors this run did not provoke, each with the reason.
    pub errors_skipped: Vec<ErrorSkipped>,
    /// Every documented error: provoked or not, by which cases.
    pub errors: Vec<ErrorCoverage>,
    /// Request members of ConfirmSignUp.
    pub members_total: u64,
    /// Members some judged case of the run varied.
    pub members_covered: u64,
    pub members_uncovered: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorSkipped {
    pub error: String,
    pub reason: String,
    /// False when no request can provoke it on the targets cogbench drives (Lambda, WAF…).
    pub provokable: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ErrorCoverage {
    pub error: String,
    pub spec: String,
    pub provoked: bool,
    pub cases: Vec<String>,
    /// The error table's note: what is uncertain about the error's trigger.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
    Skipped,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pass => "pass",
            Verdict::Fail => "fail",
            Verdict::Skipped => "skipped",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CaseSummary {
    pub name: String,
    pub title: String,
    pub checks: String,
    pub spec: String,
    /// How sure the expectation that judged the case is: the catalog's (`documented`,
    /// `observed`, `inferred`), or `recorded` when a snapshot (`--oracle`) judged it.
    #[serde(deserialize_with = "statics::name")]
    pub confidence: statics::Name,
    /// The catalog's confidence, whichever oracle judged.
    #[serde(default)]
    pub catalog_confidence: String,
    /// What judged the case: `catalog` or `snapshot`.
    #[serde(default = "catalog_oracle")]
    pub oracle: String,
    /// With `--oracle`, why the catalog judged this case instead of the snapshot.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oracle_note: Option<String>,
    pub note: Option<String>,
    pub verdict: Verdict,
    /// Each check on its own: the answer (status, type, message, body), the headers and the
    /// state read back. A header that differs never hides what the answer and state say.
    #[serde(default)]
    pub by_check: Vec<CheckVerdict>,
    pub skip_reason: Option<String>,
    /// True when the case was skipped because nothing it sent was answered or judged, which
    /// fails the gate; a capability or pool skip does not.
    #[serde(skip)]
    pub unjudged: bool,
    pub count: u64,
    pub errors: u64,
    /// Of `count`, retries (retry policy); the attempts before them are counted too.
    pub retries: u64,
    #[serde(deserialize_with = "statics::counts")]
    pub by_class: BTreeMap<&'static str, u64>,
    /// The case's transport errors and timeouts by kind (the messages are the run's).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub transport_errors: Vec<TransportErrors>,
    pub judged: u64,
    pub passed_responses: u64,
    pub failed_responses: u64,
    pub postconditions_checked: u64,
    pub latency_us: Percentiles,
    pub service_time_us: Percentiles,
    /// For a failure: the first failing answer, field by field.
    pub expected: Option<BTreeMap<String, String>>,
    pub observed: Option<BTreeMap<String, String>>,
    /// Up to three distinct failing answers.
    pub failures: Vec<Vec<Difference>>,
    /// The first answer as observed (status, error type, message, postconditions), pass or
    /// fail: what `cogbench diff` compares between targets.
    pub sample: Option<BTreeMap<String, String>>,
    /// Every distinct judged answer, normalised (run names as placeholders, secrets masked),
    /// with its count; at most 16, the rest counted in `other`.
    #[serde(default)]
    pub answers: Tally<NormalisedAnswer>,
    /// Group cases: every distinct sequence or race outcome, with its count.
    #[serde(default, skip_serializing_if = "Tally::is_empty")]
    pub patterns: Tally<Pattern>,
    /// Every distinct state read back after an execution, with its count.
    #[serde(default, skip_serializing_if = "Tally::is_empty")]
    pub states: Tally<State>,
    /// Race cases: how many confirmations succeeded in each race.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub race: Option<RaceOutcome>,
    pub timeline: Vec<Point>,
    /// The whole run's histograms (µs), HdrHistogram V2 deflate in base64 (as in `.hlog`
    /// files): exact percentiles later, merges, and the reports rebuilt from summary.json.
    pub histograms: Option<Histograms>,
}

fn catalog_oracle() -> String {
    "catalog".into()
}

/// One check of a case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CheckVerdict {
    pub check: Check,
    /// `pass`, `fail`, or `skipped` when nothing was judged by it (no state read, say).
    pub verdict: Verdict,
    /// Answers (or, for `state`, reads) judged by this check, and how many failed it.
    pub judged: u64,
    pub failed: u64,
}

/// A race case's outcome: how many of its concurrent confirmations succeeded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaceOutcome {
    /// Requests in each race.
    pub requests: u32,
    /// Races by how many of their requests got a 2xx: `{"1": 5}` is five races with
    /// exactly one success each.
    pub successes: BTreeMap<u32, u64>,
}

impl RaceOutcome {
    /// From a case's patterns (`None` when it has no race).
    pub fn of(patterns: &Tally<Pattern>) -> Option<RaceOutcome> {
        let races: Vec<_> = patterns
            .distinct
            .iter()
            .filter(|c| c.value.kind == crate::cases::PatternKind::Race)
            .collect();
        let first = races.first()?;
        let mut successes = BTreeMap::new();
        for c in &races {
            *successes.entry(c.value.successes()).or_default() += c.count;
        }
        Some(RaceOutcome {
            requests: first.value.requests(),
            successes,
        })
    }

    /// `1 of 8 succeeded` (one race), or `1 of 8 succeeded in 5 races, 2 of 8 in 1 race`.
    pub fn describe(&self) -> String {
        let total: u64 = self.successes.values().sum();
        if total == 1 {
            let n = self.successes.keys().next().copied().unwrap_or(0);
            return format!("{n} of {} succeeded", self.requests);
        }
        self.successes
            .iter()
            .map(|(n, races)| {
                let word = if *races == 1 { "race" } else { "races" };
                format!("{n} of {} succeeded in {races} {word}", self.requests)
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Histograms {
    /// Response time, from the intended start.
    pub response: String,
    /// Service time, from the send.
    pub service: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ThresholdResult {
    pub expression: String,
    /// In `unit`.
    pub observed: f64,
    /// `us` (latency), `ratio` (error_rate), `count` or `per_second`.
    #[serde(deserialize_with = "statics::name")]
    pub unit: statics::Name,
    pub passed: bool,
}

/// What `cogbench merge` put together.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MergeInfo {
    /// The shard runs, in shard order.
    pub runs: Vec<MergedRun>,
    /// Whether the runs are the shards 1..N of one scenario, each once.
    pub complete: bool,
    /// Why they may not be.
    pub warnings: Vec<String>,
    /// Milliseconds between the earliest and the latest load start of the runs
    /// (`load_started_at`): how far apart shards meant to run together began.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_spread_ms: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct MergedRun {
    pub source: String,
    pub shard: Option<crate::scenario::Shard>,
    pub started_at: String,
    /// The run's `load_started_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub load_started_at: Option<String>,
    /// The run's `start_at` (`--start-at`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_at: Option<String>,
    pub exit_code: i32,
}

/// The connections the load client made. Set-up (TCP connect, and the TLS handshake for
/// `https`) is timed apart: it is in no request's service time (an open model's response
/// time, from the intended start, holds whatever a request waited, connecting included).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Connections {
    /// `tcp` or `tls`.
    pub transport: String,
    /// Connections set up (a server closing keep-alive connections makes this grow past
    /// the pool's size).
    pub established: u64,
    /// Set-up time per connection; absent when none was made.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup_us: Option<Percentiles>,
    /// The set-up times as a compressed HdrHistogram (base64), for merging shards.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub setup_histogram: Option<String>,
}

impl Connections {
    pub fn of(tls: bool, h: &hdrhistogram::Histogram<u64>) -> Connections {
        let made = !h.is_empty();
        Connections {
            transport: if tls { "tls" } else { "tcp" }.to_owned(),
            established: h.len(),
            setup_us: made.then(|| Percentiles::of(h)),
            setup_histogram: made.then(|| crate::metrics::codec::encode(h)),
        }
    }

    /// Several runs' connections as one; `None` when a run has none or their transports
    /// differ, or a histogram does not decode (a set-up time cannot be merged without it).
    pub fn merge<'a>(
        runs: impl IntoIterator<Item = Option<&'a Connections>>,
    ) -> Option<Connections> {
        let mut all = crate::metrics::new_histogram();
        let mut transport: Option<&str> = None;
        for c in runs {
            let c = c?;
            if transport.is_some_and(|t| t != c.transport) {
                return None;
            }
            transport = Some(&c.transport);
            if let Some(text) = &c.setup_histogram {
                all.add(crate::metrics::codec::decode(text).ok()?).ok()?;
            } else if c.established > 0 {
                return None;
            }
        }
        Some(Connections::of(transport? == "tls", &all))
    }
}

/// Requests of one kind of transport failure.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransportErrors {
    /// `connect`, `tls`, `timeout`, `closed`, `malformed`, `too_large` or `other`.
    pub kind: String,
    pub count: u64,
    /// The first failure's message (run level only): from the client or the socket, never
    /// from the request, printable, at most 200 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_message: Option<String>,
    /// When the first failure came, from the start of the load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_at_seconds: Option<f64>,
}

impl TransportErrors {
    /// `count` by kind (`transport::Kind::index`), each kind with its first failure if known;
    /// kinds that never happened are left out.
    pub fn of(
        counts: &[u64; crate::engine::transport::Kind::COUNT],
        first: impl Fn(crate::engine::transport::Kind) -> Option<crate::engine::transport::First>,
    ) -> Vec<TransportErrors> {
        crate::engine::transport::Kind::ALL
            .iter()
            .filter(|k| counts[k.index()] > 0)
            .map(|&k| {
                let first = first(k);
                TransportErrors {
                    kind: k.as_str().to_owned(),
                    count: counts[k.index()],
                    first_at_seconds: first
                        .as_ref()
                        .map(|f| (f.at.as_secs_f64() * 1000.0).round() / 1000.0),
                    first_message: first.map(|f| f.message),
                }
            })
            .collect()
    }

    /// Several runs' (or cases') lists as one: counts summed by kind, each kind's first
    /// message the first list's that has one.
    pub fn merge<'a>(
        lists: impl IntoIterator<Item = &'a [TransportErrors]>,
    ) -> Vec<TransportErrors> {
        let mut out: Vec<TransportErrors> = Vec::new();
        for list in lists {
            for e in list {
                match out.iter_mut().find(|o| o.kind == e.kind) {
                    Some(o) => {
                        o.count += e.count;
                        if o.first_message.is_none() {
                            o.first_message = e.first_message.clone();
                            o.first_at_seconds = e.first_at_seconds;
                        }
                    }
                    None => out.push(e.clone()),
                }
            }
        }
        out
    }

    /// The line a terminal shows: `12 × tls: invalid peer certificate: UnknownIssuer (first
    /// at 0.21s)`.
    pub fn line(&self) -> String {
        let mut l = format!("{} × {}", self.count, self.kind);
        if let Some(m) = &self.first_message {
            l.push_str(": ");
            l.push_str(&crate::term::inline(m));
        }
        if let Some(at) = self.first_at_seconds {
            l.push_str(&format!(" (first at {at:.3}s)"));
        }
        l
    }
}

pub fn by_class(counts: &[u64; 6]) -> BTreeMap<&'static str, u64> {
    Class::ALL
        .iter()
        .map(|c| (c.as_str(), counts[c.index()]))
        .collect()
}

pub fn side_by_side(d: &[Difference]) -> (BTreeMap<String, String>, BTreeMap<String, String>) {
    let expected = d
        .iter()
        .map(|x| (x.field.clone(), x.expected.clone()))
        .collect();
    let observed = d
        .iter()
        .map(|x| (x.field.clone(), x.observed.clone()))
        .collect();
    (expected, observed)
}

#[cfg(test)]
mod tests;

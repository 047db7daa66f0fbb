//! What one phase did, as the reports and `cogbench merge` read it.

use serde::Serialize;

use crate::metrics::Percentiles;

/// What one phase did.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct PhaseOutcome {
    pub name: String,
    /// `constant-arrival-rate`, `ramping-arrival-rate`, `constant-vus`, `ramping-vus` or
    /// `iterations`.
    #[serde(deserialize_with = "crate::statics::name")]
    pub executor: crate::statics::Name,
    #[serde(deserialize_with = "crate::statics::name")]
    pub model: crate::statics::Name,
    /// Requests per second asked for (open model), start and end.
    pub planned_rate: Option<[f64; 2]>,
    /// Executions started; a group case (`repeat`) sends several requests per start.
    pub starts: u64,
    pub requests: u64,
    /// Open model: requests whose start time came while `max_in_flight` were outstanding
    /// and the phase ended before they could be sent.
    pub dropped: u64,
    /// Open model: requests sent more than 1 ms after their intended start (the harness or
    /// the `max_in_flight` bound could not keep the schedule).
    pub late_starts: u64,
    pub duration_seconds: f64,
    pub achieved_rate: f64,
    /// Open model: how late requests were sent against their intended start.
    pub schedule_lag_us: Option<Percentiles>,
    /// The same, whole, for the run's `timing` (phases merge exactly).
    #[serde(skip)]
    pub schedule_lag: Option<hdrhistogram::Histogram<u64>>,
    /// `schedule_lag` encoded (HdrHistogram V2 deflate, base64), so that `cogbench merge`
    /// merges shards' lags exactly.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_lag_histogram: Option<String>,
    /// With `--shard`: what this shard had none of (virtual users, requests), and so did not do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

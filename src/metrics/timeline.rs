use hdrhistogram::Histogram;
use serde::{Deserialize, Serialize};

/// One second of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Point {
    /// Seconds since the run started (1 = the first second).
    pub second: u64,
    pub requests: u64,
    pub errors: u64,
    pub p50_us: u64,
    pub p99_us: u64,
}

impl Point {
    pub fn from_interval(second: u64, requests: u64, errors: u64, h: &Histogram<u64>) -> Point {
        let (p50_us, p99_us) = if h.is_empty() {
            (0, 0)
        } else {
            (h.value_at_quantile(0.5), h.value_at_quantile(0.99))
        };
        Point {
            second,
            requests,
            errors,
            p50_us,
            p99_us,
        }
    }
}

//! One reading of a run's figures, in summary.json's terms: what a scrape renders. Built from
//! the recorder while the run goes and from the summary once it has ended (`collect`).

use hdrhistogram::Histogram;

/// The histograms' upper bounds (`le`), in microseconds: 1, 1.5, 2, 3, 5 and 7.5 of each
/// decade from 100 µs to 7.5 s, then 10, 15, 20, 30 and 60 s (and `+Inf`). Fixed, so that
/// series from several runs and shards add up; six a decade keep a quantile read from them
/// within one bucket, at most 1.67 times its lower bound.
pub const BOUNDS_US: [u64; 35] = [
    100, 150, 200, 300, 500, 750, 1_000, 1_500, 2_000, 3_000, 5_000, 7_500, 10_000, 15_000, 20_000,
    30_000, 50_000, 75_000, 100_000, 150_000, 200_000, 300_000, 500_000, 750_000, 1_000_000,
    1_500_000, 2_000_000, 3_000_000, 5_000_000, 7_500_000, 10_000_000, 15_000_000, 20_000_000,
    30_000_000, 60_000_000,
];

/// A latency histogram as Prometheus keeps one: cumulative counts at `BOUNDS_US`.
#[derive(Debug, Clone, PartialEq)]
pub struct Buckets {
    /// Values at or under each bound (HdrHistogram's highest equivalent value, as its
    /// percentiles in summary.json are): a value is counted under the first bound its whole
    /// HdrHistogram bin fits under.
    pub cumulative: [u64; BOUNDS_US.len()],
    /// Every value (the `+Inf` bucket).
    pub count: u64,
    /// The values' sum in seconds, each taken as its bin's middle (HdrHistogram's mean).
    pub sum_seconds: f64,
}

impl Default for Buckets {
    fn default() -> Self {
        Buckets {
            cumulative: [0; BOUNDS_US.len()],
            count: 0,
            sum_seconds: 0.0,
        }
    }
}

impl Buckets {
    /// One pass over the histogram's recorded bins, no allocation: cheap enough to run under
    /// the recorder's lock of a case.
    pub fn of(h: &Histogram<u64>) -> Buckets {
        let mut per_bucket = [0u64; BOUNDS_US.len()];
        let mut sum_us = 0u128;
        let mut bound = 0;
        for v in h.iter_recorded() {
            let value = v.value_iterated_to();
            let count = v.count_at_value();
            sum_us += u128::from(h.median_equivalent(value)) * u128::from(count);
            while bound < BOUNDS_US.len() && value > BOUNDS_US[bound] {
                bound += 1;
            }
            if bound < BOUNDS_US.len() {
                per_bucket[bound] += count;
            }
        }
        let mut cumulative = [0u64; BOUNDS_US.len()];
        let mut running = 0;
        for (c, n) in cumulative.iter_mut().zip(per_bucket) {
            running += n;
            *c = running;
        }
        Buckets {
            cumulative,
            count: h.len(),
            sum_seconds: sum_us as f64 / 1e6,
        }
    }
}

/// One case's figures.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct CaseSample {
    pub id: String,
    /// Recorded outcomes by class, in `Class::ALL`'s order (summary.json: `by_class`).
    pub by_class: [u64; 6],
    pub retries: u64,
    /// Judged answers that passed and failed (`passed_responses`, `failed_responses`).
    pub passed: u64,
    pub failed: u64,
    /// Failed answers per check, in `Check::ALL`'s order (`by_check[].failed`).
    pub failed_by_check: [u64; 3],
    /// From the intended start (`latency_us`).
    pub latency: Buckets,
    /// From the send (`service_time_us`).
    pub service_time: Buckets,
}

/// The whole run's figures at one moment.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Sample {
    pub scenario: String,
    /// The run has ended: these are summary.json's figures, and will not change.
    pub finished: bool,
    /// Requests put on the wire (`totals.sent`).
    pub sent: u64,
    /// Sent, outcome not recorded yet.
    pub in_flight: u64,
    /// How late the latest open-model start was sent, in µs (0 outside open phases).
    pub schedule_lag_us: u64,
    /// `timing.late_starts`.
    pub late_starts: u64,
    /// `timing.dropped`.
    pub dropped_starts: u64,
    pub cases: Vec<CaseSample>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_cumulative_and_agree_with_the_histogram_percentiles() {
        let mut h = crate::metrics::recording_histogram();
        for v in 1..=20_000u64 {
            h.record(v * 7).unwrap();
        }
        h.record(90_000_000).unwrap();
        let b = Buckets::of(&h);
        assert_eq!(b.count, h.len());
        assert!(b.cumulative.windows(2).all(|w| w[0] <= w[1]));
        assert!(
            *b.cumulative.last().unwrap() < b.count,
            "90 s is past the last bound"
        );
        for (i, &le) in BOUNDS_US.iter().enumerate() {
            // Every value whose bin's highest equivalent is at or under the bound.
            let expected: u64 = h
                .iter_recorded()
                .filter(|v| v.value_iterated_to() <= le)
                .map(|v| v.count_at_value())
                .sum();
            assert_eq!(b.cumulative[i], expected, "le {le}");
        }
        // summary.json's percentile lies in the bucket where Prometheus's would be found.
        for q in [0.5, 0.9, 0.99, 0.999] {
            let p = h.value_at_quantile(q);
            let rank = (q * h.len() as f64).ceil() as u64;
            let at = b.cumulative.iter().position(|&c| c >= rank).unwrap();
            assert!(p <= BOUNDS_US[at], "q {q}: {p} over {}", BOUNDS_US[at]);
            assert!(at == 0 || p > BOUNDS_US[at - 1], "q {q}: {p}");
        }
        let mean = h.mean() * h.len() as f64 / 1e6;
        assert!(
            (b.sum_seconds - mean).abs() <= mean * 1e-9,
            "{} {mean}",
            b.sum_seconds
        );
    }

    #[test]
    fn an_empty_histogram_has_empty_buckets() {
        assert_eq!(
            Buckets::of(&crate::metrics::new_histogram()),
            Buckets::default()
        );
    }
}

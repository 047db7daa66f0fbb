//! latency.csv: one row per case.

use super::Summary;

pub const HEADER: [&str; 16] = [
    "case",
    "verdict",
    "confidence",
    "count",
    "errors",
    "judged",
    "failed_responses",
    "p50_us",
    "p90_us",
    "p99_us",
    "p999_us",
    "max_us",
    "mean_us",
    "service_p50_us",
    "service_p99_us",
    "skip_reason",
];

pub fn render(summary: &Summary) -> Vec<u8> {
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER).expect("writing to memory");
    for c in &summary.cases {
        let l = &c.latency_us;
        w.write_record([
            c.name.clone(),
            c.verdict.as_str().to_owned(),
            c.confidence.to_owned(),
            c.count.to_string(),
            c.errors.to_string(),
            c.judged.to_string(),
            c.failed_responses.to_string(),
            l.p50.to_string(),
            l.p90.to_string(),
            l.p99.to_string(),
            l.p999.to_string(),
            l.max.to_string(),
            format!("{:.1}", l.mean),
            c.service_time_us.p50.to_string(),
            c.service_time_us.p99.to_string(),
            c.skip_reason.clone().unwrap_or_default(),
        ])
        .expect("writing to memory");
    }
    w.into_inner().expect("flushing to memory")
}

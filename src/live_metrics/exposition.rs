//! A sample as Prometheus's text format (0.0.4) or OpenMetrics 1.0, whichever the scraper's
//! Accept header asks for. Names follow both specifications' conventions (and k6's output):
//! the `cogbench_` prefix, the unit in the name, `_total` on counters; labels carry
//! summary.json's words (`case`, `class`, `verdict`, `check`) so that a query and the summary
//! read alike.

use std::fmt::Write as _;

use super::sample::{BOUNDS_US, Buckets, Sample};
use crate::cases::{Check, Class};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `text/plain; version=0.0.4`
    Prometheus,
    /// `application/openmetrics-text; version=1.0.0`
    OpenMetrics,
}

impl Format {
    pub fn content_type(self) -> &'static str {
        match self {
            Format::Prometheus => "text/plain; version=0.0.4; charset=utf-8",
            Format::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }

    /// OpenMetrics when the Accept header lists it with a non-zero weight (Prometheus lists
    /// it first, then the text format); the text format otherwise, as every scraper reads it.
    pub fn negotiate(accept: Option<&str>) -> Format {
        let wanted = accept.is_some_and(|accept| {
            accept.split(',').any(|range| {
                let mut parts = range.split(';').map(str::trim);
                let media = parts.next().unwrap_or("");
                // Parameter names are case-insensitive: `Q=0` is a weight too.
                let zero = parts.any(|p| {
                    p.split_once('=').is_some_and(|(name, q)| {
                        name.trim().eq_ignore_ascii_case("q")
                            && q.trim().parse::<f64>().is_ok_and(|q| q <= 0.0)
                    })
                });
                media.eq_ignore_ascii_case("application/openmetrics-text") && !zero
            })
        });
        if wanted {
            Format::OpenMetrics
        } else {
            Format::Prometheus
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Counter,
    Gauge,
    Histogram,
}

/// A metric family: `name` without `_total`, which counters' samples add.
struct Family {
    name: &'static str,
    kind: Kind,
    seconds: bool,
    help: &'static str,
}

const REQUESTS: Family = Family {
    name: "cogbench_requests",
    kind: Kind::Counter,
    seconds: false,
    help: "Requests whose outcome was recorded, by case and outcome class (summary.json: cases[].by_class; their sum is totals.requests).",
};
const SENT: Family = Family {
    name: "cogbench_requests_sent",
    kind: Kind::Counter,
    seconds: false,
    help: "Requests put on the wire (summary.json: totals.sent).",
};
const VERDICTS: Family = Family {
    name: "cogbench_verdicts",
    kind: Kind::Counter,
    seconds: false,
    help: "Judged answers by verdict, pass or fail (summary.json: cases[].passed_responses and failed_responses).",
};
const CHECK_FAILURES: Family = Family {
    name: "cogbench_check_failures",
    kind: Kind::Counter,
    seconds: false,
    help: "Failed answers by the check that failed them: answer, headers, state (summary.json: cases[].by_check[].failed).",
};
const RETRIES: Family = Family {
    name: "cogbench_retries",
    kind: Kind::Counter,
    seconds: false,
    help: "Of the recorded requests, the retries the retry policy made (summary.json: cases[].retries).",
};
const LATENCY: Family = Family {
    name: "cogbench_latency_seconds",
    kind: Kind::Histogram,
    seconds: true,
    help: "Response time from the intended start, every class (summary.json: cases[].latency_us), from the HdrHistogram.",
};
const SERVICE_TIME: Family = Family {
    name: "cogbench_service_time_seconds",
    kind: Kind::Histogram,
    seconds: true,
    help: "Service time from the actual send, every class (summary.json: cases[].service_time_us), from the HdrHistogram.",
};
const IN_FLIGHT: Family = Family {
    name: "cogbench_in_flight_requests",
    kind: Kind::Gauge,
    seconds: false,
    help: "Requests sent whose outcome is not recorded yet (after the run: abandoned ones).",
};
const LAG: Family = Family {
    name: "cogbench_schedule_lag_seconds",
    kind: Kind::Gauge,
    seconds: true,
    help: "Open model: how late the latest start was sent against its intended time (0 outside open phases).",
};
const LATE: Family = Family {
    name: "cogbench_late_starts",
    kind: Kind::Counter,
    seconds: false,
    help: "Open model: starts sent more than 1 ms late (summary.json: timing.late_starts).",
};
const DROPPED: Family = Family {
    name: "cogbench_dropped_starts",
    kind: Kind::Counter,
    seconds: false,
    help: "Starts never made: the open model's unsent ones, counted when their phase ends, and those that gave up waiting for a user (summary.json: timing.dropped).",
};
const FINISHED: Family = Family {
    name: "cogbench_run_finished",
    kind: Kind::Gauge,
    seconds: false,
    help: "1 once the run has ended and every figure here is summary.json's; 0 while it goes.",
};

const FAMILIES: [&Family; 12] = [
    &REQUESTS,
    &SENT,
    &VERDICTS,
    &CHECK_FAILURES,
    &RETRIES,
    &LATENCY,
    &SERVICE_TIME,
    &IN_FLIGHT,
    &LAG,
    &LATE,
    &DROPPED,
    &FINISHED,
];

/// The names a query can use: counters with `_total`, histograms' `_bucket`, `_sum` and
/// `_count`, gauges as they are.
pub fn sample_names() -> Vec<String> {
    FAMILIES
        .iter()
        .flat_map(|f| match f.kind {
            Kind::Counter => vec![format!("{}_total", f.name)],
            Kind::Gauge => vec![f.name.to_owned()],
            Kind::Histogram => ["_bucket", "_sum", "_count"]
                .iter()
                .map(|s| format!("{}{s}", f.name))
                .collect(),
        })
        .collect()
}

/// A label value with backslash, double quote and line feed escaped, as both formats want:
/// case ids come from users' catalog files.
pub fn escape_label(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out
}

fn escape_help(text: &str, format: Format) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '"' if format == Format::OpenMetrics => out.push_str("\\\""),
            c => out.push(c),
        }
    }
    out
}

/// A float as both formats read it; OpenMetrics wants `le` as a float (`1.0`, not `1`), as
/// Prometheus's own clients write it.
fn float(v: f64, format: Format) -> String {
    if v.is_infinite() {
        return if v > 0.0 { "+Inf" } else { "-Inf" }.to_owned();
    }
    let s = format!("{v}");
    if format == Format::OpenMetrics && !s.contains(['.', 'e', 'N']) {
        format!("{s}.0")
    } else {
        s
    }
}

struct Writer {
    out: String,
    format: Format,
    scenario: String,
}

impl Writer {
    fn header(&mut self, f: &Family) {
        let format = self.format;
        let name = match (f.kind, format) {
            (Kind::Counter, Format::Prometheus) => format!("{}_total", f.name),
            _ => f.name.to_owned(),
        };
        let kind = match f.kind {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
            Kind::Histogram => "histogram",
        };
        let _ = writeln!(self.out, "# HELP {name} {}", escape_help(f.help, format));
        let _ = writeln!(self.out, "# TYPE {name} {kind}");
        if format == Format::OpenMetrics && f.seconds {
            let _ = writeln!(self.out, "# UNIT {name} seconds");
        }
    }

    /// One sample line: `name{scenario="…",labels…} value`.
    fn line(&mut self, name: &str, labels: &[(&str, &str)], value: &str) {
        let _ = write!(self.out, "{name}{{scenario=\"{}\"", self.scenario);
        for (k, v) in labels {
            let _ = write!(self.out, ",{k}=\"{}\"", escape_label(v));
        }
        let _ = writeln!(self.out, "}} {value}");
    }

    fn counter(&mut self, f: &Family, labels: &[(&str, &str)], value: u64) {
        self.line(&format!("{}_total", f.name), labels, &value.to_string());
    }

    fn gauge(&mut self, f: &Family, labels: &[(&str, &str)], value: &str) {
        self.line(f.name, labels, value);
    }

    fn histogram(&mut self, f: &Family, case: &str, b: &Buckets) {
        let bucket = format!("{}_bucket", f.name);
        for (le, count) in BOUNDS_US.iter().zip(b.cumulative) {
            let le = float(*le as f64 / 1e6, self.format);
            self.line(&bucket, &[("case", case), ("le", &le)], &count.to_string());
        }
        self.line(
            &bucket,
            &[("case", case), ("le", "+Inf")],
            &b.count.to_string(),
        );
        let sum = float(b.sum_seconds, self.format);
        self.line(&format!("{}_sum", f.name), &[("case", case)], &sum);
        let count = b.count.to_string();
        self.line(&format!("{}_count", f.name), &[("case", case)], &count);
    }
}

/// The whole exposition of `sample` in `format`. Every family has its HELP and TYPE lines,
/// also before the run has cases to show.
pub fn render(sample: &Sample, format: Format) -> String {
    let mut w = Writer {
        // Histograms take 40 lines a case, the rest about 14.
        out: String::with_capacity(2048 + sample.cases.len() * 54 * 120),
        format,
        scenario: escape_label(&sample.scenario),
    };
    w.header(&REQUESTS);
    for c in &sample.cases {
        for class in Class::ALL {
            let labels = [("case", c.id.as_str()), ("class", class.as_str())];
            w.counter(&REQUESTS, &labels, c.by_class[class.index()]);
        }
    }
    w.header(&SENT);
    w.counter(&SENT, &[], sample.sent);
    w.header(&VERDICTS);
    for c in &sample.cases {
        w.counter(&VERDICTS, &[("case", &c.id), ("verdict", "pass")], c.passed);
        w.counter(&VERDICTS, &[("case", &c.id), ("verdict", "fail")], c.failed);
    }
    w.header(&CHECK_FAILURES);
    for c in &sample.cases {
        for check in Check::ALL {
            let labels = [("case", c.id.as_str()), ("check", check.as_str())];
            w.counter(&CHECK_FAILURES, &labels, c.failed_by_check[check.index()]);
        }
    }
    w.header(&RETRIES);
    for c in &sample.cases {
        w.counter(&RETRIES, &[("case", &c.id)], c.retries);
    }
    w.header(&LATENCY);
    for c in &sample.cases {
        w.histogram(&LATENCY, &c.id, &c.latency);
    }
    w.header(&SERVICE_TIME);
    for c in &sample.cases {
        w.histogram(&SERVICE_TIME, &c.id, &c.service_time);
    }
    w.header(&IN_FLIGHT);
    w.gauge(&IN_FLIGHT, &[], &sample.in_flight.to_string());
    w.header(&LAG);
    let lag = float(sample.schedule_lag_us as f64 / 1e6, format);
    w.gauge(&LAG, &[], &lag);
    w.header(&LATE);
    w.counter(&LATE, &[], sample.late_starts);
    w.header(&DROPPED);
    w.counter(&DROPPED, &[], sample.dropped_starts);
    w.header(&FINISHED);
    w.gauge(&FINISHED, &[], if sample.finished { "1" } else { "0" });
    if format == Format::OpenMetrics {
        w.out.push_str("# EOF\n");
    }
    w.out
}

//! The page's charts: latency and throughput over time, and the percentile distribution
//! ("nines" plot) per case and for the whole run.

use std::fmt::Write;

use hdrhistogram::Histogram;

use crate::metrics::{Point, codec};
use crate::report::svg::{Axis, LineChart, Series, escape, nines, nines_label, quantile_at};
use crate::summary::types::{CaseSummary, Summary};

/// The percentile chart shows at most this many cases (the busiest), besides the whole run.
pub const MAX_CASES_PLOTTED: usize = 10;

/// Tableau 10: distinct, and readable on white.
const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];
const WHOLE_RUN: &str = "#1f2328";

fn ms_value(v: f64) -> String {
    if v < 1.0 {
        format!("{:.0} µs", v * 1000.0)
    } else if v < 100.0 {
        format!("{v:.2} ms")
    } else {
        format!("{v:.1} ms")
    }
}

fn second_value(v: f64) -> String {
    format!("second {v:.0}")
}

fn per_second_value(v: f64) -> String {
    format!("{v:.0}/s")
}

fn percentile_value(x: f64) -> String {
    format!("p{}", trim_percent(quantile_at(x) * 100.0))
}

fn trim_percent(p: f64) -> String {
    let s = format!("{p:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

fn chart_section(o: &mut String, id: &str, heading: &str, hint: &str, chart: &LineChart) {
    let _ = write!(
        o,
        "<section id=\"{id}\" class=\"chart-section\">\n<h2>{}</h2>\n<p class=\"hint\">{}</p>\n{}\n</section>\n",
        escape(heading),
        escape(hint),
        chart.render()
    );
}

/// A line of a per-second chart: its name, its colour and its value at a second of the
/// timeline (`None`: a gap).
type PerSecond = (&'static str, &'static str, fn(&Point) -> Option<f64>);

/// A chart over the run's seconds (the summary's timeline), the first line drawn heavier.
fn per_second_chart(
    v: &Summary,
    id: &str,
    title: &str,
    y: Axis,
    lines: [PerSecond; 2],
) -> LineChart {
    let series = lines
        .into_iter()
        .enumerate()
        .map(|(i, (name, color, value))| {
            let mut s = Series::new(name, color);
            if i == 0 {
                s.width = 2.0;
            }
            s.points = v
                .timeline
                .iter()
                .map(|p| value(p).map(|y| (p.second as f64, y)))
                .collect();
            s
        })
        .collect();
    LineChart {
        id: id.into(),
        title: title.into(),
        x: Axis::integer("seconds since the start", second_value),
        y,
        series,
        empty_note: "no data: the run has no whole second of measurements".into(),
    }
}

/// `us` in ms; a second without answers has no latency: a gap, not a zero.
fn latency_ms(p: &Point, us: u64) -> Option<f64> {
    (p.requests > 0).then(|| us as f64 / 1000.0)
}

pub(super) fn latency_over_time(o: &mut String, v: &Summary) {
    let chart = per_second_chart(
        v,
        "latency-over-time",
        "Latency over time: p50 and p99 per second, ms",
        Axis::nice("latency (ms)", ms_value),
        [
            ("p99", PALETTE[2], |p| latency_ms(p, p.p99_us)),
            ("p50", PALETTE[0], |p| latency_ms(p, p.p50_us)),
        ],
    );
    chart_section(
        o,
        "latency",
        "Latency over time",
        &format!(
            "p50 and p99 response time of all cases, per second of the run (from the {}).",
            v.timing.latency_from
        ),
        &chart,
    );
}

pub(super) fn throughput_over_time(o: &mut String, v: &Summary) {
    let chart = per_second_chart(
        v,
        "throughput-over-time",
        "Throughput and errors over time: per second",
        Axis::integer("per second", per_second_value),
        [
            ("requests/s", PALETTE[0], |p| Some(p.requests as f64)),
            ("errors/s", "#d62728", |p| Some(p.errors as f64)),
        ],
    );
    let mut hint = String::from(
        "Answers per second and, of them, errors per second (answers that did not end as their case expects).",
    );
    if let Some(last) = v.timeline.last()
        && last.second as f64 > v.totals.duration_seconds + 1e-6
    {
        let _ = write!(
            hint,
            " The load lasted {:.2} s: second {} only holds the answers that came after.",
            v.totals.duration_seconds, last.second
        );
    }
    chart_section(
        o,
        "throughput",
        "Throughput and errors over time",
        &hint,
        &chart,
    );
}

/// A histogram's percentile curve on the nines axis (x = log10(1/(1−p)), y in ms): one point
/// every 0.05 nines up to where the last sample sits (log10 of the count), then the maximum.
pub(super) fn nines_points(h: &Histogram<u64>, x_max: f64) -> Vec<Option<(f64, f64)>> {
    const STEP: f64 = 0.05;
    if h.is_empty() {
        return Vec::new();
    }
    // The last sample sits at percentile 1 − 1/n.
    let reach = nines(1.0 - 1.0 / h.len() as f64);
    let last = reach.min(x_max);
    let mut points = Vec::new();
    let mut i = 0u32;
    loop {
        let x = f64::from(i) * STEP;
        if x >= last - 1e-9 {
            break;
        }
        let y = h.value_at_quantile(quantile_at(x));
        points.push(Some((x, y as f64 / 1000.0)));
        i += 1;
    }
    let end = if reach > x_max {
        h.value_at_quantile(quantile_at(x_max))
    } else {
        h.max()
    };
    points.push(Some((last, end as f64 / 1000.0)));
    points
}

/// How many nines the axis shows: as far as the largest histogram's last sample reaches
/// (log10 of its count), rounded up, from 99.9% to 99.999999%.
pub(super) fn nines_reach(max_count: u64) -> u32 {
    let needed = ((max_count.max(1) as f64).log10() - 1e-9).ceil() as u32;
    needed.clamp(3, 8)
}

fn decode(text: &str) -> Option<Histogram<u64>> {
    if text.is_empty() {
        return None;
    }
    codec::decode(text).ok()
}

pub(super) fn percentiles(o: &mut String, v: &Summary) {
    let mut response_all = crate::metrics::new_histogram();
    let mut service_all = crate::metrics::new_histogram();
    let mut per_case: Vec<(&CaseSummary, Histogram<u64>)> = Vec::new();
    let mut unreadable = 0;
    for c in &v.cases {
        let Some(hs) = &c.histograms else { continue };
        match (decode(&hs.response), decode(&hs.service)) {
            (Some(r), s) => {
                let _ = response_all.add(&r);
                if let Some(s) = s {
                    let _ = service_all.add(&s);
                }
                if !r.is_empty() {
                    per_case.push((c, r));
                }
            }
            (None, _) => unreadable += 1,
        }
    }
    // The busiest cases; equal counts keep the summary's order.
    per_case.sort_by_key(|c| std::cmp::Reverse(c.1.len()));
    let plotted = per_case.len().min(MAX_CASES_PLOTTED);
    let reach = nines_reach(response_all.len().max(service_all.len()));
    let x_max = f64::from(reach);

    let mut series = Vec::new();
    let mut all = Series::new("all cases: response time", WHOLE_RUN);
    all.width = 2.75;
    all.points = nines_points(&response_all, x_max);
    series.push(all);
    let mut service = Series::new("all cases: service time", WHOLE_RUN);
    service.width = 2.0;
    service.dashed = true;
    service.points = nines_points(&service_all, x_max);
    series.push(service);
    for (i, (c, h)) in per_case.iter().take(plotted).enumerate() {
        let mut s = Series::new(c.name.clone(), PALETTE[i % PALETTE.len()]);
        s.width = 1.5;
        s.points = nines_points(h, x_max);
        series.push(s);
    }
    let ticks = (0..=reach)
        .map(|k| (f64::from(k), nines_label(k)))
        .collect();
    let chart = LineChart {
        id: "percentile-distribution".into(),
        title: "Latency by percentile, per case and for the whole run, ms".into(),
        x: Axis {
            fixed: Some((0.0, x_max, ticks)),
            ..Axis::nice("percentile (log scale of 1/(1−p))", percentile_value)
        },
        y: Axis::nice("latency (ms)", ms_value),
        series,
        empty_note: "no data: no case has a histogram".into(),
    };
    let mut hint = String::from(
        "Response time at each percentile (HdrHistogram, exact to 3 significant figures): the whole run merged from every case (solid black), its service time from the send (dashed black)",
    );
    if plotted > 0 {
        let _ = write!(hint, ", and each of the {plotted} busiest cases");
        if per_case.len() > plotted {
            let _ = write!(
                hint,
                " (of {} with answers; the others are in the table below)",
                per_case.len()
            );
        }
    }
    hint.push_str(". Each line ends at its maximum, where its last sample sits.");
    if unreadable > 0 {
        let _ = write!(hint, " {unreadable} case histogram(s) could not be read.");
    }
    chart_section(o, "percentiles", "Percentile distribution", &hint, &chart);
}

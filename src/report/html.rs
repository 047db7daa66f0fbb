//! report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched)
//! drawn from summary.json: the run's header and result, latency and throughput over time,
//! the percentile distribution ("nines" plot) per case and for the whole run, the verdict
//! table with failures first, thresholds, timing, coverage, and the plan.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use hdrhistogram::Histogram;
use serde::Deserialize;
use serde_json::Value;

use super::export::{Exporter, Format, write_file};
use super::svg::{Axis, LineChart, Series, escape, nines, nines_label, quantile_at};
use super::table::ms;
use crate::metrics::codec;

pub const FILE: &str = "report.html";

/// The percentile chart shows at most this many cases (the busiest), besides the whole run.
pub const MAX_CASES_PLOTTED: usize = 10;

/// Tableau 10: distinct, and readable on white.
const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];
const WHOLE_RUN: &str = "#1f2328";

#[derive(Deserialize, Default)]
#[serde(default)]
struct View {
    tool: ToolView,
    scenario: ScenarioView,
    plan: Value,
    target: TargetView,
    started_at: String,
    finished_at: String,
    partial: bool,
    interrupted: bool,
    aborted: Option<String>,
    totals: TotalsView,
    timing: TimingView,
    conformance: ConformanceView,
    coverage: CoverageView,
    deviations: Option<DeviationsView>,
    phases: Vec<PhaseView>,
    cases: Vec<CaseView>,
    thresholds: Vec<ThresholdView>,
    timeline: Vec<PointView>,
    exit_code: i32,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ToolView {
    version: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ScenarioView {
    name: String,
    file: String,
    description: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TargetView {
    kind: String,
    endpoint: String,
    capabilities: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TotalsView {
    requests: u64,
    duration_seconds: f64,
    requests_per_second: f64,
    errors: u64,
    error_rate: f64,
    dropped: u64,
    latency_us: Pct,
    service_time_us: Pct,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(default)]
struct Pct {
    p50: u64,
    p90: u64,
    p99: u64,
    p999: u64,
    max: u64,
    mean: f64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TimingView {
    mode: String,
    scheduling_lag_us: Option<Pct>,
    late_starts: u64,
    dropped: u64,
    latency_from: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ConformanceView {
    passed: u64,
    failed: u64,
    skipped: u64,
    responses_judged: u64,
    responses_failed: u64,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CoverageView {
    cases_total: u64,
    errors_documented: u64,
    errors_provoked: u64,
    errors_skipped: Vec<ErrorSkippedView>,
    errors: Vec<ErrorCoverageView>,
    members_total: u64,
    members_covered: u64,
    members_uncovered: Vec<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ErrorSkippedView {
    error: String,
    reason: String,
    provokable: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ErrorCoverageView {
    error: String,
    spec: String,
    provoked: bool,
    cases: Vec<String>,
    note: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DeviationsView {
    file: String,
    target: String,
    known: Vec<String>,
    new: Vec<String>,
    fixed: Vec<String>,
    not_run: Vec<String>,
    changed: Vec<ChangedView>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ChangedView {
    case: String,
    changes: Vec<ChangeView>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ChangeView {
    what: String,
    listed: String,
    observed: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PhaseView {
    name: String,
    executor: String,
    model: String,
    planned_rate: Option<[f64; 2]>,
    requests: u64,
    dropped: u64,
    late_starts: u64,
    duration_seconds: f64,
    achieved_rate: f64,
    schedule_lag_us: Option<Pct>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CaseView {
    name: String,
    title: String,
    checks: String,
    spec: String,
    confidence: String,
    note: Option<String>,
    verdict: String,
    skip_reason: Option<String>,
    count: u64,
    errors: u64,
    judged: u64,
    failed_responses: u64,
    latency_us: Pct,
    expected: Option<BTreeMap<String, String>>,
    observed: Option<BTreeMap<String, String>>,
    failures: Vec<Vec<DifferenceView>>,
    histograms: Option<HistogramsView>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DifferenceView {
    field: String,
    expected: String,
    observed: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct HistogramsView {
    response: String,
    service: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ThresholdView {
    expression: String,
    observed: f64,
    unit: String,
    passed: bool,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(default)]
struct PointView {
    second: u64,
    requests: u64,
    errors: u64,
    p50_us: u64,
    p99_us: u64,
}

pub struct HtmlExporter;

impl Exporter for HtmlExporter {
    fn format(&self) -> Format {
        Format::Html
    }

    fn export(&self, summary: &Value, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        Ok(vec![write_file(dir, FILE, render(summary)?.as_bytes())?])
    }
}

/// The whole page.
pub fn render(summary: &Value) -> std::io::Result<String> {
    let v = View::deserialize(summary)
        .map_err(|e| std::io::Error::other(format!("summary.json: {e}")))?;
    let mut o = String::with_capacity(64 * 1024);
    let title = format!("cogbench · {} · {}", v.scenario.name, v.started_at);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"cogbench {}\">\n<title>{}</title>\n<style>{CSS}</style>\n\
         </head>\n<body>\n<main>\n",
        escape(&v.tool.version),
        escape(&title)
    );
    header(&mut o, &v);
    figures(&mut o, &v);
    latency_over_time(&mut o, &v);
    throughput_over_time(&mut o, &v);
    percentiles(&mut o, &v);
    verdicts(&mut o, &v);
    thresholds(&mut o, &v);
    timing(&mut o, &v);
    coverage(&mut o, &v);
    deviations(&mut o, &v);
    plan(&mut o, &v);
    let _ = write!(
        o,
        "<footer>Written by cogbench {} from summary.json; <code>cogbench report RUN_DIR --format html</code> writes it again.</footer>\n</main>\n</body>\n</html>\n",
        escape(&v.tool.version)
    );
    Ok(o)
}

/// 59789 → "59,789".
fn group(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn plural(n: u64, one: &str, many: &str) -> String {
    format!("{} {}", group(n), if n == 1 { one } else { many })
}

fn threshold_value(v: f64, unit: &str) -> String {
    match unit {
        "us" => ms(v.max(0.0).round() as u64),
        "ratio" => format!("{:.3}%", v * 100.0),
        "per_second" => format!("{v:.0}/s"),
        _ if v.fract() == 0.0 => format!("{v:.0}"),
        _ => format!("{v:.3}"),
    }
}

fn header(o: &mut String, v: &View) {
    let _ = write!(
        o,
        "<header>\n<h1>cogbench report: {}</h1>\n",
        escape(&v.scenario.name)
    );
    if let Some(d) = &v.scenario.description {
        let _ = writeln!(o, "<p class=\"description\">{}</p>", escape(d));
    }
    let caps = if v.target.capabilities.is_empty() {
        "none".to_string()
    } else {
        v.target.capabilities.join(", ")
    };
    let _ = writeln!(
        o,
        "<dl class=\"meta\">\
         <dt>Scenario</dt><dd><code>{}</code></dd>\
         <dt>Target</dt><dd>{} <code>{}</code> <span class=\"muted\">(capabilities: {})</span></dd>\
         <dt>Started</dt><dd>{}</dd>\
         <dt>Finished</dt><dd>{}</dd>\
         <dt>Measured</dt><dd>{:.2} s of load, {} model, latency from the {}</dd>\
         </dl>",
        escape(&v.scenario.file),
        escape(&v.target.kind),
        escape(&v.target.endpoint),
        escape(&caps),
        escape(&v.started_at),
        escape(&v.finished_at),
        v.totals.duration_seconds,
        escape(&v.timing.mode),
        escape(&v.timing.latency_from),
    );

    let (class, text) = result(v);
    let _ = writeln!(
        o,
        "<p class=\"result {class}\" data-exit-code=\"{}\">{}</p>",
        v.exit_code,
        escape(&text)
    );
    if v.partial || v.interrupted || v.aborted.is_some() {
        let why = if v.interrupted {
            "the run was interrupted before its phases finished".to_string()
        } else if let Some(reason) = &v.aborted {
            format!("the run stopped early: {reason}")
        } else {
            "the run did not finish its phases".to_string()
        };
        let _ = writeln!(
            o,
            "<p class=\"banner partial\" role=\"alert\"><strong>Partial results:</strong> {}; every figure below covers only what ran.</p>",
            escape(&why)
        );
    }
    o.push_str("</header>\n");
}

/// The exit code's meaning, with the reasons for a failure.
fn result(v: &View) -> (&'static str, String) {
    match v.exit_code {
        0 => (
            "pass",
            "Passed (exit code 0): every judged case and every threshold held.".to_string(),
        ),
        130 => (
            "interrupted",
            "Interrupted (exit code 130): stopped by a signal before the run finished.".to_string(),
        ),
        1 => {
            let mut why = Vec::new();
            if let Some(d) = &v.deviations {
                let n = d.new.len() + d.fixed.len() + d.changed.len();
                if n > 0 {
                    why.push(format!(
                        "{} against the known deviations",
                        plural(n as u64, "difference", "differences")
                    ));
                }
            } else if v.conformance.failed > 0 {
                why.push(format!(
                    "{} failed",
                    plural(v.conformance.failed, "case", "cases")
                ));
            }
            let t = v.thresholds.iter().filter(|t| !t.passed).count() as u64;
            if t > 0 {
                why.push(format!("{} failed", plural(t, "threshold", "thresholds")));
            }
            if let Some(a) = &v.aborted {
                why.push(format!("stopped early: {a}"));
            }
            if why.is_empty() {
                why.push("a case sent requests but none was judged".to_string());
            }
            ("fail", format!("Failed (exit code 1): {}.", why.join("; ")))
        }
        n => ("fail", format!("Exit code {n}.")),
    }
}

fn figures(o: &mut String, v: &View) {
    let t = &v.totals;
    let c = &v.conformance;
    let items: Vec<(&str, String, &str)> = vec![
        ("Requests", group(t.requests), ""),
        ("Throughput", format!("{:.0}/s", t.requests_per_second), ""),
        (
            "Errors",
            format!("{} ({:.2}%)", group(t.errors), t.error_rate * 100.0),
            if t.errors > 0 { "bad" } else { "" },
        ),
        (
            "Dropped",
            group(t.dropped),
            if t.dropped > 0 { "warn" } else { "" },
        ),
        ("p50", ms(t.latency_us.p50), ""),
        ("p90", ms(t.latency_us.p90), ""),
        ("p99", ms(t.latency_us.p99), ""),
        ("p99.9", ms(t.latency_us.p999), ""),
        ("max", ms(t.latency_us.max), ""),
        (
            "Cases",
            format!(
                "{} pass · {} fail · {} skipped",
                c.passed, c.failed, c.skipped
            ),
            if c.failed > 0 { "wide bad" } else { "wide" },
        ),
        (
            "Answers judged",
            format!(
                "{} ({} failed)",
                group(c.responses_judged),
                group(c.responses_failed)
            ),
            if c.responses_failed > 0 {
                "wide bad"
            } else {
                "wide"
            },
        ),
    ];
    o.push_str("<section id=\"figures\" class=\"figures\">\n");
    for (label, value, class) in items {
        let _ = writeln!(
            o,
            "<div class=\"figure {class}\"><div class=\"label\">{}</div><div class=\"value\">{}</div></div>",
            escape(label),
            escape(&value)
        );
    }
    let _ = writeln!(
        o,
        "<p class=\"muted small\">Latency is response time from the {}; the service time (from the send) has p50 {} and p99 {}. Mean {}.</p>",
        escape(&v.timing.latency_from),
        ms(t.service_time_us.p50),
        ms(t.service_time_us.p99),
        ms(t.latency_us.mean.round() as u64),
    );
    o.push_str("</section>\n");
}

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

fn latency_over_time(o: &mut String, v: &View) {
    let mut p50 = Series::new("p50", PALETTE[0]);
    let mut p99 = Series::new("p99", PALETTE[2]);
    for p in &v.timeline {
        // A second without answers has no latency: a gap, not a zero.
        let (a, b) = if p.requests == 0 {
            (None, None)
        } else {
            let x = p.second as f64;
            (
                Some((x, p.p50_us as f64 / 1000.0)),
                Some((x, p.p99_us as f64 / 1000.0)),
            )
        };
        p50.points.push(a);
        p99.points.push(b);
    }
    p99.width = 2.0;
    let chart = LineChart {
        id: "latency-over-time".into(),
        title: "Latency over time: p50 and p99 per second, ms".into(),
        x: Axis::integer("seconds since the start", second_value),
        y: Axis::nice("latency (ms)", ms_value),
        series: vec![p99, p50],
        empty_note: "no data: the run has no whole second of measurements".into(),
    };
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

fn throughput_over_time(o: &mut String, v: &View) {
    let mut requests = Series::new("requests/s", PALETTE[0]);
    let mut errors = Series::new("errors/s", "#d62728");
    for p in &v.timeline {
        let x = p.second as f64;
        requests.points.push(Some((x, p.requests as f64)));
        errors.points.push(Some((x, p.errors as f64)));
    }
    requests.width = 2.0;
    let chart = LineChart {
        id: "throughput-over-time".into(),
        title: "Throughput and errors over time: per second".into(),
        x: Axis::integer("seconds since the start", second_value),
        y: Axis::integer("per second", per_second_value),
        series: vec![requests, errors],
        empty_note: "no data: the run has no whole second of measurements".into(),
    };
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
fn nines_points(h: &Histogram<u64>, x_max: f64) -> Vec<Option<(f64, f64)>> {
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
fn nines_reach(max_count: u64) -> u32 {
    let needed = ((max_count.max(1) as f64).log10() - 1e-9).ceil() as u32;
    needed.clamp(3, 8)
}

fn decode(text: &str) -> Option<Histogram<u64>> {
    if text.is_empty() {
        return None;
    }
    codec::decode(text).ok()
}

fn percentiles(o: &mut String, v: &View) {
    let mut response_all = crate::metrics::new_histogram();
    let mut service_all = crate::metrics::new_histogram();
    let mut per_case: Vec<(&CaseView, Histogram<u64>)> = Vec::new();
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

fn verdict_rank(verdict: &str) -> u8 {
    match verdict {
        "fail" => 0,
        "skipped" => 1,
        "pass" => 2,
        _ => 3,
    }
}

fn verdicts(o: &mut String, v: &View) {
    let mut cases: Vec<&CaseView> = v.cases.iter().collect();
    cases.sort_by_key(|c| verdict_rank(&c.verdict));
    let _ = write!(
        o,
        "<section id=\"verdicts\">\n<h2>Verdicts</h2>\n<p class=\"hint\">{} — failures first, each with what was expected and what was observed, then skipped cases with the reason, then passes. p50 and p99 are response times.</p>\n",
        escape(&format!(
            "{}: {} passed, {} failed, {} skipped",
            plural(v.cases.len() as u64, "case", "cases"),
            v.conformance.passed,
            v.conformance.failed,
            v.conformance.skipped
        ))
    );
    o.push_str(
        "<table id=\"verdict-table\" class=\"verdicts\">\n<thead><tr><th>case</th><th>title</th><th>verdict</th><th>confidence</th><th class=\"num\">count</th><th class=\"num\">errors</th><th class=\"num\">p50</th><th class=\"num\">p99</th><th>spec</th></tr></thead>\n<tbody>\n",
    );
    for c in cases {
        let verdict_class = match c.verdict.as_str() {
            "fail" => "fail",
            "skipped" => "skipped",
            "pass" => "pass",
            _ => "other",
        };
        let confidence = match &c.note {
            Some(note) => format!(
                "<span class=\"has-note\" title=\"{}\">{}*</span>",
                escape(note),
                escape(&c.confidence)
            ),
            None => escape(&c.confidence),
        };
        let (p50, p99) = if c.count == 0 {
            ("—".to_string(), "—".to_string())
        } else {
            (ms(c.latency_us.p50), ms(c.latency_us.p99))
        };
        let _ = writeln!(
            o,
            "<tr class=\"case {verdict_class}\" data-case=\"{name}\" id=\"case-{name}\"><td class=\"{id_class}\"><code>{name}</code></td><td title=\"{checks}\">{title}</td><td><span class=\"badge {verdict_class}\">{verdict}</span></td><td>{confidence}</td><td class=\"num\">{count}</td><td class=\"num{err_class}\">{errors}</td><td class=\"num\">{p50}</td><td class=\"num\">{p99}</td><td class=\"spec\">{spec}</td></tr>",
            name = escape(&c.name),
            // Ids stay on one line unless they are very long.
            id_class = if c.name.chars().count() <= 28 {
                "id"
            } else {
                "id long"
            },
            checks = escape(&c.checks),
            title = escape(&c.title),
            verdict = escape(&c.verdict),
            count = group(c.count),
            errors = group(c.errors),
            err_class = if c.errors > 0 { " bad" } else { "" },
            spec = escape(&c.spec),
        );
        match c.verdict.as_str() {
            "fail" => failure_detail(o, c),
            "skipped" => {
                let _ = writeln!(
                    o,
                    "<tr class=\"detail skipped\"><td colspan=\"9\"><strong>Skipped:</strong> {}</td></tr>",
                    escape(c.skip_reason.as_deref().unwrap_or("no reason recorded"))
                );
            }
            _ => {}
        }
    }
    o.push_str("</tbody>\n</table>\n</section>\n");
}

fn diff_table(o: &mut String, rows: &[(String, String, String)]) {
    o.push_str("<table class=\"diff\"><thead><tr><th>field</th><th>expected</th><th>observed</th></tr></thead><tbody>");
    for (field, expected, observed) in rows {
        let class = if expected == observed {
            ""
        } else {
            " class=\"differs\""
        };
        let _ = write!(
            o,
            "<tr{class}><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td></tr>",
            escape(field),
            escape(expected),
            escape(observed)
        );
    }
    o.push_str("</tbody></table>");
}

fn failure_detail(o: &mut String, c: &CaseView) {
    o.push_str("<tr class=\"detail fail\"><td colspan=\"9\">");
    let _ = write!(
        o,
        "<p><strong>{}</strong> of {} judged answers failed. First failing answer, field by field:</p>",
        group(c.failed_responses),
        group(c.judged)
    );
    let empty = BTreeMap::new();
    let expected = c.expected.as_ref().unwrap_or(&empty);
    let observed = c.observed.as_ref().unwrap_or(&empty);
    let mut fields: Vec<&String> = expected.keys().chain(observed.keys()).collect();
    fields.sort();
    fields.dedup();
    let rows: Vec<(String, String, String)> = if fields.is_empty() {
        c.failures
            .first()
            .map(|d| {
                d.iter()
                    .map(|x| (x.field.clone(), x.expected.clone(), x.observed.clone()))
                    .collect()
            })
            .unwrap_or_default()
    } else {
        fields
            .into_iter()
            .map(|f| {
                let get = |m: &BTreeMap<String, String>| m.get(f).cloned().unwrap_or_default();
                (f.clone(), get(expected), get(observed))
            })
            .collect()
    };
    diff_table(o, &rows);
    for (i, d) in c.failures.iter().enumerate().skip(1) {
        let _ = write!(o, "<p>Failing answer {}:</p>", i + 1);
        let rows: Vec<(String, String, String)> = d
            .iter()
            .map(|x| (x.field.clone(), x.expected.clone(), x.observed.clone()))
            .collect();
        diff_table(o, &rows);
    }
    if let Some(note) = &c.note {
        let _ = write!(o, "<p class=\"muted\">Note: {}</p>", escape(note));
    }
    o.push_str("</td></tr>\n");
}

fn thresholds(o: &mut String, v: &View) {
    o.push_str("<section id=\"thresholds\">\n<h2>Thresholds</h2>\n");
    if v.thresholds.is_empty() {
        o.push_str("<p class=\"muted\">The scenario sets no thresholds.</p>\n</section>\n");
        return;
    }
    o.push_str("<table class=\"thresholds\"><thead><tr><th>threshold</th><th class=\"num\">observed</th><th>result</th></tr></thead><tbody>\n");
    for t in &v.thresholds {
        let (class, word) = if t.passed {
            ("pass", "held")
        } else {
            ("fail", "failed")
        };
        let _ = writeln!(
            o,
            "<tr class=\"{class}\"><td><code>{}</code></td><td class=\"num\">{}</td><td><span class=\"badge {class}\">{word}</span></td></tr>",
            escape(&t.expression),
            escape(&threshold_value(t.observed, &t.unit)),
        );
    }
    o.push_str("</tbody></table>\n</section>\n");
}

fn lag(p: &Option<Pct>) -> String {
    match p {
        Some(p) => format!("p50 {} · p99 {} · max {}", ms(p.p50), ms(p.p99), ms(p.max)),
        None => "— (closed model: requests go when a user is free)".to_string(),
    }
}

fn timing(o: &mut String, v: &View) {
    let t = &v.timing;
    let _ = write!(
        o,
        "<section id=\"timing\">\n<h2>Timing</h2>\n<p class=\"hint\">Whether the harness kept its schedule: read this before trusting the latencies.</p>\n\
         <dl class=\"meta\"><dt>Model</dt><dd>{}</dd><dt>Latency from</dt><dd>the {}</dd>\
         <dt>Scheduling lag</dt><dd>{}</dd>\
         <dt>Late starts</dt><dd><span class=\"{}\">{}</span> <span class=\"muted\">(sent more than 1 ms after their intended start)</span></dd>\
         <dt>Dropped</dt><dd><span class=\"{}\">{}</span> <span class=\"muted\">(never sent: max_in_flight were outstanding until the phase ended)</span></dd></dl>\n",
        escape(&t.mode),
        escape(&t.latency_from),
        escape(&lag(&t.scheduling_lag_us)),
        if t.late_starts > 0 { "warn" } else { "" },
        group(t.late_starts),
        if t.dropped > 0 { "warn" } else { "" },
        group(t.dropped),
    );
    if !v.phases.is_empty() {
        o.push_str("<table class=\"phases\"><thead><tr><th>phase</th><th>executor</th><th>model</th><th class=\"num\">planned rate</th><th class=\"num\">achieved rate</th><th class=\"num\">requests</th><th class=\"num\">dropped</th><th class=\"num\">late starts</th><th class=\"num\">duration</th><th>scheduling lag</th></tr></thead><tbody>\n");
        for p in &v.phases {
            let planned = match p.planned_rate {
                Some([a, b]) if (a - b).abs() < 1e-9 => format!("{a:.0}/s"),
                Some([a, b]) => format!("{a:.0} → {b:.0}/s"),
                None => "—".to_string(),
            };
            let _ = writeln!(
                o,
                "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td class=\"num\">{:.0}/s</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{}</td><td class=\"num\">{:.2} s</td><td>{}</td></tr>",
                escape(&p.name),
                escape(&p.executor),
                escape(&p.model),
                escape(&planned),
                p.achieved_rate,
                group(p.requests),
                group(p.dropped),
                group(p.late_starts),
                p.duration_seconds,
                escape(&match &p.schedule_lag_us {
                    Some(_) => lag(&p.schedule_lag_us),
                    None => "—".to_string(),
                }),
            );
        }
        o.push_str("</tbody></table>\n");
    }
    o.push_str("</section>\n");
}

fn coverage(o: &mut String, v: &View) {
    let c = &v.coverage;
    let _ = write!(
        o,
        "<section id=\"coverage\">\n<h2>Coverage</h2>\n<p>{} in the mix · documented errors provoked: <strong>{} of {}</strong> · request members covered: <strong>{} of {}</strong>{}</p>\n",
        plural(c.cases_total, "case", "cases"),
        c.errors_provoked,
        c.errors_documented,
        c.members_covered,
        c.members_total,
        if c.members_uncovered.is_empty() {
            String::new()
        } else {
            format!(" (not varied: {})", escape(&c.members_uncovered.join(", ")))
        },
    );
    if c.errors.is_empty() {
        o.push_str("</section>\n");
        return;
    }
    let reasons: BTreeMap<&str, &ErrorSkippedView> = c
        .errors_skipped
        .iter()
        .map(|s| (s.error.as_str(), s))
        .collect();
    o.push_str("<table class=\"coverage\"><thead><tr><th>documented error</th><th>provoked</th><th>by cases, or why not</th><th>spec</th></tr></thead><tbody>\n");
    for e in &c.errors {
        let (class, word, detail) = if e.provoked {
            ("pass", "yes", escape(&e.cases.join(", ")))
        } else {
            match reasons.get(e.error.as_str()) {
                Some(s) if !s.provokable => (
                    "muted",
                    "not here",
                    format!(
                        "{} <span class=\"muted\">(no request can provoke it on these targets)</span>",
                        escape(&s.reason)
                    ),
                ),
                Some(s) => ("skipped", "no", escape(&s.reason)),
                None => ("skipped", "no", String::new()),
            }
        };
        let note = e.note.as_deref().map_or(String::new(), |n| {
            format!("<br><span class=\"muted\">{}</span>", escape(n))
        });
        let _ = writeln!(
            o,
            "<tr><td><code>{}</code></td><td><span class=\"badge {class}\">{word}</span></td><td>{detail}{note}</td><td class=\"spec\">{}</td></tr>",
            escape(&e.error),
            escape(&e.spec),
        );
    }
    o.push_str("</tbody></table>\n</section>\n");
}

fn deviations(o: &mut String, v: &View) {
    let Some(d) = &v.deviations else { return };
    let _ = write!(
        o,
        "<section id=\"deviations\">\n<h2>Known deviations</h2>\n<p>Compared with <code>{}</code> (target <code>{}</code>).</p>\n<dl class=\"meta\">",
        escape(&d.file),
        escape(&d.target)
    );
    for (label, list) in [
        ("Known (expected failures)", &d.known),
        ("New failures", &d.new),
        ("Fixed (listed, now passing)", &d.fixed),
        ("Listed, not run", &d.not_run),
    ] {
        let text = if list.is_empty() {
            "none".to_string()
        } else {
            list.join(", ")
        };
        let _ = write!(o, "<dt>{}</dt><dd>{}</dd>", escape(label), escape(&text));
    }
    if !d.changed.is_empty() {
        o.push_str("<dt>Changed</dt><dd>");
        for c in &d.changed {
            let _ = write!(o, "<div><code>{}</code>", escape(&c.case));
            for x in &c.changes {
                let _ = write!(
                    o,
                    "<div>{}: listed {} → observed {}</div>",
                    escape(&x.what),
                    escape(&x.listed),
                    escape(&x.observed)
                );
            }
            o.push_str("</div>");
        }
        o.push_str("</dd>");
    }
    o.push_str("</dl>\n</section>\n");
}

fn plan(o: &mut String, v: &View) {
    let text = serde_json::to_string_pretty(&v.plan).unwrap_or_else(|e| e.to_string());
    let _ = write!(
        o,
        "<section id=\"plan\">\n<h2>Plan</h2>\n<details><summary>The scenario as run, with every default applied (secrets shown as ***)</summary>\n<pre class=\"plan\">{}</pre>\n</details>\n</section>\n",
        escape(&text)
    );
}

const CSS: &str = r#"
:root { color-scheme: light; --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --bg-soft: #f6f8fa;
  --pass: #1a7f37; --pass-bg: #dafbe1; --fail: #cf222e; --fail-bg: #ffebe9; --warn: #9a6700; --warn-bg: #fff8c5;
  --skip: #57606a; --skip-bg: #eaeef2; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1180px; margin: 0 auto; padding: 24px 28px 48px; }
h1 { font-size: 24px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 32px 0 6px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 12.5px; }
.description { margin: 0 0 12px; color: var(--muted); }
.muted { color: var(--muted); }
.small { font-size: 12.5px; }
.hint { margin: 0 0 8px; color: var(--muted); }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 8px 0; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; overflow-wrap: anywhere; }
.result { font-size: 16px; font-weight: 600; padding: 10px 14px; border-radius: 6px; margin: 12px 0 6px; }
.result.pass { color: var(--pass); background: var(--pass-bg); }
.result.fail { color: var(--fail); background: var(--fail-bg); }
.result.interrupted { color: var(--warn); background: var(--warn-bg); }
.banner.partial { padding: 10px 14px; border-radius: 6px; border: 1px solid #d4a72c; background: var(--warn-bg); color: #4d2d00; margin: 6px 0; }
.figures { display: grid; grid-template-columns: repeat(auto-fill, minmax(150px, 1fr)); gap: 8px; margin-top: 16px; }
.figures p { grid-column: 1 / -1; margin: 2px 0 0; }
.figure { border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; background: var(--bg-soft); }
.figure.wide { grid-column: span 2; }
.figure .label { font-size: 12px; color: var(--muted); }
.figure .value { font-size: 16px; font-weight: 600; font-variant-numeric: tabular-nums; }
.figure.bad .value { color: var(--fail); }
.figure.warn .value { color: var(--warn); }
svg.chart { display: block; max-width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; background: #fff; }
table { border-collapse: collapse; width: 100%; margin: 6px 0; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { background: var(--bg-soft); font-weight: 600; position: sticky; top: 0; }
table.diff thead th { position: static; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td.bad { color: var(--fail); font-weight: 600; }
span.warn { color: var(--warn); font-weight: 600; }
table.verdicts { font-size: 13px; }
td.id { white-space: nowrap; }
td.id.long { white-space: normal; min-width: 14em; max-width: 17em; }
table.verdicts td.spec { min-width: 12em; }
td.spec { color: var(--muted); font-size: 12.5px; }
tr.case.fail td { background: var(--fail-bg); }
tr.detail > td { background: #fcfcfd; padding: 6px 16px 12px; }
tr.detail.fail > td { background: #fff6f5; }
tr.detail p { margin: 4px 0; }
table.diff { width: auto; min-width: 50%; margin: 4px 0 8px; }
table.diff td, table.diff th { border: 1px solid var(--line); background: #fff; }
table.diff tr.differs td:nth-child(2) { background: var(--pass-bg); }
table.diff tr.differs td:nth-child(3) { background: var(--fail-bg); }
.badge { display: inline-block; padding: 0 8px; border-radius: 10px; font-size: 12px; font-weight: 600; line-height: 20px; }
.badge.pass { color: var(--pass); background: var(--pass-bg); }
.badge.fail { color: #fff; background: var(--fail); }
.badge.skipped, .badge.muted { color: var(--skip); background: var(--skip-bg); }
.has-note { border-bottom: 1px dotted var(--muted); cursor: help; }
details summary { cursor: pointer; color: #0969da; }
pre.plan { background: var(--bg-soft); border: 1px solid var(--line); border-radius: 6px; padding: 12px; overflow: auto; max-height: 640px; }
footer { margin-top: 40px; color: var(--muted); font-size: 12.5px; }
@media print { thead th { position: static; } details { display: block; } }
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn histogram(base_us: u64, n: u64) -> String {
        let mut h = crate::metrics::new_histogram();
        for i in 0..n {
            // A long tail: mostly near base, a few far out.
            let v =
                base_us + (i * 7919) % (base_us * 2) + if i % 100 == 0 { base_us * 20 } else { 0 };
            h.record(v).unwrap();
        }
        codec::encode(&h)
    }

    fn case(name: &str, verdict: &str, count: u64, base_us: u64) -> Value {
        let failing = verdict == "fail";
        json!({
            "name": name,
            "title": format!("Title of <{name}>"),
            "checks": "200 & empty",
            "spec": "§4.6",
            "confidence": "documented",
            "note": if name == "noted" { json!("a \"note\"") } else { Value::Null },
            "verdict": verdict,
            "skip_reason": if verdict == "skipped" { json!("needs read_codes") } else { Value::Null },
            "count": count,
            "errors": if failing { count } else { 0 },
            "by_class": {},
            "judged": count,
            "passed_responses": if failing { 0 } else { count },
            "failed_responses": if failing { count } else { 0 },
            "postconditions_checked": 0,
            "latency_us": {"p50": base_us, "p90": base_us * 2, "p99": base_us * 3, "p999": base_us * 4, "max": base_us * 20, "mean": base_us as f64},
            "service_time_us": {"p50": base_us / 2, "p90": base_us, "p99": base_us, "p999": base_us, "max": base_us, "mean": 1.0},
            "expected": if failing { json!({"status": "400", "error_type": "CodeMismatchException"}) } else { Value::Null },
            "observed": if failing { json!({"status": "200", "error_type": "<none>"}) } else { Value::Null },
            "failures": if failing { json!([[{"field": "status", "expected": "400", "observed": "200"}], [{"field": "message", "expected": "a", "observed": "b"}]]) } else { json!([]) },
            "sample": null,
            "timeline": [],
            "histograms": if count == 0 { Value::Null } else { json!({"response": histogram(base_us, count), "service": histogram(base_us / 2, count)}) },
        })
    }

    fn summary(seconds: u64) -> Value {
        let mut cases: Vec<Value> = (0..12)
            .map(|i| case(&format!("case-{i}"), "pass", 500 + i * 100, 1000 + i * 300))
            .collect();
        cases.push(case("broken", "fail", 40, 2000));
        cases.push(case("not-run", "skipped", 0, 1000));
        cases.push(case("noted", "pass", 5, 800));
        let timeline: Vec<Value> = (1..=seconds)
            .map(|s| {
                json!({"second": s, "requests": if s == 4 { 0 } else { 1000 + s * 10 }, "errors": s % 3, "p50_us": 900 + s * 20, "p99_us": 5000 + s * 300})
            })
            .collect();
        json!({
            "schema_version": 1,
            "tool": {"name": "cogbench", "version": "0.1.0"},
            "scenario": {"name": "load <mixed>", "file": "scenarios/load-mixed.yaml", "description": "A & B"},
            "plan": {"name": "load-mixed", "secret": "***", "html": "</pre><script>alert(1)</script>"},
            "target": {"kind": "embedded", "endpoint": "http://127.0.0.1:1", "capabilities": ["read_codes"]},
            "started_at": "2026-01-01T00:00:00Z",
            "finished_at": "2026-01-01T00:00:10Z",
            "partial": false,
            "interrupted": false,
            "aborted": null,
            "totals": {"requests": 10000, "duration_seconds": 10.0, "requests_per_second": 1000.0, "errors": 40, "error_rate": 0.004, "dropped": 0, "by_class": {},
                "latency_us": {"p50": 1000, "p90": 2000, "p99": 3000, "p999": 4000, "max": 5000, "mean": 1200.0},
                "service_time_us": {"p50": 500, "p90": 900, "p99": 1000, "p999": 1100, "max": 1200, "mean": 600.0}},
            "timing": {"mode": "open", "scheduling_lag_us": {"p50": 10, "p90": 20, "p99": 30, "p999": 40, "max": 50, "mean": 12.0}, "late_starts": 3, "dropped": 0, "latency_from": "intended start"},
            "conformance": {"passed": 13, "failed": 1, "skipped": 1, "responses_judged": 10000, "responses_passed": 9960, "responses_failed": 40},
            "coverage": {"cases_total": 15, "errors_documented": 2, "errors_provoked": 1,
                "errors_skipped": [{"error": "ForbiddenException", "reason": "WAF", "provokable": false}],
                "errors": [{"error": "CodeMismatchException", "spec": "§3.1", "provoked": true, "cases": ["case-1"]},
                           {"error": "ForbiddenException", "spec": "§3.1", "provoked": false, "cases": []}],
                "members_total": 9, "members_covered": 3, "members_uncovered": ["Session"]},
            "deviations": null,
            "phases": [{"name": "steady", "executor": "constant-arrival-rate", "model": "open", "planned_rate": [1000.0, 1000.0], "starts": 10000, "requests": 10000, "dropped": 0, "late_starts": 3, "duration_seconds": 10.0, "achieved_rate": 1000.0,
                "schedule_lag_us": {"p50": 10, "p90": 20, "p99": 30, "p999": 40, "max": 50, "mean": 12.0}}],
            "users": {},
            "cases": cases,
            "thresholds": [{"expression": "p99 < 100ms", "observed": 3000.0, "unit": "us", "passed": true},
                           {"expression": "error_rate < 0.1%", "observed": 0.004, "unit": "ratio", "passed": false}],
            "timeline": timeline,
            "exit_code": 1,
        })
    }

    /// The `<svg data-chart=ID>…</svg>` of a chart.
    fn chart<'a>(html: &'a str, id: &str) -> &'a str {
        let start = html
            .find(&format!("data-chart=\"{id}\""))
            .unwrap_or_else(|| panic!("no chart {id}"));
        let end = start + html[start..].find("</svg>").expect("closed");
        &html[start..end]
    }

    /// Each polyline's series name and number of points.
    fn polylines(svg: &str) -> Vec<(String, usize)> {
        svg.split("<polyline ")
            .skip(1)
            .map(|p| {
                let attr = |name: &str| {
                    let from = p.find(&format!("{name}=\"")).expect(name) + name.len() + 2;
                    p[from..from + p[from..].find('"').unwrap()].to_string()
                };
                (attr("data-series"), attr("points").split(' ').count())
            })
            .collect()
    }

    #[test]
    fn a_realistic_summary_renders_every_chart_with_lines() {
        let html = render(&summary(10)).unwrap();
        assert!(html.starts_with("<!DOCTYPE html>"));
        for id in [
            "latency-over-time",
            "throughput-over-time",
            "percentile-distribution",
        ] {
            let lines = polylines(chart(&html, id));
            assert!(!lines.is_empty(), "{id} has no lines");
            assert!(lines.iter().all(|(_, n)| *n >= 2), "{id}: {lines:?}");
            assert!(!chart(&html, id).contains("no-data"));
        }
        // Second 4 had no answers: the latency lines break there.
        let latency = polylines(chart(&html, "latency-over-time"));
        assert_eq!(latency.iter().filter(|(s, _)| s == "p99").count(), 2);
        let throughput = polylines(chart(&html, "throughput-over-time"));
        assert_eq!(
            throughput
                .iter()
                .find(|(s, _)| s == "requests/s")
                .unwrap()
                .1,
            10
        );
        // The whole run (response and service) and the 10 busiest cases, the skipped one
        // (no histogram) and the quietest ones left out.
        let nines = polylines(chart(&html, "percentile-distribution"));
        let names: Vec<&str> = nines.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(names.len(), 2 + MAX_CASES_PLOTTED, "{names:?}");
        assert!(names.contains(&"all cases: response time"));
        assert!(names.contains(&"all cases: service time"));
        assert!(names.contains(&"case-11") && !names.contains(&"noted"));
        assert!(!names.contains(&"not-run"));
        assert!(html.contains("stroke-dasharray"));
        for k in ["0%", "90%", "99%", "99.9%", "99.99%", "99.999%"] {
            assert!(
                chart(&html, "percentile-distribution").contains(&format!(">{k}</text>")),
                "{k}"
            );
        }
    }

    #[test]
    fn the_verdict_table_has_a_row_per_case_failures_first() {
        let s = summary(3);
        let html = render(&s).unwrap();
        let rows: Vec<&str> = html
            .split("<tr class=\"case ")
            .skip(1)
            .map(|r| {
                let from = r.find("data-case=\"").unwrap() + 11;
                &r[from..from + r[from..].find('"').unwrap()]
            })
            .collect();
        assert_eq!(rows.len(), s["cases"].as_array().unwrap().len());
        assert_eq!(rows[0], "broken");
        assert_eq!(rows[1], "not-run");
        assert!(html.contains("<strong>Skipped:</strong> needs read_codes"));
        assert!(html.contains("<code>CodeMismatchException</code>"));
        assert!(html.contains("Failing answer 2:"));
        assert!(html.contains("Failed (exit code 1): 1 case failed; 1 threshold failed."));
        assert!(html.contains(">failed</span>") && html.contains(">held</span>"));
        assert!(html.contains("0.400%"));
    }

    #[test]
    fn text_from_the_summary_is_escaped() {
        let html = render(&summary(3)).unwrap();
        assert!(!html.contains("<script>"));
        assert!(html.contains("&lt;/pre&gt;&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("cogbench report: load &lt;mixed&gt;"));
        assert!(html.contains("Title of &lt;broken&gt;"));
        assert!(html.contains("title=\"a &quot;note&quot;\""));
        assert!(html.contains("<p class=\"description\">A &amp; B</p>"));
        // Nothing is fetched: no external reference at all.
        assert!(!html.contains("src=") && !html.contains("href=") && !html.contains("@import"));
    }

    #[test]
    fn an_empty_run_still_renders_with_a_note() {
        let mut s = summary(0);
        for c in s["cases"].as_array_mut().unwrap() {
            c["histograms"] = Value::Null;
            c["count"] = json!(0);
        }
        s["interrupted"] = json!(true);
        s["partial"] = json!(true);
        s["exit_code"] = json!(130);
        let html = render(&s).unwrap();
        for id in [
            "latency-over-time",
            "throughput-over-time",
            "percentile-distribution",
        ] {
            let svg = chart(&html, id);
            assert!(svg.contains("class=\"no-data\""), "{id}");
            assert!(polylines(svg).is_empty());
        }
        assert!(html.contains("Partial results:"));
        assert!(html.contains("Interrupted (exit code 130)"));
    }

    #[test]
    fn nines_points_run_from_the_median_side_to_the_maximum() {
        let mut h = crate::metrics::new_histogram();
        for v in 1..=10_000u64 {
            h.record(v).unwrap();
        }
        let points: Vec<(f64, f64)> = nines_points(&h, 5.0).into_iter().flatten().collect();
        assert_eq!(points[0].0, 0.0);
        // 90% at x = 1, 99% at x = 2, values in ms.
        let at = |x: f64| {
            points
                .iter()
                .find(|p| (p.0 - x).abs() < 1e-9)
                .map(|p| p.1)
                .unwrap()
        };
        assert!((at(1.0) - 9.0).abs() < 0.02, "{}", at(1.0));
        assert!((at(2.0) - 9.9).abs() < 0.02, "{}", at(2.0));
        // 10,000 samples reach 4 nines, where the maximum sits.
        let last = *points.last().unwrap();
        assert!((last.0 - 4.0).abs() < 1e-9);
        assert!((last.1 - 10.0).abs() < 0.01);
        assert!(
            points
                .windows(2)
                .all(|w| w[0].0 <= w[1].0 && w[0].1 <= w[1].1)
        );
        // Capped to the axis: the value there, not the maximum.
        let capped: Vec<(f64, f64)> = nines_points(&h, 2.0).into_iter().flatten().collect();
        assert_eq!(capped.last().unwrap().0, 2.0);
        assert!((capped.last().unwrap().1 - 9.9).abs() < 0.02);
        assert!(nines_points(&crate::metrics::new_histogram(), 5.0).is_empty());
        assert_eq!(nines_reach(10), 3);
        assert_eq!(nines_reach(637), 3);
        assert_eq!(nines_reach(1_000), 3);
        assert_eq!(nines_reach(59_789), 5);
        assert_eq!(nines_reach(100_000), 5);
        assert_eq!(nines_reach(2_000_000), 7);
        assert_eq!(nines_reach(u64::MAX), 8);
    }

    #[test]
    fn the_exporter_writes_report_html() {
        let dir = tempfile::tempdir().unwrap();
        let files = HtmlExporter.export(&summary(5), dir.path()).unwrap();
        assert_eq!(files, vec![dir.path().join(FILE)]);
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(text.contains("data-chart=\"percentile-distribution\""));
        assert_eq!(Format::Html.exporter().format(), Format::Html);
    }
}

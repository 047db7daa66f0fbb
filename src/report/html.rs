//! report.html: one self-contained page (inline CSS and SVG, no script, nothing fetched)
//! drawn from summary.json: the run's header and result, latency and throughput over time,
//! the percentile distribution ("nines" plot) per case and for the whole run, the verdict
//! table with failures first, thresholds, timing, coverage, and the plan.

use std::collections::BTreeMap;
use std::fmt::Write;

mod charts;
mod verdicts;
mod words;

use super::judging::{Gate, oracle_line};
use super::svg::escape;
use super::table::ms;
use crate::metrics::Percentiles;
use crate::summary::types::{ErrorSkipped, Summary};
use words::{group, plural};

pub const FILE: &str = crate::scenario::reports::HTML_FILE;

pub use charts::MAX_CASES_PLOTTED;

/// report.html: `(file name, bytes)`.
pub fn files(summary: &Summary) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    Ok(vec![(FILE.to_owned(), render(summary).into_bytes())])
}

/// The whole page.
pub fn render(v: &Summary) -> String {
    let mut o = String::with_capacity(64 * 1024);
    let title = format!("cogbench · {} · {}", v.scenario.name, v.started_at);
    let _ = write!(
        o,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"cogbench {}\">\n<title>{}</title>\n<style>{CSS}</style>\n\
         </head>\n<body>\n<main>\n",
        escape(v.tool.version),
        escape(&title)
    );
    header(&mut o, v);
    figures(&mut o, v);
    charts::latency_over_time(&mut o, v);
    charts::throughput_over_time(&mut o, v);
    charts::percentiles(&mut o, v);
    verdicts::verdicts(&mut o, v);
    thresholds(&mut o, v);
    timing(&mut o, v);
    coverage(&mut o, v);
    deviations(&mut o, v);
    plan(&mut o, v);
    let _ = write!(
        o,
        "<footer>Written by cogbench {} from summary.json; <code>cogbench report RUN_DIR --format html</code> writes it again.</footer>\n</main>\n</body>\n</html>\n",
        escape(v.tool.version)
    );
    o
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

fn header(o: &mut String, v: &Summary) {
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
         <dt>Oracle</dt><dd id=\"oracle\">{}</dd>{}\
         </dl>",
        escape(&v.scenario.file),
        escape(&v.target.kind),
        escape(&v.target.endpoint),
        escape(&caps),
        escape(&v.started_at),
        escape(&v.finished_at),
        v.totals.duration_seconds,
        escape(v.timing.mode),
        escape(v.timing.latency_from),
        escape(&oracle_line(v.oracle.as_ref())),
        match Gate::of(v) {
            Some(g) => format!(
                "<dt>Gate</dt><dd id=\"gate\"><code>--fail-on {}</code>: {}</dd>",
                escape(&g.levels.join(",")),
                escape(&g.line())
            ),
            None => String::new(),
        },
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
    if !v.transport_errors.is_empty() {
        o.push_str("<div class=\"banner partial\" role=\"alert\"><strong>Transport errors</strong> (requests with no HTTP answer), by kind:<ul>");
        for e in &v.transport_errors {
            let _ = write!(o, "<li>{}</li>", escape(&e.line()));
        }
        o.push_str("</ul></div>\n");
    }
    o.push_str("</header>\n");
}

/// The exit code's meaning, with the reasons for a failure.
fn result(v: &Summary) -> (&'static str, String) {
    let gate = Gate::of(v);
    match v.exit_code {
        0 => match gate.filter(|g| !g.ungated.is_empty()) {
            Some(g) => (
                "pass",
                format!(
                    "Passed (exit code 0): every threshold held and no case at the --fail-on levels ({}) failed; {} of other levels did.",
                    g.levels.join(", "),
                    plural(g.ungated.len() as u64, "failing case", "failing cases")
                ),
            ),
            None => (
                "pass",
                "Passed (exit code 0): every judged case and every threshold held.".to_string(),
            ),
        },
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
            } else if let Some(g) = &gate {
                let gated = v.conformance.failed.saturating_sub(g.ungated.len() as u64);
                if gated > 0 {
                    why.push(format!(
                        "{} at the --fail-on levels ({}) failed",
                        plural(gated, "case", "cases"),
                        g.levels.join(", ")
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

fn figures(o: &mut String, v: &Summary) {
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
        escape(v.timing.latency_from),
        ms(t.service_time_us.p50),
        ms(t.service_time_us.p99),
        ms(t.latency_us.mean.round() as u64),
    );
    o.push_str("</section>\n");
}

fn thresholds(o: &mut String, v: &Summary) {
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
            escape(&threshold_value(t.observed, t.unit)),
        );
    }
    o.push_str("</tbody></table>\n</section>\n");
}

fn lag(p: &Option<Percentiles>) -> String {
    match p {
        Some(p) => format!("p50 {} · p99 {} · max {}", ms(p.p50), ms(p.p99), ms(p.max)),
        None => "— (closed model: requests go when a user is free)".to_string(),
    }
}

fn timing(o: &mut String, v: &Summary) {
    let t = &v.timing;
    let _ = write!(
        o,
        "<section id=\"timing\">\n<h2>Timing</h2>\n<p class=\"hint\">Whether the harness kept its schedule: read this before trusting the latencies.</p>\n\
         <dl class=\"meta\"><dt>Model</dt><dd>{}</dd><dt>Latency from</dt><dd>the {}</dd>\
         <dt>Scheduling lag</dt><dd>{}</dd>\
         <dt>Late starts</dt><dd><span class=\"{}\">{}</span> <span class=\"muted\">(sent more than 1 ms after their intended start)</span></dd>\
         <dt>Dropped</dt><dd><span class=\"{}\">{}</span> <span class=\"muted\">(never sent: max_in_flight were outstanding until the phase ended)</span></dd></dl>\n",
        escape(t.mode),
        escape(t.latency_from),
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
                escape(p.executor),
                escape(p.model),
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

fn coverage(o: &mut String, v: &Summary) {
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
    let reasons: BTreeMap<&str, &ErrorSkipped> = c
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

fn deviations(o: &mut String, v: &Summary) {
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

fn plan(o: &mut String, v: &Summary) {
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
table.diff tr.differs td:nth-child(3) { background: var(--pass-bg); }
table.diff tr.differs td:nth-child(4) { background: var(--fail-bg); }
.race { color: var(--muted); margin-top: 2px; }
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
mod tests;

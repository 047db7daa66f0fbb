//! The verdict table: a row per case, failures first, each with the confidence of its
//! expectation and the oracle that judged it; each failure followed by its checks (failed
//! counts) and what was expected and observed, grouped by check.

use std::fmt::Write;

use super::words::{group, plural};
use crate::cases::Check;
use crate::report::judging::{
    Gate, Line, case_counts, confidence_text, failures_first, grouped, lines, oracle_name,
    side_by_side,
};
use crate::report::svg::escape;
use crate::report::table::ms;
use crate::summary::types::{CaseSummary, RaceOutcome, Summary, Verdict};

/// Columns of the verdict table, for the detail rows that span it.
const COLUMNS: usize = 10;

/// `text`, with `title` as a hover note (marked `*`) when there is one.
fn with_note(text: &str, title: Option<&str>) -> String {
    match title {
        Some(t) => format!(
            "<span class=\"has-note\" title=\"{}\">{}*</span>",
            escape(t),
            escape(text)
        ),
        None => escape(text),
    }
}

pub(super) fn verdicts(o: &mut String, v: &Summary) {
    let cases = failures_first(&v.cases);
    let _ = write!(
        o,
        "<section id=\"verdicts\">\n<h2>Verdicts</h2>\n<p class=\"hint\">{} — failures first, each with the checks that failed and what was expected and observed, then skipped cases with the reason, then passes. Confidence is how sure the expectation is (documented, observed, inferred; recorded when a snapshot judged); oracle is what judged the case. p50 and p99 are response times.</p>\n",
        escape(&format!(
            "{}: {}",
            plural(v.cases.len() as u64, "case", "cases"),
            case_counts(&v.conformance, ", ")
        ))
    );
    o.push_str(
        "<table id=\"verdict-table\" class=\"verdicts\">\n<thead><tr><th>case</th><th>title</th><th>verdict</th><th>confidence</th><th>oracle</th><th class=\"num\">count</th><th class=\"num\">errors</th><th class=\"num\">p50</th><th class=\"num\">p99</th><th>spec</th></tr></thead>\n<tbody>\n",
    );
    let gate = Gate::of(v);
    for c in cases {
        let verdict_class = c.verdict.as_str();
        let mut confidence = with_note(c.confidence, c.note.as_deref());
        if !c.catalog_confidence.is_empty() && c.catalog_confidence != c.confidence {
            let _ = write!(
                confidence,
                "<div class=\"muted small\">catalog: {}</div>",
                escape(&c.catalog_confidence)
            );
        }
        let race = c.race.as_ref().map_or(String::new(), |r| {
            format!(
                "<div class=\"race small\">race: {}</div>",
                escape(&r.describe())
            )
        });
        let (p50, p99) = if c.count == 0 {
            ("—".to_string(), "—".to_string())
        } else {
            (ms(c.latency_us.p50), ms(c.latency_us.p99))
        };
        let _ = writeln!(
            o,
            "<tr class=\"case {verdict_class}\" data-case=\"{name}\" data-confidence=\"{confidence_attr}\" data-oracle=\"{oracle_attr}\" id=\"case-{name}\"><td class=\"{id_class}\"><code>{name}</code></td><td title=\"{checks}\">{title}{race}</td><td><span class=\"badge {verdict_class}\">{verdict}</span></td><td>{confidence}</td><td>{oracle}</td><td class=\"num\">{count}</td><td class=\"num{err_class}\">{errors}</td><td class=\"num\">{p50}</td><td class=\"num\">{p99}</td><td class=\"spec\">{spec}</td></tr>",
            name = escape(&c.name),
            confidence_attr = escape(c.confidence),
            oracle_attr = escape(oracle_name(&c.oracle)),
            // Ids stay on one line unless they are very long.
            id_class = if c.name.chars().count() <= 28 {
                "id"
            } else {
                "id long"
            },
            checks = escape(&c.checks),
            title = escape(&c.title),
            verdict = escape(c.verdict.as_str()),
            oracle = with_note(oracle_name(&c.oracle), c.oracle_note.as_deref()),
            count = group(c.count),
            errors = group(c.errors),
            err_class = if c.errors > 0 { " bad" } else { "" },
            spec = escape(&c.spec),
        );
        match c.verdict {
            Verdict::Fail => failure_detail(o, c, gate.as_ref()),
            Verdict::Skipped => {
                let _ = writeln!(
                    o,
                    "<tr class=\"detail skipped\"><td colspan=\"{COLUMNS}\"><strong>Skipped:</strong> {}</td></tr>",
                    escape(c.skip_reason.as_deref().unwrap_or("no reason recorded"))
                );
            }
            Verdict::Pass => {}
        }
    }
    o.push_str("</tbody>\n</table>\n</section>\n");
}

fn diff_table(o: &mut String, rows: &[Line]) {
    o.push_str("<table class=\"diff\"><thead><tr><th>check</th><th>field</th><th>expected</th><th>observed</th></tr></thead><tbody>");
    for (check, ds) in grouped(rows) {
        for d in ds {
            let class = if d.expected == d.observed {
                ""
            } else {
                " class=\"differs\""
            };
            let _ = write!(
                o,
                "<tr{class}><td>{}</td><td><code>{}</code></td><td><code>{}</code></td><td><code>{}</code></td></tr>",
                escape(check),
                escape(d.field),
                escape(d.expected),
                escape(d.observed)
            );
        }
    }
    o.push_str("</tbody></table>");
}

/// The first failing answer: `failures[0]`, whose differences name their check, else (a
/// summary without `failures`) `expected`/`observed` side by side.
fn first_answer(c: &CaseSummary) -> Vec<Line<'_>> {
    match c.failures.first() {
        Some(first) => lines(first),
        None => side_by_side(c.expected.as_ref(), c.observed.as_ref()),
    }
}

/// Every check of the case with its verdict: the failing ones with how many of the judged
/// answers (or state reads) failed them.
fn checks_line(o: &mut String, c: &CaseSummary) {
    if c.by_check.is_empty() {
        return;
    }
    o.push_str("<p class=\"checks\"><strong>Checks:</strong> ");
    for (i, k) in c.by_check.iter().enumerate() {
        if i > 0 {
            o.push_str(" · ");
        }
        let (class, detail) = match k.verdict {
            Verdict::Fail => (
                "fail",
                format!("{} of {} failed", group(k.failed), group(k.judged)),
            ),
            Verdict::Pass => ("pass", format!("{} judged, passed", group(k.judged))),
            Verdict::Skipped => ("skipped", "nothing judged".to_string()),
        };
        let _ = write!(
            o,
            "<span class=\"badge {class}\" data-check=\"{check}\">{check}</span> {}",
            escape(&detail),
            check = escape(Check::as_str(k.check)),
        );
    }
    o.push_str("</p>");
}

fn failure_detail(o: &mut String, c: &CaseSummary, gate: Option<&Gate>) {
    let _ = write!(
        o,
        "<tr class=\"detail fail\"><td colspan=\"{COLUMNS}\"><p class=\"judged\">Confidence <strong>{}</strong> · judged by <strong>{}</strong>",
        escape(&confidence_text(c)),
        escape(oracle_name(&c.oracle))
    );
    if let Some(g) = gate
        && !g.gates(c.confidence)
    {
        let _ = write!(
            o,
            " · <span class=\"warn\">{}</span>",
            escape(&g.exempt_note())
        );
    }
    o.push_str("</p>");
    if let Some(why) = &c.oracle_note {
        let _ = write!(o, "<p>Oracle: {}</p>", escape(why));
    }
    if let Some(race) = c.race.as_ref().map(RaceOutcome::describe) {
        let _ = write!(o, "<p>Race: {}</p>", escape(&race));
    }
    checks_line(o, c);
    let _ = write!(
        o,
        "<p><strong>{}</strong> of {} judged answers failed. First failing answer, field by field:</p>",
        group(c.failed_responses),
        group(c.judged)
    );
    diff_table(o, &first_answer(c));
    for (i, d) in c.failures.iter().enumerate().skip(1) {
        let _ = write!(o, "<p>Failing answer {}:</p>", i + 1);
        diff_table(o, &lines(d));
    }
    if let Some(note) = &c.note {
        let _ = write!(o, "<p class=\"muted\">Note: {}</p>", escape(note));
    }
    o.push_str("</td></tr>\n");
}

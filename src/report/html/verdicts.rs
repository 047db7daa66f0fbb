//! The verdict table: a row per case, failures first, each failure followed by what was
//! expected and what was observed.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::{CaseView, View, group, plural};
use crate::report::svg::escape;
use crate::report::table::ms;

fn verdict_rank(verdict: &str) -> u8 {
    match verdict {
        "fail" => 0,
        "skipped" => 1,
        "pass" => 2,
        _ => 3,
    }
}

pub(super) fn verdicts(o: &mut String, v: &View) {
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

//! junit.xml: the run as JUnit XML in the Ant/Jenkins layout that GitHub, GitLab and Jenkins
//! read natively. One `<testsuites>` holding two `<testsuite>`s:
//!
//! - `conformance`: a `<testcase>` per case (name = case id, classname
//!   `cogbench.<scenario>.conformance`). Its `<properties>` say what judged it (`oracle`:
//!   catalog or snapshot, with `oracle_note` when the catalog stood in for a snapshot) and
//!   how sure that is (`confidence`, `catalog_confidence`), with the race outcome and the
//!   note in full where the case has them. A failing case carries a `<failure>` whose message
//!   starts `[confidence] failing checks:` and whose text has expected and observed field by
//!   field, grouped by check; a skipped case a `<skipped message="reason"/>`. A case's
//!   `time` is the time its requests took, added up (mean latency × count), so under
//!   concurrency the cases add up to more than the suite's wall-clock `time`.
//! - `thresholds`: a `<testcase>` per threshold, a `<failure>` when it did not hold.
//!
//! The suites' properties name the snapshot that judged the run (`oracle.*`) and the
//! `--fail-on` levels; a failing case those levels leave out says so (`fails_run` false).
//!
//! `timestamp` is the run's start in UTC without a zone designator, as the Ant schema has it;
//! the `started_at` property keeps the RFC 3339 form.

use std::fmt::Write;

use super::judging::{
    Gate, answers_failed, case_counts, confidence_text, failing_answers, failing_check_names,
    failing_checks, grouped, in_check_order, oracle_line, oracle_name, thresholds_held,
};
use super::table::{load_line, observed};
use crate::summary::types::{CaseSummary, RaceOutcome, Summary, Verdict};

/// Longest `message` attribute, in characters: the whole story is in the element's text.
const MESSAGE_MAX: usize = 600;

/// The characters XML 1.0 allows (§2.2); every other one is dropped.
fn allowed(c: char) -> bool {
    matches!(c,
        '\t' | '\n' | '\r'
        | '\u{20}'..='\u{D7FF}'
        | '\u{E000}'..='\u{FFFD}'
        | '\u{10000}'..='\u{10FFFF}')
}

/// Escapes `s` for element content.
fn text(out: &mut String, s: &str) {
    escape(out, s, false);
}

/// Escapes `s` for an attribute value in double quotes; whitespace other than the space is
/// written as a character reference so the reader's attribute normalisation keeps it.
fn attr(out: &mut String, s: &str) {
    escape(out, s, true);
}

/// The one escaper of both contexts: an attribute also needs its quotes and its whitespace
/// other than the space as references.
fn escape(out: &mut String, s: &str, in_attribute: bool) {
    for c in s.chars().filter(|c| allowed(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            // `]]>` may not appear in content; escaping every `>` is simplest.
            '>' => out.push_str("&gt;"),
            // A bare CR would be normalised away by the reader.
            '\r' => out.push_str("&#13;"),
            '"' if in_attribute => out.push_str("&quot;"),
            '\'' if in_attribute => out.push_str("&apos;"),
            '\t' if in_attribute => out.push_str("&#9;"),
            '\n' if in_attribute => out.push_str("&#10;"),
            c => out.push(c),
        }
    }
}

/// Writes ` name="value"` (value escaped).
fn attribute(out: &mut String, name: &str, value: &str) {
    out.push(' ');
    out.push_str(name);
    out.push_str("=\"");
    attr(out, value);
    out.push('"');
}

/// At most `max` characters of `s`, with `…` when cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut cut: String = s.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// One line: newlines and tabs become spaces.
fn one_line(s: &str) -> String {
    s.split(['\n', '\r', '\t'])
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

fn seconds(s: f64) -> String {
    if s.is_finite() && s > 0.0 {
        format!("{s:.3}")
    } else {
        "0.000".to_owned()
    }
}

/// `2026-11-28T10:11:50Z` → `2026-11-28T10:11:50` (the Ant schema's form; the value is UTC).
fn ant_timestamp(rfc3339: &str) -> &str {
    rfc3339.strip_suffix('Z').unwrap_or(rfc3339)
}

/// The run in one line, for `<system-out>`.
fn run_line(v: &Summary) -> String {
    let c = &v.conformance;
    let mut line = format!(
        "cogbench {}: {} · conformance {} ({}) · {} · exit code {} · oracle: {}",
        v.scenario.name,
        load_line(&v.totals, false),
        case_counts(c, ", "),
        answers_failed(c),
        thresholds_held(v),
        v.exit_code,
        oracle_line(v.oracle.as_ref())
    );
    if let Some(gate) = Gate::of(v) {
        let _ = write!(line, " · gate: {}", gate.line());
    }
    line
}

/// Why the results cover only part of the plan, if they do.
fn partial_warning(v: &Summary) -> Option<String> {
    if !v.partial && !v.interrupted && v.aborted.is_none() {
        return None;
    }
    let mut w = "partial run: the results cover only part of the plan".to_owned();
    if v.interrupted {
        w.push_str("; interrupted");
    }
    if let Some(reason) = &v.aborted {
        let _ = write!(w, "; stopped early: {reason}");
    }
    Some(w)
}

/// `answer message` (or just `message` when the summary names no check).
fn check_field(d: &super::judging::Line) -> String {
    match d.check {
        None => d.field.to_owned(),
        Some(check) => format!("{} {}", check.as_str(), d.field),
    }
}

/// `[recorded] answer, headers: judged by snapshot, 1 of 1 judged answers failed; answer
/// message: expected …, observed …`: CI tools show this line, so how sure the expectation is
/// and what failed come first.
fn failure_message(c: &CaseSummary, gate: Option<&Gate>) -> String {
    let mut msg = format!("[{}]", c.confidence);
    let checks = failing_check_names(c);
    if !checks.is_empty() {
        let _ = write!(msg, " {}:", checks.join(", "));
    }
    let _ = write!(
        msg,
        " judged by {}, {} of {} judged answers failed",
        oracle_name(&c.oracle),
        c.failed_responses,
        c.judged
    );
    if let Some(g) = gate
        && !g.gates(c.confidence)
    {
        let _ = write!(msg, ", which {}", g.exempt_note());
    }
    if let Some(first) = failing_answers(c).first() {
        for d in in_check_order(first) {
            let _ = write!(
                msg,
                "; {}: expected {}, observed {}",
                check_field(d),
                d.expected,
                d.observed
            );
        }
    }
    clip(&one_line(&msg), MESSAGE_MAX)
}

/// Writes `value` under `label` indented, continuation lines aligned.
fn labelled(out: &mut String, label: &str, value: &str) {
    let _ = write!(out, "    {label:<9}");
    let mut lines = value.split('\n');
    out.push_str(lines.next().unwrap_or(""));
    for l in lines {
        out.push('\n');
        out.push_str("             ");
        out.push_str(l);
    }
    out.push('\n');
}

fn failure_text(c: &CaseSummary, gate: Option<&Gate>) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", c.title);
    let _ = writeln!(out, "checks: {}", c.checks);
    let _ = writeln!(
        out,
        "spec: {} · confidence: {} · judged by {}",
        c.spec,
        confidence_text(c),
        oracle_name(&c.oracle)
    );
    if let Some(why) = &c.oracle_note {
        let _ = writeln!(out, "oracle: {why}");
    }
    if let Some(note) = &c.note {
        let _ = writeln!(out, "note: {note}");
    }
    if let Some(race) = &c.race {
        let _ = writeln!(out, "race: {}", race.describe());
    }
    let _ = writeln!(out, "failing checks: {}", failing_checks(c));
    let _ = writeln!(
        out,
        "{} of {} judged answers failed ({} sent)",
        c.failed_responses, c.judged, c.count
    );
    if let Some(g) = gate
        && !g.gates(c.confidence)
    {
        let _ = writeln!(out, "{}", g.exempt_note());
    }
    let patterns = failing_answers(c);
    for (i, p) in patterns.iter().enumerate() {
        if patterns.len() > 1 {
            let _ = writeln!(out, "\nfailing answer {} of {}:", i + 1, patterns.len());
        } else {
            out.push('\n');
        }
        for (check, ds) in grouped(p) {
            if !check.is_empty() {
                let _ = writeln!(out, "{check} check:");
            }
            for d in ds {
                let _ = writeln!(out, "  {}", d.field);
                labelled(&mut out, "expected", d.expected);
                labelled(&mut out, "observed", d.observed);
            }
        }
    }
    out
}

struct Suite<'a> {
    name: &'static str,
    tests: usize,
    failures: usize,
    skipped: usize,
    time: f64,
    view: &'a Summary,
}

fn properties(out: &mut String, indent: &str, properties: &[(&str, &str)]) {
    let _ = writeln!(out, "{indent}<properties>");
    for (name, value) in properties {
        let _ = write!(out, "{indent}  <property");
        attribute(out, "name", name);
        attribute(out, "value", value);
        out.push_str("/>\n");
    }
    let _ = writeln!(out, "{indent}</properties>");
}

fn open_suite(out: &mut String, s: &Suite) {
    out.push_str("  <testsuite");
    attribute(out, "name", s.name);
    attribute(out, "tests", &s.tests.to_string());
    attribute(out, "failures", &s.failures.to_string());
    attribute(out, "errors", "0");
    attribute(out, "skipped", &s.skipped.to_string());
    attribute(out, "time", &seconds(s.time));
    attribute(out, "timestamp", ant_timestamp(&s.view.started_at));
    out.push_str(">\n");
    let v = s.view;
    let exit_code = v.exit_code.to_string();
    let mut list = vec![
        ("cogbench.version", v.tool.version),
        ("scenario.name", v.scenario.name.as_str()),
        ("scenario.file", v.scenario.file.as_str()),
        ("target.kind", v.target.kind.as_str()),
        ("target.endpoint", v.target.endpoint.as_str()),
        ("started_at", v.started_at.as_str()),
        ("finished_at", v.finished_at.as_str()),
        ("partial", if v.partial { "true" } else { "false" }),
        ("exit_code", &exit_code),
        (
            "oracle",
            if v.oracle.is_some() {
                "snapshot"
            } else {
                "catalog"
            },
        ),
    ];
    let judged;
    if let Some(o) = &v.oracle {
        judged = o.cases_judged.to_string();
        list.extend([
            ("oracle.file", o.file.as_str()),
            ("oracle.target_kind", o.target_kind.as_str()),
            ("oracle.endpoint", o.endpoint.as_str()),
            ("oracle.recorded_at", o.recorded_at.as_str()),
            (
                "oracle.same_catalog",
                if o.same_catalog { "true" } else { "false" },
            ),
            ("oracle.cases_judged", judged.as_str()),
        ]);
    }
    let levels;
    if let Some(l) = &v.fail_on {
        levels = l.join(",");
        list.push(("fail_on", levels.as_str()));
    }
    properties(out, "    ", &list);
}

fn close_suite(out: &mut String, v: &Summary) {
    out.push_str("    <system-out>");
    text(out, &run_line(v));
    out.push_str("</system-out>\n");
    if let Some(w) = partial_warning(v) {
        out.push_str("    <system-err>");
        text(out, &w);
        out.push_str("</system-err>\n");
    }
    out.push_str("  </testsuite>\n");
}

fn open_case(out: &mut String, name: &str, classname: &str, time: f64) {
    out.push_str("    <testcase");
    attribute(out, "name", name);
    attribute(out, "classname", classname);
    attribute(out, "time", &seconds(time));
}

/// A case's `<properties>`: what judged it and how sure that is, so a CI tool that shows
/// properties can group or filter verdicts by them.
fn case_properties(out: &mut String, c: &CaseSummary, gate: Option<&Gate>) {
    let failing = failing_checks(c);
    let race = c.race.as_ref().map(RaceOutcome::describe);
    let mut list = vec![("confidence", c.confidence)];
    if !c.catalog_confidence.is_empty() {
        list.push(("catalog_confidence", c.catalog_confidence.as_str()));
    }
    list.push(("oracle", oracle_name(&c.oracle)));
    if let Some(why) = &c.oracle_note {
        list.push(("oracle_note", why));
    }
    if c.verdict == Verdict::Fail {
        list.push(("failing_checks", &failing));
        if let Some(g) = gate {
            list.push((
                "fails_run",
                if g.gates(c.confidence) {
                    "true"
                } else {
                    "false"
                },
            ));
        }
    }
    if let Some(r) = &race {
        list.push(("race", r));
    }
    if let Some(note) = &c.note {
        list.push(("note", note));
    }
    properties(out, "      ", &list);
}

pub fn render(v: &Summary) -> String {
    let with = |verdict| v.cases.iter().filter(|c| c.verdict == verdict).count();
    let conformance = Suite {
        name: "conformance",
        tests: v.cases.len(),
        failures: with(Verdict::Fail),
        skipped: with(Verdict::Skipped),
        time: v.totals.duration_seconds,
        view: v,
    };
    let thresholds = Suite {
        name: "thresholds",
        tests: v.thresholds.len(),
        failures: v.thresholds.iter().filter(|t| !t.passed).count(),
        skipped: 0,
        time: 0.0,
        view: v,
    };

    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites");
    attribute(&mut out, "name", &format!("cogbench {}", v.scenario.name));
    attribute(
        &mut out,
        "tests",
        &(conformance.tests + thresholds.tests).to_string(),
    );
    attribute(
        &mut out,
        "failures",
        &(conformance.failures + thresholds.failures).to_string(),
    );
    attribute(&mut out, "errors", "0");
    attribute(&mut out, "skipped", &conformance.skipped.to_string());
    attribute(&mut out, "time", &seconds(v.totals.duration_seconds));
    out.push_str(">\n");

    open_suite(&mut out, &conformance);
    let gate = Gate::of(v);
    let classname = format!("cogbench.{}.conformance", v.scenario.name);
    for c in &v.cases {
        let time = c.latency_us.mean * c.count as f64 / 1e6;
        open_case(&mut out, &c.name, &classname, time);
        out.push_str(">\n");
        case_properties(&mut out, c, gate.as_ref());
        match c.verdict {
            Verdict::Fail => {
                out.push_str("      <failure");
                attribute(&mut out, "message", &failure_message(c, gate.as_ref()));
                attribute(&mut out, "type", "conformance");
                out.push('>');
                text(&mut out, &failure_text(c, gate.as_ref()));
                out.push_str("</failure>\n");
            }
            Verdict::Skipped => {
                out.push_str("      <skipped");
                attribute(
                    &mut out,
                    "message",
                    &one_line(c.skip_reason.as_deref().unwrap_or("skipped")),
                );
                out.push_str("/>\n");
            }
            Verdict::Pass => {}
        }
        out.push_str("    </testcase>\n");
    }
    close_suite(&mut out, v);

    open_suite(&mut out, &thresholds);
    let classname = format!("cogbench.{}.thresholds", v.scenario.name);
    for t in &v.thresholds {
        open_case(&mut out, &t.expression, &classname, 0.0);
        if t.passed {
            out.push_str("/>\n");
            continue;
        }
        let value = observed(t.observed, t.unit);
        out.push_str(">\n      <failure");
        attribute(
            &mut out,
            "message",
            &format!("{} did not hold: observed {value}", t.expression),
        );
        attribute(&mut out, "type", "threshold");
        out.push('>');
        text(
            &mut out,
            &format!(
                "threshold: {}\nobserved: {value} (raw value {}, unit {})\n",
                t.expression, t.observed, t.unit
            ),
        );
        out.push_str("</failure>\n    </testcase>\n");
    }
    close_suite(&mut out, v);
    out.push_str("</testsuites>\n");
    out
}

/// junit.xml: `(file name, bytes)`.
pub fn files(summary: &Summary) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    Ok(vec![("junit.xml".to_owned(), render(summary).into_bytes())])
}

#[cfg(test)]
mod tests;

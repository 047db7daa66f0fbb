//! junit.xml: the run as JUnit XML in the Ant/Jenkins layout that GitHub, GitLab and Jenkins
//! read natively. One `<testsuites>` holding two `<testsuite>`s:
//!
//! - `conformance`: a `<testcase>` per case (name = case id, classname
//!   `cogbench.<scenario>.conformance`); a failing case carries a `<failure>` with expected
//!   and observed field by field, a skipped case a `<skipped message="reason"/>`. A case's
//!   `time` is the time its requests took, added up (mean latency × count), so under
//!   concurrency the cases add up to more than the suite's wall-clock `time`.
//! - `thresholds`: a `<testcase>` per threshold, a `<failure>` when it did not hold.
//!
//! `timestamp` is the run's start in UTC without a zone designator, as the Ant schema has it;
//! the `started_at` property keeps the RFC 3339 form.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use super::export::{Exporter, Format, write_file};
use super::table::{ms, observed};

/// Longest `message` attribute, in characters: the whole story is in the element's text.
const MESSAGE_MAX: usize = 600;

#[derive(Deserialize)]
struct View {
    tool: Tool,
    scenario: Scenario,
    target: Target,
    started_at: String,
    finished_at: String,
    partial: bool,
    interrupted: bool,
    aborted: Option<String>,
    totals: Totals,
    conformance: ConformanceView,
    cases: Vec<CaseView>,
    thresholds: Vec<ThresholdView>,
    exit_code: i32,
}

#[derive(Deserialize)]
struct Tool {
    version: String,
}

#[derive(Deserialize)]
struct Scenario {
    name: String,
    file: String,
}

#[derive(Deserialize)]
struct Target {
    kind: String,
    endpoint: String,
}

#[derive(Deserialize)]
struct Totals {
    requests: u64,
    duration_seconds: f64,
    requests_per_second: f64,
    errors: u64,
    error_rate: f64,
    latency_us: Pct,
}

#[derive(Deserialize)]
struct Pct {
    p50: u64,
    p99: u64,
    mean: f64,
}

#[derive(Deserialize)]
struct ConformanceView {
    passed: u64,
    failed: u64,
    skipped: u64,
    responses_judged: u64,
    responses_failed: u64,
}

#[derive(Deserialize)]
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
    judged: u64,
    failed_responses: u64,
    latency_us: Pct,
    expected: Option<BTreeMap<String, String>>,
    observed: Option<BTreeMap<String, String>>,
    #[serde(default)]
    failures: Vec<Vec<DifferenceView>>,
}

#[derive(Deserialize)]
struct DifferenceView {
    field: String,
    expected: String,
    observed: String,
}

#[derive(Deserialize)]
struct ThresholdView {
    expression: String,
    observed: f64,
    unit: String,
    passed: bool,
}

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
    for c in s.chars().filter(|c| allowed(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            // `]]>` may not appear in content; escaping every `>` is simplest.
            '>' => out.push_str("&gt;"),
            // A bare CR would be normalised away by the reader.
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

/// Escapes `s` for an attribute value in double quotes; whitespace other than the space is
/// written as a character reference so the reader's attribute normalisation keeps it.
fn attr(out: &mut String, s: &str) {
    for c in s.chars().filter(|c| allowed(*c)) {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
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
fn run_line(v: &View) -> String {
    let t = &v.totals;
    let c = &v.conformance;
    let held = v.thresholds.iter().filter(|t| t.passed).count();
    format!(
        "cogbench {}: {} requests in {:.2}s ({:.0} req/s) · errors {} ({:.2}%) · p50 {} · p99 {} · \
         conformance {} passed, {} failed, {} skipped ({} of {} judged answers failed) · \
         thresholds {} held, {} failed · exit code {}",
        v.scenario.name,
        t.requests,
        t.duration_seconds,
        t.requests_per_second,
        t.errors,
        t.error_rate * 100.0,
        ms(t.latency_us.p50),
        ms(t.latency_us.p99),
        c.passed,
        c.failed,
        c.skipped,
        c.responses_failed,
        c.responses_judged,
        held,
        v.thresholds.len() - held,
        v.exit_code
    )
}

/// Why the results cover only part of the plan, if they do.
fn partial_warning(v: &View) -> Option<String> {
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

/// The differences of one failing answer: from `failures` when present, else from
/// `expected`/`observed` side by side.
fn first_differences(c: &CaseView) -> Vec<(String, String, String)> {
    if let Some(first) = c.failures.first() {
        return first
            .iter()
            .map(|d| (d.field.clone(), d.expected.clone(), d.observed.clone()))
            .collect();
    }
    let (Some(e), Some(o)) = (&c.expected, &c.observed) else {
        return Vec::new();
    };
    let mut fields: Vec<&String> = e.keys().chain(o.keys()).collect();
    fields.sort();
    fields.dedup();
    fields
        .into_iter()
        .map(|f| {
            let get = |m: &BTreeMap<String, String>| m.get(f).cloned().unwrap_or_default();
            (f.clone(), get(e), get(o))
        })
        .collect()
}

fn failure_message(c: &CaseView) -> String {
    let diffs = first_differences(c)
        .iter()
        .map(|(f, e, o)| format!("{f}: expected {e}, observed {o}"))
        .collect::<Vec<_>>()
        .join("; ");
    let head = format!(
        "{} of {} judged answers failed",
        c.failed_responses, c.judged
    );
    let msg = if diffs.is_empty() {
        head
    } else {
        format!("{head}: {diffs}")
    };
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

fn failure_text(c: &CaseView) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "{}", c.title);
    let _ = writeln!(out, "checks: {}", c.checks);
    let _ = writeln!(out, "spec: {} · confidence: {}", c.spec, c.confidence);
    if let Some(note) = &c.note {
        let _ = writeln!(out, "note: {note}");
    }
    let _ = writeln!(
        out,
        "{} of {} judged answers failed ({} sent)",
        c.failed_responses, c.judged, c.count
    );
    let patterns: Vec<Vec<(String, String, String)>> = if c.failures.is_empty() {
        vec![first_differences(c)]
    } else {
        c.failures
            .iter()
            .map(|p| {
                p.iter()
                    .map(|d| (d.field.clone(), d.expected.clone(), d.observed.clone()))
                    .collect()
            })
            .collect()
    };
    for (i, p) in patterns.iter().enumerate() {
        if patterns.len() > 1 {
            let _ = writeln!(out, "\nfailing answer {} of {}:", i + 1, patterns.len());
        } else {
            out.push('\n');
        }
        for (field, expected, observed) in p {
            let _ = writeln!(out, "  {field}");
            labelled(&mut out, "expected", expected);
            labelled(&mut out, "observed", observed);
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
    view: &'a View,
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
    out.push_str(">\n    <properties>\n");
    let v = s.view;
    let exit_code = v.exit_code.to_string();
    let properties = [
        ("cogbench.version", v.tool.version.as_str()),
        ("scenario.name", v.scenario.name.as_str()),
        ("scenario.file", v.scenario.file.as_str()),
        ("target.kind", v.target.kind.as_str()),
        ("target.endpoint", v.target.endpoint.as_str()),
        ("started_at", v.started_at.as_str()),
        ("finished_at", v.finished_at.as_str()),
        ("partial", if v.partial { "true" } else { "false" }),
        ("exit_code", &exit_code),
    ];
    for (name, value) in properties {
        out.push_str("      <property");
        attribute(out, "name", name);
        attribute(out, "value", value);
        out.push_str("/>\n");
    }
    out.push_str("    </properties>\n");
}

fn close_suite(out: &mut String, v: &View) {
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

pub fn render(summary: &Value) -> std::io::Result<String> {
    let v = View::deserialize(summary)
        .map_err(|e| std::io::Error::other(format!("summary.json: {e}")))?;
    let with = |verdict: &str| v.cases.iter().filter(|c| c.verdict == verdict).count();
    let conformance = Suite {
        name: "conformance",
        tests: v.cases.len(),
        failures: with("fail"),
        skipped: with("skipped"),
        time: v.totals.duration_seconds,
        view: &v,
    };
    let thresholds = Suite {
        name: "thresholds",
        tests: v.thresholds.len(),
        failures: v.thresholds.iter().filter(|t| !t.passed).count(),
        skipped: 0,
        time: 0.0,
        view: &v,
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
    let classname = format!("cogbench.{}.conformance", v.scenario.name);
    for c in &v.cases {
        let time = c.latency_us.mean * c.count as f64 / 1e6;
        open_case(&mut out, &c.name, &classname, time);
        match c.verdict.as_str() {
            "fail" => {
                out.push_str(">\n      <failure");
                attribute(&mut out, "message", &failure_message(c));
                attribute(&mut out, "type", "conformance");
                out.push('>');
                text(&mut out, &failure_text(c));
                out.push_str("</failure>\n    </testcase>\n");
            }
            "skipped" => {
                out.push_str(">\n      <skipped");
                attribute(
                    &mut out,
                    "message",
                    &one_line(c.skip_reason.as_deref().unwrap_or("skipped")),
                );
                out.push_str("/>\n    </testcase>\n");
            }
            _ => out.push_str("/>\n"),
        }
    }
    close_suite(&mut out, &v);

    open_suite(&mut out, &thresholds);
    let classname = format!("cogbench.{}.thresholds", v.scenario.name);
    for t in &v.thresholds {
        open_case(&mut out, &t.expression, &classname, 0.0);
        if t.passed {
            out.push_str("/>\n");
            continue;
        }
        let value = observed(t.observed, &t.unit);
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
    close_suite(&mut out, &v);
    out.push_str("</testsuites>\n");
    Ok(out)
}

pub struct JunitExporter;

impl Exporter for JunitExporter {
    fn format(&self) -> Format {
        Format::Junit
    }

    fn export(&self, summary: &Value, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        Ok(vec![write_file(
            dir,
            "junit.xml",
            render(summary)?.as_bytes(),
        )?])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A real run against a target answering some requests with faults, cut to four cases:
    /// one skipped, two failing (one with a hostile second answer), one passing; two of its
    /// three thresholds failed.
    const FIXTURE: &str = include_str!("../../fixtures/reports/failing-summary.json");

    fn fixture() -> Value {
        serde_json::from_str(FIXTURE).unwrap()
    }

    /// A small well-formedness check: tags balance, attributes are quoted, every `&` starts a
    /// known reference and no character outside XML 1.0 appears.
    fn well_formed(xml: &str) -> Result<(), String> {
        if let Some(c) = xml.chars().find(|c| !allowed(*c)) {
            return Err(format!("character U+{:04X}", c as u32));
        }
        for (i, _) in xml.match_indices('&') {
            let rest = &xml[i..];
            let ok = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#"]
                .iter()
                .any(|r| rest.starts_with(r));
            if !ok {
                return Err(format!("bare & at {i}"));
            }
        }
        let body = xml
            .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
            .ok_or("no declaration")?;
        let mut open: Vec<&str> = Vec::new();
        let mut rest = body;
        while let Some(start) = rest.find('<') {
            if rest[..start].contains('>') {
                return Err("bare > outside a tag".into());
            }
            let end = rest[start..].find('>').ok_or("unclosed tag")? + start;
            let tag = &rest[start + 1..end];
            if tag.contains('<') {
                return Err(format!("< inside tag {tag}"));
            }
            if let Some(name) = tag.strip_prefix('/') {
                if open.pop() != Some(name) {
                    return Err(format!("</{name}> closes nothing"));
                }
            } else {
                let name = tag.split([' ', '/']).next().unwrap_or("");
                if tag.matches('"').count() % 2 != 0 {
                    return Err(format!("unbalanced quotes in <{name}>"));
                }
                if !tag.ends_with('/') {
                    open.push(name);
                }
            }
            rest = &rest[end + 1..];
        }
        if open.is_empty() {
            Ok(())
        } else {
            Err(format!("unclosed {open:?}"))
        }
    }

    #[test]
    fn the_fixture_follows_the_schema() {
        let schema: Value =
            serde_json::from_str(include_str!("../../fixtures/summary.schema.json")).unwrap();
        let v = jsonschema::validator_for(&schema).unwrap();
        let errors: Vec<String> = v.iter_errors(&fixture()).map(|e| e.to_string()).collect();
        assert_eq!(errors, Vec::<String>::new());
    }

    #[test]
    fn escapes_both_contexts_and_drops_what_xml_forbids() {
        let hostile =
            "a&b<c>d\"e'f\tg\nh\ri\u{0}\u{1}\u{B}\u{1F}\u{FFFE}\u{FFFF}j\u{D7FF}\u{E000}\u{1F600}";
        let mut t = String::new();
        text(&mut t, hostile);
        assert_eq!(
            t,
            "a&amp;b&lt;c&gt;d\"e'f\tg\nh&#13;ij\u{D7FF}\u{E000}\u{1F600}"
        );
        let mut a = String::new();
        attr(&mut a, hostile);
        assert_eq!(
            a,
            "a&amp;b&lt;c&gt;d&quot;e&apos;f&#9;g&#10;h&#13;ij\u{D7FF}\u{E000}\u{1F600}"
        );
        assert!(
            well_formed(&format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<x a=\"{a}\">{t}</x>"
            ))
            .is_ok()
        );
        assert_eq!(clip("abcdef", 4), "abc…");
        assert_eq!(clip("abcd", 4), "abcd");
        assert_eq!(one_line("a\nb\r\n\tc"), "a b c");
        assert_eq!(ant_timestamp("2026-11-28T10:12:45Z"), "2026-11-28T10:12:45");
    }

    #[test]
    fn two_suites_with_counts_failures_and_skips() {
        let xml = render(&fixture()).unwrap();
        well_formed(&xml).unwrap();
        assert!(xml.contains(
            "<testsuites name=\"cogbench smoke\" tests=\"7\" failures=\"4\" errors=\"0\" skipped=\"1\" time=\"2.004\">"
        ), "{xml}");
        assert!(xml.contains(
            "<testsuite name=\"conformance\" tests=\"4\" failures=\"2\" errors=\"0\" skipped=\"1\" time=\"2.004\" timestamp=\"2026-11-28T10:12:45\">"
        ));
        assert!(xml.contains(
            "<testsuite name=\"thresholds\" tests=\"3\" failures=\"2\" errors=\"0\" skipped=\"0\" time=\"0.000\" timestamp=\"2026-11-28T10:12:45\">"
        ));
        assert_eq!(xml.matches("<testcase ").count(), 7);
        assert_eq!(xml.matches("<failure ").count(), 4);
        assert_eq!(xml.matches("<skipped ").count(), 1);
        assert_eq!(xml.matches("<system-out>").count(), 2);
        assert!(
            !xml.contains("<system-err>"),
            "a complete run has no warning"
        );

        // A pass is an empty testcase with the time its requests took.
        assert!(xml.contains(
            "<testcase name=\"code-missing\" classname=\"cogbench.smoke.conformance\" time=\"0.019\"/>"
        ));
        assert!(xml.contains(
            "<testcase name=\"valid-code\" classname=\"cogbench.smoke.conformance\" time=\"0.000\">\n      <skipped message=\"the target cannot read confirmation codes\"/>"
        ));
        // A failure: expected against observed in the message and, in full, in the text.
        assert!(xml.contains(
            "<failure message=\"2 of 32 judged answers failed: status: expected 400, observed 500; error type: expected UserNotFoundException, observed InternalErrorException; message: expected /Username/client id combination not found\\./, observed injected fault\" type=\"conformance\">"
        ));
        assert!(
            xml.contains("failing answer 2 of 2:\n  status\n    expected 400\n    observed 200\n")
        );
        // What the target echoed is text, never markup; the control character is gone.
        assert!(xml.contains(
            "observed &lt;html&gt;&amp;nbsp;\"x\" | `y` \n             second line]]&gt;&lt;/html&gt;"
        ));
        // Thresholds: a failure names the observed value; a held one is empty.
        assert!(xml.contains(
            "<failure message=\"error_rate == 0% did not hold: observed 1.211%\" type=\"threshold\">"
        ));
        assert!(xml.contains(
            "<testcase name=\"p99 &lt; 250ms\" classname=\"cogbench.smoke.thresholds\" time=\"0.000\"/>"
        ));
        assert!(xml.contains("<property name=\"target.kind\" value=\"endpoint\"/>"));
        assert!(
            xml.contains("<property name=\"target.endpoint\" value=\"http://127.0.0.1:39517\"/>")
        );
        assert!(xml.contains(
            "<system-out>cogbench smoke: 413 requests in 2.00s (206 req/s) · errors 5 (1.21%)"
        ));
    }

    #[test]
    fn a_passing_partial_run_and_a_failure_without_patterns() {
        let mut s = fixture();
        let cases = s["cases"].as_array_mut().unwrap();
        cases.retain(|c| c["name"] != "member-confirmation-code-pattern");
        // Only expected/observed (no `failures` list): the message is built from the maps.
        cases[1]["failures"] = Value::Array(vec![]);
        s["thresholds"] = Value::Array(vec![]);
        s["partial"] = true.into();
        s["interrupted"] = true.into();
        s["aborted"] = "users ran out".into();
        s["scenario"]["name"] = "a<b".into();
        let xml = render(&s).unwrap();
        well_formed(&xml).unwrap();
        assert!(xml.contains("classname=\"cogbench.a&lt;b.conformance\""));
        assert!(xml.contains(
            "message=\"2 of 32 judged answers failed: error type: expected UserNotFoundException, observed InternalErrorException; message:"
        ));
        assert!(xml.contains(
            "<testsuite name=\"thresholds\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\""
        ));
        assert!(xml.contains(
            "<system-err>partial run: the results cover only part of the plan; interrupted; stopped early: users ran out</system-err>"
        ));
    }

    #[test]
    fn a_long_message_is_clipped_but_the_text_keeps_everything() {
        let mut s = fixture();
        let long = "x".repeat(5000);
        s["cases"][1]["failures"][0][2]["observed"] = long.clone().into();
        let xml = render(&s).unwrap();
        let msg_start = xml.find("<failure message=\"").unwrap();
        let msg_end = xml[msg_start + 18..].find('"').unwrap();
        assert_eq!(
            xml[msg_start + 18..msg_start + 18 + msg_end]
                .chars()
                .count(),
            MESSAGE_MAX
        );
        assert!(xml.contains(&long));
    }

    #[test]
    fn the_exporter_writes_junit_xml() {
        let dir = tempfile::tempdir().unwrap();
        let files = JunitExporter.export(&fixture(), dir.path()).unwrap();
        assert_eq!(files, vec![dir.path().join("junit.xml")]);
        let written = std::fs::read_to_string(&files[0]).unwrap();
        assert_eq!(written, render(&fixture()).unwrap());
        assert_eq!(Format::Junit.exporter().format(), Format::Junit);
        assert!(JunitExporter.export(&Value::Null, dir.path()).is_err());
    }
}

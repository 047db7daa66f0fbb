//! summary.md: the run in GitHub-flavoured Markdown, for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`. A heading with the result, the load in two lines, a table of the
//! cases (failures first), then expected against observed for the failures and the skip
//! reasons in collapsed `<details>` blocks, and the thresholds.
//!
//! It stays well under GitHub's 1 MiB step-summary limit: the case table stops after
//! [`TABLE_ROWS`] rows, the failure details after a byte budget, and every cell is clipped.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value;

use super::export::{Exporter, Format, write_file};
use super::table::{ms, observed};

/// Case-table rows shown; the rest are counted in a note.
pub const TABLE_ROWS: usize = 200;
/// The whole file stays under this many bytes (GitHub refuses step summaries over 1 MiB).
pub const MAX_BYTES: usize = 1_000_000;
/// The failure and skip details stop once the file reaches this many bytes.
const DETAILS_BUDGET: usize = 800_000;
/// Longest value shown in a cell, in characters.
const CELL_MAX: usize = 400;

#[derive(Deserialize)]
struct View {
    tool: Tool,
    scenario: Scenario,
    target: Target,
    started_at: String,
    partial: bool,
    interrupted: bool,
    aborted: Option<String>,
    totals: Totals,
    timing: Timing,
    conformance: ConformanceView,
    coverage: CoverageView,
    deviations: Option<Deviations>,
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
    dropped: u64,
    latency_us: Pct,
}

#[derive(Deserialize)]
struct Pct {
    p50: u64,
    p99: u64,
}

#[derive(Deserialize)]
struct Timing {
    mode: String,
    scheduling_lag_us: Option<Pct>,
    late_starts: u64,
    dropped: u64,
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
struct CoverageView {
    errors_documented: u64,
    errors_provoked: u64,
    members_total: u64,
    members_covered: u64,
}

#[derive(Deserialize)]
struct Deviations {
    file: String,
    target: String,
    known: Vec<String>,
    new: Vec<String>,
    fixed: Vec<String>,
    changed: Vec<Changed>,
    not_run: Vec<String>,
}

#[derive(Deserialize)]
struct Changed {
    case: String,
}

#[derive(Deserialize)]
struct CaseView {
    name: String,
    title: String,
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

/// Text made safe for a table cell or a line of prose: Markdown punctuation is
/// backslash-escaped (so a target's answer cannot open a code span, a link or HTML, nor split
/// a cell), line breaks become `<br>`, other control characters are dropped, and the text is
/// clipped to `max` characters.
fn esc_max(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut shown = 0;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if shown == max {
            out.push('…');
            break;
        }
        shown += 1;
        match c {
            '\\' | '|' | '`' | '*' | '_' | '[' | ']' | '<' | '>' | '&' | '~' | '#' | '!' => {
                out.push('\\');
                out.push(c);
            }
            '\r' if chars.peek() == Some(&'\n') => shown -= 1,
            '\n' | '\r' => out.push_str("<br>"),
            '\t' => out.push(' '),
            c if c.is_control() => shown -= 1,
            c => out.push(c),
        }
    }
    out
}

fn esc(s: &str) -> String {
    esc_max(s, CELL_MAX)
}

fn verdict_cell(verdict: &str) -> &'static str {
    match verdict {
        "fail" => "❌ fail",
        "skipped" => "⏭️ skipped",
        "pass" => "✅ pass",
        _ => "? unknown",
    }
}

fn rank(verdict: &str) -> u8 {
    match verdict {
        "fail" => 0,
        "skipped" => 1,
        _ => 2,
    }
}

fn latency(c: &CaseView, us: u64) -> String {
    if c.count == 0 { "-".to_owned() } else { ms(us) }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn heading(out: &mut String, v: &View) {
    let (mark, word) = match v.exit_code {
        0 => ("✅", "passed"),
        130 => ("❌", "interrupted"),
        _ => ("❌", "failed"),
    };
    let _ = writeln!(
        out,
        "## {mark} cogbench: {} {word}\n",
        esc(&v.scenario.name)
    );
    let _ = writeln!(
        out,
        "Target **{}** {} · started {} · `{}` · cogbench {}\n",
        esc(&v.target.kind),
        esc(&v.target.endpoint),
        esc(&v.started_at),
        v.scenario.file.replace('`', "'"),
        esc(&v.tool.version)
    );
}

fn load(out: &mut String, v: &View) {
    let t = &v.totals;
    let _ = write!(
        out,
        "**{}** requests in {:.2} s · **{:.0}** req/s · errors **{}** ({:.2}%) · \
         p50 **{}** · p99 **{}**",
        t.requests,
        t.duration_seconds,
        t.requests_per_second,
        t.errors,
        t.error_rate * 100.0,
        ms(t.latency_us.p50),
        ms(t.latency_us.p99)
    );
    if t.dropped > 0 {
        let _ = write!(out, " · dropped **{}**", t.dropped);
    }
    out.push_str("  \n");
    let m = &v.timing;
    match (&m.scheduling_lag_us, m.mode.as_str()) {
        (Some(lag), _) => {
            let _ = writeln!(
                out,
                "Timing ({} model): scheduling lag p99 {} · {} late {} (> 1 ms) · {} dropped  ",
                esc(&m.mode),
                ms(lag.p99),
                m.late_starts,
                if m.late_starts == 1 {
                    "start"
                } else {
                    "starts"
                },
                m.dropped
            );
        }
        (None, mode) => {
            let _ = writeln!(
                out,
                "Timing ({} model): latency measured from the send  ",
                esc(mode)
            );
        }
    }
    let c = &v.conformance;
    let held = v.thresholds.iter().filter(|t| t.passed).count();
    let cov = &v.coverage;
    let _ = writeln!(
        out,
        "Conformance: {} passed · {} failed · {} skipped · {} of {} judged answers failed · \
         thresholds {} held, {} failed · errors provoked {}/{} · members covered {}/{}\n",
        c.passed,
        c.failed,
        c.skipped,
        c.responses_failed,
        c.responses_judged,
        held,
        v.thresholds.len() - held,
        cov.errors_provoked,
        cov.errors_documented,
        cov.members_covered,
        cov.members_total
    );
}

fn warnings(out: &mut String, v: &View) {
    if v.partial || v.interrupted || v.aborted.is_some() {
        out.push_str("> ⚠️ **Partial run**: the results cover only part of the plan");
        if v.interrupted {
            out.push_str(" (interrupted)");
        }
        if let Some(reason) = &v.aborted {
            let _ = write!(out, "; stopped early: {}", esc(reason));
        }
        out.push_str(".\n\n");
    }
    if let Some(d) = &v.deviations {
        let _ = write!(
            out,
            "Known deviations of **{}** (`{}`): {} as listed",
            esc(&d.target),
            d.file.replace('`', "'"),
            d.known.len()
        );
        let changed: Vec<String> = d.changed.iter().map(|c| c.case.clone()).collect();
        let lists = [
            ("new", &d.new),
            ("fixed", &d.fixed),
            ("changed", &changed),
            ("not run", &d.not_run),
        ];
        for (label, cases) in lists {
            if !cases.is_empty() {
                let names: Vec<String> = cases.iter().map(|c| esc(c)).collect();
                let _ = write!(out, " · **{label}**: {}", names.join(", "));
            }
        }
        out.push_str("\n\n");
    }
}

fn case_table(out: &mut String, cases: &[&CaseView]) {
    out.push_str("### Cases\n\n");
    if cases.is_empty() {
        out.push_str("No cases ran.\n\n");
        return;
    }
    out.push_str("| case | verdict | count | errors | p50 | p99 |\n");
    out.push_str("|---|---|---:|---:|---:|---:|\n");
    for c in cases.iter().take(TABLE_ROWS) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            esc(&c.name),
            verdict_cell(&c.verdict),
            c.count,
            c.errors,
            latency(c, c.latency_us.p50),
            latency(c, c.latency_us.p99)
        );
    }
    if cases.len() > TABLE_ROWS {
        let rest = &cases[TABLE_ROWS..];
        let parts: Vec<String> = [
            ("fail", "failing"),
            ("skipped", "skipped"),
            ("pass", "passing"),
        ]
        .into_iter()
        .filter_map(|(verdict, word)| {
            let n = rest.iter().filter(|c| c.verdict == verdict).count();
            (n > 0).then(|| format!("{n} {word}"))
        })
        .collect();
        let _ = writeln!(
            out,
            "\n_…and {} more {} not shown ({}): every case is in summary.json and latency.csv._",
            rest.len(),
            if rest.len() == 1 { "case" } else { "cases" },
            parts.join(", ")
        );
    }
    out.push('\n');
}

/// The failing answers of a case, each as (field, expected, observed) rows: `failures` when
/// present, else `expected`/`observed` side by side.
fn patterns(c: &CaseView) -> Vec<Vec<(&str, &str, &str)>> {
    if !c.failures.is_empty() {
        return c
            .failures
            .iter()
            .map(|p| {
                p.iter()
                    .map(|d| (d.field.as_str(), d.expected.as_str(), d.observed.as_str()))
                    .collect()
            })
            .collect();
    }
    let (Some(e), Some(o)) = (&c.expected, &c.observed) else {
        return Vec::new();
    };
    let mut fields: Vec<&String> = e.keys().chain(o.keys()).collect();
    fields.sort();
    fields.dedup();
    vec![
        fields
            .into_iter()
            .map(|f| (f.as_str(), field(e, f), field(o, f)))
            .collect(),
    ]
}

fn field<'a>(m: &'a BTreeMap<String, String>, f: &str) -> &'a str {
    m.get(f).map(String::as_str).unwrap_or("")
}

fn failure_details(out: &mut String, failing: &[&CaseView]) {
    if failing.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<details><summary>❌ {}: expected vs observed</summary>\n",
        plural(failing.len(), "failing case", "failing cases")
    );
    for (i, c) in failing.iter().enumerate() {
        if out.len() > DETAILS_BUDGET {
            let _ = writeln!(
                out,
                "_…and {} more failing {} not shown (size limit): see summary.json._\n",
                failing.len() - i,
                if failing.len() - i == 1 {
                    "case"
                } else {
                    "cases"
                }
            );
            break;
        }
        let _ = write!(
            out,
            "**{}**: {}  \nspec {} · confidence {} · {} of {} judged answers failed",
            esc(&c.name),
            esc(&c.title),
            esc(&c.spec),
            esc(&c.confidence),
            c.failed_responses,
            c.judged
        );
        if let Some(note) = &c.note {
            let _ = write!(out, "  \nnote: {}", esc(note));
        }
        out.push_str("\n\n");
        let ps = patterns(c);
        for (n, p) in ps.iter().enumerate() {
            if ps.len() > 1 {
                let _ = writeln!(out, "Failing answer {} of {}:\n", n + 1, ps.len());
            }
            out.push_str("| field | expected | observed |\n|---|---|---|\n");
            for (field, expected, observed) in p {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} |",
                    esc(field),
                    esc(expected),
                    esc(observed)
                );
            }
            out.push('\n');
        }
    }
    out.push_str("</details>\n\n");
}

fn skipped_details(out: &mut String, skipped: &[&CaseView]) {
    if skipped.is_empty() {
        return;
    }
    // Cases skipped for one reason (a missing capability) are listed together.
    let mut by_reason: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for c in skipped {
        by_reason
            .entry(c.skip_reason.as_deref().unwrap_or("no reason given"))
            .or_default()
            .push(&c.name);
    }
    let _ = writeln!(
        out,
        "<details><summary>⏭️ {}</summary>\n",
        plural(skipped.len(), "skipped case", "skipped cases")
    );
    for (reason, names) in by_reason {
        if out.len() > DETAILS_BUDGET + 100_000 {
            out.push_str("- _…more not shown (size limit): see summary.json._\n");
            break;
        }
        let list: Vec<String> = names.iter().map(|n| esc(n)).collect();
        let _ = writeln!(
            out,
            "- {} ({}): {}",
            esc(reason),
            names.len(),
            esc_max(&list.join(", "), 20_000)
        );
    }
    out.push_str("\n</details>\n\n");
}

fn thresholds(out: &mut String, v: &View) {
    if v.thresholds.is_empty() {
        return;
    }
    out.push_str("### Thresholds\n\n| threshold | result | observed |\n|---|---|---:|\n");
    for t in &v.thresholds {
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            esc(&t.expression),
            if t.passed { "✅ held" } else { "❌ failed" },
            esc(&observed(t.observed, &t.unit))
        );
    }
    out.push('\n');
}

/// Cuts `out` at a line boundary below [`MAX_BYTES`] (never needed with the limits above,
/// kept so no summary can exceed GitHub's limit).
fn enforce_limit(out: &mut String) {
    const NOTE: &str = "\n\n_…cut at the size limit: see summary.json._\n";
    const CLOSE: &str = "\n\n</details>";
    if out.len() <= MAX_BYTES {
        return;
    }
    let mut end = MAX_BYTES - NOTE.len() - CLOSE.len();
    while !out.is_char_boundary(end) {
        end -= 1;
    }
    let end = out[..end].rfind('\n').unwrap_or(end);
    out.truncate(end);
    if out.matches("<details>").count() > out.matches("</details>").count() {
        out.push_str(CLOSE);
    }
    out.push_str(NOTE);
}

pub fn render(summary: &Value) -> std::io::Result<String> {
    let v = View::deserialize(summary)
        .map_err(|e| std::io::Error::other(format!("summary.json: {e}")))?;
    let mut cases: Vec<&CaseView> = v.cases.iter().collect();
    cases.sort_by_key(|c| rank(&c.verdict));
    let failing: Vec<&CaseView> = cases
        .iter()
        .copied()
        .filter(|c| c.verdict == "fail")
        .collect();
    let skipped: Vec<&CaseView> = cases
        .iter()
        .copied()
        .filter(|c| c.verdict == "skipped")
        .collect();

    let mut out = String::new();
    heading(&mut out, &v);
    load(&mut out, &v);
    warnings(&mut out, &v);
    case_table(&mut out, &cases);
    failure_details(&mut out, &failing);
    skipped_details(&mut out, &skipped);
    thresholds(&mut out, &v);
    let _ = writeln!(
        out,
        "<sub>cogbench {} · summary.json holds every number</sub>",
        esc(&v.tool.version)
    );
    enforce_limit(&mut out);
    Ok(out)
}

pub struct MarkdownExporter;

impl Exporter for MarkdownExporter {
    fn format(&self) -> Format {
        Format::Markdown
    }

    fn export(&self, summary: &Value, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        Ok(vec![write_file(
            dir,
            "summary.md",
            render(summary)?.as_bytes(),
        )?])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fixture junit.rs uses (a real run of four cases, two failing against a faulty
    /// target): one skipped, two failing, one passing case; thresholds held and failed.
    const FIXTURE: &str = include_str!("../../fixtures/reports/failing-summary.json");

    fn fixture() -> Value {
        serde_json::from_str(FIXTURE).unwrap()
    }

    /// The rows of the table that follows the header line `header`.
    fn table_rows<'a>(md: &'a str, header: &str) -> Vec<&'a str> {
        let mut lines = md.lines().skip_while(|l| *l != header);
        assert_eq!(lines.next(), Some(header), "no table {header}");
        lines.next(); // the delimiter row
        lines.take_while(|l| l.starts_with('|')).collect()
    }

    const CASES: &str = "| case | verdict | count | errors | p50 | p99 |";

    #[test]
    fn escapes_cells() {
        assert_eq!(esc("a|b"), "a\\|b");
        assert_eq!(esc("`code`"), "\\`code\\`");
        assert_eq!(esc("<b>&amp;</b>"), "\\<b\\>\\&amp;\\</b\\>");
        assert_eq!(
            esc("one\r\ntwo\nthree\rfour"),
            "one<br>two<br>three<br>four"
        );
        assert_eq!(esc("a\u{0}b\u{7}\tc"), "ab c");
        assert_eq!(
            esc("snake_case *x* [l](u) ~s~ #1 !"),
            "snake\\_case \\*x\\* \\[l\\](u) \\~s\\~ \\#1 \\!"
        );
        assert_eq!(esc_max("abcdef", 3), "abc…");
        assert_eq!(esc_max("abc", 3), "abc");
        assert_eq!(esc_max("a\\b", 5), "a\\\\b");
    }

    #[test]
    fn a_failing_run() {
        let mut s = fixture();
        // What a target may echo: markup, a code span, a cell separator, a line break.
        s["cases"][3]["failures"][1][3]["observed"] =
            "<html>&nbsp;\"x\" | `y` \u{1}\nsecond line]]></html>".into();
        let md = render(&s).unwrap();
        assert!(md.starts_with("## ❌ cogbench: smoke failed\n"), "{md}");
        assert!(md.contains(
            "**403** requests in 2.01 s · **201** req/s · errors **7** (1.74%) · p50 **630µs** · p99 **853µs**  \n"
        ));
        assert!(md.contains(
            "Timing (mixed model): scheduling lag p99 163µs · 0 late starts (> 1 ms) · 0 dropped"
        ));
        assert!(md.contains("Conformance: 1 passed · 2 failed · 1 skipped · 7 of 403 judged answers failed · thresholds 1 held, 2 failed"));
        assert!(!md.contains("Partial run"));

        // Failures first, then skips, then passes; one row per case.
        let rows = table_rows(&md, CASES);
        assert_eq!(
            rows,
            [
                "| unknown-user | ❌ fail | 135 | 2 | 635µs | 991µs |",
                "| member-confirmation-code-pattern | ❌ fail | 134 | 5 | 621µs | 806µs |",
                "| valid-code | ⏭️ skipped | 0 | 0 | - | - |",
                "| code-missing | ✅ pass | 134 | 0 | 634µs | 1.51ms |",
            ]
        );

        // Expected against observed, in a details block; what the target echoed cannot
        // split a cell, open a code span or inject HTML.
        assert!(
            md.contains("<details><summary>❌ 2 failing cases: expected vs observed</summary>\n\n")
        );
        assert!(md.contains("| status | 400 | 500 |\n| error type | UserNotFoundException | InternalErrorException |"));
        assert!(md.contains("Failing answer 2 of 2:"));
        assert!(md.contains(
            "| body | {\"\\_\\_type\": string, \"message\": string?} | not JSON: \\<html\\>garbage, not JSON{ |"
        ));
        let hostile = md
            .lines()
            .filter(|l| l.starts_with("| body |"))
            .nth(1)
            .unwrap();
        assert_eq!(
            hostile,
            "| body | {\"\\_\\_type\": string, \"message\": string?} | \\<html\\>\\&nbsp;\"x\" \\| \\`y\\` <br>second line\\]\\]\\>\\</html\\> |"
        );
        assert!(!md.contains('\u{1}'));
        assert_eq!(
            md.matches("<details>").count(),
            md.matches("</details>").count()
        );

        assert!(md.contains("<details><summary>⏭️ 1 skipped case</summary>\n\n- the target cannot read confirmation codes (1): valid-code\n"));
        assert_eq!(
            table_rows(&md, "| threshold | result | observed |"),
            [
                "| conformance\\_failures == 0 | ❌ failed | 7 |",
                "| error\\_rate == 0% | ❌ failed | 1.737% |",
                "| p99 \\< 250ms | ✅ held | 853µs |",
            ]
        );
    }

    #[test]
    fn a_passing_closed_run_and_a_partial_one() {
        let mut s = fixture();
        s["cases"]
            .as_array_mut()
            .unwrap()
            .retain(|c| c["verdict"] == "pass");
        s["thresholds"]
            .as_array_mut()
            .unwrap()
            .retain(|t| t["passed"] == true);
        s["exit_code"] = 0.into();
        s["timing"]["mode"] = "closed".into();
        s["timing"]["scheduling_lag_us"] = Value::Null;
        let md = render(&s).unwrap();
        assert!(md.starts_with("## ✅ cogbench: smoke passed\n"), "{md}");
        assert!(md.contains("Timing (closed model): latency measured from the send"));
        assert!(!md.contains("<details>"));
        assert_eq!(table_rows(&md, CASES).len(), 1);

        s["partial"] = true.into();
        s["interrupted"] = true.into();
        s["exit_code"] = 130.into();
        let md = render(&s).unwrap();
        assert!(md.starts_with("## ❌ cogbench: smoke interrupted\n"));
        assert!(md.contains(
            "> ⚠️ **Partial run**: the results cover only part of the plan (interrupted).\n"
        ));

        s["interrupted"] = false.into();
        s["aborted"] = "users ran out | early".into();
        s["deviations"] = serde_json::json!({
            "file": "fixtures/known-deviations/moto.yaml", "target": "moto",
            "known": ["a", "b"], "new": ["c"], "fixed": [], "changed": [{"case": "d", "listed": [], "observed": []}],
            "not_run": []
        });
        let md = render(&s).unwrap();
        assert!(md.contains("stopped early: users ran out \\| early."));
        assert!(md.contains("Known deviations of **moto** (`fixtures/known-deviations/moto.yaml`): 2 as listed · **new**: c · **changed**: d\n"));
    }

    #[test]
    fn a_huge_run_stays_under_the_step_summary_limit() {
        let mut s = fixture();
        let failing = s["cases"][3].clone();
        let skipped = s["cases"][0].clone();
        let passing = s["cases"][2].clone();
        let big = "y".repeat(3000);
        let mut cases = Vec::new();
        for i in 0..3000 {
            let mut c = match i % 3 {
                0 => failing.clone(),
                1 => skipped.clone(),
                _ => passing.clone(),
            };
            c["name"] = format!("case-{i}").into();
            if i % 3 == 0 {
                c["failures"][0][2]["observed"] = big.clone().into();
                c["failures"][1][1]["observed"] = big.clone().into();
            }
            cases.push(c);
        }
        s["cases"] = Value::Array(cases);
        let md = render(&s).unwrap();
        assert!(md.len() < MAX_BYTES, "{} bytes", md.len());
        let rows = table_rows(&md, CASES);
        assert_eq!(rows.len(), TABLE_ROWS);
        assert!(rows.iter().all(|r| r.contains("❌ fail")), "failures first");
        assert!(md.contains("_…and 2800 more cases not shown (800 failing, 1000 skipped, 1000 passing): every case is in summary.json and latency.csv._"));
        assert!(md.contains(" more failing cases not shown (size limit): see summary.json._"));
        assert!(md.contains(&format!("{}…", "y".repeat(CELL_MAX - 1))));
        assert!(!md.contains(&"y".repeat(CELL_MAX + 1)));
        assert_eq!(
            md.matches("<details>").count(),
            md.matches("</details>").count()
        );
        assert!(md.contains("### Thresholds"));
    }

    #[test]
    fn the_hard_limit_cuts_at_a_line_and_closes_details() {
        let mut out = "<details><summary>x</summary>\n\n".to_owned();
        while out.len() <= MAX_BYTES {
            out.push_str("| a | b |\n");
        }
        enforce_limit(&mut out);
        assert!(out.len() <= MAX_BYTES);
        assert!(out.ends_with("</details>\n\n_…cut at the size limit: see summary.json._\n"));
    }

    #[test]
    fn the_exporter_writes_summary_md() {
        let dir = tempfile::tempdir().unwrap();
        let files = MarkdownExporter.export(&fixture(), dir.path()).unwrap();
        assert_eq!(files, vec![dir.path().join("summary.md")]);
        assert_eq!(
            std::fs::read_to_string(&files[0]).unwrap(),
            render(&fixture()).unwrap()
        );
        assert_eq!(Format::Markdown.exporter().format(), Format::Markdown);
    }
}

//! summary.md: the run in GitHub-flavoured Markdown, for a pull-request comment or
//! `$GITHUB_STEP_SUMMARY`. A heading with the result, the load in two lines, the oracle that
//! judged the run (and the `--fail-on` gate), a table of the cases (failures first) with each
//! verdict's confidence and oracle, the race outcomes, then in collapsed `<details>` blocks
//! the failures (failing checks with their counts, expected against observed grouped by
//! check, notes in full), the skip reasons and the notes on passing cases, and the
//! thresholds.
//!
//! It stays well under GitHub's 1 MiB step-summary limit: the case table stops after
//! [`TABLE_ROWS`] rows, the failure details after a byte budget, and every cell is clipped.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::judging::{
    Gate, answers_failed, case_counts, confidence_text, failing_answers, failing_checks,
    failures_first, in_check_order, oracle_line, oracle_name, thresholds_held,
};
use super::table::{ms, observed, shards_line};
use crate::summary::types::{CaseSummary, Summary, Verdict};

/// Case-table rows shown; the rest are counted in a note.
pub const TABLE_ROWS: usize = 200;
/// The whole file stays under this many bytes (GitHub refuses step summaries over 1 MiB).
pub const MAX_BYTES: usize = 1_000_000;
/// The failure and skip details stop once the file reaches this many bytes.
const DETAILS_BUDGET: usize = 800_000;
/// Longest value shown in a cell, in characters.
const CELL_MAX: usize = 400;
/// Longest list of case names on one line (the gate's, the races'), in characters.
const LIST_MAX: usize = 20_000;
/// Notes are shown whole: the terminal cuts them to a line and points here. The bound only
/// keeps a runaway team catalog from filling the step summary.
const NOTE_MAX: usize = 20_000;

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

fn verdict_cell(verdict: Verdict) -> &'static str {
    match verdict {
        Verdict::Fail => "❌ fail",
        Verdict::Skipped => "⏭️ skipped",
        Verdict::Pass => "✅ pass",
    }
}

fn latency(c: &CaseSummary, us: u64) -> String {
    if c.count == 0 { "-".to_owned() } else { ms(us) }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

fn heading(out: &mut String, v: &Summary) {
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
        esc(v.tool.version)
    );
}

fn load(out: &mut String, v: &Summary) {
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
    if let Some(line) = super::table::throttling(t) {
        let _ = writeln!(out, "{}  ", esc(&line));
    }
    let m = &v.timing;
    match (&m.scheduling_lag_us, m.mode) {
        (Some(lag), _) => {
            let _ = writeln!(
                out,
                "Timing ({} model): scheduling lag p99 {} · {} late {} (> 1 ms) · {} dropped  ",
                esc(m.mode),
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
    if let Some(line) = shards_line(v) {
        let _ = writeln!(out, "Shards: {}  ", esc(&line));
    }
    let c = &v.conformance;
    let cov = &v.coverage;
    let _ = writeln!(
        out,
        "Conformance: {} · {} · {} · errors provoked {}/{} · members covered {}/{}  ",
        case_counts(c, " · "),
        answers_failed(c),
        thresholds_held(v),
        cov.errors_provoked,
        cov.errors_documented,
        cov.members_covered,
        cov.members_total
    );
    let _ = write!(out, "Oracle: {}", esc(&oracle_line(v.oracle.as_ref())));
    if let Some(gate) = Gate::of(v) {
        let _ = write!(
            out,
            "  \nGate (`--fail-on`): {}",
            esc_max(&gate.line(), LIST_MAX)
        );
    }
    out.push_str("\n\n");
}

fn warnings(out: &mut String, v: &Summary) {
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
    if !v.transport_errors.is_empty() {
        out.push_str("> ⚠️ **Transport errors** (requests with no HTTP answer), by kind:\n");
        for e in &v.transport_errors {
            let _ = write!(out, "> - **{}** × {}", e.count, esc(&e.kind));
            if let Some(m) = &e.first_message {
                let _ = write!(out, ": {}", esc_max(m, CELL_MAX));
            }
            if let Some(at) = e.first_at_seconds {
                let _ = write!(out, " (first at {at:.3} s)");
            }
            out.push('\n');
        }
        out.push('\n');
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

fn case_table(out: &mut String, cases: &[&CaseSummary]) {
    out.push_str("### Cases\n\n");
    if cases.is_empty() {
        out.push_str("No cases ran.\n\n");
        return;
    }
    out.push_str("| case | verdict | confidence | oracle | count | errors | p50 | p99 |\n");
    out.push_str("|---|---|---|---|---:|---:|---:|---:|\n");
    for c in cases.iter().take(TABLE_ROWS) {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            esc(&c.name),
            verdict_cell(c.verdict),
            esc(c.confidence),
            esc(oracle_name(&c.oracle)),
            c.count,
            c.errors,
            latency(c, c.latency_us.p50),
            latency(c, c.latency_us.p99)
        );
    }
    if cases.len() > TABLE_ROWS {
        let rest = &cases[TABLE_ROWS..];
        let parts: Vec<String> = [
            (Verdict::Fail, "failing"),
            (Verdict::Skipped, "skipped"),
            (Verdict::Pass, "passing"),
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

/// One line for every race case, passing or failing: how many confirmations succeeded.
fn races(out: &mut String, cases: &[&CaseSummary]) {
    let races: Vec<String> = cases
        .iter()
        .filter_map(|c| {
            let r = c.race.as_ref()?;
            Some(format!("{}: {}", esc(&c.name), esc(&r.describe())))
        })
        .collect();
    if !races.is_empty() {
        let _ = writeln!(
            out,
            "Races: {}\n",
            esc_max(&races.join(" · "), LIST_MAX * 4)
        );
    }
}

/// The lines under a failing case's name: how sure its expectation is, what judged it, which
/// checks failed and how often, and the notes in full.
fn failure_head(out: &mut String, c: &CaseSummary, gate: Option<&Gate>) {
    let _ = write!(
        out,
        "**{}**: {}  \nspec {} · confidence {} · judged by {} · ",
        esc(&c.name),
        esc(&c.title),
        esc(&c.spec),
        esc(&confidence_text(c)),
        esc(oracle_name(&c.oracle)),
    );
    if c.by_check.is_empty() {
        let _ = write!(
            out,
            "{} of {} judged answers failed",
            c.failed_responses, c.judged
        );
    } else {
        let _ = write!(
            out,
            "failing checks: {} · {} of {} judged answers failed",
            esc(&failing_checks(c)),
            c.failed_responses,
            c.judged
        );
    }
    if let Some(g) = gate
        && !g.gates(c.confidence)
    {
        let _ = write!(out, "  \n_{}_", esc(&g.exempt_note()));
    }
    if let Some(why) = &c.oracle_note {
        let _ = write!(out, "  \noracle: {}", esc(why));
    }
    if let Some(race) = &c.race {
        let _ = write!(out, "  \nrace: {}", esc(&race.describe()));
    }
    if let Some(note) = &c.note {
        let _ = write!(out, "  \nnote: {}", esc_max(note, NOTE_MAX));
    }
    out.push_str("\n\n");
}

fn failure_details(out: &mut String, failing: &[&CaseSummary], gate: Option<&Gate>) {
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
        failure_head(out, c, gate);
        let ps = failing_answers(c);
        for (n, p) in ps.iter().enumerate() {
            if ps.len() > 1 {
                let _ = writeln!(out, "Failing answer {} of {}:\n", n + 1, ps.len());
            }
            out.push_str("| check | field | expected | observed |\n|---|---|---|---|\n");
            for d in in_check_order(p) {
                let _ = writeln!(
                    out,
                    "| {} | {} | {} | {} |",
                    esc(d.check_name()),
                    esc(d.field),
                    esc(d.expected),
                    esc(d.observed)
                );
            }
            out.push('\n');
        }
    }
    out.push_str("</details>\n\n");
}

fn skipped_details(out: &mut String, skipped: &[&CaseSummary]) {
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

/// The notes of passing cases, whole: what is open about the expectations that passed (the
/// failing cases carry theirs in the failure details).
fn notes_details(out: &mut String, cases: &[&CaseSummary]) {
    let noted: Vec<(&CaseSummary, &str)> = cases
        .iter()
        .filter(|c| c.verdict == Verdict::Pass)
        .filter_map(|c| Some((*c, c.note.as_deref()?)))
        .collect();
    if noted.is_empty() {
        return;
    }
    let _ = writeln!(
        out,
        "<details><summary>ℹ️ {}</summary>\n",
        plural(
            noted.len(),
            "note on a passing case",
            "notes on passing cases"
        )
    );
    for (i, (c, note)) in noted.iter().enumerate() {
        if out.len() > DETAILS_BUDGET + 50_000 {
            let _ = writeln!(
                out,
                "- _…and {} more not shown (size limit): see summary.json._",
                noted.len() - i
            );
            break;
        }
        let _ = writeln!(
            out,
            "- {} · {}: {}",
            esc(&c.name),
            esc(&confidence_text(c)),
            esc_max(note, NOTE_MAX)
        );
    }
    out.push_str("\n</details>\n\n");
}

fn thresholds(out: &mut String, v: &Summary) {
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
            esc(&observed(t.observed, t.unit))
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

pub fn render(v: &Summary) -> String {
    let cases = failures_first(&v.cases);
    let failing: Vec<&CaseSummary> = cases
        .iter()
        .copied()
        .filter(|c| c.verdict == Verdict::Fail)
        .collect();
    let skipped: Vec<&CaseSummary> = cases
        .iter()
        .copied()
        .filter(|c| c.verdict == Verdict::Skipped)
        .collect();

    let mut out = String::new();
    heading(&mut out, v);
    load(&mut out, v);
    warnings(&mut out, v);
    case_table(&mut out, &cases);
    races(&mut out, &v.cases.iter().collect::<Vec<_>>());
    failure_details(&mut out, &failing, Gate::of(v).as_ref());
    skipped_details(&mut out, &skipped);
    notes_details(&mut out, &cases);
    thresholds(&mut out, v);
    let _ = writeln!(
        out,
        "<sub>cogbench {} · summary.json holds every number</sub>",
        esc(v.tool.version)
    );
    enforce_limit(&mut out);
    out
}

/// summary.md: `(file name, bytes)`.
pub fn files(summary: &Summary) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    Ok(vec![(
        "summary.md".to_owned(),
        render(summary).into_bytes(),
    )])
}

#[cfg(test)]
mod tests;

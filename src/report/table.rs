//! The end-of-run table for a terminal (or a CI log).

use std::fmt::Write;

use super::judging::{answers_failed, case_counts};
use super::{Summary, Totals, Verdict};
// A target's text (messages, reasons quoting it) is written on one line, with nothing a
// terminal acts on: a line break in a message could forge a verdict line of its own.
use crate::term::inline;

pub fn ms(us: u64) -> String {
    if us >= 10_000_000 {
        format!("{:.1}s", us as f64 / 1e6)
    } else if us >= 1_000 {
        format!("{:.2}ms", us as f64 / 1e3)
    } else {
        format!("{us}µs")
    }
}

/// A note on one line: a terminal shows where to look, the reports hold the whole text.
const NOTE_WIDTH: usize = 110;

/// The run's load in one line, as the terminal and junit.xml's `<system-out>` say it;
/// `dropped`: with the count of dropped starts.
pub fn load_line(t: &Totals, dropped: bool) -> String {
    let mut line = format!(
        "{} requests in {:.2}s ({:.0} req/s) · errors {} ({:.2}%)",
        t.requests,
        t.duration_seconds,
        t.requests_per_second,
        t.errors,
        t.error_rate * 100.0
    );
    if dropped {
        let _ = write!(line, " · dropped {}", t.dropped);
    }
    let _ = write!(
        line,
        " · p50 {} · p99 {}",
        ms(t.latency_us.p50),
        ms(t.latency_us.p99)
    );
    line
}

/// A merged run's shards in one line: how many, and how far apart their loads started (the
/// start spread), with the `--start-at` they shared.
pub fn shards_line(s: &Summary) -> Option<String> {
    let m = s.merged.as_ref()?;
    let mut line = format!(
        "{} {} merged",
        m.runs.len(),
        if m.runs.len() == 1 { "run" } else { "runs" }
    );
    match m.start_spread_ms {
        Some(spread) => {
            let _ = write!(line, " · load starts {spread:.3} ms apart");
        }
        None => {
            line.push_str(" · load start spread unknown (a run does not say when its load started)")
        }
    }
    if let Some(at) = &s.start_at {
        let _ = write!(line, " · --start-at {}", inline(at));
    }
    Some(line)
}

fn one_line(text: &str, verbose: bool) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if verbose || flat.chars().count() <= NOTE_WIDTH {
        return flat;
    }
    let cut: String = flat.chars().take(NOTE_WIDTH - 1).collect();
    format!("{}…", cut.trim_end())
}

pub fn render(s: &Summary) -> String {
    render_with(s, false)
}

/// `verbose`: notes in full.
pub fn render_with(s: &Summary, verbose: bool) -> String {
    let mut out = String::new();
    let w = s
        .cases
        .iter()
        .map(|c| c.name.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let oracle_column = s.oracle.is_some();
    let _ = writeln!(
        out,
        "{:<w$}  {:<7}  {:<10}  {}{:>8}  {:>7}  {:>9}  {:>9}  {:>9}",
        "case",
        "verdict",
        "confidence",
        if oracle_column { "oracle    " } else { "" },
        "count",
        "errors",
        "p50",
        "p99",
        "max"
    );
    for c in &s.cases {
        let l = &c.latency_us;
        let (p50, p99, max) = if c.count == 0 {
            ("-".to_owned(), "-".to_owned(), "-".to_owned())
        } else {
            (ms(l.p50), ms(l.p99), ms(l.max))
        };
        let _ = writeln!(
            out,
            "{:<w$}  {:<7}  {:<10}  {}{:>8}  {:>7}  {:>9}  {:>9}  {:>9}",
            c.name,
            c.verdict.as_str(),
            c.confidence,
            if oracle_column {
                format!("{:<10}", c.oracle)
            } else {
                String::new()
            },
            c.count,
            c.errors,
            p50,
            p99,
            max
        );
    }
    for c in &s.cases {
        match c.verdict {
            Verdict::Skipped => {
                let _ = writeln!(
                    out,
                    "\nSKIPPED {}: {}",
                    c.name,
                    inline(c.skip_reason.as_deref().unwrap_or(""))
                );
            }
            Verdict::Fail => {
                let _ = writeln!(
                    out,
                    "\nFAIL {} — {}\n  spec {} · confidence {} · judged by {} · failing checks: {}",
                    c.name,
                    c.title,
                    c.spec,
                    c.confidence,
                    c.oracle,
                    super::judging::failing_checks(c)
                );
                if let Some(note) = &c.note {
                    let _ = writeln!(out, "  note: {}", one_line(note, verbose));
                }
                if let Some(why) = &c.oracle_note {
                    let _ = writeln!(out, "  oracle: {}", inline(why));
                }
                if let Some(race) = &c.race {
                    let _ = writeln!(out, "  race: {}", race.describe());
                }
                for (i, sample) in c.failures.iter().enumerate() {
                    if c.failures.len() > 1 {
                        let _ = writeln!(out, "  failure pattern {}:", i + 1);
                    }
                    let fw = sample
                        .iter()
                        .map(|d| d.field.len() + d.check.as_str().len() + 1)
                        .max()
                        .unwrap_or(5)
                        .max(5);
                    let ew = sample
                        .iter()
                        .map(|d| inline(&d.expected).chars().count())
                        .max()
                        .unwrap_or(8)
                        .clamp(8, 60);
                    let _ = writeln!(
                        out,
                        "    {:<fw$}  {:<ew$}  observed",
                        "check field", "expected"
                    );
                    for d in sample {
                        let _ = writeln!(
                            out,
                            "    {:<fw$}  {:<ew$}  {}",
                            format!("{} {}", d.check.as_str(), inline(&d.field)),
                            inline(&d.expected),
                            inline(&d.observed)
                        );
                    }
                }
            }
            Verdict::Pass => {
                if let Some(note) = &c.note
                    && c.confidence == "inferred"
                {
                    let _ = writeln!(
                        out,
                        "note on {} (inferred): {}",
                        c.name,
                        one_line(note, verbose)
                    );
                }
                if let Some(race) = &c.race {
                    let _ = writeln!(out, "race {}: {}", c.name, race.describe());
                }
            }
        }
    }
    if !s.thresholds.is_empty() {
        let _ = writeln!(out, "\nthresholds:");
        for t in &s.thresholds {
            let _ = writeln!(
                out,
                "  {} {}  (observed {})",
                if t.passed { "ok  " } else { "FAIL" },
                t.expression,
                observed(t.observed, t.unit)
            );
        }
    }
    let t = &s.totals;
    let c = &s.conformance;
    let _ = writeln!(out, "\n{}", load_line(t, true));
    if let Some(line) = shards_line(s) {
        let _ = writeln!(out, "shards: {line}");
    }
    // Counting failures says nothing of their cause: each kind with its first message.
    for e in &s.transport_errors {
        let _ = writeln!(out, "transport errors: {}", e.line());
    }
    // A start that waited for a user signed up during the load has that wait in its response
    // time: say so, and how to keep sign-ups out of the load.
    let waited: u64 = s
        .users
        .values()
        .filter_map(|u| u.on_demand.map(|d| d.waited))
        .sum();
    if waited > 0 {
        let _ = writeln!(
            out,
            "users: {waited} starts waited for a user made ready during the load (their response times include the wait): its users came more slowly than the load took them (slow or failing sign-ups, or a slow users file); `users: {{on_demand: false}}` makes them all ready before it"
        );
    }
    if let Some(line) = throttling(t) {
        let _ = writeln!(out, "{line}");
    }
    let _ = writeln!(
        out,
        "conformance: {} (cases); {}",
        case_counts(c, ", "),
        answers_failed(c)
    );
    let _ = writeln!(
        out,
        "oracle: {}",
        super::judging::oracle_line(s.oracle.as_ref())
    );
    if let Some(gate) = super::judging::Gate::of(s) {
        let _ = writeln!(out, "gate: {}", gate.line());
    }
    let types = content_types(s);
    if types.len() > 1 || types.keys().any(|t| t.ends_with("json-1.0")) {
        let list: Vec<String> = types.iter().map(|(t, n)| format!("{t} ({n})")).collect();
        let _ = writeln!(out, "answers' content types: {}", list.join(", "));
    }
    let v = &s.coverage;
    let _ = writeln!(
        out,
        "coverage: errors provoked {}/{} documented · members covered {}/{} · cases {} passed / {} failed / {} skipped",
        v.errors_provoked,
        v.errors_documented,
        v.members_covered,
        v.members_total,
        c.passed,
        c.failed,
        c.skipped
    );
    for e in v.errors_skipped.iter().filter(|e| e.provokable) {
        let _ = writeln!(out, "  not provoked: {} — {}", e.error, e.reason);
    }
    let unprovokable: Vec<&str> = v
        .errors_skipped
        .iter()
        .filter(|e| !e.provokable)
        .map(|e| e.error.as_str())
        .collect();
    if !unprovokable.is_empty() {
        let _ = writeln!(
            out,
            "  no request can provoke here (reasons in summary.json): {}",
            unprovokable.join(", ")
        );
    }
    if let Some(d) = &s.deviations {
        let _ = writeln!(
            out,
            "known deviations ({}): {} as listed",
            d.target,
            d.known.len()
        );
        for case in &d.new {
            let _ = writeln!(
                out,
                "  NEW DEVIATION {case}: fails and is not in {}",
                d.file
            );
        }
        for case in &d.fixed {
            let _ = writeln!(out, "  FIXED {case}: passes now; remove it from {}", d.file);
        }
        for c in &d.changed {
            let _ = writeln!(out, "  CHANGED {}:", c.case);
            for (what, listed, now) in c.lines() {
                let _ = writeln!(out, "    {what}: listed {listed}; now {now}");
            }
        }
        if !d.not_run.is_empty() {
            let _ = writeln!(out, "  not checked (not run): {}", d.not_run.join(", "));
        }
    }
    if let Some(reason) = &s.aborted {
        let _ = writeln!(out, "run stopped early: {}", inline(reason));
    }
    if s.interrupted {
        let _ = writeln!(out, "run interrupted: reports are partial");
    }
    out
}

/// The media types the run's judged answers came with, and how many each.
pub fn content_types(s: &Summary) -> std::collections::BTreeMap<String, u64> {
    let mut types = std::collections::BTreeMap::new();
    for c in &s.cases {
        for a in &c.answers.distinct {
            let t = a.value.media_type().unwrap_or_else(|| "(none)".into());
            *types.entry(t).or_default() += a.count;
        }
    }
    types
}

pub fn observed(v: f64, unit: &str) -> String {
    match unit {
        "us" => ms(v.round() as u64),
        "ratio" => format!("{:.3}%", v * 100.0),
        "per_second" => format!("{v:.0}/s"),
        _ if v.fract() == 0.0 => format!("{v:.0}"),
        _ => format!("{v:.3}"),
    }
}

/// Throttling is the target's quota speaking, not a verdict: its own line, with the share of
/// answers it took and the rate the target did serve. `None` when nothing was throttled.
pub(super) fn throttling(t: &Totals) -> Option<String> {
    let throttled = t.by_class.get("throttled").copied().unwrap_or(0);
    if throttled == 0 {
        return None;
    }
    let served = t.requests - throttled;
    Some(format!(
        "throttled: {throttled} answers were TooManyRequestsException ({:.1}%); achieved un-throttled rate {:.0} req/s{}",
        throttled as f64 * 100.0 / t.requests.max(1) as f64,
        if t.duration_seconds > 0.0 {
            served as f64 / t.duration_seconds
        } else {
            0.0
        },
        if t.retries > 0 {
            format!(" ({} retries)", t.retries)
        } else {
            String::new()
        }
    ))
}

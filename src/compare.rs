//! `cogbench compare BASELINE CURRENT`: case by case, how a run moved against a baseline run,
//! and whether it regressed past the limits (p99 up, throughput down, a case newly failing).
//! Reads only summary.json files, so runs of different builds or machines compare.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::report::export::read_summary;

/// What counts as a regression. A p99 change must pass both the relative and the absolute
/// limit: a 0.2 ms p99 moving by 30% is noise, not a regression.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Limits {
    /// Percent.
    pub max_p99_increase: f64,
    /// Milliseconds.
    pub min_p99_change_ms: f64,
    /// Percent.
    pub max_throughput_drop: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_p99_increase: 20.0,
            min_p99_change_ms: 1.0,
            max_throughput_drop: 10.0,
        }
    }
}

#[derive(Deserialize)]
struct View {
    scenario: ScenarioView,
    totals: TotalsView,
    cases: Vec<CaseView>,
    #[serde(default)]
    plan: Value,
}

#[derive(Deserialize)]
struct ScenarioView {
    name: String,
}

#[derive(Deserialize)]
struct TotalsView {
    requests_per_second: f64,
    duration_seconds: f64,
    latency_us: PctView,
}

#[derive(Deserialize)]
struct CaseView {
    name: String,
    verdict: String,
    count: u64,
    latency_us: PctView,
}

#[derive(Deserialize, Clone, Copy)]
struct PctView {
    p50: u64,
    p99: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Row {
    /// A case id, or `(all)` for the run's totals.
    pub case: String,
    pub baseline: Option<Side>,
    pub current: Option<Side>,
    pub p99_change_pct: Option<f64>,
    pub throughput_change_pct: Option<f64>,
    /// Why this row is a regression; empty when it is not.
    pub regressions: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Side {
    pub verdict: String,
    pub requests_per_second: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Comparison {
    pub baseline: String,
    pub current: String,
    pub limits: Limits,
    pub rows: Vec<Row>,
    pub regressed: bool,
}

fn pct(from: f64, to: f64) -> Option<f64> {
    (from > 0.0).then(|| (to - from) / from * 100.0)
}

fn ms(us: u64) -> f64 {
    us as f64 / 1000.0
}

/// Limits named in the current run's scenario (`compare:`), under the command line's.
pub fn scenario_limits(current: &Value) -> (Option<f64>, Option<f64>) {
    let c = &current["plan"]["compare"];
    (
        c["max_p99_increase"].as_f64(),
        c["max_throughput_drop"].as_f64(),
    )
}

pub fn compare(
    baseline: &Path,
    current: &Path,
    cli: (Option<f64>, Option<f64>, Option<f64>),
) -> Result<Comparison, String> {
    let (bfile, b) = read_summary(baseline)?;
    let (cfile, c) = read_summary(current)?;
    let (scenario_p99, scenario_drop) = scenario_limits(&c);
    let d = Limits::default();
    let limits = Limits {
        max_p99_increase: cli.0.or(scenario_p99).unwrap_or(d.max_p99_increase),
        min_p99_change_ms: cli.1.unwrap_or(d.min_p99_change_ms),
        max_throughput_drop: cli.2.or(scenario_drop).unwrap_or(d.max_throughput_drop),
    };
    let view =
        |v: &Value, f: &Path| View::deserialize(v).map_err(|e| format!("{}: {e}", f.display()));
    let (bv, cv) = (view(&b, &bfile)?, view(&c, &cfile)?);
    let _ = (&bv.plan, &cv.plan);
    let side = |verdict: &str, rps: f64, p: PctView| Side {
        verdict: verdict.to_owned(),
        requests_per_second: rps,
        p50_ms: ms(p.p50),
        p99_ms: ms(p.p99),
    };
    let rate = |count: u64, t: &TotalsView| {
        if t.duration_seconds > 0.0 {
            count as f64 / t.duration_seconds
        } else {
            0.0
        }
    };
    let mut rows = Vec::new();
    rows.push(judge_row(
        "(all)".into(),
        Some(side(
            "",
            bv.totals.requests_per_second,
            bv.totals.latency_us,
        )),
        Some(side(
            "",
            cv.totals.requests_per_second,
            cv.totals.latency_us,
        )),
        &limits,
    ));
    let base: BTreeMap<&str, &CaseView> = bv.cases.iter().map(|c| (c.name.as_str(), c)).collect();
    for case in &cv.cases {
        let before = base
            .get(case.name.as_str())
            .map(|b| side(&b.verdict, rate(b.count, &bv.totals), b.latency_us));
        let now = side(&case.verdict, rate(case.count, &cv.totals), case.latency_us);
        rows.push(judge_row(case.name.clone(), before, Some(now), &limits));
    }
    for b in &bv.cases {
        if !cv.cases.iter().any(|c| c.name == b.name) {
            let before = side(&b.verdict, rate(b.count, &bv.totals), b.latency_us);
            rows.push(judge_row(b.name.clone(), Some(before), None, &limits));
        }
    }
    let regressed = rows.iter().any(|r| !r.regressions.is_empty());
    Ok(Comparison {
        baseline: format!("{} ({})", bv.scenario.name, bfile.display()),
        current: format!("{} ({})", cv.scenario.name, cfile.display()),
        limits,
        rows,
        regressed,
    })
}

fn judge_row(case: String, before: Option<Side>, now: Option<Side>, l: &Limits) -> Row {
    let mut regressions = Vec::new();
    let (mut p99, mut tput) = (None, None);
    if let (Some(b), Some(n)) = (&before, &now) {
        p99 = pct(b.p99_ms, n.p99_ms);
        tput = pct(b.requests_per_second, n.requests_per_second);
        if let Some(p) = p99
            && p > l.max_p99_increase
            && n.p99_ms - b.p99_ms > l.min_p99_change_ms
        {
            regressions.push(format!(
                "p99 up {p:.0}% ({:.2} → {:.2} ms; limit {:.0}% and {:.1} ms)",
                b.p99_ms, n.p99_ms, l.max_p99_increase, l.min_p99_change_ms
            ));
        }
        // Throughput is a property of the run; per case it follows the mix's weights.
        if case == "(all)"
            && let Some(t) = tput
            && -t > l.max_throughput_drop
        {
            regressions.push(format!(
                "throughput down {:.0}% ({:.0} → {:.0} req/s; limit {:.0}%)",
                -t, b.requests_per_second, n.requests_per_second, l.max_throughput_drop
            ));
        }
        if b.verdict != "fail" && n.verdict == "fail" {
            regressions.push(format!("newly failing (was {})", b.verdict));
        }
    } else if let Some(n) = &now
        && n.verdict == "fail"
    {
        regressions.push("failing, and not in the baseline".into());
    }
    Row {
        case,
        baseline: before,
        current: now,
        p99_change_pct: p99,
        throughput_change_pct: tput,
        regressions,
    }
}

pub fn render(c: &Comparison) -> String {
    let mut out = format!(
        "baseline: {}\ncurrent:  {}\nlimits: p99 +{:.0}% and +{:.1} ms, throughput -{:.0}%\n\n",
        c.baseline,
        c.current,
        c.limits.max_p99_increase,
        c.limits.min_p99_change_ms,
        c.limits.max_throughput_drop
    );
    out += &format!(
        "{:<40} {:>21} {:>8} {:>23} {:>8}  {}\n",
        "case", "p99 ms", "Δ", "req/s", "Δ", "verdict"
    );
    let num = |v: Option<f64>, spec: usize| v.map_or("-".to_owned(), |v| format!("{v:.spec$}"));
    let delta = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:+.0}%"));
    for r in &c.rows {
        let (b, n) = (r.baseline.as_ref(), r.current.as_ref());
        let verdict = match (b, n) {
            (Some(b), Some(n)) if r.case == "(all)" => {
                let _ = (b, n);
                String::new()
            }
            (Some(b), Some(n)) if b.verdict == n.verdict => n.verdict.clone(),
            (Some(b), Some(n)) => format!("{} → {}", b.verdict, n.verdict),
            (None, Some(n)) => format!("(new) {}", n.verdict),
            (Some(b), None) => format!("{} → (gone)", b.verdict),
            (None, None) => String::new(),
        };
        out += &format!(
            "{:<40} {:>9} → {:>9} {:>8} {:>10} → {:>10} {:>8}  {}\n",
            r.case,
            num(b.map(|s| s.p99_ms), 2),
            num(n.map(|s| s.p99_ms), 2),
            delta(r.p99_change_pct),
            num(b.map(|s| s.requests_per_second), 0),
            num(n.map(|s| s.requests_per_second), 0),
            delta(r.throughput_change_pct),
            verdict
        );
        for why in &r.regressions {
            out += &format!("  REGRESSION {}: {why}\n", r.case);
        }
    }
    out += if c.regressed {
        "\nregressed: at least one limit passed (exit 1)\n"
    } else {
        "\nwithin limits\n"
    };
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn side((verdict, rps, p99_ms): (&str, f64, f64)) -> Side {
        Side {
            verdict: verdict.into(),
            requests_per_second: rps,
            p50_ms: p99_ms / 2.0,
            p99_ms,
        }
    }

    #[test]
    fn regressions_need_both_relative_and_absolute_change() {
        type Run = Option<(&'static str, f64, f64)>;
        // (case, baseline and current as (verdict, req/s, p99 ms), how the regressions begin)
        #[rustfmt::skip]
        let table: [(&str, Run, Run, &[&str]); 7] = [
            // +50% of 0.2 ms is 0.1 ms: noise.
            ("c", Some(("pass", 100.0, 0.2)), Some(("pass", 100.0, 0.3)), &[]),
            // 1 ms to 6 ms: a regression.
            ("c", Some(("pass", 100.0, 1.0)), Some(("pass", 100.0, 6.0)), &["p99 up 500%"]),
            // Throughput counts for the run as a whole.
            ("(all)", Some(("", 1000.0, 1.0)), Some(("", 800.0, 1.0)), &["throughput down 20%"]),
            ("c", Some(("pass", 1000.0, 1.0)), Some(("pass", 800.0, 1.0)), &[]),
            // A newly failing case.
            ("c", Some(("pass", 1.0, 1.0)), Some(("fail", 1.0, 1.0)), &["newly failing (was pass)"]),
            ("c", None, Some(("fail", 1.0, 1.0)), &["failing, and not in the baseline"]),
            // A case gone from the current run is shown, never a regression.
            ("c", Some(("fail", 1.0, 1.0)), None, &[]),
        ];
        let l = Limits::default();
        for (case, before, now, expected) in table {
            let r = judge_row(case.into(), before.map(side), now.map(side), &l);
            assert_eq!(
                r.regressions.len(),
                expected.len(),
                "{case}: {:?}",
                r.regressions
            );
            for (got, want) in r.regressions.iter().zip(expected) {
                assert!(got.starts_with(want), "{case}: {got:?}, expected {want:?}");
            }
        }
    }
}

//! Threshold expressions: `p99 < 50ms`, `p99{case=valid-code} < 20ms`, `error_rate < 1%`,
//! `conformance_failures == 0`, `rps >= 4500`.

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stat {
    P50,
    P90,
    P99,
    P999,
    Max,
    Mean,
}

impl Stat {
    pub fn quantile(self) -> Option<f64> {
        match self {
            Stat::P50 => Some(0.50),
            Stat::P90 => Some(0.90),
            Stat::P99 => Some(0.99),
            Stat::P999 => Some(0.999),
            Stat::Max | Stat::Mean => None,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metric {
    /// Response time (from the intended start), in microseconds.
    Latency(Stat),
    /// Service time (from the actual send), in microseconds.
    ServiceTime(Stat),
    /// Requests that did not end as their case expects, as a fraction of all requests.
    ErrorRate,
    /// Responses whose conformance verdict failed.
    ConformanceFailures,
    /// Achieved requests per second over the measured phases.
    Rps,
    Requests,
    /// Open-model requests whose start time passed before they could be sent.
    Dropped,
    /// Answers that were TooManyRequestsException (never judged for conformance; a scenario
    /// that expects none says `throttled == 0`).
    Throttled,
    /// Requests sent whose outcome is neither recorded nor abandoned by an interrupt: a
    /// request lost by the harness. `unaccounted == 0` asserts the accounting.
    Unaccounted,
    /// Retries made by the retry policy.
    Retries,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Lt,
    Le,
    Gt,
    Ge,
    Eq,
    Ne,
}

impl Op {
    pub fn holds(self, observed: f64, limit: f64) -> bool {
        match self {
            Op::Lt => observed < limit,
            Op::Le => observed <= limit,
            Op::Gt => observed > limit,
            Op::Ge => observed >= limit,
            Op::Eq => observed == limit,
            Op::Ne => observed != limit,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Threshold {
    /// The expression as written.
    pub source: String,
    pub metric: Metric,
    pub case: Option<String>,
    pub op: Op,
    /// Microseconds for time metrics, a fraction for error_rate, a plain number otherwise.
    pub limit: f64,
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.source)
    }
}

/// The statistics of the time metrics, by name.
const STATS: [(&str, Stat); 7] = [
    ("p50", Stat::P50),
    ("p90", Stat::P90),
    ("p99", Stat::P99),
    ("p999", Stat::P999),
    ("p99.9", Stat::P999),
    ("max", Stat::Max),
    ("mean", Stat::Mean),
];

/// The prefix of a service-time statistic (`service_p99`).
const SERVICE: &str = "service_";

/// The metrics that are not times, by name.
const OTHERS: [(&str, Metric); 8] = [
    ("error_rate", Metric::ErrorRate),
    ("conformance_failures", Metric::ConformanceFailures),
    ("rps", Metric::Rps),
    ("requests", Metric::Requests),
    ("dropped", Metric::Dropped),
    ("throttled", Metric::Throttled),
    ("unaccounted", Metric::Unaccounted),
    ("retries", Metric::Retries),
];

/// The comparisons, longest first (`<=` before `<`).
const OPS: [(&str, Op); 6] = [
    ("<=", Op::Le),
    (">=", Op::Ge),
    ("==", Op::Eq),
    ("!=", Op::Ne),
    ("<", Op::Lt),
    (">", Op::Gt),
];

impl Metric {
    /// Whether a `{case=…}` selector can narrow it.
    fn per_case(self) -> bool {
        !matches!(self, Metric::Rps | Metric::Dropped | Metric::Unaccounted)
    }
}

const HELP: &str = "expected `<metric>[{case=<id>}] <op> <value>`, e.g. `p99 < 50ms`, \
`error_rate < 1%`, `conformance_failures == 0`; metrics: p50 p90 p99 p999 max mean, \
service_p50 … service_max, error_rate, conformance_failures, rps, requests, dropped, throttled, \
retries, unaccounted; \
ops: < <= > >= == !=";

pub fn parse(text: &str) -> Result<Threshold, String> {
    let t = text.trim();
    // The selector `{case=…}` has an `=` of its own: look for the comparison after it.
    let from = t.find('}').map_or(0, |i| i + 1);
    let op_at = t[from..]
        .find(['<', '>', '=', '!'])
        .map(|i| i + from)
        .ok_or_else(|| format!("`{text}`: no comparison; {HELP}"))?;
    let (lhs, rest) = t.split_at(op_at);
    let (op, value) = OPS
        .into_iter()
        .find_map(|(s, op)| rest.strip_prefix(s).map(|v| (op, v.trim())))
        .ok_or_else(|| format!("`{text}`: unknown comparison; {HELP}"))?;
    let lhs = lhs.trim();
    let (name, case) = match lhs.split_once('{') {
        Some((name, selector)) => {
            let case = selector
                .strip_suffix('}')
                .and_then(|s| s.trim().strip_prefix("case="))
                .map(|c| c.trim().to_owned())
                .filter(|c| !c.is_empty())
                .ok_or_else(|| format!("`{text}`: a selector reads {{case=<id>}}"))?;
            (name.trim(), Some(case))
        }
        None => (lhs, None),
    };
    let stat = |s: &str| STATS.iter().find(|(n, _)| *n == s).map(|(_, stat)| *stat);
    let metric = if let Some(s) = stat(name) {
        Metric::Latency(s)
    } else if let Some(s) = name.strip_prefix(SERVICE).and_then(stat) {
        Metric::ServiceTime(s)
    } else {
        match OTHERS.iter().find(|(n, _)| *n == name) {
            Some((_, metric)) => *metric,
            None => return Err(format!("`{text}`: unknown metric `{name}`; {HELP}")),
        }
    };
    if case.is_some() && !metric.per_case() {
        return Err(format!("`{text}`: `{name}` is not measured per case"));
    }
    let limit = match metric {
        Metric::Latency(_) | Metric::ServiceTime(_) => {
            super::units::parse_duration(value)
                .map_err(|e| format!("`{text}`: {e}"))?
                .as_secs_f64()
                * 1e6
        }
        Metric::ErrorRate => match value.strip_suffix('%') {
            Some(p) => p.trim().parse::<f64>().map(|p| p / 100.0),
            None => value.parse::<f64>(),
        }
        .ok()
        .filter(|f| (0.0..=1.0).contains(f))
        .ok_or_else(|| {
            format!("`{text}`: error_rate takes a percentage like 1% or a fraction like 0.01")
        })?,
        _ => value
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| format!("`{text}`: expected a non-negative number, found `{value}`"))?,
    };
    Ok(Threshold {
        source: t.to_owned(),
        metric,
        case,
        op,
        limit,
    })
}

/// What [`parse`] accepts, for the scenario schema: one pattern per kind of limit (a
/// duration for times, a percentage or fraction for error_rate, a number otherwise), built
/// from the tables `parse` reads. Case ids are the catalog's alphabet; whether the case is in
/// the mix is `cogbench validate`'s to say.
pub(super) fn schema() -> schemars::Schema {
    use super::patterns::{NUMBER, WS, trimmed};
    let names = |names: &mut dyn Iterator<Item = &str>| {
        names.map(regex::escape).collect::<Vec<_>>().join("|")
    };
    let stats = names(&mut STATS.iter().map(|(n, _)| *n));
    let times = format!("(?:{SERVICE})?(?:{stats})");
    let others = |keep: &dyn Fn(Metric) -> bool| {
        names(&mut OTHERS.iter().filter(|(_, m)| keep(*m)).map(|(n, _)| *n))
    };
    let rate = others(&|m| m == Metric::ErrorRate);
    let counts = others(&|m| m.per_case() && m != Metric::ErrorRate);
    let whole_only = others(&|m| !m.per_case());
    let ops = names(&mut OPS.iter().map(|(o, _)| *o));
    let selector = format!(
        r"{WS}*\{{{WS}*case={WS}*{id}{WS}*\}}",
        id = crate::cases::CASE_ID_PATTERN
    );
    let duration = super::units::duration_schema();
    let duration = duration
        .get("pattern")
        .and_then(|p| p.as_str())
        .expect("a duration has a pattern")
        .trim_start_matches('^')
        .trim_end_matches('$')
        .to_owned();
    let expression = |metric: &str, case: bool, value: &str| {
        let selector = if case {
            format!("(?:{selector})?")
        } else {
            String::new()
        };
        trimmed(&format!(
            "(?:{metric}){selector}{WS}*(?:{ops}){WS}*(?:{value})"
        ))
    };
    let pattern = |p: String| serde_json::json!({ "pattern": p });
    schemars::json_schema!({
        "type": "string",
        "description": format!(
            "`<metric>[{{case=<id>}}] <op> <value>`: p99 < 50ms, p99{{case=valid-code}} < 20ms, error_rate < 1%, conformance_failures == 0, rps >= 4500. Times ({times}) take a duration, error_rate a percentage or a fraction, the rest a number; rps, dropped and unaccounted are not measured per case. A case must be in the mix (cogbench validate checks it)."
        ),
        "anyOf": [
            pattern(expression(&times, true, &duration)),
            pattern(expression(&rate, true, &format!("{NUMBER}(?:{WS}*%)?"))),
            pattern(expression(&counts, true, NUMBER)),
            pattern(expression(&whole_only, false, NUMBER)),
        ],
        "examples": ["p99 < 50ms", "error_rate < 1%", "conformance_failures == 0"],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_documented_forms() {
        let t = parse("p99 < 50ms").unwrap();
        assert_eq!(
            (t.metric, t.op, t.limit, t.case),
            (Metric::Latency(Stat::P99), Op::Lt, 50_000.0, None)
        );
        let t = parse("p99{case=valid-code} <= 20ms").unwrap();
        assert_eq!(t.case.as_deref(), Some("valid-code"));
        assert_eq!(t.op, Op::Le);
        assert_eq!(parse("error_rate < 1%").unwrap().limit, 0.01);
        assert_eq!(parse("error_rate<0.5").unwrap().limit, 0.5);
        assert_eq!(
            parse("conformance_failures == 0").unwrap().metric,
            Metric::ConformanceFailures
        );
        assert_eq!(parse("rps >= 4500").unwrap().limit, 4500.0);
        assert_eq!(
            parse("service_p999 < 1s").unwrap().metric,
            Metric::ServiceTime(Stat::P999)
        );
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        for bad in [
            "p99 50ms",
            "p98 < 5ms",
            "p99 < 50",
            "error_rate < 150%",
            "rps{case=a} > 1",
            "p99{cas=a} < 1ms",
            "rps >= lots",
            "p99 =< 5ms",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    /// Every form `parse` accepts the schema accepts, and it refuses those a pattern can tell.
    #[test]
    fn the_schema_agrees_with_the_parser() {
        let schema = serde_json::to_value(schema()).unwrap();
        let v = jsonschema::validator_for(&schema).unwrap();
        for good in [
            "p99 < 50ms",
            " p99{ case=valid-code } <= 20ms ",
            "error_rate < 1%",
            "error_rate<0.5",
            "error_rate <= 5 %",
            "conformance_failures == 0",
            "rps >= 4500",
            "service_p999 < 1s",
            "p99.9 != 1.5s",
            "throttled{case=a} == 0",
            "retries > 1e3",
        ] {
            assert!(parse(good).is_ok(), "{good}");
            assert!(v.is_valid(&serde_json::json!(good)), "{good}");
        }
        for bad in [
            "p99 50ms",
            "p98 < 5ms",
            "p99 < 50",
            "rps{case=a} > 1",
            "p99{cas=a} < 1ms",
            "rps >= lots",
            "p99 =< 5ms",
            "error_rate < 1%%",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
            assert!(!v.is_valid(&serde_json::json!(bad)), "{bad}");
        }
    }

    #[test]
    fn ops_compare() {
        assert!(Op::Lt.holds(1.0, 2.0) && !Op::Lt.holds(2.0, 2.0));
        assert!(Op::Ge.holds(2.0, 2.0) && Op::Ne.holds(1.0, 2.0));
    }
}

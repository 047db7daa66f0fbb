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
    let (op, value) = [
        ("<=", Op::Le),
        (">=", Op::Ge),
        ("==", Op::Eq),
        ("!=", Op::Ne),
        ("<", Op::Lt),
        (">", Op::Gt),
    ]
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
    let stat = |s: &str| match s {
        "p50" => Some(Stat::P50),
        "p90" => Some(Stat::P90),
        "p99" => Some(Stat::P99),
        "p999" | "p99.9" => Some(Stat::P999),
        "max" => Some(Stat::Max),
        "mean" => Some(Stat::Mean),
        _ => None,
    };
    let metric = if let Some(s) = stat(name) {
        Metric::Latency(s)
    } else if let Some(s) = name.strip_prefix("service_").and_then(stat) {
        Metric::ServiceTime(s)
    } else {
        match name {
            "error_rate" => Metric::ErrorRate,
            "conformance_failures" => Metric::ConformanceFailures,
            "rps" => Metric::Rps,
            "requests" => Metric::Requests,
            "dropped" => Metric::Dropped,
            "throttled" => Metric::Throttled,
            "unaccounted" => Metric::Unaccounted,
            "retries" => Metric::Retries,
            _ => return Err(format!("`{text}`: unknown metric `{name}`; {HELP}")),
        }
    };
    if case.is_some() && matches!(metric, Metric::Rps | Metric::Dropped | Metric::Unaccounted) {
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

    #[test]
    fn ops_compare() {
        assert!(Op::Lt.holds(1.0, 2.0) && !Op::Lt.holds(2.0, 2.0));
        assert!(Op::Ge.holds(2.0, 2.0) && Op::Ne.holds(1.0, 2.0));
    }
}

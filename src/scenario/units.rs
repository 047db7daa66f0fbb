//! Durations (`500ms`, `10s`, `2m`) and other scalar forms used in scenarios.

use std::time::Duration;

/// The units of a duration, and their length in seconds as a ratio (a division by 1e6 is
/// exact where a multiplication by 1e-6 is not).
const UNITS: [(&str, f64, f64); 6] = [
    ("us", 1.0, 1e6),
    ("µs", 1.0, 1e6),
    ("ms", 1.0, 1e3),
    ("s", 1.0, 1.0),
    ("m", 60.0, 1.0),
    ("h", 3600.0, 1.0),
];

/// The longest duration a scenario may give: a week.
const MAX_SECONDS: f64 = 7.0 * 86_400.0;

/// What [`parse_duration`] accepts, for the scenario schema: a pattern (all but the week's
/// bound) and a description.
pub(super) fn duration_schema() -> schemars::Schema {
    let units: Vec<&str> = UNITS.iter().map(|(u, _, _)| *u).collect();
    let pattern = super::patterns::trimmed(&format!(
        r"(?:[0-9]+\.?[0-9]*|\.[0-9]+){ws}*(?:{units})",
        ws = super::patterns::WS,
        units = units.join("|")
    ));
    let mut schema = super::patterns::string(
        &pattern,
        &format!(
            "A duration: a number and a unit ({}), like 500ms, 10s, 1.5m or 2h; at most a week.",
            units.join(", ")
        ),
    );
    schema.insert("examples".into(), serde_json::json!(["500ms", "10s", "2m"]));
    schema
}

/// Parses `<number><unit>` with unit `us`, `ms`, `s`, `m` or `h`; the number may have a
/// fraction (`1.5s`). A unit is required: a bare `10` is ambiguous.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    let expected = || {
        format!(
            "expected a duration like 500ms, 10s or 2m (units: us, ms, s, m, h), found `{text}`"
        )
    };
    if number.is_empty() {
        return Err(expected());
    }
    let value: f64 = number.parse().map_err(|_| expected())?;
    let seconds = match UNITS.iter().find(|(u, _, _)| *u == unit.trim()) {
        Some((_, times, per)) => value * times / per,
        None => return Err(expected()),
    };
    if !seconds.is_finite() || seconds > MAX_SECONDS {
        return Err(format!("`{text}` is longer than a week"));
    }
    Ok(Duration::from_secs_f64(seconds))
}

pub fn format_duration(d: Duration) -> String {
    let us = d.as_micros();
    if us == 0 {
        "0s".into()
    } else if us.is_multiple_of(3_600_000_000) {
        format!("{}h", us / 3_600_000_000)
    } else if us.is_multiple_of(60_000_000) {
        format!("{}m", us / 60_000_000)
    } else if us.is_multiple_of(1_000_000) {
        format!("{}s", us / 1_000_000)
    } else if us.is_multiple_of(1_000) {
        format!("{}ms", us / 1_000)
    } else {
        format!("{us}us")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_units() {
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("10s").unwrap(), Duration::from_secs(10));
        assert_eq!(parse_duration("2m").unwrap(), Duration::from_secs(120));
        assert_eq!(parse_duration("1h").unwrap(), Duration::from_secs(3600));
        assert_eq!(parse_duration("1.5s").unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration("250us").unwrap(), Duration::from_micros(250));
    }

    #[test]
    fn rejects_ambiguous_or_malformed() {
        for bad in ["10", "s", "", "10 seconds", "-1s", "1.2.3s", "10d", "1000h"] {
            assert!(parse_duration(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_schema_pattern_agrees_with_the_parser() {
        let schema = duration_schema();
        let pattern = regex::Regex::new(schema.get("pattern").unwrap().as_str().unwrap()).unwrap();
        for good in ["500ms", "10s", " 2 m ", "1.5s", ".5h", "1.s", "250µs", "0s"] {
            assert!(parse_duration(good).is_ok(), "{good}");
            assert!(pattern.is_match(good), "{good}");
        }
        for bad in [
            "10",
            "s",
            "",
            "10 seconds",
            "-1s",
            "1.2.3s",
            "10d",
            "1e3s",
            ".",
        ] {
            assert!(parse_duration(bad).is_err(), "{bad}");
            assert!(!pattern.is_match(bad), "{bad}");
        }
    }

    #[test]
    fn formats_round_trip() {
        for t in ["500ms", "10s", "2m", "1h", "250us"] {
            assert_eq!(format_duration(parse_duration(t).unwrap()), t);
        }
    }
}

//! Durations (`500ms`, `10s`, `2m`) and other scalar forms used in scenarios.

use std::time::Duration;

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
    let seconds = match unit.trim() {
        "us" | "µs" => value / 1e6,
        "ms" => value / 1e3,
        "s" => value,
        "m" => value * 60.0,
        "h" => value * 3600.0,
        _ => return Err(expected()),
    };
    if !seconds.is_finite() || seconds > 7.0 * 86_400.0 {
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
    fn formats_round_trip() {
        for t in ["500ms", "10s", "2m", "1h", "250us"] {
            assert_eq!(format_duration(parse_duration(t).unwrap()), t);
        }
    }
}

//! `--start-at TIME`: the instant a run's load begins, read once against the clock so that
//! `+30s` means the same instant however long the set-up takes.

use std::time::{Duration, SystemTime};

use crate::exit::Failure;
use crate::scenario::units::{format_duration, parse_duration};

/// How far ahead a start may be: a longer wait is a typo (a wrong date or offset) more often
/// than a plan, and a shard left waiting a day holds its pool all that time.
pub const MAX_AHEAD: Duration = Duration::from_secs(24 * 3600);

/// How far in the past a start may be and still be taken (as "start now, late"): time
/// computed once for several processes is already a little past when the last one reads it.
pub const PAST_TOLERANCE: Duration = Duration::from_secs(1);

/// `--start-at`, against `now`.
pub fn start_at(text: Option<&str>, now: SystemTime) -> Result<Option<SystemTime>, Failure> {
    text.map(|t| parse(t, now).map_err(|e| Failure::BadInput(format!("--start-at: {e}"))))
        .transpose()
}

fn parse(text: &str, now: SystemTime) -> Result<SystemTime, String> {
    let text = text.trim();
    let at = match text.strip_prefix('+') {
        Some(d) => now + parse_duration(d).map_err(|e| format!("+DURATION: {e}"))?,
        // RFC 3339 allows second 60 only for a leap second, which cogbench cannot tell from a
        // typo (no leap-second table; the system clock repeats or smears one): taken, it
        // would quietly mean second 0 of the next minute.
        None if text.get(16..19) == Some(":60") => {
            return Err(format!(
                "second 60 in `{text}` is refused: cogbench cannot tell a real leap second \
                 from a typo; give second 59 or second 0 of the next minute"
            ));
        }
        None => crate::time::parse_rfc3339(text).ok_or_else(|| {
            format!(
                "expected an RFC 3339 time (2026-12-07T02:00:00Z, 2026-12-07T03:00:00+01:00) or +DURATION from now (+30s, +2m), found `{text}`"
            )
        })?,
    };
    match at.duration_since(now) {
        Ok(ahead) if ahead > MAX_AHEAD => Err(format!(
            "{text} is {} from now, more than the limit of {}",
            format_duration(Duration::from_secs(ahead.as_secs())),
            format_duration(MAX_AHEAD)
        )),
        Ok(_) => Ok(at),
        Err(e) if e.duration() <= PAST_TOLERANCE => Ok(at),
        Err(e) => Err(format!(
            "{text} is {:.1}s in the past (now is {}); give a time to come",
            e.duration().as_secs_f64(),
            crate::time::rfc3339_utc(now)
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::UNIX_EPOCH;

    // 2026-11-28T07:47:14Z
    fn now() -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(1_795_852_034)
    }

    fn err(text: &str) -> String {
        match start_at(Some(text), now()) {
            Err(Failure::BadInput(m)) => m,
            other => panic!("{text}: {other:?}"),
        }
    }

    #[test]
    fn relative_and_absolute_times() {
        assert_eq!(start_at(None, now()).unwrap(), None);
        let ok = |t: &str| start_at(Some(t), now()).unwrap().unwrap();
        assert_eq!(ok("+30s"), now() + Duration::from_secs(30));
        assert_eq!(ok("+2m"), now() + Duration::from_secs(120));
        assert_eq!(ok("2026-11-28T07:50:00Z"), now() + Duration::from_secs(166));
        assert_eq!(
            ok("2026-11-28T08:50:00.5+01:00"),
            now() + Duration::from_millis(166_500)
        );
        // Within the tolerance, a time just past is taken (the run starts late).
        assert_eq!(
            ok("2026-11-28T07:47:13.500Z"),
            now() - Duration::from_millis(500)
        );
        assert_eq!(ok("+24h"), now() + MAX_AHEAD);
    }

    #[test]
    fn refusals_say_what_was_expected() {
        let m = err("tomorrow");
        assert!(
            m.starts_with("--start-at: expected an RFC 3339 time"),
            "{m}"
        );
        assert!(m.contains("`tomorrow`"), "{m}");
        let m = err("+soon");
        assert!(
            m.contains("+DURATION") && m.contains("expected a duration"),
            "{m}"
        );
        let m = err("2026-11-28T07:47:00Z");
        assert!(m.contains("14.0s in the past"), "{m}");
        let m = err("+25h");
        assert!(
            m.contains("25h from now") && m.contains("limit of 24h"),
            "{m}"
        );
        let m = err("2026-11-30T07:47:14Z");
        assert!(m.contains("limit of 24h"), "{m}");
        // Second 60: refused, not read as second 0 of the next minute, at a day's end too.
        for t in [
            "2026-11-28T07:50:60Z",
            "2026-11-28T07:50:60.5Z",
            "2026-11-28T23:59:60Z",
            "2026-11-28T08:50:60+01:00",
        ] {
            let m = err(t);
            assert!(m.contains("second 60") && m.contains(t), "{m}");
        }
        assert!(start_at(Some("2026-11-28T07:50:59Z"), now()).is_ok());
    }
}

//! Waiting for `--start-at`: shards on several machines agree on a wall-clock instant (their
//! clocks kept in step by NTP), so the wait follows the wall clock, not a monotonic one.

use std::time::{Duration, SystemTime};

use crate::interrupt::Interrupts;

/// Below this much left, the wait spins instead of sleeping: a timer wakes up to a
/// millisecond or more late, and shards started by timers would be that far apart.
const SPIN: Duration = Duration::from_millis(2);

/// A start later than this (in milliseconds) is said on stderr: the set-up outlasted the
/// time given, and this shard's load lags the others'.
pub(super) const LATE_NOTICE_MS: f64 = 50.0;

/// How often a long wait says it is still waiting.
const REMIND: Duration = Duration::from_secs(60);

/// Waits until `at` on the wall clock; `false` when an interrupt came first. A start already
/// past returns at once (the caller says how late).
pub(super) async fn wait_until(at: SystemTime, quiet: bool, interrupts: &Interrupts) -> bool {
    let left = |now: SystemTime| at.duration_since(now).unwrap_or_default();
    let first = left(SystemTime::now());
    if first.is_zero() {
        return true;
    }
    if !quiet {
        crate::errln!(
            "cogbench: set-up done; waiting for the start at {} (in {})",
            crate::time::rfc3339_utc_millis(at),
            seconds(first)
        );
    }
    loop {
        let now = SystemTime::now();
        let remaining = left(now);
        if remaining <= SPIN {
            break;
        }
        // Sleeps are cut short of the end and re-read against the wall clock, which may be
        // stepped while we wait.
        let nap = (remaining - SPIN).min(REMIND);
        tokio::select! {
            biased;
            () = interrupts.nth(1) => return false,
            () = tokio::time::sleep(nap) => {}
        }
        let after = left(SystemTime::now());
        if !quiet && nap == REMIND && after > SPIN {
            crate::errln!("cogbench: waiting for the start: {} left", seconds(after));
        }
    }
    // The last stretch on the clock itself: a millisecond or two of one core.
    while SystemTime::now() < at {
        std::hint::spin_loop();
    }
    true
}

/// How late the load started against `at`, in milliseconds (negative: early, which a
/// wall clock stepped back during the wait can make).
pub(super) fn late_ms(at: SystemTime, started: SystemTime) -> f64 {
    match started.duration_since(at) {
        Ok(late) => late.as_micros() as f64 / 1e3,
        Err(early) => -(early.duration().as_micros() as f64) / 1e3,
    }
}

/// `42.5s`, `9m59s`, `2h05m00s`: a wait as a clock shows it, whole seconds past a minute.
fn seconds(d: Duration) -> String {
    let s = d.as_secs();
    match (s / 3600, s / 60 % 60, s % 60) {
        (0, 0, _) => format!("{:.1}s", d.as_secs_f64()),
        (0, m, s) => format!("{m}m{s:02}s"),
        (h, m, s) => format!("{h}h{m:02}m{s:02}s"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lateness_is_signed_milliseconds() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1000);
        assert_eq!(late_ms(at, at + Duration::from_micros(1500)), 1.5);
        assert_eq!(late_ms(at, at - Duration::from_micros(250)), -0.25);
        assert_eq!(late_ms(at, at), 0.0);
    }

    #[test]
    fn waits_read_as_a_clock() {
        assert_eq!(seconds(Duration::from_millis(2_950)), "3.0s");
        assert_eq!(seconds(Duration::from_millis(599_900)), "9m59s");
        assert_eq!(seconds(Duration::from_secs(7_500)), "2h05m00s");
    }

    #[tokio::test]
    async fn a_past_start_returns_at_once() {
        let past = SystemTime::now() - Duration::from_secs(5);
        assert!(wait_until(past, true, &Interrupts::never()).await);
    }
}

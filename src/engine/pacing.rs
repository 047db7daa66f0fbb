//! What the pacers publish while a run goes, beside what the recorder counts: the live metrics
//! (`crate::live_metrics`) read it once a scrape. Only the schedule thread writes the lag and
//! the late starts, one uncontended relaxed store a start; the rest is written once a phase.

use std::sync::atomic::{AtomicU64, Ordering};

#[derive(Debug, Default)]
pub struct Pacing {
    /// How late the latest open-model start was sent, in µs; 0 outside open phases.
    lag_us: AtomicU64,
    /// Open model: starts sent more than `open::LATE_AFTER` late, all phases so far.
    late_starts: AtomicU64,
    /// Open model: starts never sent because `max_in_flight` were outstanding until their
    /// phase ended; added when the phase ends, as the phase's own count is.
    unsent: AtomicU64,
}

impl Pacing {
    pub(super) fn started(&self, lag_us: u64, late: bool) {
        self.lag_us.store(lag_us, Ordering::Relaxed);
        if late {
            self.late_starts.fetch_add(1, Ordering::Relaxed);
        }
    }

    pub(super) fn phase_ended(&self, unsent: u64) {
        self.lag_us.store(0, Ordering::Relaxed);
        self.unsent.fetch_add(unsent, Ordering::Relaxed);
    }

    pub fn lag_us(&self) -> u64 {
        self.lag_us.load(Ordering::Relaxed)
    }

    pub fn late_starts(&self) -> u64 {
        self.late_starts.load(Ordering::Relaxed)
    }

    pub(super) fn unsent(&self) -> u64 {
        self.unsent.load(Ordering::Relaxed)
    }
}

//! The engine: the compiled cases and their order, the users, the transport and the
//! recorder, and the switches that stop a run. Pacers (`open`, `closed`) decide when each
//! request starts; `execute` is what every start does.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use super::compiled::Compiled;
use super::mix;
use super::transport::Transport;
use super::wire::Wire;
use crate::client::failure::FirstFailures;
use crate::metrics::Recorder;
use crate::target::Api;
use crate::users::UserPools;

pub struct Engine {
    pub(super) retry: crate::scenario::RetryPolicy,
    /// The lean HTTP/1.1 client for plain-http targets; reqwest otherwise.
    pub(super) wire: Wire,
    pub(super) cases: Vec<Compiled>,
    /// Indices into `cases`, one weighted cycle.
    pub(super) sequence: Vec<usize>,
    /// Users and pool id of each pool of the plan, by index.
    pub(super) pools: Vec<(UserPools, String)>,
    pub recorder: Recorder,
    pub(super) admin: Api,
    pub(super) post_rate: f64,
    /// Recording (`cogbench record`): read the users' state after every execution that has
    /// users, whatever the answer was.
    pub(super) record_state: bool,
    /// The run's client secrets.
    pub(super) client_secrets: Vec<String>,
    stop: AtomicBool,
    pub(super) stop_notify: tokio::sync::Notify,
    /// Past the grace period (or at a second Ctrl-C): phases stop waiting for requests in
    /// flight.
    abandon: AtomicBool,
    abandon_notify: tokio::sync::Notify,
    /// Requests put on the wire (or handed to the client); `recorder.completed` counts those
    /// whose outcome was recorded.
    pub sent: std::sync::atomic::AtomicU64,
    abort: OnceLock<String>,
    /// The first message of each kind of transport failure.
    pub first_failures: FirstFailures,
    /// The phase's time is up: starts still waiting for a user supplied on demand give up
    /// (they are not made, and count as dropped).
    pub(super) user_waits_over: AtomicBool,
    pub(super) user_waits_notify: tokio::sync::Notify,
    /// Starts that gave up waiting for a user.
    pub(super) gave_up: std::sync::atomic::AtomicU64,
    /// The schedule's lag, late and unsent starts, as they happen.
    pub pacing: super::pacing::Pacing,
}

impl Engine {
    /// `api` carries the client (shared with the load path), the endpoint and the signer of
    /// the AdminGetUser read-backs.
    pub fn new(
        api: &Api,
        http: &crate::client::ClientSettings,
        mut cases: Vec<Compiled>,
        weights: &[u32],
        pools: Vec<(UserPools, String)>,
        post_rate: f64,
        retry: crate::scenario::RetryPolicy,
    ) -> Engine {
        let admin = api.clone();
        let wire = Wire::for_endpoint(api, http);
        for c in &mut cases {
            wire.prepare(c);
        }
        let mut client_secrets: Vec<String> = cases
            .iter()
            .filter_map(|c| c.template.secret().map(str::to_owned))
            .collect();
        client_secrets.sort();
        client_secrets.dedup();
        let recorder = Recorder::new(cases.len());
        Engine {
            first_failures: FirstFailures::new(recorder.started()),
            retry,
            wire,
            recorder,
            sequence: mix::sequence(weights),
            cases,
            pools,
            admin,
            post_rate,
            record_state: false,
            client_secrets,
            stop: AtomicBool::new(false),
            stop_notify: tokio::sync::Notify::new(),
            abandon: AtomicBool::new(false),
            abandon_notify: tokio::sync::Notify::new(),
            sent: std::sync::atomic::AtomicU64::new(0),
            abort: OnceLock::new(),
            user_waits_over: AtomicBool::new(false),
            user_waits_notify: tokio::sync::Notify::new(),
            gave_up: std::sync::atomic::AtomicU64::new(0),
            pacing: super::pacing::Pacing::default(),
        }
    }

    /// Returns when starts should stop waiting for users: the phase's time is up, or the run
    /// stops.
    pub(super) async fn user_waits_ended(&self) {
        loop {
            let over = self.user_waits_notify.notified();
            let stop = self.stop_notify.notified();
            if self.user_waits_over.load(Ordering::Acquire) || self.stopping() {
                return;
            }
            tokio::select! {
                () = over => {}
                () = stop => {}
            }
        }
    }

    pub(super) fn end_user_waits(&self) {
        self.user_waits_over.store(true, Ordering::Release);
        self.user_waits_notify.notify_waiters();
    }

    /// Starts the load clock (the timelines' second 1, the first failures' times) now, and
    /// says when on the wall clock, read at the same instant: an engine built ahead of a
    /// start time is built before it starts counting.
    pub fn start_clock(&mut self) -> std::time::SystemTime {
        let (now, wall) = (Instant::now(), std::time::SystemTime::now());
        self.recorder.restart_clock(now);
        self.first_failures = FirstFailures::new(now);
        wall
    }

    /// Reads every execution's state back, whatever the answer (for `cogbench record`).
    pub fn recording(mut self) -> Engine {
        self.record_state = true;
        self
    }

    pub fn cases(&self) -> &[Compiled] {
        &self.cases
    }

    /// Users of each pool, with the pool's id.
    pub fn pools(&self) -> &[(UserPools, String)] {
        &self.pools
    }

    pub fn cycle_len(&self) -> u64 {
        self.sequence.len() as u64
    }

    /// Asks every executor to stop scheduling; requests in flight finish.
    pub fn request_stop(&self) {
        self.stop.store(true, Ordering::SeqCst);
        self.stop_notify.notify_waiters();
    }

    pub fn stopping(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// Stops waiting for the requests in flight: the phase ends now, their outcomes are not
    /// counted (`sent` minus completed shows how many).
    pub fn abandon_in_flight(&self) {
        self.request_stop();
        self.abandon.store(true, Ordering::SeqCst);
        self.abandon_notify.notify_waiters();
    }

    /// Resolves once `abandon_in_flight` has been called.
    pub(crate) async fn abandoned(&self) {
        let notified = self.abandon_notify.notified();
        tokio::pin!(notified);
        notified.as_mut().enable();
        if self.abandon.load(Ordering::SeqCst) {
            return;
        }
        notified.await;
    }

    /// Whether the run stopped waiting for requests in flight.
    pub fn was_abandoned(&self) -> bool {
        self.abandon.load(Ordering::SeqCst)
    }

    /// Requests sent whose outcome is not recorded yet (retries included).
    pub fn in_flight(&self) -> u64 {
        self.sent
            .load(Ordering::Relaxed)
            .saturating_sub(self.recorder.completed.load(Ordering::Relaxed))
    }

    /// Starts dropped so far, all phases: those that gave up waiting for a user, and the
    /// open model's unsent ones (counted when their phase ends). At the run's end, the sum of
    /// the phases' `dropped`.
    pub fn dropped(&self) -> u64 {
        self.gave_up.load(Ordering::Relaxed) + self.pacing.unsent()
    }

    /// Whether any request ever had a connection to the target.
    pub fn ever_connected(&self) -> bool {
        self.wire.ever_connected()
    }

    /// The load client's connections so far and their set-up times, if it times them.
    pub fn connection_setup(&self) -> Option<super::transport::Setup> {
        self.wire.setup()
    }

    /// Why the run ended early, if it did for a reason of its own (users ran out).
    pub fn abort_reason(&self) -> Option<&str> {
        self.abort.get().map(String::as_str)
    }

    pub(super) fn abort(&self, reason: String) {
        let _ = self.abort.set(reason);
        self.request_stop();
    }

    /// Waits until `end`, or until the run stops.
    pub(crate) async fn idle_until(&self, end: Instant) {
        const NAP: std::time::Duration = std::time::Duration::from_millis(250);
        loop {
            let now = Instant::now();
            if self.stopping() || now >= end {
                return;
            }
            tokio::select! {
                _ = tokio::time::sleep_until((now + NAP).min(end).into()) => {}
                _ = self.stop_notify.notified() => return,
            }
        }
    }
}

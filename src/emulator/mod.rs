//! The embedded reference emulator: an in-process Cognito user pools endpoint that serves
//! ConfirmSignUp and the operations needed to provision for it (spec §5), following the spec's
//! "Decision order used by the reference emulator".
//!
//! Layout: [`server`] (routes, dispatch), [`wire`] (body decoding, error and response framing),
//! [`validate`] (member constraints, §3.2 messages), [`confirm`] (ConfirmSignUp), [`users`]
//! (SignUp, ResendConfirmationCode, AdminGetUser), [`pools`] (pools and clients), [`state`]
//! (clock, pools, clients, users), [`ids`] (ids, codes, subs), [`faults`] (the `--faults`
//! switches), [`signature`] (`--require-signature`: SigV4 checked as AWS checks it), [`quota`]
//! (`--quota`: AWS's request-rate quota categories).

mod common;
mod confirm;
pub mod faults;
mod ids;
mod instance;
mod pool_tags;
mod pools;
pub mod quota;
mod server;
pub mod signature;
mod state;
mod trigger;
mod users;
pub(crate) mod validate;
mod wire;

#[cfg(test)]
mod tests;

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use crate::faults::{Fault, FaultSpecError, Faults, Stall};
use faults::FaultState;
pub use instance::Emulator;
use quota::QuotaState;
pub use quota::Quotas;
pub use signature::{Signatures, SigningKeys};
use state::Shared;

/// Settings of one emulator instance.
#[derive(Debug, Clone)]
pub struct EmulatorConfig {
    /// Region used in pool ids (`<region>_<suffix>`) and ARNs.
    pub region: String,
    /// Seeds pool ids, client ids and secrets, subs and codes, so a run that sends the same
    /// requests in the same order (per pool) gets the same values. Request ids stay random.
    pub seed: Option<u64>,
    /// Wrong codes a user may give per hour before LimitExceededException: Cognito's
    /// documented 15 ConfirmSignUp attempts per user per hour (spec §4.5). 0 turns it off.
    pub attempt_limit: u32,
    /// Faults injected into `POST /` (see [`Faults`]); `None` serves every request normally.
    pub faults: Option<Faults>,
    /// Request-rate quotas by category (spec §4.5); none by default, since a load test
    /// measures the emulator rather than AWS's limits.
    pub quotas: Quotas,
    /// Whether the operations real Cognito authorizes with IAM must be signed, and with which
    /// keys ([`Signatures::Ignored`] by default: anything is accepted, signed or not).
    pub signatures: Signatures,
    /// A Lambda Invoke API where pools' triggers other than the reference one are invoked
    /// (checked with [`check_lambda_endpoint`]); without one they fail to be invoked.
    pub lambda_endpoint: Option<String>,
}

/// Whether `url` can serve as `--lambda-endpoint`; the reason when not.
pub fn check_lambda_endpoint(url: &str) -> Result<(), String> {
    trigger::LambdaEndpoint::new(url).map(|_| ())
}

impl Default for EmulatorConfig {
    fn default() -> Self {
        EmulatorConfig {
            region: "us-east-1".to_owned(),
            seed: None,
            attempt_limit: 15,
            faults: None,
            quotas: Quotas::default(),
            signatures: Signatures::Ignored,
            lambda_endpoint: None,
        }
    }
}

impl Emulator {
    /// A fresh emulator. Its faults' stall windows are counted from this moment.
    pub fn new(config: EmulatorConfig) -> Emulator {
        Emulator {
            shared: Arc::new(Shared::new(
                config.region,
                config.seed,
                config.attempt_limit,
            )),
            faults: config
                .faults
                .filter(Faults::is_active)
                .map(|f| Arc::new(FaultState::new(f))),
            signatures: Arc::new(config.signatures),
            quotas: (!config.quotas.is_empty()).then(|| Arc::new(QuotaState::new(&config.quotas))),
            // Checked by whoever took the URL (the command line, the scenario).
            lambda: config
                .lambda_endpoint
                .as_deref()
                .and_then(|u| trigger::LambdaEndpoint::new(u).ok())
                .map(Arc::new),
        }
    }

    /// All routes: `POST /` for the operations, plus the `/_emulator/…` side routes.
    pub fn router(&self) -> axum::Router {
        server::router(self.clone())
    }

    /// The current confirmation code of a user (by username, sub or sign-in value), as the
    /// codes route gives it, for in-process callers.
    pub fn current_code(&self, user_pool_id: &str, username: &str) -> Option<String> {
        users::current_code(&self.shared, user_pool_id, username)
    }

    /// Moves the emulator clock forward, as the clock route does. Returns the new total
    /// offset in seconds, or `None` when it would pass the supported range.
    pub fn advance_clock(&self, seconds: u64) -> Option<u64> {
        self.shared.clock.advance(seconds)
    }

    /// How far the emulator clock has been moved forward, in seconds.
    pub fn clock_offset_secs(&self) -> u64 {
        self.shared.clock.offset_secs()
    }

    /// Lets requests held by the `hang` fault go (their connections are dropped unanswered),
    /// so that a graceful shutdown can finish. [`start`] and [`serve`] call it on shutdown;
    /// callers serving [`Emulator::router`] themselves should too.
    pub fn release_hung_requests(&self) {
        if let Some(f) = &self.faults {
            f.release_hangs();
        }
    }
}

/// An emulator serving on a tokio task. Dropping it also stops the server (without waiting).
pub struct RunningEmulator {
    pub addr: SocketAddr,
    emulator: Emulator,
    shutdown: oneshot::Sender<()>,
    join: JoinHandle<std::io::Result<()>>,
}

impl RunningEmulator {
    /// `http://127.0.0.1:PORT` (an unspecified bind address is reached through loopback).
    pub fn endpoint(&self) -> String {
        let mut addr = self.addr;
        if addr.ip().is_unspecified() {
            addr.set_ip(match addr {
                SocketAddr::V4(_) => std::net::Ipv4Addr::LOCALHOST.into(),
                SocketAddr::V6(_) => std::net::Ipv6Addr::LOCALHOST.into(),
            });
        }
        format!("http://{addr}")
    }

    /// The served state, for in-process access (codes, clock).
    pub fn emulator(&self) -> &Emulator {
        &self.emulator
    }

    /// Graceful stop: no new connections, in-flight requests finish, then the task ends.
    pub async fn shutdown(self) {
        let RunningEmulator { shutdown, join, .. } = self;
        let _ = shutdown.send(());
        let _ = join.await;
    }
}

/// Binds `addr` (port 0 = ephemeral), spawns the server on the current tokio runtime,
/// returns at once.
pub async fn start(config: EmulatorConfig, addr: SocketAddr) -> std::io::Result<RunningEmulator> {
    let listener = TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let emulator = Emulator::new(config);
    let (tx, rx) = oneshot::channel::<()>();
    // The sender firing or being dropped both stop the server.
    let join = tokio::spawn(serve_emulator(emulator.clone(), listener, async {
        let _ = rx.await;
    }));
    Ok(RunningEmulator {
        addr,
        emulator,
        shutdown: tx,
        join,
    })
}

/// Serves until `shutdown` resolves (the CLI passes ctrl-c); used by `cogbench emulator --port N`.
pub async fn serve(
    config: EmulatorConfig,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    serve_emulator(Emulator::new(config), listener, shutdown).await
}

async fn serve_emulator(
    emulator: Emulator,
    listener: TcpListener,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    use axum::serve::ListenerExt;
    let router = emulator.router();
    // Hung requests would otherwise keep a graceful shutdown waiting forever.
    let shutdown = async move {
        shutdown.await;
        emulator.release_hung_requests();
    };
    // Small request/response exchanges: do not let Nagle's algorithm hold answers back.
    let listener = listener.tap_io(|stream| {
        let _ = stream.set_nodelay(true);
    });
    axum::serve(listener, router)
        .with_graceful_shutdown(shutdown)
        .await
}

//! The emulator handle, apart from its constructor (emulator/mod.rs) so that the server, which
//! serves it, and the module that builds it do not import each other.

use std::sync::Arc;

use super::faults::FaultState;
use super::quota::QuotaState;
use super::signature::Signatures;
use super::state::Shared;

/// One emulator's state; cheap to clone (an `Arc`).
#[derive(Clone)]
pub struct Emulator {
    pub(super) shared: Arc<Shared>,
    /// `None` unless some fault is active: the request path checks only this `Option`.
    pub(super) faults: Option<Arc<FaultState>>,
    /// What signed operations must carry (`--require-signature`).
    pub(super) signatures: Arc<Signatures>,
    /// `None` unless some quota is set (`--quota`).
    pub(super) quotas: Option<Arc<QuotaState>>,
    /// Where triggers other than the reference one are invoked (`--lambda-endpoint`).
    pub(super) lambda: Option<Arc<super::trigger::LambdaEndpoint>>,
}

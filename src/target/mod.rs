//! Where requests go and what that target can do: the embedded emulator started in-process,
//! or a running emulator at a URL.

pub mod api;
pub mod codes;
pub mod credentials;
pub mod provision;
pub mod sigv4;

use crate::cases::Capability;
use crate::emulator::{self, EmulatorConfig, RunningEmulator};
use crate::scenario::Plan;

pub use api::{Api, ApiError};
pub use credentials::CredentialsLoadError;
pub use provision::{Fixtures, ProvisionError};
pub use sigv4::Signer;

pub struct Target {
    pub kind: &'static str,
    pub endpoint: String,
    pub capabilities: Vec<Capability>,
    embedded: Option<RunningEmulator>,
}

impl Target {
    pub async fn start(plan: &Plan) -> std::io::Result<Target> {
        let (endpoint, embedded) = match &plan.target.endpoint {
            None => {
                let config = EmulatorConfig {
                    region: plan.region.clone(),
                    faults: plan.target.faults.as_deref().map(|spec| {
                        emulator::Faults::parse([spec]).expect("checked when the scenario loaded")
                    }),
                    ..EmulatorConfig::default()
                };
                let running =
                    emulator::start(config, "127.0.0.1:0".parse().expect("a socket address"))
                        .await?;
                (running.endpoint(), Some(running))
            }
            Some(endpoint) => (endpoint.clone(), None),
        };
        Ok(Target {
            kind: plan.target.kind(),
            endpoint,
            capabilities: plan.target.capabilities(),
            embedded,
        })
    }

    pub async fn stop(self) {
        if let Some(e) = self.embedded {
            e.shutdown().await;
        }
    }
}

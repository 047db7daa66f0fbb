//! The target a run sends to: the embedded emulator started in-process, or the address of a
//! running one.

use crate::cases::Capability;
use crate::emulator::{self, EmulatorConfig, RunningEmulator};
use crate::scenario::Plan;

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
                    quotas: match plan.target.quota.as_deref() {
                        Some(spec) => emulator::Quotas::parse([spec])
                            .expect("checked when the scenario loaded"),
                        None => emulator::Quotas::default(),
                    },
                    lambda_endpoint: plan.target.lambda_endpoint.clone(),
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

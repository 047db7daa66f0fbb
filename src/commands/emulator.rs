//! `emulator`: the reference emulator served for other tools.

use crate::emulator::{EmulatorConfig, Faults};
use crate::errln;
use crate::exit::Failure;
use crate::exit_codes::EXIT_INTERRUPTED;
use crate::interrupt::Interrupts;

pub async fn emulator(
    host: &str,
    port: u16,
    region: String,
    attempt_limit: u32,
    faults: &[String],
    interrupts: Interrupts,
) -> Result<i32, Failure> {
    let faults = if faults.is_empty() {
        None
    } else {
        Some(
            Faults::parse(faults.iter().map(String::as_str))
                .map_err(|e| Failure::BadInput(format!("--faults: {e}")))?,
        )
    };
    let listener = tokio::net::TcpListener::bind((host, port))
        .await
        .map_err(|e| Failure::Target(format!("cannot listen on {host}:{port}: {e}")))?;
    let addr = listener
        .local_addr()
        .map(|a| a.to_string())
        .unwrap_or_default();
    let faults_note = faults
        .as_ref()
        .map_or(String::new(), |f| format!(", faults {f}"));
    errln!(
        "cogbench emulator: listening on http://{addr} (region {region}{faults_note}); Ctrl-C stops it"
    );
    let config = EmulatorConfig {
        region,
        attempt_limit,
        faults,
        ..Default::default()
    };
    let shutdown = async move { interrupts.nth(1).await };
    crate::emulator::serve(config, listener, shutdown)
        .await
        .map_err(|e| Failure::Failed(format!("emulator stopped: {e}")))?;
    // Stopping is what Ctrl-C and SIGTERM are for here; 130 says how it ended.
    Ok(EXIT_INTERRUPTED)
}

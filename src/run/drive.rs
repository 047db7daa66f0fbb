//! The load: the phases one after another on the engine, with the progress monitor, the
//! interval log and the Ctrl-C handling that stops them.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, SystemTime};

use crate::engine::{Engine, PhaseOutcome};
use crate::interrupt::Interrupts;
use crate::progress::{self, Monitor};
use crate::report::{self, Summary, export::Format};
use crate::scenario::{Plan, units::format_duration};

/// Runs `plan`'s phases on `engine` until they end or an interrupt stops them. The phases'
/// outcomes, and whether an interrupt came.
pub(super) async fn drive(
    plan: &Plan,
    engine: &Arc<Engine>,
    interrupts: &Interrupts,
    progress: progress::Mode,
    grace: Duration,
    report_dir: &Path,
    started_at: SystemTime,
) -> (Vec<PhaseOutcome>, bool) {
    let interrupted = Arc::new(AtomicBool::new(false));
    let signals = spawn_signal_listener(
        engine.clone(),
        interrupts.clone(),
        interrupted.clone(),
        grace,
    );
    if plan.reports.contains(&Format::Hlog) {
        let names = engine.cases().iter().map(|c| c.id.clone()).collect();
        match report::hlog::HlogStream::new(report_dir, names, started_at) {
            Ok(stream) => engine.recorder.stream_intervals(Box::new(stream)),
            Err(e) => crate::errln!(
                "cogbench: warning: no interval logs: cannot write to {}: {e}",
                report_dir.display()
            ),
        }
    }
    let cycle = engine.cycle_len();
    let planned: Option<u64> = plan.phases.iter().map(|p| p.starts(cycle)).sum();
    let monitor = Monitor::start(engine.clone(), progress, planned);
    let mut phases = Vec::new();
    for phase in &plan.phases {
        if engine.stopping() {
            break;
        }
        phases.push(engine.run_phase(phase).await);
    }
    // No more users are wanted: the sign-up workers stop before the pool may be deleted.
    engine.stop_supplies();
    monitor.finish().await;
    signals.abort();
    (phases, interrupted.load(Ordering::SeqCst))
}

/// A target that went away before the load and never accepted one of its connections was not
/// measured: the run says so and exits 3, instead of reporting a load of errors.
pub(super) fn never_connected(summary: &mut Summary, engine: &Engine, endpoint: &str) {
    let sent = engine.sent.load(Ordering::Relaxed);
    if sent == 0 || engine.ever_connected() || summary.interrupted {
        return;
    }
    // The transport errors say why: nothing listening, or a certificate the client refused.
    let because: Vec<String> = summary
        .transport_errors
        .iter()
        .filter_map(|e| Some(format!("{}: {}", e.kind, e.first_message.as_deref()?)))
        .collect();
    let because = if because.is_empty() {
        String::new()
    } else {
        format!(" ({})", because.join("; "))
    };
    let why = format!(
        "the target {endpoint} never accepted a connection: none of the {sent} requests sent reached it{because}"
    );
    crate::errln!("cogbench: error: {why}");
    summary.aborted = Some(why);
    summary.partial = true;
    summary.exit_code = crate::exit_codes::EXIT_TARGET;
}

/// First Ctrl-C or SIGTERM: stop scheduling, give the requests in flight `grace` to finish,
/// then stop waiting for them. A second one stops waiting at once. Either way the reports are
/// written, marked partial, and the exit code is 130.
fn spawn_signal_listener(
    engine: Arc<Engine>,
    interrupts: Interrupts,
    interrupted: Arc<AtomicBool>,
    grace: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        interrupts.nth(1).await;
        // Stopped before counting: nothing starts after the count is read, so the requests
        // abandoned later can only be fewer than those said to be in flight now.
        engine.request_stop();
        interrupted.store(true, Ordering::SeqCst);
        crate::errln!(
            "\ncogbench: interrupted; {} requests in flight get {} to finish, then partial reports are written (Ctrl-C again: at once)",
            engine.in_flight(),
            format_duration(grace)
        );
        tokio::select! {
            () = interrupts.nth(2) => crate::errln!(
                "cogbench: interrupted again; writing the reports now ({} requests abandoned in flight)",
                engine.in_flight()
            ),
            () = tokio::time::sleep(grace) => crate::errln!(
                "cogbench: grace period over; writing the reports now ({} requests abandoned in flight)",
                engine.in_flight()
            ),
        }
        engine.abandon_in_flight();
    })
}

//! Ctrl-C and SIGTERM, listened for from a command's first step: an interrupt that comes
//! while users are being provisioned (or credentials read, or the emulator started) must
//! still clean up and write partial reports, not kill the process with the pool left behind.

use tokio::sync::watch;

/// How many interrupts (SIGINT, SIGTERM or SIGHUP) the process has received; clones share the count.
#[derive(Debug, Clone)]
pub struct Interrupts {
    count: watch::Receiver<u32>,
    /// Keeps the channel open for `Interrupts::never`, whose count never moves.
    _never: Option<std::sync::Arc<watch::Sender<u32>>>,
}

impl Interrupts {
    /// Installs the handlers now (they replace the default action at once, so a signal that
    /// arrives from here on is counted, not fatal). Must be called inside the runtime.
    ///
    /// SIGINT is heard even when it was ignored at start, as a shell starts the background
    /// jobs of a non-interactive script: whoever sends it to cogbench (`timeout -s INT`, a CI
    /// runner, the script's own Ctrl-C) wants the run stopped and its pool deleted, and a
    /// run that went on would leave the pool to outlive the script.
    pub fn listen() -> Interrupts {
        let (tx, rx) = watch::channel(0u32);
        spawn_listener(tx);
        Interrupts {
            count: rx,
            _never: None,
        }
    }

    /// Interrupts that never come (library callers that run several runs in one process).
    pub fn never() -> Interrupts {
        let (tx, rx) = watch::channel(0u32);
        Interrupts {
            count: rx,
            _never: Some(std::sync::Arc::new(tx)),
        }
    }

    /// Interrupts received so far.
    pub fn count(&self) -> u32 {
        *self.count.borrow()
    }

    /// Resolves once `n` interrupts in all have been received.
    pub async fn nth(&self, n: u32) {
        let mut rx = self.count.clone();
        if rx.wait_for(|c| *c >= n).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}

#[cfg(unix)]
fn spawn_listener(tx: watch::Sender<u32>) {
    use tokio::signal::unix::{SignalKind, signal};
    // Registered here, not in the task: the handlers are in place when `listen` returns.
    let mut int = signal(SignalKind::interrupt()).ok();
    let mut term = signal(SignalKind::terminate()).ok();
    // A closed terminal or a dropped ssh session: the run's pools must not outlive it either.
    let mut hup = signal(SignalKind::hangup()).ok();
    tokio::spawn(async move {
        loop {
            let got = tokio::select! {
                g = next(&mut int) => g,
                g = next(&mut term) => g,
                g = next(&mut hup) => g,
            };
            if got.is_none() {
                return;
            }
            tx.send_modify(|n| *n += 1);
        }
    });
}

/// The next signal of a kind; never, when its handler could not be installed.
#[cfg(unix)]
async fn next(s: &mut Option<tokio::signal::unix::Signal>) -> Option<()> {
    match s.as_mut() {
        Some(s) => s.recv().await,
        None => std::future::pending().await,
    }
}

#[cfg(not(unix))]
fn spawn_listener(tx: watch::Sender<u32>) {
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            tx.send_modify(|n| *n += 1);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn interrupts_that_never_come_never_resolve() {
        let never = Interrupts::never();
        assert_eq!(never.count(), 0);
        let waited = tokio::time::timeout(std::time::Duration::from_millis(20), never.nth(1)).await;
        assert!(waited.is_err());
    }
}

//! Ctrl-C and SIGTERM, listened for from a command's first step: an interrupt that comes
//! while users are being provisioned (or credentials read, or the emulator started) must
//! still clean up and write partial reports, not kill the process with the pool left behind.

use tokio::sync::watch;

/// How many interrupts (SIGINT or SIGTERM) the process has received; clones share the count.
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
    /// A SIGINT that was ignored when the process started stays ignored: a shell starts a
    /// background job of a non-interactive script that way so that the terminal's Ctrl-C
    /// reaches the script, not the job. SIGTERM, the way to stop such a job, is always heard.
    pub fn listen() -> Interrupts {
        let (tx, rx) = watch::channel(0u32);
        let listen_int = !sigint_ignored_at_start();
        spawn_listener(tx, listen_int);
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
fn spawn_listener(tx: watch::Sender<u32>, listen_int: bool) {
    use tokio::signal::unix::{SignalKind, signal};
    // Registered here, not in the task: the handlers are in place when `listen` returns.
    let mut int = if listen_int {
        signal(SignalKind::interrupt()).ok()
    } else {
        None
    };
    let mut term = signal(SignalKind::terminate()).ok();
    tokio::spawn(async move {
        loop {
            let int = async {
                match int.as_mut() {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            };
            let term = async {
                match term.as_mut() {
                    Some(s) => s.recv().await,
                    None => std::future::pending().await,
                }
            };
            let got = tokio::select! {
                g = int => g,
                g = term => g,
            };
            if got.is_none() {
                return;
            }
            tx.send_modify(|n| *n += 1);
        }
    });
}

#[cfg(not(unix))]
fn spawn_listener(tx: watch::Sender<u32>, _listen_int: bool) {
    tokio::spawn(async move {
        while tokio::signal::ctrl_c().await.is_ok() {
            tx.send_modify(|n| *n += 1);
        }
    });
}

/// Whether SIGINT was ignored when the process started, read from the kernel's account of
/// the process (Linux); elsewhere it is taken as not ignored.
fn sigint_ignored_at_start() -> bool {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| ignored_in_status(&s))
        .unwrap_or(false)
}

/// SIGINT's bit (signal 2) in the `SigIgn:` mask of a `/proc/<pid>/status` text.
fn ignored_in_status(status: &str) -> Option<bool> {
    let mask = status.lines().find_map(|l| l.strip_prefix("SigIgn:"))?;
    let mask = u64::from_str_radix(mask.trim(), 16).ok()?;
    Some(mask & (1 << (2 - 1)) != 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ignored_mask_is_read_for_sigint_only() {
        assert_eq!(
            ignored_in_status("Name:\tx\nSigIgn:\t0000000000000002\n"),
            Some(true)
        );
        assert_eq!(
            ignored_in_status("SigIgn:\t0000000000001000\n"),
            Some(false)
        );
        assert_eq!(ignored_in_status("SigIgn:\t0000000000000006\n"), Some(true));
        assert_eq!(ignored_in_status("Name:\tx\n"), None);
    }

    #[tokio::test]
    async fn interrupts_that_never_come_never_resolve() {
        let never = Interrupts::never();
        assert_eq!(never.count(), 0);
        let waited = tokio::time::timeout(std::time::Duration::from_millis(20), never.nth(1)).await;
        assert!(waited.is_err());
    }
}

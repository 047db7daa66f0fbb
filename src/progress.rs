//! The live view of a run and the once-a-second timeline tick: an indicatif bar on a terminal,
//! a plain line every few seconds otherwise (CI logs), nothing when quiet.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::engine::Engine;
use crate::report::table::ms;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A bar when stderr is a terminal, plain lines otherwise.
    Auto,
    Plain,
    Quiet,
}

const PLAIN_EVERY: Duration = Duration::from_secs(5);

pub struct Monitor {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<()>,
}

impl Monitor {
    pub fn start(engine: Arc<Engine>, mode: Mode, planned: Option<u64>) -> Monitor {
        let (stop, mut stopped) = tokio::sync::oneshot::channel::<()>();
        let bar = match mode {
            Mode::Auto if std::io::stderr().is_terminal() => {
                let bar = match planned {
                    Some(n) => ProgressBar::with_draw_target(Some(n), ProgressDrawTarget::stderr()),
                    None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
                };
                let template = if planned.is_some() {
                    "{elapsed_precise} [{bar:30}] {pos}/{len} {msg}"
                } else {
                    "{elapsed_precise} {spinner} {pos} requests {msg}"
                };
                bar.set_style(
                    ProgressStyle::with_template(template)
                        .expect("a valid template")
                        .progress_chars("=> "),
                );
                Some(bar)
            }
            _ => None,
        };
        let plain = mode == Mode::Plain || (mode == Mode::Auto && bar.is_none());
        let task = tokio::spawn(async move {
            let recorder = &engine.recorder;
            let start = recorder.started();
            let mut second = 0u64;
            let mut last_line = Instant::now();
            let mut last_count = 0u64;
            let mut last_at = Instant::now();
            let mut rps = 0.0;
            let mut ticker = tokio::time::interval(Duration::from_millis(250));
            ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
            loop {
                let finished = tokio::select! {
                    _ = ticker.tick() => false,
                    _ = &mut stopped => true,
                };
                let elapsed = start.elapsed();
                while second < elapsed.as_secs() {
                    second += 1;
                    recorder.tick(second);
                }
                if finished {
                    // The last, partial second.
                    if elapsed.as_secs_f64() > second as f64 {
                        recorder.tick(second + 1);
                    }
                    if let Some(bar) = &bar {
                        bar.finish_and_clear();
                    }
                    return;
                }
                let done = recorder.completed.load(Ordering::Relaxed);
                let dt = last_at.elapsed().as_secs_f64();
                if dt >= 1.0 {
                    rps = (done - last_count) as f64 / dt;
                    last_count = done;
                    last_at = Instant::now();
                }
                let msg = format!(
                    "· {:.0} req/s · errors {} · conformance failures {} · p99 {}",
                    rps,
                    recorder.errors.load(Ordering::Relaxed),
                    recorder.conformance_failures.load(Ordering::Relaxed),
                    ms(recorder.last_p99_us.load(Ordering::Relaxed))
                );
                if let Some(bar) = &bar {
                    bar.set_position(done);
                    bar.set_message(msg);
                } else if plain && last_line.elapsed() >= PLAIN_EVERY {
                    last_line = Instant::now();
                    crate::errln!("[{:>6.1}s] {done} requests {msg}", elapsed.as_secs_f64());
                }
            }
        });
        Monitor { stop, task }
    }

    pub async fn finish(self) {
        let _ = self.stop.send(());
        let _ = self.task.await;
    }
}

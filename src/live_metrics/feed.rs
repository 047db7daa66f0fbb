//! What the endpoint serves from, shared by the server and the run (`RunOptions`): nothing
//! during set-up, the engine while the load goes, the summary's figures once it has ended.

use std::sync::{Arc, Mutex};

use super::collect;
use super::sample::Sample;
use crate::engine::Engine;
use crate::summary::types::Summary;

/// The run's side of the endpoint; clones share it.
#[derive(Clone)]
pub struct Feed(Arc<Shared>);

struct Shared {
    scenario: String,
    source: Mutex<Source>,
    final_read: tokio::sync::watch::Sender<bool>,
}

enum Source {
    /// Set-up: no engine yet, so no cases.
    Waiting,
    Live(Arc<Engine>),
    Finished(Arc<Sample>),
}

impl std::fmt::Debug for Feed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Feed")
            .field("scenario", &self.0.scenario)
            .finish_non_exhaustive()
    }
}

impl Feed {
    pub(super) fn new(scenario: &str) -> Feed {
        Feed(Arc::new(Shared {
            scenario: scenario.to_owned(),
            source: Mutex::new(Source::Waiting),
            final_read: tokio::sync::watch::Sender::new(false),
        }))
    }

    fn source(&self) -> std::sync::MutexGuard<'_, Source> {
        self.0.source.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Scrapes read `engine` from now on.
    pub fn attach(&self, engine: &Arc<Engine>) {
        *self.source() = Source::Live(engine.clone());
    }

    /// The run has ended: scrapes read its summary's figures from now on (the engine is let go).
    pub fn finish(&self, summary: &Summary) {
        let mut source = self.source();
        let ids: Vec<String> = match &*source {
            Source::Live(engine) => engine.cases().iter().map(|c| c.id.clone()).collect(),
            Source::Waiting | Source::Finished(_) => Vec::new(),
        };
        *source = Source::Finished(Arc::new(collect::finished(summary, &ids)));
    }

    pub fn is_finished(&self) -> bool {
        matches!(*self.source(), Source::Finished(_))
    }

    /// The figures now, and whether they are the final ones.
    pub(super) fn sample(&self) -> (Sample, bool) {
        // The engine is taken out of the lock before reading it: a scrape holds the feed's
        // lock only to clone a pointer.
        let engine = match &*self.source() {
            Source::Waiting => None,
            Source::Live(engine) => Some(engine.clone()),
            Source::Finished(sample) => return ((**sample).clone(), true),
        };
        let sample = match engine {
            Some(engine) => collect::live(&engine, &self.0.scenario),
            None => Sample {
                scenario: self.0.scenario.clone(),
                ..Sample::default()
            },
        };
        (sample, false)
    }

    /// A whole answer with the final figures went out.
    pub(super) fn final_read(&self) {
        self.0.final_read.send_replace(true);
    }

    pub(super) fn final_read_watch(&self) -> tokio::sync::watch::Receiver<bool> {
        self.0.final_read.subscribe()
    }
}

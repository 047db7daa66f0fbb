//! The one worker pool that signs users up, for a run's fixtures and for `cogbench provision`.

use std::future::Future;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use crate::target_kinds::TargetKind;

/// Sign-ups at once on a target of `kind`: `wanted`, unless the kind cannot take that many.
pub fn signup_workers(kind: TargetKind, wanted: usize) -> usize {
    kind.max_signup_workers.unwrap_or(wanted)
}

/// Runs jobs `0..count` on at most `workers` tasks, each taking the next job when it is done
/// with one. After the first failure no job is started; the first error is returned.
/// Results come back in job order.
pub async fn run_jobs<T, E, F, Fut>(count: usize, workers: usize, job: F) -> Result<Vec<T>, E>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<T, E>> + Send,
    T: Send + 'static,
    E: Send + 'static,
{
    let job = Arc::new(job);
    let next = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicBool::new(false));
    let mut set = tokio::task::JoinSet::new();
    for _ in 0..workers.min(count) {
        let (job, next, failed) = (job.clone(), next.clone(), failed.clone());
        set.spawn(async move {
            let mut done = Vec::new();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= count || failed.load(Ordering::Relaxed) {
                    return Ok(done);
                }
                match job(i).await {
                    Ok(out) => done.push((i, out)),
                    Err(e) => {
                        failed.store(true, Ordering::Relaxed);
                        return Err(e);
                    }
                }
            }
        });
    }
    let mut all = Vec::with_capacity(count);
    let mut first_error = None;
    while let Some(joined) = set.join_next().await {
        match joined.expect("sign-up workers do not panic") {
            Ok(done) => all.extend(done),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if let Some(e) = first_error {
        return Err(e);
    }
    all.sort_by_key(|(i, _)| *i);
    Ok(all.into_iter().map(|(_, out)| out).collect())
}

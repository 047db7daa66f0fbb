//! The load runs on lanes: one OS thread per core, each with a single-threaded runtime of its
//! own, each running its share of the virtual users (or of the open model's starts) over its
//! own connections, as wrk runs one event loop per thread.
//!
//! Why: on the shared multi-threaded runtime, a connection's answer woke its task on whichever
//! worker polled the reactor, and idle workers were woken to steal work. Against nginx with
//! two workers on this 2-core machine that cross-thread traffic (futex wake-ups, task
//! migration, a connection's cache lines moving between cores) cost about a fifth of the
//! requests per second wrk reached. A lane's tasks, connections, timer and reactor stay on
//! one thread: an answer is read by the thread whose epoll saw it.
//!
//! The lanes start on first use and live as long as the process: a run that ends leaves them
//! idle (parked in epoll), costing nothing.

use std::cell::Cell;
use std::sync::OnceLock;

use tokio::runtime::Handle;

thread_local! {
    static LANE: Cell<Option<usize>> = const { Cell::new(None) };
}

static LANES: OnceLock<Vec<Handle>> = OnceLock::new();

/// The number of lanes instead of one per core (as wrk's `-t`): where the target shares the
/// machine, fewer lanes than cores can leave it a core of its own. A value that is not a
/// number from 1 to `MAX_LANES` is ignored.
pub const THREADS_VAR: &str = "COGBENCH_THREADS";
const MAX_LANES: usize = 256;

/// How many lanes the load runs on: one per core the process may use, or `COGBENCH_THREADS`.
pub(crate) fn count() -> usize {
    handles().len()
}

/// The lanes' runtimes, started on first call.
pub(crate) fn handles() -> &'static [Handle] {
    LANES.get_or_init(|| {
        let n = std::env::var(THREADS_VAR)
            .ok()
            .and_then(|v| v.trim().parse::<usize>().ok())
            .filter(|n| (1..=MAX_LANES).contains(n))
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()));
        (0..n).map(start).collect()
    })
}

/// The lane `i` of `count()` for the `i`-th virtual user or start, round robin.
pub(crate) fn handle_for(i: u64) -> &'static Handle {
    let h = handles();
    &h[(i % h.len() as u64) as usize]
}

/// The lane the calling thread runs, `None` off the lanes (set-up, read-backs, tests).
pub(crate) fn current() -> Option<usize> {
    LANE.with(Cell::get)
}

fn start(i: usize) -> Handle {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(format!("cogbench-lane-{i}"))
        .spawn(move || {
            LANE.with(|l| l.set(Some(i)));
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for a load lane");
            let _ = tx.send(runtime.handle().clone());
            runtime.block_on(std::future::pending::<()>());
        })
        .expect("a thread for a load lane");
    rx.recv().expect("the lane's thread hands back its runtime")
}

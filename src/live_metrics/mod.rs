//! Live metrics (`--metrics-listen ADDR:PORT`): the run's counters, latency histograms and
//! pacing gauges served for Prometheus to scrape while the run goes. A scrape reads what the
//! progress monitor reads (the recorder's cases, each under its own lock for one pass over its
//! histograms, and the engine's atomics): nothing is added per request. Once the run has
//! ended, the figures served are summary.json's, and the endpoint stays up until one scrape
//! has read them (at most `--metrics-linger`), so that Prometheus's last sample holds the
//! totals.

mod collect;
pub mod exposition;
mod feed;
pub mod sample;
mod server;

use std::net::SocketAddr;
use std::time::Duration;

use crate::interrupt::Interrupts;
pub use feed::Feed;

/// How long the final figures are served, by default, for a scraper that has not read them.
pub const DEFAULT_LINGER: Duration = Duration::from_secs(15);

/// The listening endpoint; the server stops when it is dropped.
pub struct Endpoint {
    feed: Feed,
    addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Endpoint {
    /// Binds `addr` now, before anything is sent anywhere, and serves from the feed. Must be
    /// called inside the runtime.
    pub fn bind(addr: SocketAddr, scenario: &str) -> Result<Endpoint, String> {
        let listen = || -> std::io::Result<tokio::net::TcpListener> {
            let listener = std::net::TcpListener::bind(addr)?;
            listener.set_nonblocking(true)?;
            tokio::net::TcpListener::from_std(listener)
        };
        let listener =
            listen().map_err(|e| format!("--metrics-listen {addr}: cannot listen: {e}"))?;
        let addr = listener.local_addr().unwrap_or(addr);
        let feed = Feed::new(scenario);
        let task = tokio::spawn(server::serve(listener, feed.clone()));
        Ok(Endpoint { feed, addr, task })
    }

    pub fn feed(&self) -> Feed {
        self.feed.clone()
    }

    pub fn url(&self) -> String {
        format!("http://{}/metrics", self.addr)
    }

    /// After the run: serves the final figures until a scrape has read them, `max` has
    /// passed, or an interrupt comes. Returns at once when the run did not finish (an error),
    /// was interrupted, or its figures were read already.
    pub async fn linger(&self, max: Duration, interrupts: &Interrupts) {
        let seen = interrupts.count();
        let mut read = self.feed.final_read_watch();
        if max.is_zero() || seen > 0 || !self.feed.is_finished() || *read.borrow() {
            return;
        }
        crate::errln!(
            "cogbench: serving the final metrics at {} until a scrape reads them (at most {}; Ctrl-C stops)",
            self.url(),
            crate::scenario::units::format_duration(max)
        );
        tokio::select! {
            _ = read.wait_for(|r| *r) => {}
            () = tokio::time::sleep(max) => crate::errln!(
                "cogbench: the final metrics were not scraped within {}",
                crate::scenario::units::format_duration(max)
            ),
            () = interrupts.nth(seen + 1) => {}
        }
    }
}

impl Drop for Endpoint {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests;

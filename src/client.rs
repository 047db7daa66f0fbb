//! The one place HTTP clients are built: the rustls crypto provider must be installed before
//! the first reqwest client exists, and loopback targets must never go through a proxy.

use std::sync::Once;
use std::time::Duration;

/// Connection settings named as the AWS CLI names them.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// `--cli-connect-timeout`.
    pub connect_timeout: Duration,
    /// `--cli-read-timeout`: the longest wait for a whole answer.
    pub read_timeout: Duration,
    /// Idle keep-alive connections kept per host; sized to the run's concurrency.
    pub pool_size: usize,
    /// HTTP/2 only (with prior knowledge: no HTTP/1.1 upgrade round trip).
    pub http2: bool,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            pool_size: 64,
            http2: false,
        }
    }
}

pub fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Another library may have installed one already; either provider will do.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

pub fn build(settings: &ClientSettings) -> reqwest::Result<reqwest::Client> {
    install_crypto_provider();
    let builder = reqwest::Client::builder();
    let builder = if settings.http2 {
        builder.http2_prior_knowledge()
    } else {
        builder.http1_only()
    };
    builder
        .no_proxy()
        .connect_timeout(settings.connect_timeout)
        .timeout(settings.read_timeout)
        .pool_max_idle_per_host(settings.pool_size)
        .tcp_nodelay(true)
        .user_agent(concat!("cogbench/", env!("CARGO_PKG_VERSION")))
        .build()
}

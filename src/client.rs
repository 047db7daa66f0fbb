//! The one place HTTP clients are built: the rustls crypto provider must be installed before
//! the first reqwest client exists, and loopback targets must never go through a proxy.

use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::Duration;

pub mod failure;
pub mod tls;

/// Connection settings named as the AWS CLI names them.
#[derive(Debug, Clone)]
pub struct ClientSettings {
    /// `--cli-connect-timeout`. `Duration::ZERO` waits for ever (the AWS CLI's `0`).
    pub connect_timeout: Duration,
    /// `--cli-read-timeout`: the longest wait for a whole answer. `Duration::ZERO` waits for
    /// ever (the AWS CLI's `0`).
    pub read_timeout: Duration,
    /// Idle keep-alive connections kept per host; sized to the run's concurrency.
    pub pool_size: usize,
    /// HTTP/2 only (with prior knowledge: no HTTP/1.1 upgrade round trip).
    pub http2: bool,
    /// Verify the server's TLS certificate (`--no-verify-ssl` turns it off).
    pub verify_tls: bool,
    /// `--ca-bundle`: a PEM file whose certificates are the only trusted roots (as the AWS
    /// CLI's bundle replaces its default one).
    pub ca_bundle: Option<PathBuf>,
}

impl Default for ClientSettings {
    fn default() -> Self {
        ClientSettings {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            pool_size: 64,
            http2: false,
            verify_tls: true,
            ca_bundle: None,
        }
    }
}

/// Why no client could be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("CA bundle {} (--ca-bundle or AWS_CA_BUNDLE): {detail}", path.display())]
    CaBundle { path: PathBuf, detail: String },
    #[error("TLS: {0}")]
    Tls(String),
    #[error(transparent)]
    Http(#[from] reqwest::Error),
}

pub fn install_crypto_provider() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Another library may have installed one already; either provider will do.
        let _ = rustls::crypto::ring::default_provider().install_default();
    });
}

/// The certificates of a PEM bundle; an error when the file holds none.
pub fn read_ca_bundle(
    path: &Path,
) -> Result<Vec<rustls::pki_types::CertificateDer<'static>>, BuildError> {
    use rustls::pki_types::pem::PemObject as _;
    let pem = crate::files::read_limited(path, crate::files::CA_BUNDLE_MAX, "PEM bundle").map_err(
        |e| BuildError::CaBundle {
            path: path.to_path_buf(),
            detail: e
                .strip_prefix(&format!("{}: ", path.display()))
                .unwrap_or(&e)
                .to_owned(),
        },
    )?;
    let certs = rustls::pki_types::CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| BuildError::CaBundle {
            path: path.to_path_buf(),
            detail: e.to_string(),
        })?;
    if certs.is_empty() {
        return Err(BuildError::CaBundle {
            path: path.to_path_buf(),
            detail: "no PEM certificate in the file".into(),
        });
    }
    Ok(certs)
}

/// The TLS configuration of `settings` (roots, `--no-verify-ssl`), offering `alpn`: the one
/// reqwest and the lean client both use.
pub fn tls_config(
    settings: &ClientSettings,
    alpn: tls::Alpn,
) -> Result<rustls::ClientConfig, BuildError> {
    let trust = match (&settings.ca_bundle, settings.verify_tls) {
        (_, false) => tls::Trust::Any,
        (Some(path), true) => tls::Trust::Only(read_ca_bundle(path)?),
        (None, true) => tls::Trust::System,
    };
    tls::config(trust, alpn).map_err(|e| match (e, &settings.ca_bundle) {
        (tls::Error::Root(detail), Some(path)) => BuildError::CaBundle {
            path: path.clone(),
            detail,
        },
        (tls::Error::Root(d) | tls::Error::Other(d), _) => BuildError::Tls(d),
    })
}

pub fn build(settings: &ClientSettings) -> Result<reqwest::Client, BuildError> {
    install_crypto_provider();
    let mut builder = reqwest::Client::builder();
    builder = if settings.http2 {
        builder.http2_prior_knowledge()
    } else {
        builder.http1_only()
    };
    if !settings.connect_timeout.is_zero() {
        builder = builder.connect_timeout(settings.connect_timeout);
    }
    if !settings.read_timeout.is_zero() {
        builder = builder.timeout(settings.read_timeout);
    }
    let alpn = if settings.http2 {
        tls::Alpn::Http2
    } else {
        tls::Alpn::Http1
    };
    builder = builder.tls_backend_preconfigured(tls_config(settings, alpn)?);
    // A 3xx is the target's answer, judged like any other: following it would re-send the
    // request (the code in its body) to wherever the target points, as the AWS CLI never
    // does for this POST.
    Ok(builder
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .pool_max_idle_per_host(settings.pool_size)
        .tcp_nodelay(true)
        .user_agent(concat!("cogbench/", env!("CARGO_PKG_VERSION")))
        .build()?)
}

/// Why an answer's body could not be read whole.
#[derive(Debug)]
pub enum BodyError {
    Transport(reqwest::Error),
    /// The target sent more than [`MAX_ANSWER_BYTES`]: the read stopped there.
    TooLarge,
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BodyError::Transport(e) => write!(f, "{}", describe_transport_error(e)),
            BodyError::TooLarge => write!(
                f,
                "body too large: the answer's body passed {} bytes and was cut off",
                MAX_ANSWER_BYTES
            ),
        }
    }
}

/// An answer's body, read up to the load client's cap: a target streaming an endless body
/// would otherwise grow a set-up call, an admin read or confirm-sign-up to gigabytes.
pub async fn read_body(response: &mut reqwest::Response) -> Result<Vec<u8>, BodyError> {
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Transport)? {
        if body.len() + chunk.len() > MAX_ANSWER_BYTES {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// What the judge reads of an answer besides its body: the status and the headers that
/// carry the content type, the request id and the error type.
pub struct AnswerHead {
    pub status: u16,
    pub content_type: Option<String>,
    pub request_id: Option<String>,
    pub error_type: Option<String>,
    /// Whether an `x-amzn-ErrorMessage` header came.
    pub error_message: bool,
}

impl AnswerHead {
    pub fn of(response: &reqwest::Response) -> AnswerHead {
        let headers = response.headers();
        let header = |name: &str| headers.get(name)?.to_str().ok().map(str::to_owned);
        AnswerHead {
            status: response.status().as_u16(),
            content_type: header("content-type"),
            request_id: header(crate::protocol::HEADER_REQUEST_ID),
            error_type: header(crate::protocol::HEADER_ERROR_TYPE),
            error_message: headers.contains_key(crate::protocol::HEADER_ERROR_MESSAGE),
        }
    }
}

/// Answers larger than this are cut off and counted as transport errors: no ConfirmSignUp
/// answer comes near it, and an unbounded read would let a target exhaust memory.
pub const MAX_ANSWER_BYTES: usize = 1 << 20;

/// What a load request cut off at [`MAX_ANSWER_BYTES`] says.
pub const TOO_LARGE: &str = "the answer passed 1048576 bytes (1 MiB) and was cut off";

/// A one-line reason for a failed exchange, from the innermost cause.
pub fn describe_transport_error(e: &reqwest::Error) -> String {
    let kind = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "transport error"
    };
    format!("{kind}: {}", failure::innermost(e))
}

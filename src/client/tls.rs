//! The one TLS configuration of a run, for reqwest and the lean HTTP/1.1 client alike: the
//! roots of `--ca-bundle` (and nothing else) when given, the system's otherwise (through
//! rustls-platform-verifier, as reqwest finds them), or any certificate with
//! `--no-verify-ssl`.

use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{DigitallySignedStruct, SignatureScheme};

/// The application protocol a configuration offers in ALPN.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Alpn {
    Http1,
    Http2,
}

/// Whom the handshake trusts.
pub enum Trust {
    /// The system's roots.
    System,
    /// Only these roots (`--ca-bundle`).
    Only(Vec<CertificateDer<'static>>),
    /// Any certificate (`--no-verify-ssl`).
    Any,
}

/// Why no configuration could be made.
#[derive(Debug)]
pub enum Error {
    /// A bundle's certificate is not a usable root.
    Root(String),
    Other(String),
}

/// The TLS configuration trusting `trust`, offering `alpn`.
pub fn config(trust: Trust, alpn: Alpn) -> Result<rustls::ClientConfig, Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| Error::Other(e.to_string()))?;
    let builder = match trust {
        Trust::Any => builder
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(AnyCertificate(
                provider.signature_verification_algorithms,
            ))),
        Trust::Only(certs) => {
            let mut roots = rustls::RootCertStore::empty();
            for cert in certs {
                roots.add(cert).map_err(|e| {
                    Error::Root(format!("a certificate that is not a usable root: {e}"))
                })?;
            }
            builder.with_root_certificates(roots)
        }
        Trust::System => {
            let system = rustls_platform_verifier::Verifier::new(provider)
                .map_err(|e| Error::Other(format!("the system's roots: {e}")))?;
            builder
                .dangerous()
                .with_custom_certificate_verifier(Arc::new(system))
        }
    };
    let mut config = builder.with_no_client_auth();
    config.alpn_protocols = vec![match alpn {
        Alpn::Http1 => b"http/1.1".to_vec(),
        Alpn::Http2 => b"h2".to_vec(),
    }];
    Ok(config)
}

/// The server's name as the handshake checks it and sends it in SNI (an IP address is
/// checked against the certificate but, as RFC 6066 says, not sent).
pub fn server_name(url: &reqwest::Url) -> Option<ServerName<'static>> {
    let host = url.host_str()?;
    let host = host
        .strip_prefix('[')
        .and_then(|h| h.strip_suffix(']'))
        .unwrap_or(host);
    ServerName::try_from(host.to_owned()).ok()
}

/// `--no-verify-ssl`: any certificate is taken, but the handshake's signatures are still
/// checked against it, so the peer is at least the holder of the key it shows.
#[derive(Debug)]
struct AnyCertificate(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

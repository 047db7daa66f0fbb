//! The lean client over TLS against a loopback TLS server: trust (a CA bundle, an unknown CA,
//! a name the certificate does not hold, `--no-verify-ssl`), keep-alive reuse, a server that
//! closes, and answers too large.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::http1::{Origin, Pool, head};
use super::transport::{Kind, Transport as _};
use crate::client::{ClientSettings, tls};

/// A test CA and a server configuration with a certificate it signed for `names`.
struct Pki {
    ca_pem: String,
    server: Arc<rustls::ServerConfig>,
}

fn pki(names: &[&str]) -> Pki {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    ca_params.distinguished_name.push(
        rcgen::DnType::CommonName,
        format!("cogbench test CA {}", fastrand::u64(..)),
    );
    let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let names: Vec<String> = names.iter().map(|n| (*n).to_owned()).collect();
    let leaf = rcgen::CertificateParams::new(names)
        .unwrap()
        .signed_by(&key, &ca)
        .unwrap();
    let server = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .unwrap()
    .with_no_client_auth()
    .with_single_cert(
        vec![leaf.der().clone(), ca.der().clone()],
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())),
    )
    .unwrap();
    Pki {
        ca_pem: ca.pem(),
        server: Arc::new(server),
    }
}

/// What the stub server does with each connection's requests.
#[derive(Clone, Copy)]
enum Behaviour {
    /// `200 {}` to every request; with `Some(n)`, the n-th answer on a connection says
    /// `Connection: close` and the server closes it (close_notify, then FIN).
    Answer(Option<usize>),
    /// Half an answer, then close_notify.
    Half,
    /// A body announced at 2 MiB.
    Huge,
    /// A chunked body that never ends.
    Endless,
}

/// A TLS server on 127.0.0.1; returns its port and the count of handshakes it completed.
async fn server(config: Arc<rustls::ServerConfig>, how: Behaviour) -> (u16, Arc<AtomicUsize>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let handshakes = Arc::new(AtomicUsize::new(0));
    let counted = handshakes.clone();
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    tokio::spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            let counted = counted.clone();
            tokio::spawn(async move {
                let Ok(mut s) = acceptor.accept(tcp).await else {
                    return;
                };
                counted.fetch_add(1, Ordering::SeqCst);
                let mut served = 0usize;
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                loop {
                    // One whole request: its head, then Content-Length bytes.
                    let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") else {
                        match s.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                        continue;
                    };
                    let text = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
                    let length: usize = text
                        .lines()
                        .find_map(|l| l.strip_prefix("content-length:"))
                        .map_or(0, |v| v.trim().parse().unwrap_or(0));
                    while buf.len() < end + 4 + length {
                        match s.read(&mut chunk).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    buf.drain(..end + 4 + length);
                    served += 1;
                    match how {
                        Behaviour::Answer(limit) => {
                            let last = limit.is_some_and(|n| served >= n);
                            let answer = format!(
                                "HTTP/1.1 200 OK\r\nContent-Type: application/x-amz-json-1.1\r\nx-amzn-RequestId: r-{served}\r\n{}Content-Length: 2\r\n\r\n{{}}",
                                if last { "Connection: close\r\n" } else { "" }
                            );
                            if s.write_all(answer.as_bytes()).await.is_err() {
                                return;
                            }
                            if last {
                                let _ = s.shutdown().await;
                                return;
                            }
                        }
                        Behaviour::Half => {
                            let _ = s
                                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n{}")
                                .await;
                            let _ = s.shutdown().await;
                            return;
                        }
                        Behaviour::Huge => {
                            let _ = s
                                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2097152\r\n\r\n")
                                .await;
                            let _ = s.write_all(&vec![b'x'; 64 * 1024]).await;
                            return;
                        }
                        Behaviour::Endless => {
                            let _ = s
                                .write_all(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
                                .await;
                            let piece = format!("4000\r\n{}\r\n", "x".repeat(0x4000));
                            while s.write_all(piece.as_bytes()).await.is_ok() {}
                            return;
                        }
                    }
                }
            });
        }
    });
    (port, handshakes)
}

/// The lean pool for `url` with the TLS configuration `settings` give, `size` connections.
fn pool(url: &str, settings: &ClientSettings, size: usize) -> (Pool, Vec<u8>) {
    let origin = Origin::of(&reqwest::Url::parse(url).unwrap()).unwrap();
    let config = crate::client::tls_config(settings, tls::Alpn::Http1).unwrap();
    let h = head(
        &origin,
        "POST",
        "application/x-amz-json-1.1",
        Some("X.Y"),
        &[],
    );
    let p = Pool::new(
        origin,
        Some(Arc::new(config)),
        size,
        Duration::from_secs(5),
        Duration::from_secs(5),
    );
    (p, h)
}

fn bundle(dir: &tempfile::TempDir, pem: &str) -> ClientSettings {
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, pem).unwrap();
    ClientSettings {
        ca_bundle: Some(path),
        ..Default::default()
    }
}

/// How one request on `pool` failed (it must), with the message a run would report.
async fn refused(pool: &Pool, h: &[u8]) -> (Kind, String) {
    let _slot = pool.slot().await;
    let f = pool.on_connection(h, b"{}", true).await.err().unwrap();
    let first = crate::client::failure::FirstFailures::new(std::time::Instant::now());
    first.note(f.kind, &f.cause);
    (f.kind, first.first(f.kind).unwrap().message.clone())
}

/// Many requests over few handshakes: one per connection, however many requests, and each
/// answer whole.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_over_tls_reuse_their_connections() {
    let pki = pki(&["127.0.0.1", "localhost"]);
    let (port, handshakes) = server(pki.server.clone(), Behaviour::Answer(None)).await;
    let dir = tempfile::tempdir().unwrap();
    let (pool, h) = pool(
        &format!("https://127.0.0.1:{port}/"),
        &bundle(&dir, &pki.ca_pem),
        2,
    );
    let pool = Arc::new(pool);
    let h = Arc::new(h);
    let mut tasks = Vec::new();
    for _ in 0..2 {
        let (pool, h) = (pool.clone(), h.clone());
        tasks.push(tokio::spawn(async move {
            for _ in 0..50 {
                let _slot = pool.slot().await;
                let a = pool.on_connection(&h, b"{}", true).await.ok().unwrap();
                assert_eq!((a.status, a.body.as_slice()), (200, b"{}".as_slice()));
                assert!(a.request_id.is_some_and(|r| r.starts_with("r-")));
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let setup = pool.setup().unwrap();
    assert!(setup.tls);
    let made = handshakes.load(Ordering::SeqCst);
    assert!(
        (1..=2).contains(&made),
        "{made} handshakes for 100 requests"
    );
    assert_eq!(
        setup.histogram.len(),
        made as u64,
        "one set-up per connection"
    );
    assert!(pool.ever_connected());
}

/// The name in the URL is what the certificate is checked against (and sent in SNI).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_domain_name_is_checked_and_sent() {
    let pki = pki(&["localhost"]);
    let (port, _) = server(pki.server.clone(), Behaviour::Answer(None)).await;
    let dir = tempfile::tempdir().unwrap();
    let settings = bundle(&dir, &pki.ca_pem);
    let (pool, h) = pool(&format!("https://localhost:{port}/"), &settings, 1);
    let _slot = pool.slot().await;
    let a = pool.on_connection(&h, b"{}", true).await.ok().unwrap();
    assert_eq!(a.status, 200);

    // The same server by its address: the certificate does not hold it.
    let (pool, h) = self::pool(&format!("https://127.0.0.1:{port}/"), &settings, 1);
    let (kind, message) = refused(&pool, &h).await;
    assert_eq!(kind, Kind::Tls);
    assert!(message.contains("not valid for name"), "{message}");
    assert!(
        !pool.ever_connected(),
        "a refused handshake is not a connection"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_ca_is_refused_unless_verification_is_off() {
    let pki = pki(&["127.0.0.1"]);
    let stranger = self::pki(&["127.0.0.1"]);
    let (port, handshakes) = server(pki.server.clone(), Behaviour::Answer(None)).await;
    let url = format!("https://127.0.0.1:{port}/");
    let dir = tempfile::tempdir().unwrap();
    let (pool, h) = pool(&url, &bundle(&dir, &stranger.ca_pem), 1);
    let (kind, message) = refused(&pool, &h).await;
    assert_eq!(kind, Kind::Tls);
    assert!(message.contains("UnknownIssuer"), "{message}");
    assert!(message.starts_with("invalid peer certificate"), "{message}");

    let off = ClientSettings {
        verify_tls: false,
        ..Default::default()
    };
    let (pool, h) = self::pool(&url, &off, 1);
    let _slot = pool.slot().await;
    let a = pool.on_connection(&h, b"{}", true).await;
    assert_eq!(a.map(|a| a.status).map_err(|f| f.cause.message()), Ok(200));
    assert_eq!(handshakes.load(Ordering::SeqCst), 1);
}

/// A server that closes after 3 answers (saying so): every request is answered, on a new
/// connection every third.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_closing_after_some_answers_costs_a_handshake_not_a_request() {
    let pki = pki(&["127.0.0.1"]);
    let (port, handshakes) = server(pki.server.clone(), Behaviour::Answer(Some(3))).await;
    let dir = tempfile::tempdir().unwrap();
    let (pool, h) = pool(
        &format!("https://127.0.0.1:{port}/"),
        &bundle(&dir, &pki.ca_pem),
        1,
    );
    let _slot = pool.slot().await;
    for _ in 0..9 {
        let a = pool.on_connection(&h, b"{}", true).await.ok().unwrap();
        assert_eq!(a.status, 200);
    }
    assert_eq!(handshakes.load(Ordering::SeqCst), 3);
    assert_eq!(pool.setup().unwrap().histogram.len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn half_an_answer_then_close_notify_is_a_closed_connection() {
    let pki = pki(&["127.0.0.1"]);
    let (port, _) = server(pki.server.clone(), Behaviour::Half).await;
    let dir = tempfile::tempdir().unwrap();
    let (pool, h) = pool(
        &format!("https://127.0.0.1:{port}/"),
        &bundle(&dir, &pki.ca_pem),
        1,
    );
    let (kind, message) = refused(&pool, &h).await;
    assert_eq!(kind, Kind::Closed, "{message}");
    assert!(pool.ever_connected());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn answers_past_the_cap_are_cut_off_over_tls_too() {
    let pki = pki(&["127.0.0.1"]);
    let dir = tempfile::tempdir().unwrap();
    let settings = bundle(&dir, &pki.ca_pem);
    for how in [Behaviour::Huge, Behaviour::Endless] {
        let (port, _) = server(pki.server.clone(), how).await;
        let (pool, h) = pool(&format!("https://127.0.0.1:{port}/"), &settings, 1);
        let (kind, _) = refused(&pool, &h).await;
        assert_eq!(kind, Kind::TooLarge);
    }
}

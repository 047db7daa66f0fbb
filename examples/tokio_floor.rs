//! The floor under cogbench's plain-HTTP throughput: the least a client on the same runtime
//! (tokio, its default thread count) can do per request. Each connection writes the bench's
//! ConfirmSignUp, reads the answer by its Content-Length, counts it, and goes again; no
//! judging, no histograms, no timeouts. scripts/bench/compare.sh runs it beside wrk, oha and
//! cogbench (FLOOR=1), so that a gap to wrk can be split into what the runtime costs and what
//! cogbench adds.
//!
//!   cargo build --release --example tokio_floor
//!   target/release/examples/tokio_floor http://127.0.0.1:9240/ 64 5
//!
//! Prints one JSON line: requests, seconds, errors.

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

const BODY: &str = r#"{"ClientId":"bench0client0id0000000000000","Username":"bench-user","ConfirmationCode":"123456"}"#;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let usage = "usage: tokio_floor http://HOST:PORT/ CONNECTIONS SECONDS";
    let (Some(url), Some(conns), Some(secs)) = (args.get(1), args.get(2), args.get(3)) else {
        fail(usage);
    };
    let Some(addr) = url
        .strip_prefix("http://")
        .map(|rest| rest.split('/').next().unwrap_or_default().to_owned())
    else {
        fail(&format!("{usage} (plain http only)"));
    };
    let (Ok(conns), Ok(secs)) = (conns.parse::<usize>(), secs.parse::<u64>()) else {
        fail(usage);
    };
    let request: &'static [u8] = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nUser-Agent: tokio_floor\r\nAccept: */*\r\nContent-Type: application/x-amz-json-1.1\r\nX-Amz-Target: AWSCognitoIdentityProviderService.ConfirmSignUp\r\nContent-Length: {}\r\n\r\n{BODY}",
        BODY.len()
    )
    .into_bytes()
    .leak();
    let done = Arc::new(AtomicU64::new(0));
    let errors = Arc::new(AtomicU64::new(0));
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    let started = Instant::now();
    runtime.block_on(async {
        let deadline = Instant::now() + Duration::from_secs(secs);
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..conns.max(1) {
            let (addr, done, errors) = (addr.clone(), done.clone(), errors.clone());
            set.spawn(async move {
                if connection(&addr, request, deadline, &done).await.is_err() {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            });
        }
        while set.join_next().await.is_some() {}
    });
    // A closed stdout loses the line; the exit code does not say so (nor does wrk's).
    let _ = writeln!(
        std::io::stdout(),
        "{{\"requests\":{},\"seconds\":{:.3},\"errors\":{}}}",
        done.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64().min(secs as f64),
        errors.load(Ordering::Relaxed)
    );
}

fn fail(usage: &str) -> ! {
    let _ = writeln!(std::io::stderr(), "{usage}");
    std::process::exit(2);
}

async fn connection(
    addr: &str,
    request: &[u8],
    deadline: Instant,
    done: &AtomicU64,
) -> std::io::Result<()> {
    let mut stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let mut buf = vec![0u8; 8192];
    while Instant::now() < deadline {
        stream.write_all(request).await?;
        let mut have = 0;
        // The head, then as many body bytes as it announces; an answer without a
        // Content-Length, or larger than the buffer, ends the connection as an error.
        let need = loop {
            let n = stream.read(&mut buf[have..]).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            have += n;
            let mut headers = [httparse::EMPTY_HEADER; 32];
            let mut answer = httparse::Response::new(&mut headers);
            if let Ok(httparse::Status::Complete(head)) = answer.parse(&buf[..have]) {
                let length = answer
                    .headers
                    .iter()
                    .find(|h| h.name.eq_ignore_ascii_case("content-length"))
                    .and_then(|h| {
                        std::str::from_utf8(h.value)
                            .ok()?
                            .trim()
                            .parse::<usize>()
                            .ok()
                    })
                    .ok_or(std::io::ErrorKind::InvalidData)?;
                break head + length;
            }
            if have == buf.len() {
                return Err(std::io::ErrorKind::InvalidData.into());
            }
        };
        if need > buf.len() {
            return Err(std::io::ErrorKind::InvalidData.into());
        }
        while have < need {
            let n = stream.read(&mut buf[have..]).await?;
            if n == 0 {
                return Err(std::io::ErrorKind::UnexpectedEof.into());
            }
            have += n;
        }
        done.fetch_add(1, Ordering::Relaxed);
    }
    Ok(())
}

//! The embedded emulator's memory per confirmed user, and how fast it answers with millions of
//! users in one pool. Requests go through the emulator's own router in-process (no sockets),
//! so the figures are the emulator's alone.
//!
//!   cargo run --release --example emulator_footprint -- 1000000
//!
//! Signs up and confirms N users (1,000,000 by default) in one pool set up as cogbench's
//! scenarios set theirs up (email alias, auto-verified email, case-insensitive usernames), and
//! prints the resident memory they added per user, then the time per SignUp, per
//! ConfirmSignUp and per lookup of an already-confirmed user at that size.

use std::time::Instant;

use axum::body::Body;
use axum::http::Request;
use cogbench::emulator::{Emulator, EmulatorConfig};
use tower::ServiceExt as _;

/// Resident memory of this process, in bytes (Linux: the second field of /proc/self/statm).
fn rss_bytes() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: u64 = statm
        .split_whitespace()
        .nth(1)
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    pages * 4096
}

async fn call(router: &axum::Router, op: &str, body: serde_json::Value) -> serde_json::Value {
    let req = Request::post("/")
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{op}"),
        )
        .header("content-type", "application/x-amz-json-1.1")
        .body(Body::from(body.to_string()))
        .expect("a request");
    let resp = router.clone().oneshot(req).await.expect("infallible");
    let status = resp.status();
    let bytes = axum::body::to_bytes(resp.into_body(), 1 << 20)
        .await
        .expect("a body");
    let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    assert!(status.is_success(), "{op}: {status} {value}");
    value
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let n: u64 = match std::env::args().nth(1) {
        None => 1_000_000,
        Some(a) => match a.replace('_', "").parse() {
            Ok(n) if n >= 10_000 => n,
            _ => {
                let _ = std::io::Write::write_all(
                    &mut std::io::stderr(),
                    format!("emulator_footprint: N must be a number of users ≥ 10000, not {a:?}\n")
                        .as_bytes(),
                );
                std::process::exit(2);
            }
        },
    };
    let emulator = Emulator::new(EmulatorConfig {
        seed: Some(1),
        ..EmulatorConfig::default()
    });
    let router = emulator.router();
    let pool = call(
        &router,
        "CreateUserPool",
        serde_json::json!({
            "PoolName": "footprint",
            "AliasAttributes": ["email"],
            "AutoVerifiedAttributes": ["email"],
            "UsernameConfiguration": {"CaseSensitive": false},
        }),
    )
    .await;
    let pool_id = pool["UserPool"]["Id"]
        .as_str()
        .expect("a pool id")
        .to_owned();
    let client = call(
        &router,
        "CreateUserPoolClient",
        serde_json::json!({"UserPoolId": pool_id, "ClientName": "footprint"}),
    )
    .await;
    let client_id = client["UserPoolClient"]["ClientId"]
        .as_str()
        .expect("a client id")
        .to_owned();

    // Names as cogbench's scenarios make them (`cb-<run id>-u<n>`, `cb-<run id>-u<n>@…`).
    let name = |i: u64| format!("cb-k3q9x2-u{i}");
    let (mut sign_up, mut confirm) = (std::time::Duration::ZERO, std::time::Duration::ZERO);
    // The first users warm the allocator and the maps up; the memory of the rest is counted.
    let warm = n / 100;
    let mut before = 0;
    for i in 0..n {
        if i == warm {
            before = rss_bytes();
        }
        let username = name(i);
        let t = Instant::now();
        call(
            &router,
            "SignUp",
            serde_json::json!({
                "ClientId": client_id,
                "Username": username,
                "Password": "Cb-k3q9x2-Passw0rd!",
                "UserAttributes": [{"Name": "email", "Value": format!("{username}@example.com")}],
            }),
        )
        .await;
        sign_up += t.elapsed();
        let code = emulator.current_code(&pool_id, &username).expect("a code");
        let t = Instant::now();
        call(
            &router,
            "ConfirmSignUp",
            serde_json::json!({"ClientId": client_id, "Username": username, "ConfirmationCode": code}),
        )
        .await;
        confirm += t.elapsed();
    }
    let after = rss_bytes();
    let counted = n - warm;

    // An already-confirmed user, named by username and by email: a lookup in a full pool.
    let lookups = 100_000u64;
    let t = Instant::now();
    for k in 0..lookups {
        let i = (k * 7_919) % n;
        let username = if k % 2 == 0 {
            name(i)
        } else {
            format!("{}@EXAMPLE.com", name(i))
        };
        let req = Request::post("/")
            .header(
                "x-amz-target",
                "AWSCognitoIdentityProviderService.ConfirmSignUp",
            )
            .header("content-type", "application/x-amz-json-1.1")
            .body(Body::from(
                serde_json::json!({"ClientId": client_id, "Username": username, "ConfirmationCode": "123456"})
                    .to_string(),
            ))
            .expect("a request");
        let resp = router.clone().oneshot(req).await.expect("infallible");
        assert_eq!(resp.status(), 400, "already confirmed");
    }
    let lookup = t.elapsed();

    let mut out = String::new();
    use std::fmt::Write as _;
    let _ = writeln!(out, "users:           {n} confirmed in one pool");
    let _ = writeln!(
        out,
        "resident memory: {:.1} MiB added by the last {counted} users: {} bytes per confirmed user",
        (after.saturating_sub(before)) as f64 / (1 << 20) as f64,
        after.saturating_sub(before) / counted
    );
    let _ = writeln!(
        out,
        "SignUp:          {:.2} µs each (in-process, JSON included)",
        sign_up.as_secs_f64() * 1e6 / n as f64
    );
    let _ = writeln!(
        out,
        "ConfirmSignUp:   {:.2} µs each",
        confirm.as_secs_f64() * 1e6 / n as f64
    );
    let _ = writeln!(
        out,
        "lookup at {n}:   {:.2} µs per already-confirmed answer (by username, by email alias)",
        lookup.as_secs_f64() * 1e6 / lookups as f64
    );
    let _ = std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes());
}

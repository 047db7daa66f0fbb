//! `--faults` over HTTP: the emulator's router served with `axum::serve` on an ephemeral port.

use std::time::{Duration, Instant};

use serde_json::json;

use super::super::{Emulator, EmulatorConfig, Faults, start};
use super::Harness;
use crate::protocol::{self, CONTENT_TYPE, Operation};

/// The default configuration with `spec`'s faults.
fn faulty(spec: &str) -> EmulatorConfig {
    EmulatorConfig {
        faults: Some(Faults::parse([spec]).unwrap()),
        ..EmulatorConfig::default()
    }
}

/// An emulator with `spec`'s faults, served on 127.0.0.1; returns its base URL and a client.
async fn serve(spec: &str) -> (String, reqwest::Client) {
    let router = Emulator::new(faulty(spec)).router();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, router).await });
    (base, crate::client::build(&Default::default()).unwrap())
}

fn create_pool(http: &reqwest::Client, base: &str) -> reqwest::RequestBuilder {
    http.post(format!("{base}/"))
        .header("X-Amz-Target", Operation::CreateUserPool.target())
        .header("Content-Type", CONTENT_TYPE)
        .body(r#"{"PoolName":"p"}"#)
}

#[tokio::test]
async fn error_answers_500_internal_error_and_side_routes_are_untouched() {
    let (base, http) = serve("error=1").await;
    for _ in 0..3 {
        let resp = create_pool(&http, &base).send().await.unwrap();
        assert_eq!(resp.status(), 500);
        assert_eq!(
            resp.headers()["x-amzn-errortype"],
            "InternalErrorException:"
        );
        assert_eq!(resp.headers()["content-type"], CONTENT_TYPE);
        super::assert_request_id(resp.headers());
        let body: serde_json::Value = serde_json::from_slice(&resp.bytes().await.unwrap()).unwrap();
        assert_eq!(
            body,
            json!({"__type": "InternalErrorException", "message": "injected fault"})
        );
    }
    for (side_route, status) in [
        (http.get(format!("{base}/_emulator/codes/p/u")), 404),
        (
            http.post(format!("{base}/_emulator/clock/advance?seconds=1")),
            200,
        ),
    ] {
        assert_eq!(side_route.send().await.unwrap().status(), status);
    }
}

#[tokio::test]
async fn bare500_answers_a_text_body() {
    let (base, http) = serve("bare500=1").await;
    let resp = create_pool(&http, &base).send().await.unwrap();
    assert_eq!(resp.status(), 500);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/plain")
    );
    assert_eq!(resp.text().await.unwrap(), "injected fault");
}

#[tokio::test]
async fn throttle_answers_too_many_requests() {
    let (base, http) = serve("throttle=1").await;
    let resp = create_pool(&http, &base).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    let body = resp.bytes().await.unwrap();
    let e = protocol::parse_error(&body, None).expect("an AWS error body");
    assert_eq!(e.error_type, "TooManyRequestsException");
    assert_eq!(e.message.as_deref(), Some("Rate exceeded"));
}

#[tokio::test]
async fn reset_drops_the_connection_without_an_answer() {
    let (base, http) = serve("reset=1").await;
    for _ in 0..2 {
        let err = create_pool(&http, &base)
            .send()
            .await
            .expect_err("no answer at all");
        assert!(err.status().is_none(), "{err:?}");
        assert!(!err.is_timeout(), "{err:?}");
        assert!(err.is_request(), "a transport error: {err:?}");
    }
}

#[tokio::test]
async fn hang_never_answers_and_shutdown_still_finishes() {
    let emu = start(faulty("hang=1"), "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let http = crate::client::build(&crate::client::ClientSettings {
        read_timeout: Duration::from_millis(300),
        ..Default::default()
    })
    .unwrap();
    let err = create_pool(&http, &emu.endpoint())
        .send()
        .await
        .expect_err("never answered");
    assert!(err.is_timeout(), "{err:?}");
    // A hung request still in flight (its client waits 30 s) must not keep the graceful
    // shutdown waiting.
    let patient = crate::client::build(&Default::default()).unwrap();
    let pending = tokio::spawn(create_pool(&patient, &emu.endpoint()).send());
    tokio::time::sleep(Duration::from_millis(100)).await;
    tokio::time::timeout(Duration::from_secs(5), emu.shutdown())
        .await
        .expect("shutdown finishes");
    // Released by the shutdown: the connection is dropped, still without an answer.
    let released = pending.await.unwrap();
    assert!(released.is_err(), "{released:?}");
}

#[tokio::test]
async fn stall_holds_a_request_sent_at_start_until_the_window_ends() {
    // Taken before the emulator starts, so the window ends at least 300 ms after it.
    let before_start = Instant::now();
    let (base, http) = serve("stall=300ms/1s").await;
    let resp = create_pool(&http, &base).send().await.unwrap();
    // Answered normally once released, whenever it arrived.
    assert_eq!(resp.status(), 200);
    let elapsed = before_start.elapsed();
    assert!(elapsed >= Duration::from_millis(250), "{elapsed:?}");
}

#[tokio::test]
async fn delay_holds_every_answer() {
    let (base, http) = serve("delay=200ms").await;
    let sent = Instant::now();
    let resp = create_pool(&http, &base).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(sent.elapsed() >= Duration::from_millis(190));
}

#[tokio::test]
async fn inactive_faults_change_nothing() {
    let h = Harness::start_with(faulty("error=0")).await;
    assert!(h.emu.emulator().faults.is_none());
    h.create_pool(json!({})).await;
}

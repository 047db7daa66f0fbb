//! `--quota` over HTTP: a category's rate shared by its operations and pools, the throttled
//! answer's shape, and a throttled ConfirmSignUp changing nothing.

use serde_json::json;

use super::super::{EmulatorConfig, Quotas};
use super::{Harness, confirm_body, email};
use crate::protocol::Operation;

async fn with_quota(spec: &str) -> Harness {
    Harness::start_with(EmulatorConfig {
        quotas: Quotas::parse([spec]).unwrap(),
        ..EmulatorConfig::default()
    })
    .await
}

#[tokio::test]
async fn past_the_user_creation_rate_confirm_sign_up_is_throttled_and_confirms_nobody() {
    // A rate this low refills one request per 10 s: nothing comes back during the test.
    let h = with_quota("user-creation=0.1").await;
    let f = h.fixture(json!({}), json!({})).await;
    // The one request of the burst goes to SignUp, which shares the category.
    h.sign_up(&f, "ann", email("ann@example.com")).await;
    let code = h.code_of(&f.pool, "ann").await;
    let r = h.confirm(confirm_body(&f, "ann", &code)).await;
    assert_eq!(r.status, 400, "{}", r.text());
    assert_eq!(
        r.json(),
        json!({"__type": "TooManyRequestsException", "message": "Rate exceeded"})
    );
    super::assert_request_id(&r.headers);
    // Throttled before anything was read: the user is still UNCONFIRMED, and a bad request is
    // throttled too rather than judged.
    h.assert_user(&f.pool, "ann", "UNCONFIRMED", None).await;
    let r = h.confirm(json!({"ClientId": "nope"})).await;
    assert_eq!(r.json()["__type"], "TooManyRequestsException");
    // Other categories have no quota here.
    let other = h.create_pool(json!({})).await;
    assert!(other.contains('_'));
}

#[tokio::test]
async fn a_burst_passes_a_second_of_the_rate_over_all_pools() {
    let h = with_quota("UserCreation=5,user-read=1000").await;
    let a = h.fixture(json!({}), json!({})).await;
    let b = h.fixture(json!({}), json!({})).await;
    let mut passed = 0;
    let mut throttled = 0;
    for i in 0..8 {
        let f = if i % 2 == 0 { &a } else { &b };
        let r = h
            .call(
                Operation::SignUp,
                super::sign_up_body(f, &format!("u{i}"), email(&format!("u{i}@example.com"))),
            )
            .await;
        match r.status {
            200 => passed += 1,
            400 if r.json()["__type"] == "TooManyRequestsException" => throttled += 1,
            other => panic!("{other}: {}", r.text()),
        }
    }
    // Refill during the loop may add one at most (5 a second, the loop takes milliseconds).
    assert!((5..=6).contains(&passed), "{passed} passed");
    assert_eq!(passed + throttled, 8);
}

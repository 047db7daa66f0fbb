//! Every catalog case must be able to fail: against a target that answers wrongly (wiremock,
//! provisioning answered correctly), each case's verdict is `fail` for the right reason.
//! A transport failure is classified, never judged.

use cogbench::cases::Catalog;
use cogbench::report::{Summary, Verdict};
use serde_json::json;
use wiremock::matchers::{header, method};
use wiremock::{Mock, Request, Respond, ResponseTemplate};

use crate::support::fake::{CT, aws, fake_cognito};
use crate::support::{plan_from_str, run_quiet};

async fn run_case_against(case: &str, wrong: ResponseTemplate, admin_status: &str) -> Summary {
    let yaml = format!("name: wrong\nphases: [{{vus: 1, rounds: 1}}]\nmix: {{{case}: 1}}\n");
    let probe = plan_from_str(&yaml);
    use cogbench::cases::Slot;
    // Set-up confirms the CONFIRMED users and the holders of contested emails, in every pool.
    let setup = probe
        .pools
        .iter()
        .flat_map(|p| {
            Slot::ALL
                .iter()
                .filter(|s| **s == Slot::Confirmed || s.with_holder())
                .map(|s| p.users.count(*s))
        })
        .sum::<u64>() as usize;
    let server = fake_cognito(setup, wrong, admin_status).await;
    // An endpoint without a kind is taken for cogbench's emulator, which sets up the pools
    // the trigger, WAF, quota and internal-error cases need: they run too.
    let yaml = format!("{yaml}target: {{endpoint: \"{}\"}}\n", server.uri());
    let (outcome, _dir) = run_quiet(plan_from_str(&yaml)).await;
    outcome.summary
}

fn failed_fields(s: &Summary) -> Vec<String> {
    let c = &s.cases[0];
    assert_eq!(c.verdict, Verdict::Fail, "{}: {:?}", c.name, c);
    assert_eq!(s.exit_code, 1);
    assert!(c.expected.is_some() && c.observed.is_some());
    c.failures[0].iter().map(|d| d.field.clone()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_case_fails_against_wrong_answers() {
    let catalog = Catalog::builtin();
    for case in &catalog.cases {
        let id = case.id.as_str();
        if let Some(error) = &case.expect.error {
            // 200 where an error is expected.
            let s = run_case_against(id, aws(200, json!({})), "UNCONFIRMED").await;
            let f = failed_fields(&s);
            assert!(
                f.contains(&"status".into()) && f.contains(&"error type".into()),
                "{id}: {f:?}"
            );

            // Another error type.
            let other = if error == "NotAuthorizedException" {
                "CodeMismatchException"
            } else {
                "NotAuthorizedException"
            };
            let s = run_case_against(
                id,
                aws(400, json!({"__type": other, "message": "nope"})),
                "UNCONFIRMED",
            )
            .await;
            assert!(failed_fields(&s).contains(&"error type".into()), "{id}");

            // The right type, but only in the header: the body has no `__type`.
            let wrong = ResponseTemplate::new(400)
                .insert_header("x-amzn-RequestId", "2f1d7c8e-0000-4000-8000-000000000002")
                .insert_header("x-amzn-ErrorType", format!("{error}:").as_str())
                .set_body_raw(json!({"message": "no type here"}).to_string(), CT);
            let s = run_case_against(id, wrong, "UNCONFIRMED").await;
            assert!(failed_fields(&s).contains(&"body".into()), "{id}");
        } else {
            // An error where success is expected.
            let s = run_case_against(
                id,
                aws(400, json!({"__type": "CodeMismatchException", "message": "Invalid verification code provided, please try again."})),
                "CONFIRMED",
            )
            .await;
            let f = failed_fields(&s);
            // A race with no winner is told apart from a wrong status.
            assert!(
                f.contains(&"status".into())
                    || f.contains(&"answers meeting the expectation".into()),
                "{id}: {f:?}"
            );

            // 200 with a body ConfirmSignUp never returns.
            let s =
                run_case_against(id, aws(200, json!({"UserConfirmed": true})), "CONFIRMED").await;
            assert!(failed_fields(&s).contains(&"body".into()), "{id}");

            // 200 {} but the user is not confirmed when read back (and, in a race that must
            // have one winner, every answer a winner; in an alias race, every user verified).
            let s = run_case_against(id, aws(200, json!({})), "UNCONFIRMED").await;
            let f = failed_fields(&s);
            let reason = if case.expect_others.is_some() {
                "status"
            } else if case.expect.post.iter().any(|p| p.verified_owners.is_some()) {
                "group.verified_owners"
            } else {
                "UserStatus (AdminGetUser)"
            };
            assert!(f.iter().any(|x| x.contains(reason)), "{id}: {f:?}");
        }
    }
}

/// The trigger, WAF, quota and internal-error cases each fail against the near miss a target
/// is likeliest to give: the answer of an emulator that runs no trigger, blocks with another
/// status, never throttles, or fails in another shape.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pool_set_up_cases_fail_against_near_misses() {
    let err = |ty: &str, message: &str| aws(400, json!({"__type": ty, "message": message}));
    let misses: [(&str, ResponseTemplate, &str, &str); 9] = [
        // cognito-local's form names the function, not the trigger.
        (
            "post-confirmation-trigger-raises",
            err(
                "UserLambdaValidationException",
                "cogbench-reference-trigger failed with error cogbench refused this confirmation.",
            ),
            "CONFIRMED",
            "message",
        ),
        // A target that ran no trigger confirms and answers 200.
        (
            "post-confirmation-trigger-raises",
            aws(200, json!({})),
            "CONFIRMED",
            "status",
        ),
        // One metadata entry lost on the way.
        (
            "post-confirmation-client-metadata",
            err(
                "UserLambdaValidationException",
                "PostConfirmation failed with error triggerSource=PostConfirmation_ConfirmSignUp clientMetadata=app=cogbench;cogbench-trigger=echo;note=two words.",
            ),
            "CONFIRMED",
            "message",
        ),
        (
            "post-confirmation-trigger-bad-output",
            err("InvalidLambdaResponseException", "Invalid Lambda response"),
            "CONFIRMED",
            "message",
        ),
        // The failed trigger's user left UNCONFIRMED.
        (
            "post-confirmation-trigger-fails",
            err(
                "UnexpectedLambdaException",
                "PostConfirmation invocation failed due to error AccessDeniedException",
            ),
            "UNCONFIRMED",
            "UserStatus (AdminGetUser)",
        ),
        // The API reference's 400 where the captured block is 403.
        (
            "waf-blocked",
            err(
                "ForbiddenException",
                "Request not allowed due to WAF block.",
            ),
            "UNCONFIRMED",
            "status",
        ),
        // A target that never throttles.
        (
            "rate-quota-exceeded",
            err(
                "UserNotFoundException",
                "Username/client id combination not found.",
            ),
            "UNCONFIRMED",
            "answers meeting the expectation",
        ),
        // Throttled, but in moto's generic shape.
        (
            "rate-quota-exceeded",
            err("TooManyRequestsException", "Too many requests"),
            "UNCONFIRMED",
            "message",
        ),
        // The fault switch's text, not Cognito's.
        (
            "internal-error",
            ResponseTemplate::new(500)
                .insert_header("x-amzn-RequestId", "2f1d7c8e-0000-4000-8000-000000000003")
                .set_body_raw(
                    json!({"__type": "InternalErrorException", "message": "injected fault"})
                        .to_string(),
                    CT,
                ),
            "UNCONFIRMED",
            "message",
        ),
    ];
    for (id, wrong, status, field) in misses {
        let s = run_case_against(id, wrong, status).await;
        let f = failed_fields(&s);
        assert!(f.iter().any(|x| x.contains(field)), "{id}: {f:?}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn content_type_and_request_id_are_judged() {
    let wrong = ResponseTemplate::new(200)
        .insert_header("x-amzn-RequestId", "r-1")
        .set_body_raw("{}", "application/json");
    let s = run_case_against("valid-code", wrong, "CONFIRMED").await;
    assert_eq!(failed_fields(&s), ["content type"]);
    let wrong = ResponseTemplate::new(200).set_body_raw("{}", CT);
    let s = run_case_against("valid-code", wrong, "CONFIRMED").await;
    assert_eq!(failed_fields(&s), ["x-amzn-RequestId"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_server_error_page_is_an_unexpected_error_and_a_failure() {
    let wrong = ResponseTemplate::new(502).set_body_raw("<html>Bad Gateway</html>", "text/html");
    let s = run_case_against("wrong-code", wrong, "UNCONFIRMED").await;
    let c = &s.cases[0];
    assert_eq!(c.by_class["unexpected_error"], 1);
    let f = failed_fields(&s);
    assert!(
        f.contains(&"error type".into()) && f.contains(&"body".into()),
        "{f:?}"
    );
    assert_eq!(c.observed.as_ref().unwrap()["error type"], "(none)");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_timeout_is_classified_and_never_judged() {
    let server = fake_cognito(
        0,
        aws(200, json!({})).set_delay(std::time::Duration::from_secs(3)),
        "CONFIRMED",
    )
    .await;
    let yaml = format!(
        "name: slow\ntarget: {{endpoint: \"{}\"}}\nhttp: {{read_timeout: 300ms}}\nphases: [{{vus: 2, iterations: 4}}]\nmix: {{wrong-code: 1}}\n",
        server.uri()
    );
    let (outcome, _dir) = run_quiet(plan_from_str(&yaml)).await;
    let s = &outcome.summary;
    let c = &s.cases[0];
    assert_eq!(c.count, 4);
    assert_eq!(c.by_class["timeout"], 4);
    assert_eq!(
        (c.judged, c.failed_responses, c.passed_responses),
        (0, 0, 0)
    );
    assert_eq!(
        s.conformance.responses_failed, 0,
        "a timeout is not a conformance failure"
    );
    assert_eq!(c.verdict, Verdict::Skipped);
    assert!(c.skip_reason.as_deref().unwrap().contains("4 timeouts"));
    assert_eq!(
        s.exit_code, 1,
        "a case with no judged answer fails the gate"
    );
    assert_eq!(s.totals.errors, 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_and_codes_never_reach_the_reports() {
    // A target that echoes the request back in its error message.
    struct Echo;
    impl Respond for Echo {
        fn respond(&self, r: &Request) -> ResponseTemplate {
            let body = String::from_utf8_lossy(&r.body).to_string();
            aws(
                400,
                json!({"__type": "InternalErrorException", "message": body}),
            )
        }
    }
    let server = fake_cognito(0, aws(200, json!({})), "CONFIRMED").await;
    crate::support::fake::answer_confirm_sign_up(&server, Echo).await;
    let yaml = format!(
        "name: echo\ntarget: {{endpoint: \"{}\"}}\nphases: [{{vus: 1, rounds: 1}}]\nmix: {{secret-hash-correct: 1}}\n",
        server.uri()
    );
    let (outcome, dir) = run_quiet(plan_from_str(&yaml)).await;
    assert_eq!(outcome.summary.cases[0].verdict, Verdict::Fail);
    let summary = std::fs::read_to_string(dir.path().join("summary.json")).unwrap();
    assert!(
        summary.contains("***"),
        "the echoed request was masked: {summary}"
    );
    for secret in ["123456", "mock-client-secret-value"] {
        assert!(
            !summary.contains(secret),
            "{secret} leaked into summary.json"
        );
    }
    // The SecretHash sent is a Base64 HMAC: no 44-character Base64 run may appear outside the
    // encoded histograms (which are Base64 by design, and start with HISTFAAA).
    let mut value: serde_json::Value = serde_json::from_str(&summary).unwrap();
    for case in value["cases"].as_array_mut().unwrap() {
        let h = case.as_object_mut().unwrap().remove("histograms").unwrap();
        assert!(h["response"].as_str().unwrap().starts_with("HISTFAAA"));
    }
    // So is the connections' set-up histogram, whose length follows the times it holds.
    if let Some(setup) = value["connections"]
        .as_object_mut()
        .and_then(|c| c.remove("setup_histogram"))
    {
        assert!(setup.as_str().unwrap().starts_with("HISTFAAA"));
    }
    let rest = value.to_string();
    let re = regex::Regex::new(r"[A-Za-z0-9+/]{43}=").unwrap();
    assert!(!re.is_match(&rest), "a SecretHash leaked: {rest}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provisioning_error_that_echoes_the_password_is_masked() {
    struct EchoSignUp;
    impl Respond for EchoSignUp {
        fn respond(&self, r: &Request) -> ResponseTemplate {
            let body = String::from_utf8_lossy(&r.body).to_string();
            aws(
                400,
                json!({"__type": "InvalidPasswordException", "message": body}),
            )
        }
    }
    let server = fake_cognito(0, aws(200, json!({})), "CONFIRMED").await;
    Mock::given(method("POST"))
        .and(header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.SignUp",
        ))
        .respond_with(EchoSignUp)
        .with_priority(2)
        .mount(&server)
        .await;
    // The generated password is `Cb-<run id>-Passw0rd!`.
    let yaml = format!(
        "name: echo\ntarget: {{endpoint: \"{}\"}}\nphases: [{{vus: 1, rounds: 1}}]\nmix: {{wrong-code: 1}}\n",
        server.uri()
    );
    let plan = plan_from_str(&yaml);
    let opts = cogbench::run::RunOptions {
        progress: cogbench::progress::Mode::Quiet,
        handle_signals: false,
        ..Default::default()
    };
    let err = cogbench::run::run(plan, opts).await.unwrap_err();
    assert_eq!(err.exit_code(), 3);
    let text = err.to_string();
    assert!(
        text.contains("InvalidPasswordException") && text.contains("***"),
        "{text}"
    );
    assert!(!text.contains("Passw0rd!"), "{text}");
}

/// Sign-ups that start failing during the load (a quota, a target going bad) stop the run
/// with the target's own words, once the users made before are used: never a silent change
/// of the mix, never a request without its user.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_ups_failing_during_the_load_stop_the_run_saying_why() {
    let server = fake_cognito(0, aws(200, json!({})), "CONFIRMED").await;
    Mock::given(method("POST"))
        .and(header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.SignUp",
        ))
        .respond_with(SignUpsThen {
            ok: 450,
            seen: Default::default(),
            then: aws(
                400,
                json!({"__type": "NotAuthorizedException", "message": "SignUp is not allowed for this client"}),
            ),
        })
        .with_priority(1)
        .mount(&server)
        .await;
    // 601 fresh users planned, a stock of 401: the load starts, and runs out at 450.
    let yaml = format!(
        "name: quota\ntarget: {{endpoint: \"{}\"}}\nphases: [{{arrival_rate: 200, duration: 3s}}]\nmix: {{valid-code: 1}}\n",
        server.uri()
    );
    let (outcome, _dir) = run_quiet(plan_from_str(&yaml)).await;
    let s = &outcome.summary;
    let reason = s.aborted.as_deref().expect("the run stopped");
    assert!(
        reason.contains("provisioning fresh UNCONFIRMED users on demand stopped after 450")
            && reason.contains("NotAuthorizedException"),
        "{reason}"
    );
    assert!(s.partial);
    assert_eq!(s.exit_code, 1);
    assert_eq!(s.users["fresh"].used, 450);
    assert_eq!(s.cases[0].count, 450, "no request went without its user");
}

/// Sign-ups that stall during the load: the starts left waiting for a user give up when the
/// phase's time is up, are counted as dropped (and as having waited), and the run ends then,
/// not when the stalled sign-ups would time out.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn starts_waiting_for_stalled_sign_ups_are_dropped_at_the_phase_end() {
    let server = fake_cognito(0, aws(200, json!({})), "CONFIRMED").await;
    Mock::given(method("POST"))
        .and(header(
            "x-amz-target",
            "AWSCognitoIdentityProviderService.SignUp",
        ))
        .respond_with(SignUpsThen {
            ok: 450,
            seen: Default::default(),
            then: signed_up().set_delay(std::time::Duration::from_secs(60)),
        })
        .with_priority(1)
        .mount(&server)
        .await;
    let yaml = format!(
        "name: stall\ntarget: {{endpoint: \"{}\"}}\nphases: [{{arrival_rate: 200, duration: 3s}}]\nmix: {{valid-code: 1}}\n",
        server.uri()
    );
    let started = std::time::Instant::now();
    let (outcome, _dir) = run_quiet(plan_from_str(&yaml)).await;
    let elapsed = started.elapsed();
    let s = &outcome.summary;
    assert!(
        elapsed < std::time::Duration::from_secs(20),
        "the run waited for the stalled sign-ups: {elapsed:?}"
    );
    let phase = &s.phases[0];
    assert_eq!(s.totals.requests, 450, "one request per user made");
    assert_eq!(
        (phase.starts, phase.dropped),
        (450, 150),
        "the starts left without a user are dropped, not lost"
    );
    let on_demand = s.users["fresh"].on_demand.unwrap();
    assert!(on_demand.waited >= 150, "{on_demand:?}");
    assert!(s.aborted.is_none(), "{:?}", s.aborted);
}

/// SignUp answered as it should `ok` times, then with `then`.
struct SignUpsThen {
    ok: usize,
    seen: std::sync::atomic::AtomicUsize,
    then: ResponseTemplate,
}

impl Respond for SignUpsThen {
    fn respond(&self, _: &Request) -> ResponseTemplate {
        if self.seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed) < self.ok {
            signed_up()
        } else {
            self.then.clone()
        }
    }
}

fn signed_up() -> ResponseTemplate {
    aws(
        200,
        json!({"UserConfirmed": false, "UserSub": "7d3c0c8e-1f5a-4a8e-9d55-2b8f1c0e6a11"}),
    )
}

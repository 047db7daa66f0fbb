use super::*;

fn names<'a>(secrets: &'a [String]) -> Names<'a> {
    Names {
        client_id: "3n4b5urk1ft4fl3mg5e62d9ado",
        pool_id: "us-east-1_AbCdEf123",
        username: "cb-run1-7",
        email: "cb-run1-7@example.com",
        sub: "0f8fad5b-d9cb-469f-a165-70867728950e",
        secrets,
    }
}

#[test]
fn run_names_become_placeholders_and_secrets_are_masked() {
    let secrets = vec!["123456".to_owned()];
    let n = names(&secrets);
    assert_eq!(
        normalise_text(
            "User pool client 3n4b5urk1ft4fl3mg5e62d9ado does not exist.",
            &n
        ),
        "User pool client <client-id> does not exist."
    );
    assert_eq!(
        normalise_text("cb-run1-7@example.com, cb-run1-7, CB-RUN1-7", &n),
        "<email>, <username>, <username-upper>"
    );
    assert_eq!(
        normalise_text(
            "User pool us-east-1_AbCdEf123 sub 0f8fad5b-d9cb-469f-a165-70867728950e code 123456",
            &n
        ),
        "User pool <pool-id> sub <sub> code ***"
    );
    assert_eq!(
        normalise_text(
            "request 9b2c3d4e-0000-4000-8000-00000000abcd at 2026-12-06T12:00:01Z",
            &n
        ),
        "request <uuid> at <date>"
    );
}

#[test]
fn the_cache_never_serves_a_text_with_the_requests_own_values() {
    let cache = TextCache::default();
    let a = names(&[]);
    let b = Names {
        username: "cb-run1-8",
        email: "cb-run1-8@example.com",
        ..a
    };
    let fixed = "Username/client id combination not found.";
    assert_eq!(cache.normalise(fixed, &a), normalise_text(fixed, &a));
    assert_eq!(cache.normalise(fixed, &b), normalise_text(fixed, &b));
    let own = "No user cb-run1-8 here";
    assert_eq!(cache.normalise(own, &a), "No user cb-run1-8 here");
    assert_eq!(cache.normalise(own, &b), "No user <username> here");
    let client = "User pool client 3n4b5urk1ft4fl3mg5e62d9ado does not exist.";
    assert_eq!(
        cache.normalise(client, &b),
        "User pool client <client-id> does not exist."
    );
    assert_eq!(
        cache.normalise(client, &a),
        "User pool client <client-id> does not exist."
    );
}

#[test]
fn control_characters_are_escaped() {
    let n = names(&[]);
    assert_eq!(
        normalise_text("a\u{1b}[2Jb\n\r", &n),
        "a\\u{1b}[2Jb\n\\u{d}"
    );
    assert_eq!(printable("x\u{202e}y"), "x\\u{202e}y");
}

#[test]
fn install_paths_are_placeholders() {
    let n = names(&[]);
    assert_eq!(
        normalise_text(
            "at parse (/work/main/.peers/cognito-local/node_modules/x/lib/y.js:12:5)",
            &n
        ),
        "at parse (<path>:12:5)"
    );
    assert_eq!(
        normalise_text("application/x-amz-json-1.1", &n),
        "application/x-amz-json-1.1"
    );
}

#[test]
fn a_body_that_may_echo_is_told_apart() {
    assert!(may_echo(
        &serde_json::json!({"__type": "X", "message": "m"})
    ));
    assert!(may_echo(&serde_json::json!({"123456": 1})));
    assert!(!may_echo(&serde_json::json!({})));
    assert!(!may_echo(&serde_json::json!({"__type": "X"})));
    let secrets = vec!["123456".to_owned()];
    let body = serde_json::json!({"sent 123456": 1});
    let a = Answer {
        status: 400,
        content_type: None,
        request_id: None,
        error_type_header: None,
        error_message_header: false,
        body: b"{}",
    };
    let n = NormalisedAnswer::of(&a, Some(&body), &names(&secrets));
    assert_eq!(n.body, ["sent ***"]);
}

#[test]
fn long_runs_are_squeezed() {
    let n = names(&[]);
    let m = format!("Value '{}' at 'confirmationCode'", "7".repeat(2049));
    assert_eq!(
        normalise_text(&m, &n),
        "Value '<2049×7>' at 'confirmationCode'"
    );
    assert_eq!(normalise_text("aaab", &n), "aaab");
}

#[test]
fn validation_items_are_sorted() {
    let n = names(&[]);
    let a = "2 validation errors detected: Value '' at 'x' failed b; Value '' at 'x' failed a";
    let b = "2 validation errors detected: Value '' at 'x' failed a; Value '' at 'x' failed b";
    assert_eq!(normalise_text(a, &n), normalise_text(b, &n));
    let one = "1 validation error detected: Value null at 'confirmationCode' failed";
    assert_eq!(normalise_text(one, &n), one);
}

#[test]
fn answers_reduce_to_their_fields() {
    let body =
        br#"{"__type":"CognitoLocal#CodeMismatchException","message":"Wrong code for cb-run1-7"}"#;
    let a = Answer {
        status: 400,
        content_type: Some("application/json; charset=utf-8"),
        request_id: None,
        error_type_header: None,
        error_message_header: false,
        body,
    };
    let parsed: serde_json::Value = serde_json::from_slice(body).unwrap();
    let n = NormalisedAnswer::of(&a, Some(&parsed), &names(&[]));
    assert_eq!(n.error.as_deref(), Some("CodeMismatchException"));
    assert_eq!(n.message.as_deref(), Some("Wrong code for <username>"));
    assert_eq!(n.body, ["__type", "message"]);
    assert!(n.headers.is_empty());
    assert_eq!(n.label(), "400 CodeMismatchException");
    assert_eq!(n.media_type().as_deref(), Some("application/json"));
}

#[test]
fn patterns_read_as_sequences_and_races() {
    let l = |s: &str| s.to_owned();
    let mut labels = vec![l("400 CodeMismatchException"); 15];
    labels.push(l("400 LimitExceededException"));
    let seq = Pattern::of(PatternKind::Sequence, &labels);
    assert_eq!(
        seq.to_string(),
        "15 × 400 CodeMismatchException, then 400 LimitExceededException"
    );
    let race = Pattern::of(
        PatternKind::Race,
        &[
            l("400 NotAuthorizedException"),
            l("200"),
            l("400 NotAuthorizedException"),
        ],
    );
    assert_eq!(race.successes(), 1);
    assert_eq!(race.requests(), 3);
    assert_eq!(
        race.to_string(),
        "1 × 200 and 2 × 400 NotAuthorizedException, at once"
    );
}

#[test]
fn a_tally_is_bounded() {
    let mut t = Tally::default();
    for i in 0..100u64 {
        t.add(i % 40, 1);
    }
    assert_eq!(t.distinct.len(), MAX_DISTINCT);
    assert_eq!(t.total(), 100);
    assert!(t.other > 0);
}

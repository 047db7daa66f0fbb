use super::*;
use crate::cases::value::parse_placeholder;

#[test]
fn a_case_id_twice_in_a_team_catalog_is_refused_at_both_places() {
    let mut c = Catalog::builtin();
    let case = |id: &str| {
        format!(
            "  - id: {id}\n    title: t\n    checks: c\n    spec: s\n    confidence: documented\n    user: none\n    client: unknown\n    expect: {{status: 400, error: ResourceNotFoundException}}\n"
        )
    };
    let text = format!(
        "version: 1\ncases:\n{}{}{}",
        case("team-a"),
        case("team-b"),
        case("'team-a'")
    );
    let e = c
        .extend_from_str(&text, Path::new("team.yaml"))
        .unwrap_err();
    assert_eq!(e.position, Some((19, 5)), "{e}");
    assert!(
        e.message.contains("`team-a` appears twice (first at 3:5)"),
        "{e}"
    );
}

#[test]
fn a_bad_message_regex_is_placed_at_the_pattern() {
    let case = |message: &str| {
        format!(
            "version: 1\ncases:\n  - id: team-a\n    title: t\n    checks: c\n    spec: s\n    confidence: documented\n    user: none\n    client: unknown\n    expect:\n      status: 400\n      error: ResourceNotFoundException\n      message: {message}\n"
        )
    };
    let mut c = Catalog::builtin();
    let e = c
        .extend_from_str(&case("\"Pool (unclosed\""), Path::new("team.yaml"))
        .unwrap_err();
    assert_eq!(e.position, Some((13, 16)), "{e}");
    assert!(
        e.message
            .starts_with("cases[0].expect.message: regex parse error:"),
        "{e}"
    );
    // Valid only once wrapped in the group that anchors it: still refused.
    let e = c
        .extend_from_str(&case("'a)(b'"), Path::new("team.yaml"))
        .unwrap_err();
    assert_eq!(e.position, Some((13, 16)), "{e}");
    c.extend_from_str(&case("'Pool (\\w+) not found'"), Path::new("team.yaml"))
        .unwrap();
    let re = c.get("team-a").unwrap().expect.message.clone().unwrap();
    assert!(re.is_match("Pool abc not found"));
    assert!(!re.is_match("Pool abc not found!"));
}

#[test]
fn a_bad_message_regex_in_an_override_is_placed_at_the_pattern() {
    let mut c = Catalog::builtin();
    let text =
        "version: 1\noverrides:\n  wrong-code:\n    expect:\n      message: 'Invalid (code'\n";
    let e = c.extend_from_str(text, Path::new("team.yaml")).unwrap_err();
    assert_eq!(e.position, Some((5, 16)), "{e}");
    assert!(
        e.message
            .starts_with("overrides.wrong-code.expect.message: regex parse error:"),
        "{e}"
    );
    let text = "version: 1\noverrides:\n  wrong-code:\n    expect:\n      message: 'Bad .*'\n";
    c.extend_from_str(text, Path::new("team.yaml")).unwrap();
    let expect = &c.get("wrong-code").unwrap().expect;
    assert_eq!(expect.message_pattern.as_deref(), Some("Bad .*"));
    assert!(expect.message.as_ref().unwrap().is_match("Bad code"));
}

#[test]
fn builtin_catalog_parses_and_covers_the_foundation_cases() {
    let c = Catalog::builtin();
    for id in [
        "valid-code",
        "wrong-code",
        "already-confirmed",
        "unknown-user",
        "unknown-client",
        "secret-hash-missing",
        "secret-hash-wrong",
        "secret-hash-correct",
        "confirm-by-sub",
        "alias-exists",
        "alias-force",
        "code-missing",
        "code-pattern",
        "username-too-long",
        "malformed-json",
        "unknown-operation",
    ] {
        assert!(c.get(id).is_some(), "missing {id}");
    }
    let valid = c.get("valid-code").unwrap();
    assert!(valid.consumes);
    assert_eq!(
        valid.request.len(),
        4,
        "defaults merged: {:?}",
        valid.request
    );
    let missing = c.get("code-missing").unwrap();
    assert!(!missing.consumes);
    assert!(!missing.request.iter().any(|(k, _)| k == "ConfirmationCode"));
}

#[test]
fn every_documented_error_is_provoked_by_a_case_or_says_why_not() {
    let c = Catalog::builtin();
    assert_eq!(c.errors.len(), 16, "the 2026-07 model lists 16 errors");
    for e in &c.errors {
        let provoked = c
            .cases
            .iter()
            .any(|k| k.expect.error.as_deref() == Some(e.name.as_str()));
        assert!(
            provoked != e.unprovokable.is_some(),
            "{}: provoked by a case = {provoked}, unprovokable reason = {:?}",
            e.name,
            e.unprovokable
        );
    }
}

#[test]
fn every_inferred_case_says_what_is_open() {
    let c = Catalog::builtin();
    for case in &c.cases {
        if case.confidence == Confidence::Inferred {
            assert!(
                case.note.as_deref().is_some_and(|n| n.contains('§')),
                "{}: an inferred case needs a note citing the spec",
                case.id
            );
        }
    }
    let over_max = c.get("member-username-over-max").unwrap();
    assert_eq!(over_max.confidence, Confidence::Inferred);
    let empty = c.get("member-username-empty").unwrap();
    assert_eq!(
        empty.confidence,
        Confidence::Documented,
        "\"greater than or equal to\" is seen in Cognito's own messages (§3.2)"
    );
    let limit = c
        .errors
        .iter()
        .find(|e| e.name == "LimitExceededException")
        .unwrap();
    assert!(limit.note.as_deref().is_some_and(|n| n.contains("guess")));
}

#[test]
fn needs_follow_from_the_user_and_the_request() {
    let c = Catalog::builtin();
    let needs = |id: &str| c.get(id).unwrap().needs();
    assert!(needs("expired-code").contains(&Capability::AdvanceClock));
    assert!(needs("resend-old-code").contains(&Capability::ResendCodes));
    assert!(needs("resend-old-code").contains(&Capability::ReadCodes));
    assert!(needs("concurrent-force-alias").contains(&Capability::ReadCodes));
    assert!(needs("valid-code").contains(&Capability::ReadCodes));
    assert!(!needs("unknown-user").contains(&Capability::ReadCodes));
    assert_eq!(needs("malformed-json"), Vec::<Capability>::new());
}

/// A one-case catalog around `extra` lines of case fields.
fn one_case(extra: &str) -> Result<Catalog, YamlError> {
    let text = format!(
        "version: 1\ndefault_request: {{Username: $username, ConfirmationCode: $code}}\ncases:\n  - id: c\n    title: t\n    checks: c\n    spec: s\n    confidence: inferred\n    user: unconfirmed\n    expect: {{status: 400, error: E}}\n{extra}"
    );
    Catalog::parse(&text, Path::new("c.yaml"))
}

#[test]
fn last_request_is_merged_over_the_case_request() {
    let c = one_case(
        "    consumes: true\n    repeat: {count: 3}\n    expect_others: {status: 400, error: F}\n    request: {ConfirmationCode: \"000000\", ClientMetadata: {a: b}}\n    last_request: {ConfirmationCode: $code, ClientMetadata: $omit}\n",
    )
    .unwrap();
    let case = &c.cases[0];
    let last = case.last_request.clone().unwrap();
    assert_eq!(
        last,
        vec![
            ("ConfirmationCode".to_owned(), Value::Field(Field::Code)),
            ("Username".to_owned(), Value::Field(Field::Username)),
        ]
    );
    assert_eq!(case.request.len(), 3, "{:?}", case.request);
    assert!(case.own_members.contains("ClientMetadata"));
    // Only the last request reads the code: the case still needs codes.
    let builtin = Catalog::builtin();
    let correct = builtin.get("attempt-limit-correct-code").unwrap();
    assert!(
        !correct
            .request
            .iter()
            .any(|(_, v)| *v == Value::Field(Field::Code))
    );
    assert!(correct.needs().contains(&Capability::ReadCodes));
    assert_eq!(
        correct
            .last_request
            .as_ref()
            .unwrap()
            .iter()
            .find(|(k, _)| k == "ConfirmationCode"),
        Some(&("ConfirmationCode".to_owned(), Value::Field(Field::Code)))
    );
    // Scenario members reach the last request too, but never what the case sets.
    let extra = vec![
        (
            "ClientMetadata".to_owned(),
            Value::Json(serde_json::json!({"s": "x"})),
        ),
        (
            "ConfirmationCode".to_owned(),
            Value::Json(serde_json::json!("1")),
        ),
    ];
    let merged = correct.with_members(&extra);
    let last = merged.last_request.unwrap();
    assert!(last.iter().any(|(k, _)| k == "ClientMetadata"));
    assert!(last.contains(&("ConfirmationCode".to_owned(), Value::Field(Field::Code))));
    assert!(
        builtin
            .cases
            .iter()
            .filter(|k| k.id != "attempt-limit-correct-code")
            .all(|k| k.last_request.is_none())
    );
}

#[test]
fn last_request_needs_a_sequence_of_members() {
    for (extra, wanted) in [
        (
            "    last_request: {ConfirmationCode: $code}\n",
            "`last_request` needs a sequential `repeat`",
        ),
        (
            "    repeat: {count: 3, concurrent: true}\n    last_request: {ConfirmationCode: $code}\n",
            "sequential `repeat` only",
        ),
        (
            "    repeat: {count: 3}\n    expect_others: {status: 400, error: F}\n    http: {body: \"{}\"}\n    last_request: {ConfirmationCode: $code}\n",
            "`http.body` replaces them",
        ),
        (
            "    repeat: {count: 3}\n    expect_others: {status: 400, error: F}\n    last_request: {}\n",
            "`last_request` is empty",
        ),
        (
            "    consumes: true\n    repeat: {count: 3}\n    expect_others: {status: 400, error: F}\n    last_request: {ConfirmationCode: $nope}\n",
            "unknown placeholder",
        ),
    ] {
        let e = one_case(extra).unwrap_err().message;
        assert!(e.contains(wanted), "{e}");
    }
}

#[test]
fn an_other_case_contested_user_has_a_previous_owner() {
    let c = Catalog::builtin();
    let case = c.get("alias-exists-case-insensitive").unwrap();
    assert_eq!(case.user, UserKind::AliasContestedOtherCase);
    assert_eq!(case.pool, PoolVariant::CaseInsensitive);
    assert_eq!(case.slot(), Some(Slot::OtherCaseReusable));
    assert!(
        case.needs().contains(&Capability::ReadCodes),
        "set-up confirms the holder"
    );
    assert!(case.expect.post.iter().any(|p| p.of == Whom::PreviousOwner));
    let text = "version: 1\ndefault_request: {}\ncases:\n  - id: c\n    title: t\n    checks: c\n    spec: s\n    confidence: inferred\n    user: unconfirmed\n    expect: {status: 400, error: E, post: [{of: previous_owner}]}\n";
    let e = Catalog::parse(text, Path::new("c.yaml")).unwrap_err();
    assert!(e.message.contains("only an alias-contested user"), "{e}");
    let ok = text.replace("user: unconfirmed", "user: alias-contested-other-case");
    assert!(Catalog::parse(&ok, Path::new("c.yaml")).is_ok());
}

#[test]
fn placeholders_parse() {
    assert_eq!(
        parse_placeholder("$code").unwrap(),
        Value::Field(Field::Code)
    );
    assert_eq!(parse_placeholder("$omit").unwrap(), Value::Omit);
    assert_eq!(
        parse_placeholder("$repeat(ab,3)").unwrap(),
        Value::Repeat("ab".into(), 3)
    );
    assert_eq!(
        parse_placeholder("$$code").unwrap(),
        Value::Json(serde_json::json!("$code"))
    );
    assert!(
        parse_placeholder("$nope")
            .unwrap_err()
            .contains("unknown placeholder")
    );
    assert!(parse_placeholder("$repeat(a,x)").is_err());
}

#[test]
fn bad_case_is_reported_with_position() {
    let text = "version: 1\ndefault_request: {}\ncases:\n  - id: a\n    title: t\n    checks: c\n    spec: s\n    confidence: sure\n";
    let e = Catalog::parse(text, Path::new("c.yaml")).unwrap_err();
    assert_eq!(e.position, Some((8, 17)), "{e}");
    assert!(e.message.contains("unknown variant `sure`"), "{e}");
}

#[test]
fn scenario_members_never_replace_what_the_case_varies() {
    let c = Catalog::builtin();
    let extra = vec![
        (
            "ClientMetadata".to_owned(),
            Value::Json(serde_json::json!({"source": "cogbench"})),
        ),
        (
            "ConfirmationCode".to_owned(),
            Value::Json(serde_json::json!("999999")),
        ),
        ("SecretHash".to_owned(), Value::Omit),
    ];
    let valid = c.get("valid-code").unwrap().with_members(&extra);
    let get = |case: &Case, n: &str| {
        case.request
            .iter()
            .find(|(k, _)| k == n)
            .map(|(_, v)| v.clone())
    };
    assert!(get(&valid, "ClientMetadata").is_some());
    assert_eq!(
        get(&valid, "ConfirmationCode"),
        Some(Value::Json(serde_json::json!("999999")))
    );
    assert_eq!(get(&valid, "SecretHash"), None);
    let wrong = c.get("wrong-code").unwrap().with_members(&extra);
    assert_eq!(
        get(&wrong, "ConfirmationCode"),
        Some(Value::Field(Field::WrongCode))
    );
    let hashed = c.get("secret-hash-wrong").unwrap().with_members(&extra);
    assert_eq!(
        get(&hashed, "SecretHash"),
        Some(Value::Field(Field::WrongSecretHash))
    );
}

#[test]
fn message_is_a_full_match() {
    let c = Catalog::builtin();
    let re = c.get("wrong-code").unwrap().expect.message.clone().unwrap();
    assert!(re.is_match("Invalid verification code provided, please try again."));
    assert!(!re.is_match("Invalid verification code provided, please try again. extra"));
}

#[test]
fn a_repeat_needs_a_user_of_its_own() {
    let e = one_case("    repeat: {count: 4}\n    expect_others: {status: 400, error: E}\n")
        .unwrap_err()
        .message;
    assert!(e.contains("`repeat` needs a user of its own"), "{e}");
    one_case(
        "    consumes: true\n    repeat: {count: 4}\n    expect_others: {status: 400, error: E}\n",
    )
    .unwrap();
}

#[test]
fn a_cases_headers_are_checked_and_lower_cased() {
    let c = one_case("    http: {headers: {X-Cogbench-Waf: block}}\n").unwrap();
    assert_eq!(
        c.cases[0].http.headers,
        [("x-cogbench-waf".to_owned(), "block".to_owned())]
    );
    for (headers, says) in [
        ("{Content-Type: text/plain}", "which cogbench sets"),
        ("{X-Amz-Target: x}", "which cogbench sets"),
        ("{authorization: x}", "which cogbench sets"),
        ("{\"bad name\": x}", "is not an HTTP header name"),
        ("{X-A: a, x-a: b}", "given twice"),
        ("{Expect: 100-continue}", "which cogbench sets"),
        ("{x-ok: \"line\\nbreak\"}", "printable ASCII"),
    ] {
        let e = one_case(&format!("    http: {{headers: {headers}}}\n")).unwrap_err();
        assert!(e.to_string().contains(says), "{headers}: {e}");
    }
}

#[test]
fn at_least_one_belongs_to_a_race_with_expect_others() {
    let ok = "    consumes: true\n    repeat: {count: 4, concurrent: true, at_least_one: true}\n    expect_others: {status: 400, error: F}\n";
    assert!(one_case(ok).is_ok(), "{:?}", one_case(ok).err());
    for bad in [
        "    consumes: true\n    repeat: {count: 4, concurrent: true, at_least_one: true}\n",
        "    consumes: true\n    repeat: {count: 4, at_least_one: true}\n    expect_others: {status: 400, error: F}\n",
    ] {
        let e = one_case(bad).unwrap_err();
        assert!(e.to_string().contains("at_least_one"), "{e}");
    }
}

#[test]
fn a_pool_set_up_is_a_capability_the_case_needs() {
    let c = one_case("    pool: web-acl\n").unwrap();
    assert!(c.cases[0].needs().contains(&Capability::WebAcl));
    let c = one_case("    pool: internal-error\n").unwrap();
    assert!(c.cases[0].needs().contains(&Capability::InternalErrorFault));
}

#[test]
fn a_rate_quota_case_signs_nobody_up() {
    let e = one_case("    pool: rate-quota\n").unwrap_err();
    assert!(e.to_string().contains("user: unknown"), "{e}");
}

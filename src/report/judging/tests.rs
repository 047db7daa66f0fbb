use super::*;
use crate::report::fixtures::{fixture, oracle_fixture, typed};
use crate::summary::types::CheckVerdict;

fn check(check: Check, verdict: Verdict, judged: u64, failed: u64) -> CheckVerdict {
    CheckVerdict {
        check,
        verdict,
        judged,
        failed,
    }
}

fn diff(check: Check, field: &str) -> Difference {
    Difference {
        check,
        field: field.into(),
        expected: "e".into(),
        observed: "o".into(),
    }
}

#[test]
fn failing_checks_come_from_by_check_or_else_the_differences() {
    let mut c = typed(&fixture()).cases.remove(0);
    c.by_check = vec![
        check(Check::Answer, Verdict::Pass, 8, 0),
        check(Check::Headers, Verdict::Fail, 8, 1),
        check(Check::State, Verdict::Fail, 1, 1),
    ];
    c.failures = vec![vec![diff(Check::State, "s"), diff(Check::Headers, "h")]];
    c.confidence = "recorded";
    c.catalog_confidence = "inferred".into();
    assert_eq!(failing_check_names(&c), ["headers", "state"]);
    assert_eq!(failing_checks(&c), "headers (1 of 8), state (1 of 1)");
    assert_eq!(confidence_text(&c), "recorded (catalog: inferred)");
    let lines = lines(&c.failures[0]);
    let grouped: Vec<(&str, usize)> = grouped(&lines)
        .into_iter()
        .map(|(c, ds)| (c, ds.len()))
        .collect();
    assert_eq!(grouped, [("headers", 1), ("state", 1)]);

    // A summary from before per-check verdicts: no `by_check`, and only the maps side by side.
    c.by_check.clear();
    c.failures.clear();
    c.failed_responses = 2;
    c.judged = 32;
    c.confidence = "observed";
    c.catalog_confidence.clear();
    c.expected = Some([("status".to_owned(), "400".to_owned())].into());
    c.observed = Some([("type".to_owned(), "x".to_owned())].into());
    assert!(failing_check_names(&c).is_empty());
    assert_eq!(failing_checks(&c), "2 of 32 judged answers");
    assert_eq!(confidence_text(&c), "observed");
    let answers = failing_answers(&c);
    let fields: Vec<(&str, &str, &str, &str)> = answers[0]
        .iter()
        .map(|l| (l.check_name(), l.field, l.expected, l.observed))
        .collect();
    assert_eq!(fields, [("", "status", "400", ""), ("", "type", "", "x")]);
    c.observed = None;
    assert!(failing_answers(&c).is_empty());
    assert_eq!(oracle_name(""), "catalog");
}

#[test]
fn the_gate_names_the_failing_cases_it_leaves_out() {
    let mut s = typed(&oracle_fixture());
    s.fail_on = Some(vec!["documented".to_owned(), "observed".to_owned()]);
    let gate = Gate::of(&s).unwrap();
    let ungated: Vec<&str> = s
        .cases
        .iter()
        .filter(|c| c.verdict == Verdict::Fail && c.confidence != "observed")
        .map(|c| c.name.as_str())
        .collect();
    assert!(!ungated.is_empty());
    assert_eq!(gate.ungated, ungated);
    assert_eq!(
        gate.line(),
        format!(
            "fails only on documented, observed cases; {} failing cases of other levels do not fail it: {}",
            ungated.len(),
            ungated.join(", ")
        )
    );
    assert!(gate.gates("observed") && !gate.gates("recorded"));
    assert_eq!(
        gate.exempt_note(),
        "does not fail the run (--fail-on documented,observed)"
    );
    s.fail_on = None;
    assert!(Gate::of(&s).is_none());
}

#[test]
fn the_oracle_line_names_the_snapshot_once() {
    let o = OracleInfo {
        file: "snap.json".into(),
        target_kind: "aws".into(),
        endpoint: "https://cognito-idp.eu-west-1.amazonaws.com".into(),
        recorded_at: "2026-12-01T10:00:00Z".into(),
        same_catalog: false,
        cases_judged: 5,
        cases_from_catalog: vec!["x".into()],
        partial: false,
    };
    assert_eq!(
        oracle_line(Some(&o)),
        "snapshot snap.json (aws at https://cognito-idp.eu-west-1.amazonaws.com, recorded 2026-12-01T10:00:00Z) judged 5 cases; 1 by the catalog (x) · recorded with another catalog"
    );
    assert!(oracle_line(None).starts_with("the catalog"));
}

use super::*;
use crate::report::fixtures::{
    assert_contains, before_per_check_verdicts, echoing_markup, exported, fixture, oracle_fixture,
    typed,
};
use serde_json::Value;

/// The `<testcase>` element of `name`, up to its end.
fn testcase<'a>(xml: &'a str, name: &str) -> &'a str {
    let start = xml
        .find(&format!("<testcase name=\"{name}\""))
        .unwrap_or_else(|| panic!("no testcase {name}"));
    let end = start + xml[start..].find("</testcase>").expect("closed");
    &xml[start..end]
}

fn property(name: &str, value: &str) -> String {
    format!("<property name=\"{name}\" value=\"{value}\"/>")
}

/// A small well-formedness check: tags balance, attributes are quoted, every `&` starts a
/// known reference and no character outside XML 1.0 appears.
fn well_formed(xml: &str) -> Result<(), String> {
    if let Some(c) = xml.chars().find(|c| !allowed(*c)) {
        return Err(format!("character U+{:04X}", c as u32));
    }
    for (i, _) in xml.match_indices('&') {
        let rest = &xml[i..];
        let ok = ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "&#"]
            .iter()
            .any(|r| rest.starts_with(r));
        if !ok {
            return Err(format!("bare & at {i}"));
        }
    }
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
        .ok_or("no declaration")?;
    let mut open: Vec<&str> = Vec::new();
    let mut rest = body;
    while let Some(start) = rest.find('<') {
        if rest[..start].contains('>') {
            return Err("bare > outside a tag".into());
        }
        let end = rest[start..].find('>').ok_or("unclosed tag")? + start;
        let tag = &rest[start + 1..end];
        if tag.contains('<') {
            return Err(format!("< inside tag {tag}"));
        }
        if let Some(name) = tag.strip_prefix('/') {
            if open.pop() != Some(name) {
                return Err(format!("</{name}> closes nothing"));
            }
        } else {
            let name = tag.split([' ', '/']).next().unwrap_or("");
            if tag.matches('"').count() % 2 != 0 {
                return Err(format!("unbalanced quotes in <{name}>"));
            }
            if !tag.ends_with('/') {
                open.push(name);
            }
        }
        rest = &rest[end + 1..];
    }
    if open.is_empty() {
        Ok(())
    } else {
        Err(format!("unclosed {open:?}"))
    }
}

#[test]
fn the_fixtures_follow_the_schema() {
    let schema: Value =
        serde_json::from_str(include_str!("../../../fixtures/summary.schema.json")).unwrap();
    let v = jsonschema::validator_for(&schema).unwrap();
    for f in [fixture(), oracle_fixture()] {
        let errors: Vec<String> = v.iter_errors(&f).map(|e| e.to_string()).collect();
        assert_eq!(errors, Vec::<String>::new());
    }
}

#[test]
fn escapes_both_contexts_and_drops_what_xml_forbids() {
    let hostile =
        "a&b<c>d\"e'f\tg\nh\ri\u{0}\u{1}\u{B}\u{1F}\u{FFFE}\u{FFFF}j\u{D7FF}\u{E000}\u{1F600}";
    let mut t = String::new();
    text(&mut t, hostile);
    assert_eq!(
        t,
        "a&amp;b&lt;c&gt;d\"e'f\tg\nh&#13;ij\u{D7FF}\u{E000}\u{1F600}"
    );
    let mut a = String::new();
    attr(&mut a, hostile);
    assert_eq!(
        a,
        "a&amp;b&lt;c&gt;d&quot;e&apos;f&#9;g&#10;h&#13;ij\u{D7FF}\u{E000}\u{1F600}"
    );
    assert!(
        well_formed(&format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<x a=\"{a}\">{t}</x>"
        ))
        .is_ok()
    );
    assert_eq!(clip("abcdef", 4), "abc…");
    assert_eq!(clip("abcd", 4), "abcd");
    assert_eq!(one_line("a\nb\r\n\tc"), "a b c");
    assert_eq!(ant_timestamp("2026-11-28T10:12:45Z"), "2026-11-28T10:12:45");
}

#[test]
fn two_suites_with_counts_failures_and_skips() {
    let xml = render(&typed(&echoing_markup()));
    well_formed(&xml).unwrap();
    assert_contains(
        &xml,
        &[
            "<testsuites name=\"cogbench smoke\" tests=\"7\" failures=\"4\" errors=\"0\" skipped=\"1\" time=\"2.006\">",
            "<testsuite name=\"conformance\" tests=\"4\" failures=\"2\" errors=\"0\" skipped=\"1\" time=\"2.006\" timestamp=\"2026-12-06T13:19:53\">",
            "<testsuite name=\"thresholds\" tests=\"3\" failures=\"2\" errors=\"0\" skipped=\"0\" time=\"0.000\" timestamp=\"2026-12-06T13:19:53\">",
        ],
    );
    assert_eq!(xml.matches("<testcase ").count(), 7);
    assert_eq!(xml.matches("<failure ").count(), 4);
    assert_eq!(xml.matches("<skipped ").count(), 1);
    assert_eq!(xml.matches("<system-out>").count(), 2);
    assert!(
        !xml.contains("<system-err>"),
        "a complete run has no warning"
    );

    // A pass: the time its requests took, and what judged it.
    assert_eq!(
        testcase(&xml, "code-missing"),
        "<testcase name=\"code-missing\" classname=\"cogbench.smoke.conformance\" time=\"0.090\">\n      <properties>\n        <property name=\"confidence\" value=\"observed\"/>\n        <property name=\"catalog_confidence\" value=\"observed\"/>\n        <property name=\"oracle\" value=\"catalog\"/>\n      </properties>\n    "
    );
    assert!(testcase(&xml, "valid-code").contains(
        "</properties>\n      <skipped message=\"the target cannot read confirmation codes\"/>"
    ));
    // A failure: confidence and failing checks first, then expected against observed in the
    // message and, in full and grouped by check, in the text.
    let unknown = testcase(&xml, "unknown-user");
    assert_contains(
        unknown,
        &[
            "<failure message=\"[observed] answer, headers: judged by catalog, 2 of 135 judged answers failed; answer status: expected 400, observed 200; answer error type: expected UserNotFoundException, observed (none); answer message: expected /Username/client id combination not found\\./, observed (none); answer body: expected {&quot;__type&quot;: string, &quot;message&quot;: string?}, observed not JSON: &lt;html&gt;garbage, not JSON{; headers content type: expected application/x-amz-json-1.1 or application/x-amz-json-1.0, observed text/plain; charset=utf-8\" type=\"conformance\">",
            &property("failing_checks", "answer (2 of 135), headers (1 of 135)"),
            "spec: Decision order 5; §3.1; §4.3 · confidence: observed · judged by catalog\nfailing checks: answer (2 of 135), headers (1 of 135)\n2 of 135 judged answers failed (135 sent)\n",
            "    observed not JSON: &lt;html&gt;garbage, not JSON{\nheaders check:\n  content type\n",
        ],
    );
    assert!(xml.contains(
        "failing answer 2 of 2:\nanswer check:\n  status\n    expected 400\n    observed 500\n"
    ));
    // What the target echoed is text, never markup; the control character is gone.
    assert!(xml.contains(
        "observed &lt;html&gt;&amp;nbsp;\"x\" | `y` \n             second line]]&gt;&lt;/html&gt;"
    ));
    assert!(!xml.contains('\u{1}'));
    // Thresholds: a failure names the observed value; a held one is empty.
    assert_contains(
        &xml,
        &[
            "<failure message=\"error_rate == 0% did not hold: observed 1.737%\" type=\"threshold\">",
            "<testcase name=\"p99 &lt; 250ms\" classname=\"cogbench.smoke.thresholds\" time=\"0.000\"/>",
            &property("target.kind", "endpoint"),
            &property("target.endpoint", "http://127.0.0.1:39517"),
            &property("oracle", "catalog"),
        ],
    );
    assert!(!xml.contains("oracle.file") && !xml.contains("fail_on"));
    assert_contains(
        &xml,
        &[
            "<system-out>cogbench smoke: 403 requests in 2.01s (201 req/s) · errors 7 (1.74%)",
            "· oracle: the catalog (each expectation with its confidence: documented, observed, inferred)</system-out>",
        ],
    );
}

#[test]
fn every_verdict_names_its_oracle_and_every_failure_its_confidence_and_checks() {
    let xml = render(&typed(&oracle_fixture()));
    well_formed(&xml).unwrap();
    // The snapshot, once per suite.
    // Both suites and the six cases the snapshot judged.
    assert_eq!(xml.matches(&property("oracle", "snapshot")).count(), 2 + 6);
    for (name, value) in [
        ("oracle.file", "snapshot.json"),
        ("oracle.target_kind", "embedded"),
        ("oracle.recorded_at", "2026-12-06T13:20:07Z"),
        ("oracle.same_catalog", "true"),
        ("fail_on", "documented,observed"),
    ] {
        assert_eq!(xml.matches(&property(name, value)).count(), 2, "{name}");
    }
    assert!(xml.contains(
        "· oracle: snapshot snapshot.json (embedded (embedded, in-process), recorded 2026-12-06T13:20:07Z) judged 6 cases; 1 by the catalog (unknown-user) · gate: fails only on documented, observed cases; 3 failing cases of other levels do not fail it: wrong-code, expired-code, concurrent-confirm</system-out>"
    ));

    // Judged by the snapshot: `recorded`, the catalog's level beside it, each failing check
    // with its count and its differences under it.
    let wrong = testcase(&xml, "wrong-code");
    assert_contains(
        wrong,
        &[
            &property("confidence", "recorded"),
            &property("catalog_confidence", "inferred"),
            &property("oracle", "snapshot"),
            &property("failing_checks", "answer (1 of 1), headers (1 of 1)"),
            &property("fails_run", "false"),
            "<failure message=\"[recorded] answer, headers: judged by snapshot, 1 of 1 judged answers failed, which does not fail the run (--fail-on documented,observed); answer message: expected Invalid code provided, please request a code again., observed Invalid verification code provided, please try again.; headers content type: expected application/x-amz-json-1.0, observed application/x-amz-json-1.1\"",
            "confidence: recorded (catalog: inferred) · judged by snapshot\n",
            "\nanswer check:\n  message\n    expected Invalid code provided, please request a code again.\n    observed Invalid verification code provided, please try again.\nheaders check:\n  content type\n    expected application/x-amz-json-1.0\n",
        ],
    );
    let expired = testcase(&xml, "expired-code");
    assert_contains(
        expired,
        &[
            "<failure message=\"[recorded] state: judged by snapshot",
            "\nstate check:\n  user.UserStatus (AdminGetUser)\n    expected CONFIRMED\n    observed UNCONFIRMED\n",
        ],
    );

    // Judged by the catalog though a snapshot was given: why, and the catalog's level; its
    // level fails the run.
    let unknown = testcase(&xml, "unknown-user");
    assert_contains(
        unknown,
        &[
            &property("confidence", "observed"),
            &property("oracle", "catalog"),
            &property("oracle_note", "not in the snapshot; judged by the catalog"),
            &property("fails_run", "true"),
            "<failure message=\"[observed] answer: judged by catalog, 1 of 1 judged answers failed; answer message: expected /User does not exist\\./, observed Username/client id combination not found.\"",
            "oracle: not in the snapshot; judged by the catalog\n",
        ],
    );
    assert!(!unknown.contains("does not fail the run"));

    // Races say how many succeeded, passing or failing; notes stay whole.
    let race = testcase(&xml, "concurrent-confirm");
    assert_contains(
        race,
        &[
            &property("race", "1 of 8 succeeded"),
            "\nrace: 1 of 8 succeeded\n",
            "note: Exactly one success is what a correct, atomic service must give (two 200s would confirm the user twice); the spec documents the status change (§4.6) but says nothing about atomicity, so Cognito's is not documented.\n",
        ],
    );
    let passing_race = testcase(&xml, "concurrent-force-alias");
    assert!(passing_race.contains(&property("race", "8 of 8 succeeded")));
    assert!(!passing_race.contains("<failure"));
}

#[test]
fn a_summary_from_before_per_check_verdicts_still_renders() {
    let s = before_per_check_verdicts();
    // A difference that names no check reads as the answer check's (summary.json's default).
    let xml = render(&typed(&s));
    well_formed(&xml).unwrap();
    let unknown = testcase(&xml, "unknown-user");
    assert_contains(
        unknown,
        &[
            "<failure message=\"[observed] answer: judged by catalog, 2 of 135 judged answers failed; answer status: expected 400, observed 200; answer error type:",
            &property("oracle", "catalog"),
            &property("failing_checks", "2 of 135 judged answers"),
            "\nfailing answer 1 of 2:\nanswer check:\n  status\n    expected 400\n",
        ],
    );
    assert!(!unknown.contains("catalog_confidence"));
}

#[test]
fn a_passing_partial_run_and_a_failure_without_patterns() {
    let mut s = fixture();
    let cases = s["cases"].as_array_mut().unwrap();
    cases.retain(|c| c["name"] != "member-confirmation-code-pattern");
    // Only expected/observed (no `failures` list): the message is built from the maps, with
    // the failing checks from `by_check`.
    cases[1]["failures"] = Value::Array(vec![]);
    s["thresholds"] = Value::Array(vec![]);
    s["partial"] = true.into();
    s["interrupted"] = true.into();
    s["aborted"] = "users ran out".into();
    s["scenario"]["name"] = "a<b".into();
    let xml = render(&typed(&s));
    well_formed(&xml).unwrap();
    assert_contains(
        &xml,
        &[
            "classname=\"cogbench.a&lt;b.conformance\"",
            "message=\"[observed] answer, headers: judged by catalog, 2 of 135 judged answers failed; body: expected {&quot;__type&quot;: string, &quot;message&quot;: string?}, observed not JSON: &lt;html&gt;garbage, not JSON{; content type:",
            "<testsuite name=\"thresholds\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\"",
            "<system-err>partial run: the results cover only part of the plan; interrupted; stopped early: users ran out</system-err>",
        ],
    );
}

#[test]
fn a_long_message_is_clipped_but_the_text_keeps_everything() {
    let mut s = fixture();
    let long = "x".repeat(5000);
    s["cases"][1]["failures"][0][2]["observed"] = long.clone().into();
    let xml = render(&typed(&s));
    let msg_start = xml.find("<failure message=\"").unwrap();
    let msg_end = xml[msg_start + 18..].find('"').unwrap();
    assert_eq!(
        xml[msg_start + 18..msg_start + 18 + msg_end]
            .chars()
            .count(),
        MESSAGE_MAX
    );
    assert!(xml.contains(&long));
}

#[test]
fn the_exporter_writes_junit_xml() {
    use crate::report::export::Format;
    let (name, text) = exported(Format::Junit, &fixture());
    assert_eq!(name, "junit.xml");
    assert_eq!(text, render(&typed(&fixture())));
    let dir = tempfile::tempdir().unwrap();
    assert!(crate::report::write::export(Format::Junit, &Value::Null, dir.path()).is_err());
}

use super::*;
use crate::report::fixtures::{
    assert_contains, before_per_check_verdicts, echoing_markup, exported, fixture, oracle_fixture,
    typed,
};
use serde_json::Value;

/// The rows of the table that follows the header line `header`.
fn table_rows<'a>(md: &'a str, header: &str) -> Vec<&'a str> {
    let mut lines = md.lines().skip_while(|l| *l != header);
    assert_eq!(lines.next(), Some(header), "no table {header}");
    lines.next(); // the delimiter row
    lines.take_while(|l| l.starts_with('|')).collect()
}

const CASES: &str = "| case | verdict | confidence | oracle | count | errors | p50 | p99 |";

#[test]
fn escapes_cells() {
    assert_eq!(esc("a|b"), "a\\|b");
    assert_eq!(esc("`code`"), "\\`code\\`");
    assert_eq!(esc("<b>&amp;</b>"), "\\<b\\>\\&amp;\\</b\\>");
    assert_eq!(
        esc("one\r\ntwo\nthree\rfour"),
        "one<br>two<br>three<br>four"
    );
    assert_eq!(esc("a\u{0}b\u{7}\tc"), "ab c");
    assert_eq!(
        esc("snake_case *x* [l](u) ~s~ #1 !"),
        "snake\\_case \\*x\\* \\[l\\](u) \\~s\\~ \\#1 \\!"
    );
    assert_eq!(esc_max("abcdef", 3), "abc…");
    assert_eq!(esc_max("abc", 3), "abc");
    assert_eq!(esc_max("a\\b", 5), "a\\\\b");
}

#[test]
fn a_failing_run() {
    let md = render(&typed(&echoing_markup()));
    assert!(md.starts_with("## ❌ cogbench: smoke failed\n"), "{md}");
    assert_contains(
        &md,
        &[
            "**403** requests in 2.01 s · **201** req/s · errors **7** (1.74%) · p50 **630µs** · p99 **853µs**  \n",
            "Timing (mixed model): scheduling lag p99 163µs · 0 late starts (> 1 ms) · 0 dropped",
            "Conformance: 1 passed · 2 failed · 1 skipped · 7 of 403 judged answers failed · thresholds 1 held, 2 failed",
            "Oracle: the catalog (each expectation with its confidence: documented, observed, inferred)\n\n",
        ],
    );
    assert!(!md.contains("Gate") && !md.contains("Races:"));
    assert!(!md.contains("Partial run"));

    // Failures first, then skips, then passes; one row per case.
    let rows = table_rows(&md, CASES);
    assert_eq!(
        rows,
        [
            "| unknown-user | ❌ fail | observed | catalog | 135 | 2 | 635µs | 991µs |",
            "| member-confirmation-code-pattern | ❌ fail | observed | catalog | 134 | 5 | 621µs | 806µs |",
            "| valid-code | ⏭️ skipped | documented | catalog | 0 | 0 | - | - |",
            "| code-missing | ✅ pass | observed | catalog | 134 | 0 | 634µs | 1.51ms |",
        ]
    );

    // Expected against observed, in a details block; what the target echoed cannot
    // split a cell, open a code span or inject HTML.
    assert_contains(
        &md,
        &[
            "<details><summary>❌ 2 failing cases: expected vs observed</summary>\n\n",
            "**unknown-user**: A username that does not exist (PreventUserExistenceErrors LEGACY)  \nspec Decision order 5; §3.1; §4.3 · confidence observed · judged by catalog · failing checks: answer (2 of 135), headers (1 of 135) · 2 of 135 judged answers failed\n\n",
            "| answer | status | 400 | 500 |\n| answer | error type | UserNotFoundException | InternalErrorException |",
            "Failing answer 2 of 2:",
            "| answer | body | {\"\\_\\_type\": string, \"message\": string?} | not JSON: \\<html\\>garbage, not JSON{ |\n| headers | content type | application/x-amz-json-1.1 or application/x-amz-json-1.0 | text/plain; charset=utf-8 |",
        ],
    );
    let hostile = md
        .lines()
        .filter(|l| l.starts_with("| answer | body |"))
        .nth(1)
        .unwrap();
    assert_eq!(
        hostile,
        "| answer | body | {\"\\_\\_type\": string, \"message\": string?} | \\<html\\>\\&nbsp;\"x\" \\| \\`y\\` <br>second line\\]\\]\\>\\</html\\> |"
    );
    assert!(!md.contains('\u{1}'));
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count()
    );

    assert!(md.contains("<details><summary>⏭️ 1 skipped case</summary>\n\n- the target cannot read confirmation codes (1): valid-code\n"));
    assert_eq!(
        table_rows(&md, "| threshold | result | observed |"),
        [
            "| conformance\\_failures == 0 | ❌ failed | 7 |",
            "| error\\_rate == 0% | ❌ failed | 1.737% |",
            "| p99 \\< 250ms | ✅ held | 853µs |",
        ]
    );
}

#[test]
fn verdicts_name_their_oracle_and_failures_their_confidence_and_checks() {
    let md = render(&typed(&oracle_fixture()));
    // The snapshot once at the top, the gate beside it.
    assert!(md.contains(
        "Oracle: snapshot snapshot.json (embedded (embedded, in-process), recorded 2026-12-06T13:20:07Z) judged 6 cases; 1 by the catalog (unknown-user)  \nGate (`--fail-on`): fails only on documented, observed cases; 3 failing cases of other levels do not fail it: wrong-code, expired-code, concurrent-confirm\n\n"
    ), "{md}");
    // Each verdict with its confidence and oracle.
    let rows = table_rows(&md, CASES);
    assert_eq!(rows.len(), 7);
    assert_eq!(
        rows[0],
        "| wrong-code | ❌ fail | recorded | snapshot | 1 | 0 | 775µs | 775µs |"
    );
    assert_eq!(
        rows[2],
        "| unknown-user | ❌ fail | observed | catalog | 1 | 0 | 247µs | 247µs |"
    );
    // Races, passing ones too.
    assert!(md.contains(
        "Races: concurrent-confirm: 1 of 8 succeeded · concurrent-force-alias: 8 of 8 succeeded\n"
    ));
    // A failing case: confidence, oracle, failing checks with counts, whether it fails
    // the run; the differences under their checks; the note whole.
    assert_contains(
        &md,
        &[
            "**wrong-code**: A code that is not the user's current code is refused  \nspec Decision order 7; §3; §3.1 · confidence recorded (catalog: inferred) · judged by snapshot · failing checks: answer (1 of 1), headers (1 of 1) · 1 of 1 judged answers failed  \n_does not fail the run (--fail-on documented,observed)_  \nnote: The message is observed for ConfirmForgotPassword and checked by ConfirmSignUp error handlers in public code (§3.1); no ConfirmSignUp capture shows it, so its exact text there is open.\n\n| check | field | expected | observed |\n|---|---|---|---|\n| answer | message | Invalid code provided, please request a code again. | Invalid verification code provided, please try again. |\n| headers | content type | application/x-amz-json-1.0 | application/x-amz-json-1.1 |\n",
            "| state | user.UserStatus (AdminGetUser) | CONFIRMED | UNCONFIRMED |",
            "**unknown-user**: A username that does not exist (PreventUserExistenceErrors LEGACY)  \nspec Decision order 5; §3.1; §4.3 · confidence observed · judged by catalog · failing checks: answer (1 of 1) · 1 of 1 judged answers failed  \noracle: not in the snapshot; judged by the catalog  \nnote: Pinned to what our production pool returned on 2026-11-02.\n",
            "race: 1 of 8 succeeded  \nnote: Exactly one success is what a correct, atomic service must give (two 200s would confirm the user twice); the spec documents the status change (§4.6) but says nothing about atomicity, so Cognito's is not documented.\n",
        ],
    );
    // The passing cases' notes, whole, in their own block.
    assert!(md.contains(
        "<details><summary>ℹ️ 1 note on a passing case</summary>\n\n- concurrent-force-alias · recorded (catalog: inferred): Exactly one verified owner is what a correct, atomic service must leave, since a verified value belongs to one account only (§4.2); the spec says nothing about concurrent ForceAliasCreation, so Cognito's atomicity is not documented.\n\n</details>"
    ));
}

#[test]
fn a_summary_from_before_per_check_verdicts_still_renders() {
    let s = before_per_check_verdicts();
    let md = render(&typed(&s));
    assert!(md.contains(
        "spec Decision order 5; §3.1; §4.3 · confidence observed · judged by catalog · 2 of 135 judged answers failed\n"
    ));
    // A difference that names no check reads as the answer check's (summary.json's default).
    assert!(md.contains("| answer | status | 400 | 200 |"));
    assert_eq!(
        table_rows(&md, CASES)[0],
        "| unknown-user | ❌ fail | observed | catalog | 135 | 2 | 635µs | 991µs |"
    );
}

#[test]
fn a_passing_closed_run_and_a_partial_one() {
    let mut s = fixture();
    s["cases"]
        .as_array_mut()
        .unwrap()
        .retain(|c| c["verdict"] == "pass");
    s["thresholds"]
        .as_array_mut()
        .unwrap()
        .retain(|t| t["passed"] == true);
    s["exit_code"] = 0.into();
    s["timing"]["mode"] = "closed".into();
    s["timing"]["scheduling_lag_us"] = Value::Null;
    let md = render(&typed(&s));
    assert!(md.starts_with("## ✅ cogbench: smoke passed\n"), "{md}");
    assert!(md.contains("Timing (closed model): latency measured from the send"));
    assert!(!md.contains("<details>"));
    assert_eq!(table_rows(&md, CASES).len(), 1);

    s["partial"] = true.into();
    s["interrupted"] = true.into();
    s["exit_code"] = 130.into();
    let md = render(&typed(&s));
    assert!(md.starts_with("## ❌ cogbench: smoke interrupted\n"));
    assert!(md.contains(
        "> ⚠️ **Partial run**: the results cover only part of the plan (interrupted).\n"
    ));

    s["interrupted"] = false.into();
    s["aborted"] = "users ran out | early".into();
    s["deviations"] = serde_json::json!({
        "file": "fixtures/known-deviations/moto.yaml", "target": "moto",
        "known": ["a", "b"], "new": ["c"], "fixed": [], "changed": [{"case": "d", "changes": []}],
        "not_run": []
    });
    let md = render(&typed(&s));
    assert_contains(
        &md,
        &[
            "stopped early: users ran out \\| early.",
            "Known deviations of **moto** (`fixtures/known-deviations/moto.yaml`): 2 as listed · **new**: c · **changed**: d\n",
        ],
    );
}

#[test]
fn a_huge_run_stays_under_the_step_summary_limit() {
    let mut s = fixture();
    let failing = s["cases"][3].clone();
    let skipped = s["cases"][0].clone();
    let passing = s["cases"][2].clone();
    let big = "y".repeat(3000);
    let mut cases = Vec::new();
    for i in 0..3000 {
        let mut c = match i % 3 {
            0 => failing.clone(),
            1 => skipped.clone(),
            _ => passing.clone(),
        };
        c["name"] = format!("case-{i}").into();
        if i % 3 == 0 {
            c["failures"][0][2]["observed"] = big.clone().into();
            c["failures"][1][1]["observed"] = big.clone().into();
        }
        cases.push(c);
    }
    s["cases"] = Value::Array(cases);
    let md = render(&typed(&s));
    assert!(md.len() < MAX_BYTES, "{} bytes", md.len());
    let rows = table_rows(&md, CASES);
    assert_eq!(rows.len(), TABLE_ROWS);
    assert!(rows.iter().all(|r| r.contains("❌ fail")), "failures first");
    assert_contains(
        &md,
        &[
            "_…and 2800 more cases not shown (800 failing, 1000 skipped, 1000 passing): every case is in summary.json and latency.csv._",
            " more failing cases not shown (size limit): see summary.json._",
            &format!("{}…", "y".repeat(CELL_MAX - 1)),
        ],
    );
    assert!(!md.contains(&"y".repeat(CELL_MAX + 1)));
    assert_eq!(
        md.matches("<details>").count(),
        md.matches("</details>").count()
    );
    assert!(md.contains("### Thresholds"));
}

#[test]
fn the_hard_limit_cuts_at_a_line_and_closes_details() {
    let mut out = "<details><summary>x</summary>\n\n".to_owned();
    while out.len() <= MAX_BYTES {
        out.push_str("| a | b |\n");
    }
    enforce_limit(&mut out);
    assert!(out.len() <= MAX_BYTES);
    assert!(out.ends_with("</details>\n\n_…cut at the size limit: see summary.json._\n"));
}

#[test]
fn the_exporter_writes_summary_md() {
    let (name, text) = exported(crate::report::export::Format::Markdown, &fixture());
    assert_eq!(name, "summary.md");
    assert_eq!(text, render(&typed(&fixture())));
}

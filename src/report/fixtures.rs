//! The summaries the exporters' tests render, and the one way they turn JSON into the typed
//! summary (as `cogbench report` reads summary.json).

use serde_json::Value;

use super::export::Format;
use crate::summary::Summary;

/// A real run of scenarios/smoke.yaml limited to four cases (`--cases`) against
/// `cogbench emulator --faults only=ConfirmSignUp,error=0.01,garbage=0.006` as an `endpoint`
/// target: one case skipped (no codes), two failing (each with a second failing answer, one
/// of them a non-JSON body with markup and a control character), one passing; the catalog
/// judged; two of the three thresholds failed.
pub const FIXTURE: &str = include_str!("../../fixtures/reports/failing-summary.json");

/// A real run judged by an edited snapshot (`run --oracle snapshot.json --fail-on
/// documented,observed`) of seven cases: wrong-code fails its answer and headers checks,
/// expired-code its state check, concurrent-confirm its race (1 of 8 succeeded), all three
/// `recorded`; unknown-user, missing from the snapshot, fails against a team catalog's
/// pinned message (`observed`, judged by the catalog); three pass, one of them a race.
pub const ORACLE_FIXTURE: &str = include_str!("../../fixtures/reports/oracle-summary.json");

pub fn fixture() -> Value {
    serde_json::from_str(FIXTURE).unwrap()
}

pub fn oracle_fixture() -> Value {
    serde_json::from_str(ORACLE_FIXTURE).unwrap()
}

/// [`FIXTURE`] as a summary written before oracles and per-check verdicts: its cases have no
/// `catalog_confidence`, `oracle`, `by_check` or `answers`, and their differences name no check.
pub fn before_per_check_verdicts() -> Value {
    let mut s = fixture();
    for c in s["cases"].as_array_mut().unwrap() {
        let c = c.as_object_mut().unwrap();
        for key in ["catalog_confidence", "oracle", "by_check", "answers"] {
            c.remove(key);
        }
        for pattern in c["failures"].as_array_mut().unwrap() {
            for d in pattern.as_array_mut().unwrap() {
                d.as_object_mut().unwrap().remove("check");
            }
        }
    }
    s
}

/// `summary` as the typed summary the exporters render.
pub fn typed(summary: &Value) -> Summary {
    super::export::typed(summary).unwrap()
}

/// [`FIXTURE`] with the second failing answer of member-confirmation-code-pattern echoing
/// what a target may: markup, quotes, a code span, a cell separator, a control character, a
/// line break and a CDATA end.
pub fn echoing_markup() -> Value {
    let mut s = fixture();
    s["cases"][3]["failures"][1][3]["observed"] =
        "<html>&nbsp;\"x\" | `y` \u{1}\nsecond line]]></html>".into();
    s
}

/// Fails naming the first of `needles` that `rendered` lacks, with `rendered` whole.
#[track_caller]
pub fn assert_contains(rendered: &str, needles: &[&str]) {
    for needle in needles {
        assert!(
            rendered.contains(needle),
            "missing {needle:?} in:\n{rendered}"
        );
    }
}

/// What the exporter of `format` writes for `summary` into an empty directory: the one
/// file's name and its text.
pub fn exported(format: Format, summary: &Value) -> (String, String) {
    let dir = tempfile::tempdir().unwrap();
    let files = super::write::export(format, summary, dir.path()).unwrap();
    let [file] = files.as_slice() else {
        panic!("{files:?}: not one file")
    };
    let name = file.strip_prefix(dir.path()).unwrap();
    (
        name.to_str().unwrap().to_owned(),
        std::fs::read_to_string(file).unwrap(),
    )
}

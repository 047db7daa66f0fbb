//! Verdicts grounded in what a target really answered. `cogbench record` writes a snapshot:
//! per case, every distinct normalised answer with its count, the sequences or races of group
//! cases, and the states read back, with volatile values as placeholders and secrets never
//! written. `run --oracle` judges another target by it instead of by the catalog, and
//! `oracle check` holds the catalog against it.

pub mod apply;
pub mod check;

pub mod record;

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::cases::answer::{NormalisedAnswer, Pattern, State, Tally};

pub use crate::summary::oracle::OracleInfo;

pub use crate::cases::recorded::{RecordedCase, judge_answer, judge_pattern, judge_state};

/// The snapshot format's name, in every file's `format`.
pub const FORMAT: &str = "cogbench-snapshot";
/// Changes when a field changes meaning or is removed (fixtures/snapshot.schema.json).
pub const VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Snapshot {
    pub format: String,
    pub version: u32,
    pub header: Header,
    /// Cases that ran, by id.
    pub cases: BTreeMap<String, RecordedAnswers>,
    /// Cases the recording run skipped, with the reason.
    #[serde(default)]
    pub skipped: BTreeMap<String, String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Header {
    /// The target kind and endpoint recorded (user name and password removed from the URL).
    pub target_kind: String,
    pub endpoint: String,
    pub region: String,
    /// When the recording ran (RFC 3339, UTC).
    pub recorded_at: String,
    pub cogbench_version: String,
    /// SHA-256 of the catalog the recording ran (built-in cases, members, errors and any
    /// team catalog): when it differs from the judging run's, expectations may have moved.
    pub catalog_sha256: String,
    pub scenario: String,
    /// True when the recording run did not finish (interrupted or stopped early).
    pub partial: bool,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RecordedAnswers {
    pub spec: String,
    /// The catalog's confidence in its expectation when the snapshot was made.
    pub catalog_confidence: String,
    /// Requests sent, answers judged, and the rest by class (transport errors, timeouts,
    /// throttling), none of which a snapshot judges by.
    pub requests: u64,
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub unanswered: BTreeMap<String, u64>,
    /// Every distinct answer, normalised, most frequent first.
    pub answers: Tally<NormalisedAnswer>,
    /// Group cases: every distinct sequence or race outcome of an execution.
    #[serde(default, skip_serializing_if = "Tally::is_empty")]
    pub patterns: Tally<Pattern>,
    /// Every distinct state read back after an execution.
    #[serde(default, skip_serializing_if = "Tally::is_empty")]
    pub states: Tally<State>,
}

impl RecordedAnswers {
    pub fn recorded(&self) -> RecordedCase {
        // A pattern with an unanswered member says nothing of the target (older recordings
        // kept some).
        let answered = |p: &&Pattern| {
            p.runs
                .iter()
                .all(|r| r.answer != "transport error" && r.answer != "timeout")
        };
        RecordedCase {
            answers: self.answers.values().cloned().collect(),
            patterns: self.patterns.values().filter(answered).cloned().collect(),
            states: self.states.values().cloned().collect(),
        }
    }
}

/// Most frequent first; ties in first-seen order.
pub(crate) fn by_count<T: Clone>(t: &Tally<T>) -> Tally<T> {
    let mut t = t.clone();
    t.distinct.sort_by_key(|c| std::cmp::Reverse(c.count));
    t
}

/// A URL without user name, password, query or fragment.
pub fn endpoint_without_credentials(endpoint: &str) -> String {
    match reqwest::Url::parse(endpoint) {
        Ok(mut url) => {
            let _ = url.set_username("");
            let _ = url.set_password(None);
            url.set_query(None);
            url.set_fragment(None);
            url.as_str().trim_end_matches('/').to_owned()
        }
        Err(_) => "(not a URL)".into(),
    }
}

impl Snapshot {
    pub fn load(path: &Path) -> Result<Snapshot, String> {
        let text =
            crate::files::read_to_string_limited(path, crate::files::SNAPSHOT_MAX, "snapshot")?;
        let at = |e: serde_json::Error| {
            format!(
                "{}:{}:{}: not a cogbench snapshot: {}",
                path.display(),
                e.line(),
                e.column(),
                strip_position(&e.to_string())
            )
        };
        let fail = |why: String| Err(format!("{}: {why}", path.display()));
        // What it is comes first, so an old or foreign file is named as such, not by the
        // first field it lacks.
        let value: serde_json::Value = serde_json::from_str(&text).map_err(at)?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return fail(format!(
                "`format` is not `{FORMAT}`: not a cogbench snapshot"
            ));
        }
        match value.get("version").and_then(|v| v.as_u64()) {
            Some(v) if v == u64::from(VERSION) => {}
            v => {
                return fail(format!(
                    "snapshot version {} is not one this cogbench reads (version {VERSION}); record it again",
                    v.map_or("(none)".to_owned(), |v| v.to_string())
                ));
            }
        }
        // Its texts are printed on terminals and in reports: an escape sequence in a file must
        // not act there, and none is longer than a recording writes.
        if let Some((where_, what)) = unsafe_text(&value, String::new()) {
            return fail(format!(
                "{what} at {where_}; a recording never writes one, so this file was not written by cogbench"
            ));
        }
        let snapshot: Snapshot = serde_json::from_str(&text).map_err(at)?;
        for (id, case) in &snapshot.cases {
            let lens = [
                case.answers.distinct.len(),
                case.patterns.distinct.len(),
                case.states.distinct.len(),
            ];
            // cogbench never writes more; more would make judging each answer slower.
            if lens.iter().any(|n| *n > crate::cases::answer::MAX_DISTINCT) {
                return fail(format!(
                    "case `{id}` lists more than {} distinct answers, patterns or states; a recording never does",
                    crate::cases::answer::MAX_DISTINCT
                ));
            }
            if case.states.values().any(|s| s.is_empty()) {
                return fail(format!(
                    "case `{id}` has a state with nothing read back; a recording never writes one"
                ));
            }
            if case
                .patterns
                .values()
                .any(|p| p.runs.is_empty() || p.runs.iter().any(|r| r.count == 0))
            {
                return fail(format!(
                    "case `{id}` has a sequence or race with no answers; a recording never writes one"
                ));
            }
        }
        Ok(snapshot)
    }

    /// The file's text: pretty JSON, stable order, a final newline.
    pub fn render(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).expect("plain data serialises to JSON");
        s.push('\n');
        s
    }

    /// Written whole or not at all.
    pub fn write(&self, path: &Path) -> std::io::Result<()> {
        crate::files::write_atomic(path, self.render().as_bytes())
    }

    /// What judges each case of a run: the recorded answers of the cases the snapshot holds.
    pub fn oracle(&self) -> BTreeMap<String, RecordedCase> {
        self.cases
            .iter()
            .map(|(id, r)| (id.clone(), r.recorded()))
            .filter(|(_, r)| r.has_answers())
            .collect()
    }
}

/// The longest text a recording writes: messages are cut at 1,000 characters.
const MAX_TEXT: usize = 4096;

/// Where the first text a recording would never write is (as a JSON path), and what is wrong
/// with it: a control or bidirectional character, or a length past `MAX_TEXT`.
fn unsafe_text(v: &serde_json::Value, at: String) -> Option<(String, &'static str)> {
    let bad = |s: &str| {
        if s.chars().any(crate::term::unsafe_char) {
            Some("a control or bidirectional character")
        } else if s.chars().count() > MAX_TEXT {
            Some("a text over 4,096 characters")
        } else {
            None
        }
    };
    match v {
        serde_json::Value::String(s) => bad(s).map(|what| (at, what)),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| unsafe_text(x, format!("{at}[{i}]"))),
        serde_json::Value::Object(map) => map.iter().find_map(|(k, x)| match bad(k) {
            Some(what) => Some((at.clone(), what)),
            None => unsafe_text(x, format!("{at}.{k}")),
        }),
        _ => None,
    }
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}

/// Why a recording cannot judge this run's case, if it cannot: a group recorded with another
/// size (a scenario's `race_size`) gives sequences or races that no run of this size can
/// give.
pub fn not_comparable(case: &crate::cases::Case, rec: &RecordedCase) -> Option<String> {
    let size = case.repeat.map_or(1, |r| r.count);
    let other = rec
        .patterns
        .iter()
        .map(Pattern::requests)
        .find(|n| *n != size)?;
    Some(format!(
        "the snapshot's executions of this case sent {other} requests each, this run's send {size}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_control_character_in_a_snapshot_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.json");
        let mut snapshot = Snapshot {
            format: FORMAT.into(),
            version: VERSION,
            header: Header {
                target_kind: "endpoint".into(),
                endpoint: "http://127.0.0.1:1".into(),
                region: "us-east-1".into(),
                recorded_at: String::new(),
                cogbench_version: String::new(),
                catalog_sha256: String::new(),
                scenario: "s".into(),
                partial: false,
            },
            cases: BTreeMap::new(),
            skipped: BTreeMap::new(),
        };
        snapshot.write(&p).unwrap();
        assert!(Snapshot::load(&p).is_ok());
        snapshot.skipped.insert("x".into(), "\u{1b}[2J".into());
        snapshot.write(&p).unwrap();
        let e = Snapshot::load(&p).unwrap_err();
        assert!(e.contains("character at .skipped.x"), "{e}");
    }

    #[test]
    fn credentials_never_reach_the_header() {
        assert_eq!(
            endpoint_without_credentials(
                "https://AKIA:secret@cognito-idp.eu-west-1.amazonaws.com/?X-Amz-Security-Token=t"
            ),
            "https://cognito-idp.eu-west-1.amazonaws.com"
        );
        assert_eq!(
            endpoint_without_credentials("http://127.0.0.1:9229"),
            "http://127.0.0.1:9229"
        );
    }

    #[test]
    fn a_file_that_is_not_a_snapshot_is_refused_with_its_position() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("s.json");
        std::fs::write(&p, "{\n  \"format\": \n}").unwrap();
        let e = Snapshot::load(&p).unwrap_err();
        assert!(e.contains("s.json:3:"), "{e}");
        std::fs::write(
            &p,
            r#"{"format":"other","version":1,"header":{"target_kind":"","endpoint":"","region":"","recorded_at":"","cogbench_version":"","catalog_sha256":"","scenario":"","partial":false},"cases":{}}"#,
        )
        .unwrap();
        assert!(Snapshot::load(&p).unwrap_err().contains("`format`"));
        std::fs::write(
            &p,
            r#"{"format":"cogbench-snapshot","version":3,"header":{}}"#,
        )
        .unwrap();
        assert!(
            Snapshot::load(&p)
                .unwrap_err()
                .contains("version 3 is not one")
        );
    }
}

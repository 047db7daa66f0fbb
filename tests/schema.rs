//! summary.json follows fixtures/summary.schema.json.

use cogbench::scenario::Overrides;

use crate::support::{plan_from_file, read_json, repo, run_quiet};

pub(crate) fn validator() -> jsonschema::Validator {
    let schema = read_json(&repo("fixtures/summary.schema.json"));
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

pub(crate) fn errors(v: &jsonschema::Validator, doc: &serde_json::Value) -> Vec<String> {
    v.iter_errors(doc)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_real_summary_validates_and_a_broken_one_does_not() {
    let (_, dir) = run_quiet(plan_from_file(
        "scenarios/conformance.yaml",
        &Overrides::default(),
    ))
    .await;
    let doc = read_json(&dir.path().join("summary.json"));
    let v = validator();
    assert_eq!(errors(&v, &doc), Vec::<String>::new());

    // The schema is strict enough to notice drift.
    let mut broken = doc.clone();
    broken["cases"][0]["verdict"] = "passed".into();
    assert!(!errors(&v, &broken).is_empty());
    let mut broken = doc.clone();
    broken["totals"]
        .as_object_mut()
        .unwrap()
        .remove("requests_per_second");
    assert!(!errors(&v, &broken).is_empty());
    let mut broken = doc;
    broken["cases"][0]["verdict"] = "fail".into();
    assert!(
        !errors(&v, &broken).is_empty(),
        "a failure must carry expected and observed"
    );
}

/// The shipped snapshots follow fixtures/snapshot.schema.json, and the schema notices drift.
#[test]
fn the_shipped_snapshots_follow_their_schema() {
    let schema = read_json(&repo("fixtures/snapshot.schema.json"));
    let v = jsonschema::validator_for(&schema).expect("the schema compiles");
    for target in ["embedded", "cognito-local", "moto"] {
        let doc = read_json(&repo(&format!("fixtures/snapshots/{target}.json")));
        assert_eq!(errors(&v, &doc), Vec::<String>::new(), "{target}");
    }
    let mut broken = read_json(&repo("fixtures/snapshots/embedded.json"));
    broken["cases"]["valid-code"]["answers"]["distinct"][0]["value"]["headers"] =
        serde_json::json!(["x-secret"]);
    assert!(!errors(&v, &broken).is_empty());
    let mut broken = read_json(&repo("fixtures/snapshots/embedded.json"));
    broken["header"]
        .as_object_mut()
        .unwrap()
        .remove("catalog_sha256");
    assert!(!errors(&v, &broken).is_empty());
}

//! fixtures/scenario.schema.json: the schema `cogbench schema scenario` prints, checked in;
//! every shipped scenario follows it and names it on its first line; the bad corpus
//! (tests/scenarios/bad/) is refused by the schema wherever its `# schema:` line says the
//! schema can tell, and by the loader always.
//!
//! After a change to the scenario types, the checked-in copy is written again by
//!
//!     UPDATE_GOLDEN=1 cargo test --test tests scenario_schema

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cogbench::cases::Catalog;
use cogbench::scenario::Overrides;

use crate::schema::errors;
use crate::support::repo;

const FIXTURE: &str = "fixtures/scenario.schema.json";

fn validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(&cogbench::scenario::scenario_schema()).expect("the schema is JSON");
    jsonschema::validator_for(&schema).expect("the schema compiles")
}

/// A YAML document as the JSON an editor's language server checks (YAML's empty value is
/// null).
fn as_json(text: &str) -> Result<serde_json::Value, String> {
    serde_norway::from_str(text).map_err(|e| e.to_string())
}

fn yaml_files(dir: &Path, into: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            yaml_files(&path, into);
        } else if path.extension().is_some_and(|e| e == "yaml") {
            into.push(path);
        }
    }
}

/// The scenario files users copy: scenarios/, and the examples among fixtures/examples/ that
/// are scenarios (not catalogs: those have `phases`).
fn shipped() -> Vec<PathBuf> {
    let mut files = Vec::new();
    yaml_files(&repo("scenarios"), &mut files);
    let mut examples = Vec::new();
    yaml_files(&repo("fixtures/examples"), &mut examples);
    files.extend(examples.into_iter().filter(|p| {
        let doc = as_json(&std::fs::read_to_string(p).unwrap()).unwrap();
        doc.get("phases").is_some()
    }));
    files.sort();
    assert!(files.len() >= 10, "the shipped scenarios are found");
    files
}

/// `path` (in the repository) relative to the folder of `from`.
fn relative(from: &Path, path: &str) -> String {
    let folder: Vec<_> = from
        .parent()
        .unwrap()
        .strip_prefix(repo(""))
        .unwrap()
        .components()
        .collect();
    let target: Vec<_> = Path::new(path).components().collect();
    let common = folder
        .iter()
        .zip(&target)
        .take_while(|(a, b)| a == b)
        .count();
    let mut parts = vec![".."; folder.len() - common];
    parts.extend(
        target[common..]
            .iter()
            .map(|c| c.as_os_str().to_str().unwrap()),
    );
    parts.join("/")
}

#[test]
fn the_checked_in_schema_is_the_one_generated() {
    let generated = cogbench::scenario::scenario_schema();
    let path = repo(FIXTURE);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let pinned = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        pinned == generated,
        "{FIXTURE} differs from what `cogbench schema scenario` prints now: the scenario types \
         changed. Write it again with\n  UPDATE_GOLDEN=1 cargo test --test tests scenario_schema\n\
         and review the difference."
    );
    let schema: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    assert!(
        schema["$id"]
            .as_str()
            .unwrap()
            .ends_with("scenario.schema.json")
    );
}

/// The command prints the schema, and stops quietly when its reader goes away.
#[test]
fn cogbench_schema_scenario_prints_it() {
    let out = std::process::Command::new(crate::support::bin())
        .args(["schema", "scenario"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    // Against the generated text, not the file: UPDATE_GOLDEN may be rewriting that.
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        cogbench::scenario::scenario_schema()
    );
    let mut child = std::process::Command::new(crate::support::bin())
        .args(["schema", "scenario"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn every_shipped_scenario_follows_the_schema_and_names_it() {
    let v = validator();
    for file in shipped() {
        let text = std::fs::read_to_string(&file).unwrap();
        let modeline = format!(
            "# yaml-language-server: $schema={}",
            relative(&file, FIXTURE)
        );
        assert_eq!(
            text.lines().next(),
            Some(modeline.as_str()),
            "{}: the first line names the schema",
            file.display()
        );
        let doc = as_json(&text).unwrap();
        assert_eq!(errors(&v, &doc), Vec::<String>::new(), "{}", file.display());
    }
}

/// The scenario in the Kubernetes ConfigMap is a string inside another document, where a
/// modeline would describe the ConfigMap: it is checked here instead.
#[test]
fn the_scenario_in_the_kubernetes_config_map_follows_the_schema() {
    use serde::Deserialize;
    let text = std::fs::read_to_string(repo("deploy/kubernetes/01-config.yaml")).unwrap();
    let scenario = serde_norway::Deserializer::from_str(&text)
        .map(|d| serde_json::Value::deserialize(d).unwrap())
        .find_map(|doc| doc["data"]["scenario.yaml"].as_str().map(str::to_owned))
        .expect("a ConfigMap holds scenario.yaml");
    let doc = as_json(&scenario).unwrap();
    assert_eq!(errors(&validator(), &doc), Vec::<String>::new());
}

/// Forms the loader reads that a schema written from the types alone would refuse: plain
/// scalars read as text, YAML's empty values read as empty sections, explicit nulls read as
/// absent keys, serde aliases, whitespace the parsers trim. The schema must take them all.
#[test]
fn what_the_loader_accepts_the_schema_accepts() {
    let v = validator();
    let phases = "phases: [{vus: 1, rounds: 1}]\n";
    for (what, yaml) in [
        ("a number as a name", format!("name: 2026\n{phases}")),
        ("empty sections", format!("name: t\npool:\nusers:\nhttp:\njudge:\nrequest:\ncompare:\nthresholds:\nreports:\ncatalog:\n{phases}")),
        ("empty nested sections", format!("name: t\npool:\n  clients:\n    public:\n{phases}")),
        ("nulls for absent keys", format!("name: t\ndescription: ~\ntarget: ~\nrace_size: ~\nusers: {{password: ~, from_csv: ~}}\n{phases}")),
        ("numbers as text", "name: t\ndescription: 5\ntarget: {kind: endpoint, endpoint: \"http://127.0.0.1:9\", codes: {fixed: 123456}}\nphases: [{name: 1, vus: 1, rounds: 1}]\n".to_owned()),
        ("HTTP versions as numbers", format!("name: t\nhttp: {{version: 2}}\n{phases}")),
        ("HTTP/1.1 as a number", format!("name: t\nhttp: {{version: 1.1}}\n{phases}")),
        ("aliases", format!("name: t\nretry: {{max_attempts: 2, on: [throttled, transport_errors]}}\nreports: [md, summary.json, latency.csv]\n{phases}")),
        ("trimmed values", "name: t\nphases: [{vus: 1, duration: ' 2 s ', think_time: .5s}]\nthresholds: [' p99{ case=valid-code } <= 20ms ', 'error_rate <= 5 %', 'p99.9 != 1.5s', 'rps >= 1e3']\nmix: {valid-code: 1}\n".to_owned()),
        ("percentages", format!("name: t\ncompare: {{max_p99_increase: ' 10 %', max_throughput_drop: 0}}\n{phases}")),
        ("an executor's null keys", "name: t\nphases: [{executor: constant-vus, vus: 1, duration: 1s, rate: ~, stages: ~}]\n".to_owned()),
        ("a null executor is the shorthand", "name: t\nphases: [{executor: ~, arrival_rate: 5, duration: 1s, ramp_to: 0}]\n".to_owned()),
        ("constant-arrival-rate's rate over arrival_rate", "name: t\nphases: [{executor: constant-arrival-rate, rate: 5, arrival_rate: -1, duration: 1s}]\n".to_owned()),
        ("every executor", "name: t\nphases:\n  - {executor: ramping-arrival-rate, start_rate: 0, stages: [{target: 5, duration: 1s}], max_in_flight: 8}\n  - {executor: ramping-vus, start_vus: 1, stages: [{target: 2, duration: 1s}], think_time: 10ms}\n  - {executor: iterations, vus: 2, iterations: 10, max_duration: 1m}\n".to_owned()),
        ("request placeholders", format!("name: t\nrequest:\n  ClientMetadata: {{a: $$literal, b: '$repeat(x,3)'}}\n  AnalyticsMetadata: {{AnalyticsEndpointId: x}}\n  Session: $omit\n{phases}")),
    ] {
        cogbench::scenario::parse(
            &yaml,
            Path::new("accepted.yaml"),
            Arc::new(Catalog::builtin()),
            &Overrides::default(),
        )
        .unwrap_or_else(|e| panic!("{what}: the loader refuses it: {e}"));
        let doc = as_json(&yaml).unwrap();
        assert_eq!(errors(&v, &doc), Vec::<String>::new(), "{what}");
    }
}

/// What a bad scenario's `# schema:` line says: the schema refuses it too, or it cannot say
/// why the loader does (and then, when the file is one YAML document, accepts it: the
/// schema is never stricter than the loader).
#[derive(Debug, PartialEq)]
enum Marked {
    Rejects,
    CannotExpress,
}

fn bad_corpus() -> Vec<(PathBuf, Marked)> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo("tests/scenarios/bad"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let line = text
                .lines()
                .find_map(|l| l.strip_prefix("# schema: "))
                .unwrap_or_else(|| panic!("{} has no `# schema:` line", p.display()));
            let marked = if line == "rejects" {
                Marked::Rejects
            } else if line.starts_with("cannot express (") && line.ends_with(')') {
                Marked::CannotExpress
            } else {
                panic!(
                    "{}: `# schema: {line}`: write `rejects` or `cannot express (why)`",
                    p.display()
                )
            };
            (p, marked)
        })
        .collect()
}

#[test]
fn the_bad_corpus_is_refused_by_the_loader_and_where_marked_by_the_schema() {
    let v = validator();
    let corpus = bad_corpus();
    assert!(corpus.len() >= 30, "{} bad scenarios", corpus.len());
    let catalog = Arc::new(Catalog::builtin());
    for (file, marked) in &corpus {
        let loaded = cogbench::scenario::load(file, catalog.clone(), &Overrides::default());
        assert!(loaded.is_err(), "{}: the loader accepts it", file.display());
        let text = std::fs::read_to_string(file).unwrap();
        match (marked, as_json(&text)) {
            (Marked::Rejects, Ok(doc)) => {
                assert!(
                    !v.is_valid(&doc),
                    "{}: marked `schema: rejects`, but the schema accepts it",
                    file.display()
                );
            }
            (Marked::Rejects, Err(e)) => panic!(
                "{}: marked `schema: rejects`, but it is no single YAML document ({e}): the schema never sees it",
                file.display()
            ),
            (Marked::CannotExpress, Ok(doc)) => assert_eq!(
                errors(&v, &doc),
                Vec::<String>::new(),
                "{}: marked `schema: cannot express`, but the schema refuses it (mark it `rejects`)",
                file.display()
            ),
            (Marked::CannotExpress, Err(_)) => {}
        }
    }
}

//! Golden reports: fixed summaries (tests/golden/*.input.json, from real runs, timestamps and
//! histograms frozen in the file) rendered in every format and compared byte for byte with the
//! files pinned in tests/golden/<summary>/; and the plan echo of fixed scenarios, pinned in
//! tests/golden/plan-echo/.
//!
//! After a change meant to alter a report, regenerate the pinned files and review the diff:
//!
//!     UPDATE_GOLDEN=1 cargo test --test tests golden

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use cogbench::cases::Catalog;
use cogbench::report::Summary;
use cogbench::report::export::Format;
use cogbench::scenario::{self, Overrides, Shard};

use crate::support::repo;

fn updating() -> bool {
    std::env::var_os("UPDATE_GOLDEN").is_some()
}

/// Compares `files` with the folder's pinned files (or rewrites them under UPDATE_GOLDEN):
/// the same names, the same bytes.
fn check(dir: &Path, files: &BTreeMap<String, Vec<u8>>) {
    if updating() {
        let _ = std::fs::remove_dir_all(dir);
        std::fs::create_dir_all(dir).unwrap();
        for (name, bytes) in files {
            std::fs::write(dir.join(name), bytes).unwrap();
        }
        return;
    }
    let mut pinned = BTreeMap::new();
    for e in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let e = e.unwrap();
        pinned.insert(
            e.file_name().to_string_lossy().into_owned(),
            std::fs::read(e.path()).unwrap(),
        );
    }
    assert_eq!(
        pinned.keys().collect::<Vec<_>>(),
        files.keys().collect::<Vec<_>>(),
        "{}: the files written",
        dir.display()
    );
    for (name, bytes) in files {
        if pinned[name] != *bytes {
            let got = std::env::temp_dir().join(format!("golden-{name}"));
            let _ = std::fs::write(&got, bytes);
            panic!(
                "{}/{name} differs from what the exporter wrote now (written to {}; UPDATE_GOLDEN=1 to accept)",
                dir.display(),
                got.display(),
            );
        }
    }
}

/// Every format's files for one summary, by file name.
fn render_all(summary: &Summary) -> BTreeMap<String, Vec<u8>> {
    Format::ALL
        .into_iter()
        .flat_map(|f| cogbench::report::export::render(f, summary).unwrap())
        .collect()
}

fn golden_reports_of(name: &str) {
    let input = repo(&format!("tests/golden/{name}.input.json"));
    let bytes = std::fs::read(&input).unwrap();
    let summary: Summary = serde_json::from_slice(&bytes).unwrap();
    // What a run writes: the typed summary in its own field order.
    assert_eq!(
        String::from_utf8_lossy(&cogbench::report::json::render(&summary)),
        String::from_utf8_lossy(&bytes),
        "summary.json read and written again is the same file"
    );
    // `cogbench report --format json` among them: its summary.json has its keys sorted.
    let files = render_all(&summary);
    check(&repo(&format!("tests/golden/{name}")), &files);
}

#[test]
fn golden_reports_of_a_faulty_run_with_deviations_and_an_oracle() {
    golden_reports_of("faulty");
}

#[test]
fn golden_reports_of_a_merge_of_shards() {
    golden_reports_of("merged");
}

#[test]
fn golden_reports_of_one_shard() {
    golden_reports_of("shard");
}

#[test]
fn golden_plan_echo() {
    let scenarios = [
        "scenarios/smoke.yaml",
        "scenarios/chaos.yaml",
        "scenarios/conformance.yaml",
        "scenarios/load-mixed.yaml",
        "scenarios/emulators/embedded-load.yaml",
        "tests/scenarios/aws/above-quota.yaml",
        "tests/golden/faulty.yaml",
        "tests/golden/sharded.yaml",
        "tests/golden/echo.yaml",
    ];
    let mut files = BTreeMap::new();
    for path in scenarios {
        for shard in [None, Some(Shard { index: 2, count: 3 })] {
            let overrides = Overrides {
                shard,
                allow_above_quota: true,
                ..Overrides::default()
            };
            let plan = scenario::load(&repo(path), Arc::new(Catalog::builtin()), &overrides)
                .unwrap_or_else(|e| panic!("{path}: {e}"));
            let echo = cogbench::summary::plan::plan_echo(&plan);
            let mut out = serde_json::to_vec_pretty(&echo).unwrap();
            out.push(b'\n');
            let stem = Path::new(path).file_stem().unwrap().to_string_lossy();
            let name = match shard {
                None => format!("{stem}.json"),
                Some(_) => format!("{stem}.shard.json"),
            };
            files.insert(name, out);
        }
    }
    check(&repo("tests/golden/plan-echo"), &files);
}

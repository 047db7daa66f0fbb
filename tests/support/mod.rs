#![allow(dead_code)]

pub mod fake;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use cogbench::cases::Catalog;
use cogbench::progress;
use cogbench::run::{RunOptions, RunOutcome, run};
use cogbench::scenario::{self, Overrides, Plan};

pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

pub fn plan_from_file(path: &str, overrides: &Overrides) -> Plan {
    scenario::load(&repo(path), Arc::new(Catalog::builtin()), overrides)
        .unwrap_or_else(|e| panic!("{e}"))
}

pub fn plan_from_str(yaml: &str) -> Plan {
    scenario::parse(
        yaml,
        Path::new("test.yaml"),
        Arc::new(Catalog::builtin()),
        &Overrides::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a plan quietly with its reports in a temporary folder (kept alive by the returned guard).
pub async fn run_quiet(plan: Plan) -> (RunOutcome, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let opts = RunOptions {
        output_dir: Some(dir.path().to_path_buf()),
        reports_root: dir.path().to_path_buf(),
        progress: progress::Mode::Quiet,
        handle_signals: false,
        known_deviations: None,
        grace_period: cogbench::run::DEFAULT_GRACE_PERIOD,
    };
    let outcome = run(plan, opts)
        .await
        .unwrap_or_else(|e| panic!("run failed: {e}"));
    (outcome, dir)
}

pub fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_cogbench")
}

pub fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_slice(
        &std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .expect("valid JSON")
}

#![allow(dead_code)]

pub mod fake;
pub mod sigv4;

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
        ..RunOptions::default()
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

/// A team catalog with one case that needs no pool, client or user (an unknown client: the
/// target answers ResourceNotFoundException), so a faulty target meets only measured requests.
pub fn probe_catalog(dir: &Path) -> PathBuf {
    let file = dir.join("probe.yaml");
    std::fs::write(
        &file,
        "version: 1\ncases:\n  - id: probe\n    title: an unknown client\n    checks: ResourceNotFoundException\n\
         \x20   spec: decision order 3\n    confidence: documented\n    user: none\n    client: unknown\n\
         \x20   request: {ClientId: nosuchclient, Username: u, ConfirmationCode: \"123456\"}\n\
         \x20   expect: {status: 400, error: ResourceNotFoundException}\n",
    )
    .expect("a temporary file");
    file
}

/// A scenario for `probe` against `endpoint`, with `phases` and extra top-level YAML.
pub fn probe_scenario(catalog: &Path, endpoint: &str, phases: &str, extra: &str) -> String {
    format!(
        "name: probe\ncatalog: [\"{}\"]\n\
         target: {{kind: endpoint, endpoint: \"{endpoint}\", codes: {{none: true}}, admin_reads: false}}\n\
         phases: {phases}\nmix: {{probe: 1}}\n{extra}",
        catalog.display()
    )
}

/// One Cognito operation on `endpoint`, which must succeed; its answer as JSON.
pub async fn call_ok(endpoint: &str, op: &str, body: serde_json::Value) -> serde_json::Value {
    let response = cogbench::client::build(&Default::default())
        .expect("a client")
        .post(endpoint)
        .header("Content-Type", "application/x-amz-json-1.1")
        .header(
            "X-Amz-Target",
            format!("AWSCognitoIdentityProviderService.{op}"),
        )
        .body(body.to_string())
        .send()
        .await
        .expect("the emulator answers");
    let status = response.status();
    let body: serde_json::Value =
        serde_json::from_slice(&response.bytes().await.expect("a body")).expect("a JSON answer");
    assert!(status.is_success(), "{op}: {status} {body}");
    body
}

/// The embedded emulator on an ephemeral loopback port, with fault switches (`--faults` SPEC).
pub async fn faulty(spec: &str) -> cogbench::emulator::RunningEmulator {
    cogbench::emulator::start(
        cogbench::emulator::EmulatorConfig {
            faults: Some(cogbench::emulator::Faults::parse([spec]).expect("a valid SPEC")),
            ..Default::default()
        },
        "127.0.0.1:0".parse().expect("a socket address"),
    )
    .await
    .expect("the emulator starts")
}

/// `cogbench emulator --port 0` as a child process, so that what a run leaves in it can be
/// asked after the run's process has ended; killed when dropped.
pub struct Emulator {
    pub child: std::process::Child,
    pub endpoint: String,
}

impl Emulator {
    pub fn start(extra: &[&str]) -> Emulator {
        use std::io::BufRead;
        let mut child = std::process::Command::new(bin())
            .args(["emulator", "--port", "0"])
            .args(extra)
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("the emulator starts");
        let mut lines = std::io::BufReader::new(child.stderr.take().expect("piped stderr")).lines();
        let first = lines.next().expect("a first line").expect("readable");
        std::thread::spawn(move || lines.for_each(drop));
        let endpoint = first
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no URL in `{first}`"))
            .to_owned();
        Emulator { child, endpoint }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

//! The hostile corpus: every case in tests/hostile/cases/ runs the cogbench binary the way a
//! hostile tester would (endless files, deep nesting, closed pipes, dead ports, signals) and
//! holds it to its expectations: the exit code, bounded memory and time, what stderr must and
//! must not say, and the files left behind. tests/hostile/README.md describes the format.
//!
//! `HOSTILE_CASE=substring cargo test hostile` runs only the matching cases.

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::support;

/// Cases run two at a time: the machine has two cores and other tests run beside these.
const PARALLEL: usize = 2;
/// How often a child's memory, clock and stderr trigger are looked at.
const POLL: Duration = Duration::from_millis(5);
/// Past this resident size a child is killed whatever its case allows, so a regression that
/// fills memory fails the case instead of the machine.
const HARD_RSS_MIB: u64 = 1024;
/// The address-space limit set with prlimit(1) where it exists: a runaway allocation aborts
/// the child even between two polls. Far above what tokio's threads and arenas reserve.
const ADDRESS_SPACE_BYTES: u64 = 4_000_000_000;
/// Output kept for the checks; the rest is drained and dropped.
const KEEP_OUTPUT: usize = 1 << 20;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    /// Why the case exists (the defect it keeps fixed); shown when it fails.
    about: String,
    args: Vec<Content>,
    #[serde(default)]
    files: BTreeMap<String, Content>,
    stdin: Option<Content>,
    /// Read this many bytes of stdout, then close it (the reader of a pipe going away); 0
    /// closes it at once.
    stdout_read: Option<usize>,
    /// Start `cogbench emulator --port 0` for `{emulator}`.
    #[serde(default)]
    emulator: bool,
    signal: Option<Signal>,
    #[serde(default)]
    env: BTreeMap<String, String>,
    expect: Expect,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Signal {
    /// INT, TERM, …, as kill(1) names them.
    name: String,
    /// Sent once this text has appeared on stderr (and `after_secs` have passed, if given).
    after_stderr: Option<String>,
    #[serde(default)]
    after_secs: f64,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    exit: i32,
    #[serde(default = "default_rss")]
    max_rss_mib: u64,
    #[serde(default = "default_secs")]
    max_secs: f64,
    #[serde(default)]
    stderr_contains: Vec<String>,
    #[serde(default)]
    stderr_lacks: Vec<String>,
    #[serde(default)]
    stdout_contains: Vec<String>,
    /// Texts found nowhere: not on stdout, stderr, nor in any file under `{dir}`.
    #[serde(default)]
    nowhere: Vec<String>,
    /// Paths (with placeholders) that must exist afterwards.
    #[serde(default)]
    files: Vec<String>,
    /// Paths that must not exist afterwards (nothing written).
    #[serde(default)]
    no_files: Vec<String>,
    #[serde(default)]
    json: Vec<JsonCheck>,
}

fn default_rss() -> u64 {
    256
}

fn default_secs() -> f64 {
    20.0
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct JsonCheck {
    file: String,
    pointer: String,
    equals: serde_json::Value,
}

/// A file's content or an argument: literal text, or generated so the repository holds no
/// huge files.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum Content {
    Text(String),
    Made(Made),
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Made {
    /// `text` `count` times.
    Repeat { text: String, count: usize },
    /// Pieces one after another.
    Parts(Vec<Content>),
    /// Raw bytes (invalid UTF-8).
    Hex(String),
    /// A symbolic link to this target (placeholders allowed).
    Symlink(String),
    /// A named pipe nobody writes to.
    Fifo(bool),
    /// An empty folder.
    Dir(bool),
}

/// What a case's placeholders stand for.
struct Places {
    dir: PathBuf,
    emulator: Option<String>,
    dead: String,
}

impl Places {
    fn fill(&self, text: &str) -> String {
        let mut s = text
            .replace("{dir}", &self.dir.display().to_string())
            .replace("{repo}", env!("CARGO_MANIFEST_DIR"))
            .replace(
                "{fixtures}",
                &support::repo("tests/hostile/files").display().to_string(),
            )
            .replace("{dead}", &self.dead)
            .replace("{dead_hostport}", self.dead.trim_start_matches("http://"));
        if let Some(e) = &self.emulator {
            s = s
                .replace("{emulator}", e)
                .replace("{emulator_hostport}", e.trim_start_matches("http://"));
        }
        s
    }

    fn bytes(&self, c: &Content) -> Vec<u8> {
        match c {
            Content::Text(t) => self.fill(t).into_bytes(),
            Content::Made(Made::Repeat { text, count }) => {
                self.fill(text).repeat(*count).into_bytes()
            }
            Content::Made(Made::Parts(parts)) => parts.iter().flat_map(|p| self.bytes(p)).collect(),
            Content::Made(Made::Hex(h)) => (0..h.len())
                .step_by(2)
                .map(|i| u8::from_str_radix(&h[i..i + 2], 16).expect("hex digits"))
                .collect(),
            Content::Made(other) => panic!("{other:?} is a file kind, not content"),
        }
    }

    fn make(&self, name: &str, c: &Content) {
        let path = self.dir.join(self.fill(name));
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("a scratch folder");
        }
        match c {
            Content::Made(Made::Symlink(to)) => {
                std::os::unix::fs::symlink(self.fill(to), &path).expect("a symlink")
            }
            Content::Made(Made::Fifo(yes)) => {
                assert!(*yes, "{name}: write `fifo: true`");
                let made = Command::new("mkfifo")
                    .arg(&path)
                    .status()
                    .expect("mkfifo runs");
                assert!(made.success(), "mkfifo {}", path.display());
            }
            Content::Made(Made::Dir(yes)) => {
                assert!(*yes, "{name}: write `dir: true`");
                std::fs::create_dir_all(&path).expect("a folder")
            }
            content => std::fs::write(&path, self.bytes(content)).expect("a scratch file"),
        }
    }
}

/// What one run of a case showed.
#[derive(Default)]
struct Observed {
    exit: Option<i32>,
    signal: Option<i32>,
    peak_rss_kib: u64,
    secs: f64,
    killed: Option<String>,
    stdout: Vec<u8>,
    stderr: Vec<u8>,
}

fn load_cases() -> Vec<(String, Case)> {
    let dir = support::repo("tests/hostile/cases");
    let filter = std::env::var("HOSTILE_CASE").unwrap_or_default();
    let mut cases: Vec<(String, Case)> = std::fs::read_dir(&dir)
        .expect("tests/hostile/cases")
        .map(|e| e.expect("an entry").path())
        .filter(|p| p.extension().is_some_and(|x| x == "yaml"))
        .filter(|p| p.to_string_lossy().contains(&filter))
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&p).expect("a case file");
            let case =
                serde_norway::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (name, case)
        })
        .collect();
    cases.sort_by(|a, b| a.0.cmp(&b.0));
    cases
}

/// A loopback endpoint nothing listens on (the port was free a moment ago).
fn dead_endpoint() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
    let port = listener.local_addr().expect("an address").port();
    format!("http://127.0.0.1:{port}")
}

/// A `cogbench emulator` on a free port, and its endpoint (from its first line on stderr).
fn start_emulator() -> (Child, String) {
    let mut child = Command::new(support::bin())
        .args(["emulator", "--port", "0"])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cogbench emulator starts");
    let mut stderr = child.stderr.take().expect("a stderr pipe");
    let mut seen = Vec::new();
    let mut byte = [0u8; 1];
    while !seen.ends_with(b"\n") && stderr.read(&mut byte).unwrap_or(0) == 1 {
        seen.push(byte[0]);
    }
    let line = String::from_utf8_lossy(&seen).into_owned();
    let endpoint = line
        .split_whitespace()
        .find(|w| w.starts_with("http://"))
        .unwrap_or_else(|| panic!("no endpoint in `{line}`"))
        .to_owned();
    // Keep draining so the emulator never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    (child, endpoint)
}

/// Reads a pipe into `into` (up to KEEP_OUTPUT; the rest is drained), or only `limit`
/// bytes and then closes it.
fn drain(mut pipe: impl Read + Send + 'static, into: Arc<Mutex<Vec<u8>>>, limit: Option<usize>) {
    std::thread::spawn(move || {
        let mut buf = [0u8; 8192];
        let mut total = 0;
        loop {
            let want = limit.map_or(buf.len(), |l| (l - total).min(buf.len()));
            if want == 0 {
                break; // the pipe is dropped here: the writer gets EPIPE
            }
            match pipe.read(&mut buf[..want]) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    total += n;
                    let mut kept = into.lock().unwrap();
                    let room = KEEP_OUTPUT.saturating_sub(kept.len());
                    kept.extend_from_slice(&buf[..n.min(room)]);
                }
            }
        }
    });
}

/// The high-water mark of the process's resident memory, in KiB (0 once it has exited).
fn vm_hwm_kib(pid: u32) -> u64 {
    let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) else {
        return 0;
    };
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn send_signal(pid: u32, name: &str) {
    let _ = Command::new("kill")
        .args(["-s", name, &pid.to_string()])
        .status();
}

fn spawn(case: &Case, places: &Places) -> Child {
    let args: Vec<std::ffi::OsString> = case
        .args
        .iter()
        .map(|a| {
            use std::os::unix::ffi::OsStringExt;
            std::ffi::OsString::from_vec(places.bytes(a))
        })
        .collect();
    let prlimit = Path::new("/usr/bin/prlimit");
    let mut cmd = if prlimit.exists() {
        // prlimit sets the limit and execs: the child keeps its pid, for signals and /proc.
        let mut c = Command::new(prlimit);
        c.arg(format!("--as={ADDRESS_SPACE_BYTES}"))
            .arg("--")
            .arg(support::bin());
        c
    } else {
        Command::new(support::bin())
    };
    cmd.args(args)
        .current_dir(&places.dir)
        .env("HOME", &places.dir)
        .env("NO_COLOR", "1")
        .env("RUST_BACKTRACE", "0");
    for var in [
        "AWS_ENDPOINT_URL",
        "AWS_PROFILE",
        "AWS_CA_BUNDLE",
        "AWS_DEFAULT_OUTPUT",
        "COGBENCH_CLIENT_SECRET",
    ] {
        cmd.env_remove(var);
    }
    for (k, v) in &case.env {
        cmd.env(k, places.fill(v));
    }
    cmd.stdin(if case.stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .expect("cogbench starts")
}

fn run_case(case: &Case, places: &Places) -> Observed {
    let started = Instant::now();
    let mut child = spawn(case, places);
    let pid = child.id();
    if let (Some(content), Some(mut stdin)) = (&case.stdin, child.stdin.take()) {
        // A repeat is streamed, not built: stdin may be far larger than the test should hold.
        let (chunk, count) = match content {
            Content::Made(Made::Repeat { text, count }) => (places.fill(text).into_bytes(), *count),
            other => (places.bytes(other), 1),
        };
        std::thread::spawn(move || {
            if chunk.is_empty() {
                return;
            }
            let per_batch = (65536 / chunk.len()).clamp(1, count.max(1));
            let batch = chunk.repeat(per_batch);
            let mut left = count;
            while left > 0 {
                let n = per_batch.min(left);
                if stdin.write_all(&batch[..n * chunk.len()]).is_err() {
                    break; // cogbench stopped reading: what the case is about
                }
                left -= n;
            }
        });
    }
    let stdout = Arc::new(Mutex::new(Vec::new()));
    let stderr = Arc::new(Mutex::new(Vec::new()));
    let out = child.stdout.take().unwrap();
    if case.stdout_read == Some(0) {
        // Closed before cogbench can write anything: every write meets EPIPE.
        drop(out);
    } else {
        drain(out, stdout.clone(), case.stdout_read);
    }
    drain(child.stderr.take().unwrap(), stderr.clone(), None);
    let trigger = case
        .signal
        .as_ref()
        .map(|s| (s, s.after_stderr.as_deref().map(|t| places.fill(t))));
    let mut signalled = false;
    let mut seen_trigger_at: Option<Instant> = None;
    let deadline = Duration::from_secs_f64(case.expect.max_secs * 2.0);
    let mut obs = Observed::default();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        obs.peak_rss_kib = obs.peak_rss_kib.max(vm_hwm_kib(pid));
        if obs.peak_rss_kib > HARD_RSS_MIB << 10 && obs.killed.is_none() {
            obs.killed = Some(format!("killed past {HARD_RSS_MIB} MiB"));
            let _ = child.kill();
        }
        if started.elapsed() > deadline && obs.killed.is_none() {
            obs.killed = Some(format!("killed after {:.0} s", deadline.as_secs_f64()));
            let _ = child.kill();
        }
        if let Some((signal, text)) = &trigger
            && !signalled
        {
            let ready = match text {
                Some(t) => String::from_utf8_lossy(&stderr.lock().unwrap()).contains(t.as_str()),
                None => true,
            };
            if ready {
                let at = *seen_trigger_at.get_or_insert_with(Instant::now);
                if at.elapsed().as_secs_f64() >= signal.after_secs {
                    send_signal(pid, &signal.name);
                    signalled = true;
                }
            }
        }
        std::thread::sleep(POLL);
    };
    obs.secs = started.elapsed().as_secs_f64();
    obs.exit = status.code();
    obs.signal = std::os::unix::process::ExitStatusExt::signal(&status);
    // The reader threads end with the pipes; give them a moment to hand over the tail.
    std::thread::sleep(Duration::from_millis(50));
    obs.stdout = stdout.lock().unwrap().clone();
    obs.stderr = stderr.lock().unwrap().clone();
    obs
}

/// Every regular file under `dir` (links not followed: some point at /dev/zero).
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let path = e.path();
        match std::fs::symlink_metadata(&path) {
            Ok(m) if m.is_dir() => out.extend(files_under(&path)),
            Ok(m) if m.is_file() => out.push(path),
            _ => {}
        }
    }
    out
}

/// Every way the run broke the case's expectations.
fn judge(case: &Case, places: &Places, obs: &Observed) -> Vec<String> {
    let e = &case.expect;
    let mut broken = Vec::new();
    let stderr = String::from_utf8_lossy(&obs.stderr);
    let stdout = String::from_utf8_lossy(&obs.stdout);
    if let Some(k) = &obs.killed {
        broken.push(k.clone());
    }
    if obs.exit != Some(e.exit) {
        broken.push(match (obs.exit, obs.signal) {
            (Some(c), _) => format!("exit {c}, expected {}", e.exit),
            (None, s) => format!("died of signal {s:?}, expected exit {}", e.exit),
        });
    }
    let rss_mib = obs.peak_rss_kib as f64 / 1024.0;
    if rss_mib > e.max_rss_mib as f64 {
        broken.push(format!("peak RSS {rss_mib:.0} MiB > {} MiB", e.max_rss_mib));
    }
    if obs.secs > e.max_secs {
        broken.push(format!("{:.1} s > {} s", obs.secs, e.max_secs));
    }
    if stderr.contains("panicked") {
        broken.push("stderr says `panicked`".into());
    }
    for want in &e.stderr_contains {
        let want = places.fill(want);
        if !stderr.contains(&want) {
            broken.push(format!("stderr lacks `{want}`"));
        }
    }
    for not in &e.stderr_lacks {
        let not = places.fill(not);
        if stderr.contains(&not) {
            broken.push(format!("stderr has `{not}`"));
        }
    }
    for want in &e.stdout_contains {
        let want = places.fill(want);
        if !stdout.contains(&want) {
            broken.push(format!("stdout lacks `{want}`"));
        }
    }
    for secret in &e.nowhere {
        let secret = places.fill(secret);
        if stdout.contains(&secret) || stderr.contains(&secret) {
            broken.push(format!("`{secret}` printed"));
        }
        for f in files_under(&places.dir) {
            let bytes = std::fs::read(&f).unwrap_or_default();
            if String::from_utf8_lossy(&bytes).contains(&secret) {
                broken.push(format!("`{secret}` in {}", f.display()));
            }
        }
    }
    for f in &e.files {
        let f = places.fill(f);
        if !Path::new(&f).exists() {
            broken.push(format!("no file {f}"));
        }
    }
    for f in &e.no_files {
        let f = places.fill(f);
        if Path::new(&f).exists() {
            broken.push(format!("{f} was written"));
        }
    }
    for check in &e.json {
        let f = places.fill(&check.file);
        let Ok(bytes) = std::fs::read(&f) else {
            if !e.files.contains(&check.file) {
                broken.push(format!("no file {f}"));
            }
            continue;
        };
        let value: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
        let got = value.pointer(&check.pointer);
        if got != Some(&check.equals) {
            broken.push(format!(
                "{f}{}: {got:?}, expected {}",
                check.pointer, check.equals
            ));
        }
    }
    broken
}

struct Outcome {
    name: String,
    about: String,
    obs: Observed,
    broken: Vec<String>,
}

fn run_one(name: String, case: Case) -> Outcome {
    let scratch = tempfile::tempdir().expect("a scratch folder");
    let emulator = case.emulator.then(start_emulator);
    let places = Places {
        dir: scratch.path().to_path_buf(),
        emulator: emulator.as_ref().map(|(_, e)| e.clone()),
        dead: dead_endpoint(),
    };
    for (file, content) in &case.files {
        places.make(file, content);
    }
    let obs = run_case(&case, &places);
    let broken = judge(&case, &places, &obs);
    if let Some((mut child, _)) = emulator {
        let _ = child.kill();
        let _ = child.wait();
    }
    Outcome {
        name,
        about: case.about,
        obs,
        broken,
    }
}

fn table(outcomes: &[Outcome]) -> String {
    let mut out = format!(
        "{:<40} {:>6} {:>9} {:>7}  {}\n",
        "case", "exit", "peak MiB", "secs", "verdict"
    );
    for o in outcomes {
        let exit = match (o.obs.exit, o.obs.signal) {
            (Some(c), _) => c.to_string(),
            (None, Some(s)) => format!("sig{s}"),
            _ => "?".into(),
        };
        out += &format!(
            "{:<40} {:>6} {:>9.1} {:>7.2}  {}\n",
            o.name,
            exit,
            o.obs.peak_rss_kib as f64 / 1024.0,
            o.obs.secs,
            if o.broken.is_empty() {
                "ok".to_owned()
            } else {
                o.broken.join("; ")
            }
        );
    }
    out
}

#[test]
fn the_hostile_corpus_holds() {
    let cases = load_cases();
    assert!(!cases.is_empty(), "no case in tests/hostile/cases");
    let queue = Arc::new(Mutex::new(cases.into_iter()));
    let results = Arc::new(Mutex::new(Vec::new()));
    let workers: Vec<_> = (0..PARALLEL)
        .map(|_| {
            let (queue, results) = (queue.clone(), results.clone());
            std::thread::spawn(move || {
                loop {
                    let Some((name, case)) = queue.lock().unwrap().next() else {
                        break;
                    };
                    let outcome = run_one(name, case);
                    results.lock().unwrap().push(outcome);
                }
            })
        })
        .collect();
    for w in workers {
        w.join().expect("a worker");
    }
    let mut outcomes = std::mem::take(&mut *results.lock().unwrap());
    outcomes.sort_by(|a, b| a.name.cmp(&b.name));
    let report = table(&outcomes);
    // The test harness captures this and shows it with a failure.
    #[allow(clippy::disallowed_macros)]
    {
        println!("{report}");
    }
    let failed: Vec<&Outcome> = outcomes.iter().filter(|o| !o.broken.is_empty()).collect();
    let mut details = String::new();
    for o in &failed {
        details += &format!(
            "\n--- {}: {}\nstderr (first 600 bytes): {}\n",
            o.name,
            o.about.trim(),
            String::from_utf8_lossy(&o.obs.stderr[..o.obs.stderr.len().min(600)])
        );
    }
    assert!(
        failed.is_empty(),
        "{} of {} hostile cases broke their expectations:\n{report}{details}",
        failed.len(),
        outcomes.len()
    );
}

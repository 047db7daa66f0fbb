//! `<case>.hlog`: HdrHistogram interval logs (the format of HdrHistogram's HistogramLogWriter,
//! version 1.3), response time in microseconds. A run streams one interval per case and
//! second as the second closes, so memory stays flat; `cogbench report --format hlog` rebuilds
//! the logs from summary.json's whole-run histograms, as one interval covering the run.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use hdrhistogram::Histogram;

use crate::metrics::IntervalSink;
use crate::metrics::codec;
use crate::summary::Summary;

/// Interval_Max is written in milliseconds (values are microseconds), as HdrHistogram's own
/// tools do for their usual unit.
const MAX_DIVISOR: f64 = 1000.0;

fn header(out: &mut impl Write, case: &str, start: SystemTime) -> std::io::Result<()> {
    let since = start.duration_since(UNIX_EPOCH).unwrap_or_default();
    writeln!(out, "#[Histogram log format version 1.3]")?;
    writeln!(
        out,
        "#[StartTime: {:.3} (seconds since epoch), {}]",
        since.as_secs_f64(),
        super::rfc3339_utc(start)
    )?;
    writeln!(
        out,
        "#[cogbench case {case}: response time from the intended start, in microseconds]"
    )?;
    writeln!(
        out,
        "\"StartTimestamp\",\"Interval_Length\",\"Interval_Max\",\"Interval_Compressed_Histogram\""
    )
}

fn line(
    out: &mut impl Write,
    start: Duration,
    length: Duration,
    h: &Histogram<u64>,
) -> std::io::Result<()> {
    writeln!(
        out,
        "{:.3},{:.3},{:.3},{}",
        start.as_secs_f64(),
        length.as_secs_f64(),
        h.max() as f64 / MAX_DIVISOR,
        codec::encode(h)
    )
}

/// Streams each case's closed seconds to `<case>.hlog.partial`, renamed to `<case>.hlog`
/// when the run finishes (a killed run leaves only `.partial` files, never a half log under
/// the final name).
pub struct HlogStream {
    dir: PathBuf,
    cases: Vec<String>,
    start: SystemTime,
    files: Mutex<Vec<Option<BufWriter<File>>>>,
    /// Some second could not be written: the logs are incomplete.
    lost: std::sync::atomic::AtomicBool,
}

impl HlogStream {
    pub fn new(dir: &Path, cases: Vec<String>, start: SystemTime) -> std::io::Result<HlogStream> {
        std::fs::create_dir_all(dir)?;
        let files = Mutex::new(cases.iter().map(|_| None).collect());
        Ok(HlogStream {
            dir: dir.to_path_buf(),
            cases,
            start,
            files,
            lost: Default::default(),
        })
    }

    fn partial(&self, case: usize) -> PathBuf {
        self.dir
            .join(format!("{}.hlog.partial", file_stem(&self.cases[case])))
    }

    fn write(
        &self,
        case: usize,
        start: Duration,
        length: Duration,
        h: &Histogram<u64>,
    ) -> std::io::Result<()> {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        if files[case].is_none() {
            let mut w = BufWriter::new(create_fresh(&self.partial(case))?);
            header(&mut w, &self.cases[case], self.start)?;
            files[case] = Some(w);
        }
        line(
            files[case].as_mut().expect("opened above"),
            start,
            length,
            h,
        )
    }
}

/// A new file at `path`, never through what is there: a link planted at a `.partial` name
/// would otherwise have the log written wherever it points.
fn create_fresh(path: &Path) -> std::io::Result<File> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

impl IntervalSink for HlogStream {
    fn interval(&self, case: usize, start: Duration, length: Duration, h: &Histogram<u64>) {
        if let Err(e) = self.write(case, start, length, h) {
            self.lost.store(true, std::sync::atomic::Ordering::Relaxed);
            crate::errln!(
                "cogbench: warning: writing {}: {e}",
                self.partial(case).display()
            );
        }
    }

    fn finish(&self) -> Result<(), String> {
        let mut files = self.files.lock().unwrap_or_else(|e| e.into_inner());
        let mut failed = self
            .lost
            .load(std::sync::atomic::Ordering::Relaxed)
            .then(|| "an interval log lost seconds it could not write".to_owned());
        for (i, slot) in files.iter_mut().enumerate() {
            let Some(mut w) = slot.take() else { continue };
            let done = w
                .flush()
                .and_then(|()| w.get_ref().sync_all())
                .and_then(|()| {
                    std::fs::rename(
                        self.partial(i),
                        self.dir.join(format!("{}.hlog", file_stem(&self.cases[i]))),
                    )
                });
            if let Err(e) = done {
                failed = Some(format!("finishing {}: {e}", self.partial(i).display()));
            }
        }
        failed.map_or(Ok(()), Err)
    }
}

/// Rebuilds the logs from summary.json: one interval per case, covering the run, as
/// `(file name, bytes)`.
pub fn files(summary: &Summary) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let start = crate::time::parse_rfc3339(&summary.started_at).unwrap_or(UNIX_EPOCH);
    let length = Duration::from_secs_f64(summary.totals.duration_seconds.max(0.0));
    let mut files = Vec::new();
    for c in &summary.cases {
        let Some(h) = &c.histograms else { continue };
        let h = codec::decode(&h.response).map_err(std::io::Error::other)?;
        if h.is_empty() {
            continue;
        }
        let mut out = Vec::new();
        header(&mut out, &c.name, start)?;
        line(&mut out, Duration::ZERO, length, &h)?;
        files.push((format!("{}.hlog", file_stem(&c.name)), out));
    }
    Ok(files)
}

/// A file name for a case id (ids are letters, digits, `-` and `_` already; this keeps any
/// other character out of paths).
pub fn file_stem(case: &str) -> String {
    case.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_intervals_and_renames_at_the_end() {
        let dir = tempfile::tempdir().unwrap();
        let stream = HlogStream::new(dir.path(), vec!["a".into(), "b".into()], UNIX_EPOCH).unwrap();
        let mut h = crate::metrics::new_histogram();
        h.record_n(250, 10).unwrap();
        stream.interval(0, Duration::ZERO, Duration::from_secs(1), &h);
        stream.interval(0, Duration::from_secs(1), Duration::from_secs(1), &h);
        assert!(dir.path().join("a.hlog.partial").exists());
        stream.finish().unwrap();
        let text = std::fs::read_to_string(dir.path().join("a.hlog")).unwrap();
        assert!(!dir.path().join("a.hlog.partial").exists());
        assert!(!dir.path().join("b.hlog").exists(), "no interval, no log");
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "#[Histogram log format version 1.3]");
        assert!(lines[1].starts_with("#[StartTime: 0.000 (seconds since epoch)"));
        assert_eq!(lines.len(), 6);
        let fields: Vec<&str> = lines[5].split(',').collect();
        assert_eq!(&fields[..3], ["1.000", "1.000", "0.250"]);
        let back = codec::decode(fields[3]).unwrap();
        assert_eq!((back.len(), back.max()), (10, 250));
    }

    #[test]
    fn a_link_planted_at_a_partial_name_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        let victim = outside.path().join("victim.txt");
        std::fs::write(&victim, "keep me").unwrap();
        std::os::unix::fs::symlink(&victim, dir.path().join("a.hlog.partial")).unwrap();
        let stream = HlogStream::new(dir.path(), vec!["a".into()], UNIX_EPOCH).unwrap();
        let mut h = crate::metrics::new_histogram();
        h.record(250).unwrap();
        stream.interval(0, Duration::ZERO, Duration::from_secs(1), &h);
        stream.finish().unwrap();
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "keep me");
        let log = dir.path().join("a.hlog");
        assert!(!log.symlink_metadata().unwrap().is_symlink());
        assert!(
            std::fs::read_to_string(log)
                .unwrap()
                .starts_with("#[Histogram log")
        );
    }

    #[test]
    fn a_log_that_could_not_be_finished_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let run = dir.path().join("run");
        let stream = HlogStream::new(&run, vec!["a".into(), "b".into()], UNIX_EPOCH).unwrap();
        let mut h = crate::metrics::new_histogram();
        h.record(250).unwrap();
        stream.interval(0, Duration::ZERO, Duration::from_secs(1), &h);
        std::fs::remove_dir_all(&run).unwrap();
        // The folder is gone: b's first second cannot be written, a's log cannot be renamed.
        stream.interval(1, Duration::ZERO, Duration::from_secs(1), &h);
        let e = stream.finish().unwrap_err();
        assert!(e.contains("a.hlog.partial"), "{e}");
    }
}

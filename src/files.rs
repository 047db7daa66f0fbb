//! Reading input files with a size limit that suits what they hold, so a wrong path
//! (`/dev/zero`, a log file) is refused with its name instead of filling memory.

use std::io::Read;
use std::path::Path;

// The largest file of each kind cogbench reads: each far above what a real one holds, so a
// wrong path (`/dev/zero`, a log, a disk image) is refused with its name instead of filling
// memory. A file past its limit is bad input (exit 2).

/// A scenario (hand-written YAML; the shipped ones are a few KiB).
pub const SCENARIO_MAX: u64 = 4 << 20;
/// A team catalog named by a scenario's `catalog:` (the built-in one is about 100 KiB).
pub const CATALOG_MAX: u64 = 16 << 20;
/// A known-deviations list (`--known-deviations`; one for the whole catalog is tens of KiB).
pub const KNOWN_DEVIATIONS_MAX: u64 = 8 << 20;
/// An `--oracle` snapshot.
pub const SNAPSHOT_MAX: u64 = 32 << 20;
/// A `${file:PATH}` secret (a client secret or password is tens of bytes).
pub const SECRET_MAX: u64 = 64 << 10;
/// A `users.from_csv` file: room for several million users of about 150 bytes each.
pub const USERS_CSV_MAX: u64 = 1 << 30;
/// One line of a `users.from_csv` file (a user is one line of about 150 bytes).
pub const USERS_CSV_LINE_MAX: u64 = 64 << 10;
/// A PEM bundle (`--ca-bundle`, `AWS_CA_BUNDLE`); the system's
/// bundle of every public root is about 200 KiB.
pub const CA_BUNDLE_MAX: u64 = 16 << 20;
/// A summary.json read by compare, merge and report (histograms included).
pub const SUMMARY_MAX: u64 = 64 << 20;
/// A `file://` value of `confirm-sign-up` (`--cli-input-json file://…`, `--client-metadata
/// file://…`): a ConfirmSignUp request is a few KiB.
pub const CLI_VALUE_MAX: u64 = 16 << 20;

/// `limit` for people: "64 KiB", "16 MiB", "1 GiB".
pub fn size(limit: u64) -> String {
    match limit {
        l if l >= 1 << 30 && l % (1 << 30) == 0 => format!("{} GiB", l >> 30),
        l if l >= 1 << 20 && l % (1 << 20) == 0 => format!("{} MiB", l >> 20),
        l if l >= 1 << 10 && l % (1 << 10) == 0 => format!("{} KiB", l >> 10),
        l => format!("{l} bytes"),
    }
}

fn too_large(path: &Path, limit: u64, what: &str) -> String {
    format!(
        "{}: larger than {}, too large for a {what} file",
        path.display(),
        size(limit)
    )
}

/// The file's text, at most `limit` bytes; `what` names the kind of file in errors.
pub fn read_to_string_limited(path: &Path, limit: u64, what: &str) -> Result<String, String> {
    let bytes = read_limited(path, limit, what)?;
    String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8 text", path.display()))
}

/// The file's bytes, at most `limit`; a regular file past it is refused before it is read, a
/// device or pipe once `limit` bytes have come.
pub fn read_limited(path: &Path, limit: u64, what: &str) -> Result<Vec<u8>, String> {
    let file = open_limited(path, limit, what)?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    if bytes.len() as u64 > limit {
        return Err(too_large(path, limit, what));
    }
    Ok(bytes)
}

/// The file opened for reading, refused when it is a directory or a regular file larger than
/// `limit`. Whoever reads it must still stop at `limit` (a device has no length).
pub fn open_limited(path: &Path, limit: u64, what: &str) -> Result<std::fs::File, String> {
    if path.is_dir() {
        return Err(format!(
            "{}: is a directory, expected a {what} file",
            path.display()
        ));
    }
    let file = open_waiting(path, PIPE_WAIT)?;
    if let Ok(meta) = file.metadata()
        && meta.is_file()
        && meta.len() > limit
    {
        return Err(too_large(path, limit, what));
    }
    Ok(file)
}

/// How long a named pipe may take to get a writer: open() waits for one, and a pipe nobody
/// writes to would hold the command for ever.
pub const PIPE_WAIT: std::time::Duration = std::time::Duration::from_secs(10);

/// Opens `path`; a named pipe with no writer within `wait` is refused (the open goes on in a
/// thread the process leaves behind). A pipe that has its writer (`<(generate)`) opens at once.
fn open_waiting(path: &Path, wait: std::time::Duration) -> Result<std::fs::File, String> {
    let cannot = |e: std::io::Error| format!("{}: cannot read: {e}", path.display());
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if std::fs::metadata(path).is_ok_and(|m| m.file_type().is_fifo()) {
            let (tx, rx) = std::sync::mpsc::channel();
            let owned = path.to_path_buf();
            std::thread::spawn(move || {
                let _ = tx.send(std::fs::File::open(owned));
            });
            return match rx.recv_timeout(wait) {
                Ok(opened) => opened.map_err(cannot),
                Err(_) => Err(format!(
                    "{}: a named pipe that nothing wrote to within {} s",
                    path.display(),
                    wait.as_secs_f64()
                )),
            };
        }
    }
    std::fs::File::open(path).map_err(cannot)
}

/// A reader for files read as a stream (a users CSV): it fails past `total` bytes or on a
/// line longer than `line`, where a device or a file with no newline would otherwise grow one
/// record without end.
pub struct Bounded<R> {
    inner: R,
    total: u64,
    line: u64,
    read: u64,
    line_len: u64,
}

impl<R> Bounded<R> {
    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    pub fn new(inner: R, total: u64, line: u64) -> Bounded<R> {
        Bounded {
            inner,
            total,
            line,
            read: 0,
            line_len: 0,
        }
    }
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read > self.total {
            return Err(std::io::Error::other(format!(
                "larger than {}",
                size(self.total)
            )));
        }
        let mut longest = 0;
        for (i, piece) in buf[..n].split(|b| *b == b'\n').enumerate() {
            // The first piece goes on the line the last read left open.
            self.line_len = if i == 0 { self.line_len } else { 0 } + piece.len() as u64;
            longest = longest.max(self.line_len);
        }
        if longest > self.line {
            return Err(std::io::Error::other(format!(
                "a line longer than {}",
                size(self.line)
            )));
        }
        Ok(n)
    }
}

/// Refuses, before anything is sent, an output file that could not be written when the run
/// ends: a directory, a missing folder, a folder or file that cannot be written.
pub fn check_writable(path: &Path, what: &str) -> Result<(), String> {
    let fail = |why: String| Err(format!("{what} {}: {why}", path.display()));
    if path.is_dir() {
        return fail("is a directory".into());
    }
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return fail(format!("no folder {}", parent.display()));
    }
    if path.exists() {
        if !path.is_file() {
            return fail("not a regular file".into());
        }
        if let Err(e) = std::fs::OpenOptions::new().append(true).open(path) {
            return fail(format!("cannot be written: {e}"));
        }
    }
    // Files are written beside their final name and renamed: the folder must take a new file.
    let probe = parent.join(format!(".cogbench-probe-{}", std::process::id()));
    match std::fs::File::create(&probe) {
        Ok(_) => {
            let _ = std::fs::remove_file(&probe);
            Ok(())
        }
        Err(e) => fail(format!("its folder cannot be written: {e}")),
    }
}

/// Refuses, before anything is sent, an output folder that could not be made or written when
/// the run ends: an existing file, a folder under a file, a place that takes no new folder.
/// Nothing is left behind: the folder itself is made only when the reports are written.
pub fn check_dir_writable(dir: &Path, what: &str) -> Result<(), String> {
    let fail = |why: String| Err(format!("{what} {}: {why}", dir.display()));
    let mut existing = dir;
    while !existing.exists() {
        existing = match existing.parent() {
            Some(p) if !p.as_os_str().is_empty() => p,
            _ => Path::new("."),
        };
    }
    if !existing.is_dir() {
        return fail(if existing == dir {
            "is a file, not a folder".to_owned()
        } else {
            format!("{} is a file, not a folder", existing.display())
        });
    }
    let probe = existing.join(format!(".cogbench-probe-{}", std::process::id()));
    if existing == dir {
        match std::fs::File::create(&probe) {
            Ok(_) => {
                let _ = std::fs::remove_file(&probe);
                Ok(())
            }
            Err(e) => fail(format!("cannot be written: {e}")),
        }
    } else {
        match std::fs::create_dir(&probe) {
            Ok(()) => {
                let _ = std::fs::remove_dir(&probe);
                Ok(())
            }
            Err(e) => fail(format!("cannot be created in {}: {e}", existing.display())),
        }
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename. The temporary name is the
/// process's own (pid and a random part), so runs writing into one folder at once do not
/// rename each other's file away; it is removed whenever the write fails (a full disk).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    write_atomic_with(path, |f| f.write_all(bytes))
}

/// `write_atomic`, with the content streamed by `write` through a buffer: a large file (a long
/// run's summary) never sits whole in memory.
pub fn write_atomic_with(
    path: &Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>,
) -> std::io::Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = path.with_file_name(format!(
        ".{name}.{}-{:08x}.tmp",
        std::process::id(),
        fastrand::u32(..)
    ));
    let written = (|| {
        let f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        let mut out = std::io::BufWriter::with_capacity(64 << 10, f);
        write(&mut out)?;
        let f = out
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streamed_write_that_fails_midway_leaves_the_old_file_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("summary.json");
        std::fs::write(&path, b"old").unwrap();
        let e = write_atomic_with(&path, |out| {
            out.write_all(&[b'x'; 100_000])?;
            Err(std::io::Error::other("the writer gave up"))
        })
        .unwrap_err();
        assert_eq!(e.to_string(), "the writer gave up");
        assert_eq!(std::fs::read(&path).unwrap(), b"old");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        write_atomic_with(&path, |out| out.write_all(&[b'y'; 100_000])).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), vec![b'y'; 100_000]);
    }

    #[test]
    fn an_endless_file_is_refused_with_its_name() {
        let e = read_to_string_limited(Path::new("/dev/zero"), 1 << 20, "snapshot").unwrap_err();
        assert!(e.contains("/dev/zero") && e.contains("too large"), "{e}");
    }

    #[test]
    fn a_large_regular_file_is_refused_unread() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("big.csv");
        let f = std::fs::File::create(&p).unwrap();
        f.set_len(1 << 40).unwrap();
        let e = read_limited(&p, 1 << 20, "users CSV").unwrap_err();
        assert!(
            e.ends_with("big.csv: larger than 1 MiB, too large for a users CSV file"),
            "{e}"
        );
    }

    #[test]
    fn a_bounded_reader_stops_at_a_long_line_or_a_large_total() {
        let read = |text: &[u8], total, line| {
            let mut out = String::new();
            Bounded::new(text, total, line)
                .read_to_string(&mut out)
                .map_err(|e| e.to_string())
        };
        assert!(read(b"ab\ncd\nef", 100, 2).is_ok());
        assert_eq!(
            read(b"ab\ncde\nf", 100, 2).unwrap_err(),
            "a line longer than 2 bytes"
        );
        assert_eq!(
            read(b"ab\ncd\nef", 7, 2).unwrap_err(),
            "larger than 7 bytes"
        );
        let mut zero = Bounded::new(std::fs::File::open("/dev/zero").unwrap(), 1 << 30, 1024);
        assert!(std::io::copy(&mut zero, &mut std::io::sink()).is_err());
    }

    #[test]
    fn sizes_read_as_people_write_them() {
        assert_eq!(size(SECRET_MAX), "64 KiB");
        assert_eq!(size(SUMMARY_MAX), "64 MiB");
        assert_eq!(size(USERS_CSV_MAX), "1 GiB");
        assert_eq!(size(1000), "1000 bytes");
    }

    #[test]
    fn output_folders_that_cannot_be_made_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_dir_writable(dir.path(), "--output-dir").is_ok());
        let deep = dir.path().join("a/b/c");
        assert!(check_dir_writable(&deep, "--output-dir").is_ok());
        assert!(!dir.path().join("a").exists(), "the check makes no folder");
        let file = dir.path().join("f");
        std::fs::write(&file, "").unwrap();
        let e = check_dir_writable(&file, "--output-dir").unwrap_err();
        assert!(e.contains("is a file"), "{e}");
        let e = check_dir_writable(&file.join("sub"), "--output-dir").unwrap_err();
        assert!(e.contains("is a file"), "{e}");
        let e = check_dir_writable(Path::new("/proc/forbidden"), "--output-dir").unwrap_err();
        assert!(e.contains("/proc/forbidden"), "{e}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn a_named_pipe_with_no_writer_is_refused_in_time() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("p.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        if !made.is_ok_and(|s| s.success()) {
            return; // no mkfifo here
        }
        let wait = std::time::Duration::from_millis(200);
        let e = open_waiting(&fifo, wait).unwrap_err();
        assert!(
            e.contains("p.yaml: a named pipe that nothing wrote to"),
            "{e}"
        );
        // With a writer, it opens and reads. A pipe of its own: the refused open above still
        // waits in its thread, and would take the writer's data.
        let fifo = dir.path().join("q.yaml");
        let made = std::process::Command::new("mkfifo").arg(&fifo).status();
        assert!(made.is_ok_and(|s| s.success()));
        let writer = {
            let fifo = fifo.clone();
            std::thread::spawn(move || std::fs::write(fifo, "name: x\n"))
        };
        let mut text = String::new();
        open_waiting(&fifo, std::time::Duration::from_secs(10))
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        writer.join().unwrap().unwrap();
        assert_eq!(text, "name: x\n");
    }

    #[test]
    fn a_small_file_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.json");
        std::fs::write(&p, "{}").unwrap();
        assert_eq!(read_to_string_limited(&p, 10, "snapshot").unwrap(), "{}");
        let e = read_to_string_limited(dir.path(), 10, "snapshot").unwrap_err();
        assert!(e.contains("directory"), "{e}");
    }

    #[test]
    fn outputs_that_cannot_be_written_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(check_writable(&dir.path().join("s.json"), "--output").is_ok());
        let e = check_writable(dir.path(), "--output").unwrap_err();
        assert!(e.contains("is a directory"), "{e}");
        let e = check_writable(&dir.path().join("no/s.json"), "--output").unwrap_err();
        assert!(e.contains("no folder"), "{e}");
        assert!(check_writable(Path::new("/proc/version"), "--output").is_err());
        assert!(
            !dir.path()
                .join(format!(".cogbench-probe-{}", std::process::id()))
                .exists()
        );
    }
}

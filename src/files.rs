//! Reading input files with a size limit that suits what they hold, so a wrong path
//! (`/dev/zero`, a log file) is refused with its name instead of filling memory.

use std::io::Read;
use std::path::Path;

/// The file's text, at most `limit` bytes; `what` names the kind of file in errors.
pub fn read_to_string_limited(path: &Path, limit: u64, what: &str) -> Result<String, String> {
    if path.is_dir() {
        return Err(format!(
            "{}: is a directory, expected a {what} file",
            path.display()
        ));
    }
    let file =
        std::fs::File::open(path).map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    if bytes.len() as u64 > limit {
        return Err(format!(
            "{}: larger than {} MiB, too large for a {what} file",
            path.display(),
            limit >> 20
        ));
    }
    String::from_utf8(bytes).map_err(|_| format!("{}: not UTF-8 text", path.display()))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_file_is_refused_with_its_name() {
        let e = read_to_string_limited(Path::new("/dev/zero"), 1 << 20, "snapshot").unwrap_err();
        assert!(e.contains("/dev/zero") && e.contains("too large"), "{e}");
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

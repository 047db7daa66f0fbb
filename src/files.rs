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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_endless_file_is_refused_with_its_name() {
        let e = read_to_string_limited(Path::new("/dev/zero"), 1 << 20, "snapshot").unwrap_err();
        assert!(e.contains("/dev/zero") && e.contains("too large"), "{e}");
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
}

//! summary.json, written atomically so a killed run never leaves a truncated file.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::Summary;
use super::export::{Exporter, Format, write_file};

pub fn render(summary: &Summary) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(summary).expect("the summary serialises");
    out.push(b'\n');
    out
}

/// Writes `bytes` to `path` through a temporary file and a rename. The temporary name is the
/// process's own (pid and a random part), so runs writing into one folder at once do not
/// rename each other's file away; it is removed whenever the write fails (a full disk).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let tmp = path.with_file_name(format!(
        ".{name}.{}-{:08x}.tmp",
        std::process::id(),
        fastrand::u32(..)
    ));
    let written = (|| {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, path)
    })();
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Rewrites summary.json from its own content (`cogbench report` with `--format json`).
pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn format(&self) -> Format {
        Format::Json
    }

    fn export(&self, summary: &serde_json::Value, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
        let mut out = serde_json::to_vec_pretty(summary).map_err(std::io::Error::other)?;
        out.push(b'\n');
        Ok(vec![write_file(dir, "summary.json", &out)?])
    }
}

#[cfg(test)]
mod tests {
    use super::write_atomic;

    #[test]
    fn a_failed_write_leaves_no_temporary_file() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("summary.json");
        std::fs::create_dir(&target).unwrap();
        std::fs::write(target.join("inside"), b"x").unwrap();
        assert!(write_atomic(&target, b"{}").is_err());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["summary.json"]);
    }

    #[test]
    fn writers_into_one_folder_use_temporary_files_of_their_own() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("summary.json");
        std::thread::scope(|s| {
            for i in 0..8u8 {
                let target = &target;
                s.spawn(move || {
                    for _ in 0..20 {
                        write_atomic(target, &[i; 4096]).unwrap();
                    }
                });
            }
        });
        assert_eq!(std::fs::read(&target).unwrap().len(), 4096);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }
}

//! The one writer of report files: each file atomically (a temporary file of the process's
//! own, then a rename), summary.json first.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::export::{Format, render, typed};
use crate::files::write_atomic;
use crate::summary::Summary;

/// Each report file already in the folder can be replaced (not a folder, say), so that a
/// whole run's load is not lost to it at the end.
pub fn check_report_files(dir: &Path, formats: &[Format]) -> Result<(), String> {
    let names = std::iter::once(Format::Json)
        .chain(formats.iter().copied())
        .flat_map(Format::files);
    for name in names {
        let path = dir.join(name);
        if path.symlink_metadata().is_ok() {
            crate::files::check_writable(&path, "report file")?;
        }
    }
    Ok(())
}

/// Writes each file into `dir` atomically and returns their paths.
pub fn write_files(dir: &Path, files: Vec<(String, Vec<u8>)>) -> std::io::Result<Vec<PathBuf>> {
    files
        .into_iter()
        .map(|(name, bytes)| {
            let path = dir.join(name);
            write_atomic(&path, &bytes)?;
            Ok(path)
        })
        .collect()
}

/// Writes one format's file(s) for the run whose summary.json is `summary` into `dir`
/// (`cogbench report`), and returns the files written.
pub fn export(format: Format, summary: &Value, dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    if format == Format::Json {
        // Rewritten from what was read, not from the typed summary: fields this version does
        // not know (a newer cogbench's, a user's own) are kept, and none are added.
        let mut out = serde_json::to_vec_pretty(summary).map_err(std::io::Error::other)?;
        out.push(b'\n');
        return write_files(dir, vec![("summary.json".to_owned(), out)]);
    }
    write_files(dir, render(format, &typed(summary)?)?)
}

/// summary.json first (the source of truth), then every other format from its content. The
/// interval logs (`hlog`) were streamed during the run.
pub fn write_reports(summary: &Summary, dir: &Path, formats: &[Format]) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    super::json::write(summary, &dir.join("summary.json"))?;
    for f in formats {
        if matches!(f, Format::Json | Format::Hlog) {
            continue;
        }
        write_files(dir, render(*f, summary)?)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::files::write_atomic;

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

    #[test]
    fn report_rewrites_summary_json_from_what_it_read() {
        let dir = tempfile::tempdir().unwrap();
        let text = std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/fixtures/reports/oracle-summary.json"
        ))
        .unwrap();
        let mut value: serde_json::Value = serde_json::from_str(&text).unwrap();
        value["x_custom"] = serde_json::json!({"kept": true});
        value["cases"][0]["x_case"] = serde_json::json!(1);
        super::export(super::Format::Json, &value, dir.path()).unwrap();
        let written = std::fs::read_to_string(dir.path().join("summary.json")).unwrap();
        let back: serde_json::Value = serde_json::from_str(&written).unwrap();
        assert_eq!(back, value, "a field was dropped, added or changed");
    }
}

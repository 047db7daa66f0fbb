//! The one writer of report files: each file atomically (a temporary file of the process's
//! own, then a rename), summary.json first.

use super::export::Format;
use crate::summary::Summary;

/// Each report file already in the folder can be replaced (not a folder, say), so that a
/// whole run's load is not lost to it at the end.
pub fn check_report_files(dir: &std::path::Path, formats: &[Format]) -> Result<(), String> {
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

/// summary.json first (the source of truth), then every other format from its content. The
/// interval logs (`hlog`) were streamed during the run.
pub fn write_reports(
    summary: &Summary,
    dir: &std::path::Path,
    formats: &[Format],
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    super::json::write_atomic(&dir.join("summary.json"), &super::json::render(summary))?;
    let value = serde_json::to_value(summary).map_err(std::io::Error::other)?;
    for f in formats {
        if matches!(f, Format::Json | Format::Hlog) {
            continue;
        }
        super::export::exporter(*f).export(&value, dir)?;
    }
    Ok(())
}

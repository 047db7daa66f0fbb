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

/// Writes `bytes` to `path` through a temporary file and a rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("out")
    ));
    {
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
    }
    std::fs::rename(&tmp, path)
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

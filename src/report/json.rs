//! summary.json, written atomically so a killed run never leaves a truncated file.

use crate::summary::Summary;

pub fn render(summary: &Summary) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(summary).expect("the summary serialises");
    out.push(b'\n');
    out
}

pub use crate::files::write_atomic;

/// Writes summary.json to `path` as `render` would, streamed rather than built whole first.
pub fn write(summary: &Summary, path: &std::path::Path) -> std::io::Result<()> {
    crate::files::write_atomic_with(path, |out| {
        serde_json::to_writer_pretty(&mut *out, summary).map_err(std::io::Error::other)?;
        out.write_all(b"\n")
    })
}

/// summary.json as a run writes it. (`cogbench report --format json` writes back what it read
/// instead, so that fields this version does not know survive: see `report::write::export`.)
pub fn files(summary: &Summary) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    Ok(vec![("summary.json".to_owned(), render(summary))])
}

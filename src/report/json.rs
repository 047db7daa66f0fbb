//! summary.json, written atomically so a killed run never leaves a truncated file.

use crate::summary::Summary;

pub fn render(summary: &Summary) -> Vec<u8> {
    let mut out = serde_json::to_vec_pretty(summary).expect("the summary serialises");
    out.push(b'\n');
    out
}

pub use crate::files::write_atomic;

/// summary.json as `cogbench report --format json` rewrites it: the summary's JSON form,
/// keys sorted.
pub fn files(summary: &Summary) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    let value = serde_json::to_value(summary).map_err(std::io::Error::other)?;
    let mut out = serde_json::to_vec_pretty(&value).map_err(std::io::Error::other)?;
    out.push(b'\n');
    Ok(vec![("summary.json".to_owned(), out)])
}

//! One exporter per report format: each renders the typed `Summary` (summary.json's
//! content, the source of truth) into its file(s), and the writer puts them in the run
//! folder, so `cogbench report RUN_DIR --format F` regenerates any of them from a finished run.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::summary::Summary;

pub use crate::scenario::reports::Format;

/// A format's files for a summary, `(file name, bytes)`: pure, the writer writes them.
pub fn render(format: Format, summary: &Summary) -> std::io::Result<Vec<(String, Vec<u8>)>> {
    match format {
        Format::Json => super::json::files(summary),
        Format::Csv => super::csv::files(summary),
        Format::Junit => super::junit::files(summary),
        Format::Hlog => super::hlog::files(summary),
        Format::Html => super::html::files(summary),
        Format::Markdown => super::markdown::files(summary),
    }
}

/// summary.json's content as the typed summary it was written from (what an exporter reads,
/// rather than a view of its own).
pub fn typed(summary: &Value) -> std::io::Result<Summary> {
    use serde::Deserialize;
    Summary::deserialize(summary).map_err(|e| std::io::Error::other(format!("summary.json: {e}")))
}

/// Reads a run folder's summary.json (or a summary.json file itself).
pub fn read_summary(path: &Path) -> Result<(PathBuf, Value), String> {
    let file = if path.is_dir() {
        path.join("summary.json")
    } else {
        path.to_path_buf()
    };
    let bytes = crate::files::read_limited(&file, crate::files::SUMMARY_MAX, "summary.json")?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| format!("{} is not a summary.json: {e}", file.display()))?;
    if value.get("schema_version").and_then(Value::as_u64)
        != Some(u64::from(crate::summary::SCHEMA_VERSION))
    {
        return Err(format!(
            "{}: not a cogbench summary of schema_version {}",
            file.display(),
            crate::summary::SCHEMA_VERSION
        ));
    }
    check_histograms(&value).map_err(|e| format!("{}: {e}", file.display()))?;
    check_shard(&value).map_err(|e| format!("{}: {e}", file.display()))?;
    Ok((file, value))
}

/// `shard`, where there is one, is a part `--shard` could have run: merge sizes its tally of
/// the shards by `count` and indexes it by `index`.
fn check_shard(summary: &Value) -> Result<(), String> {
    use crate::scenario::shard::MAX_SHARDS;
    let shard = match summary.get("shard") {
        None | Some(Value::Null) => return Ok(()),
        Some(s) => s,
    };
    let number = |key: &str| shard.get(key).and_then(Value::as_u64);
    match (number("index"), number("count")) {
        (Some(i), Some(n)) if 1 <= i && i <= n && n <= u64::from(MAX_SHARDS) => Ok(()),
        _ => Err(format!(
            "`shard` is {shard}; expected {{\"index\": I, \"count\": N}} with 1 ≤ I ≤ N ≤ {MAX_SHARDS}"
        )),
    }
}

/// Every encoded histogram decodes, so each command that reads the file (compare, merge,
/// each report format) refuses a corrupt one alike, naming the case or phase.
fn check_histograms(summary: &Value) -> Result<(), String> {
    let items = |key: &str| {
        summary
            .get(key)
            .and_then(Value::as_array)
            .map_or(&[][..], Vec::as_slice)
    };
    let name = |v: &Value| {
        v.get("name")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .to_owned()
    };
    let decode = |text: Option<&Value>, what: &dyn Fn() -> String| match text {
        Some(Value::String(t)) => crate::metrics::codec::decode(t)
            .map(drop)
            .map_err(|e| format!("{}: {e}", what())),
        Some(Value::Null) | None => Ok(()),
        Some(_) => Err(format!("{}: not a string", what())),
    };
    for case in items("cases") {
        for kind in ["response", "service"] {
            let text = case.get("histograms").and_then(|h| h.get(kind));
            decode(text, &|| format!("case {}'s {kind} histogram", name(case)))?;
        }
    }
    for phase in items("phases") {
        decode(phase.get("schedule_lag_histogram"), &|| {
            format!("phase {}'s lag histogram", name(phase))
        })?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_by_name_and_by_old_file_name() {
        for f in Format::ALL {
            assert_eq!(Format::parse(f.name()), Ok(f));
        }
        assert_eq!(Format::parse("summary.json"), Ok(Format::Json));
        assert_eq!(Format::parse("latency.csv"), Ok(Format::Csv));
        assert!(Format::parse("pdf").unwrap_err().contains("junit"));
        assert_eq!(super::super::hlog::file_stem("valid-code"), "valid-code");
        assert_eq!(super::super::hlog::file_stem("a/../b"), "a____b");
    }
}

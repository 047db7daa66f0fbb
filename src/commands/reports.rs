//! The commands over finished runs: `report`, `merge` and `compare`.

use std::path::Path;

use crate::cli::{CompareArgs, MergeArgs, Output};
use crate::exit::Failure;
use crate::exit_codes::EXIT_FAILED;
use crate::report::export::{Format, read_summary};
use crate::term::{out, out_json};
use crate::{errln, outln};

/// `report`: formats written again from a run's summary.json.
pub fn report(run_dir: &Path, formats: &[String], out: Option<&Path>) -> Result<i32, Failure> {
    let formats: Vec<Format> = formats
        .iter()
        .map(|f| Format::parse(f))
        .collect::<Result<_, _>>()
        .map_err(|e| Failure::BadInput(format!("--format: {e}")))?;
    let (file, summary) = read_summary(run_dir).map_err(|e| Failure::BadInput(e.to_string()))?;
    // Every format reads it as the typed summary: one that does not fit is bad input.
    if let Err(e) = <crate::report::Summary as serde::Deserialize>::deserialize(&summary) {
        return Err(Failure::BadInput(format!(
            "{}: not a summary cogbench can report: {e}",
            file.display()
        )));
    }
    let dir = out
        .map(Path::to_path_buf)
        .unwrap_or_else(|| file.parent().unwrap_or(Path::new(".")).to_path_buf());
    // An output folder that cannot be written is bad input (2), as for `run`; a write that
    // fails after this check (a full disk) is a failure (1).
    crate::files::check_dir_writable(&dir, "--output-dir").map_err(Failure::BadInput)?;
    std::fs::create_dir_all(&dir)
        .map_err(|e| Failure::Failed(format!("{}: {e}", dir.display())))?;
    for f in formats {
        let files = crate::report::write::export(f, &summary, &dir)
            .map_err(|e| Failure::Failed(format!("writing the {} report: {e}", f.name())))?;
        for p in files {
            outln!("{}", p.display());
        }
    }
    Ok(0)
}

/// `merge`: the shards' runs as one.
pub fn merge(args: &MergeArgs) -> Result<i32, Failure> {
    let known_deviations = match &args.known_deviations {
        None => None,
        Some(file) => Some((
            file.clone(),
            crate::deviations::load(file).map_err(|e| Failure::BadInput(e.to_string()))?,
        )),
    };
    crate::files::check_dir_writable(&args.output_dir, "--output-dir")
        .map_err(Failure::BadInput)?;
    let merged = crate::merge::merge(&args.run_dirs, known_deviations.as_ref())
        .map_err(|e| Failure::BadInput(e.to_string()))?;
    for w in &merged.warnings {
        errln!("cogbench: warning: {w}");
    }
    crate::merge::write(&merged, &args.output_dir).map_err(|e| {
        Failure::Failed(format!(
            "writing reports to {}: {e}",
            args.output_dir.display()
        ))
    })?;
    match args.output {
        Output::Json => out_json(&format!(
            "{}\n",
            serde_json::to_string_pretty(&merged.summary).expect("the summary serialises")
        )),
        Output::Table => {
            out(&crate::report::table::render(&merged.summary));
            outln!("reports: {}", args.output_dir.display());
        }
    }
    Ok(merged.summary.exit_code)
}

/// `compare`: a run against a baseline.
pub fn compare(args: &CompareArgs) -> Result<i32, Failure> {
    let limits = (
        args.max_p99_increase,
        args.min_p99_change_ms,
        args.max_throughput_drop,
    );
    for (flag, v) in [
        ("--max-p99-increase", args.max_p99_increase),
        ("--min-p99-change-ms", args.min_p99_change_ms),
        ("--max-throughput-drop", args.max_throughput_drop),
    ] {
        if v.is_some_and(|v| !(v.is_finite() && v >= 0.0)) {
            return Err(Failure::BadInput(format!("{flag}: a number of 0 or more")));
        }
    }
    let c = crate::compare::compare(&args.baseline, &args.current, limits)
        .map_err(|e| Failure::BadInput(e.to_string()))?;
    match args.output {
        Output::Table => out(&crate::compare::render(&c)),
        Output::Json => out_json(&format!(
            "{}\n",
            serde_json::to_string_pretty(&c).expect("the comparison serialises")
        )),
    }
    Ok(if c.regressed { EXIT_FAILED } else { 0 })
}

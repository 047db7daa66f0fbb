//! `diff`: two runs of one scenario's cases, and where their answers differ.

use std::path::Path;

use crate::diff::{self, Side};
use crate::exit::Failure;
use crate::exit_codes::EXIT_FAILED;
use crate::inputs::DiffInputs;
use crate::interrupt::Interrupts;
use crate::outln;
use crate::progress;
use crate::run::{RunOptions, RunOutcome};
use crate::term::out;

/// `left` and `right` are the scenario files, as the diff names them.
pub async fn diff(
    inputs: DiffInputs,
    (left, right): (&Path, &Path),
    fail_on_difference: bool,
    interrupts: Interrupts,
) -> Result<i32, Failure> {
    let dir = inputs.dir;
    let mut summaries = Vec::new();
    for (plan, side) in [(inputs.left, "left"), (inputs.right, "right")] {
        let opts = RunOptions {
            output_dir: Some(dir.join(side)),
            progress: progress::Mode::Quiet,
            interrupts: Some(interrupts.clone()),
            ..RunOptions::default()
        };
        let target = plan.target.kind().to_owned();
        match crate::run::run(plan, opts).await {
            Ok(outcome) if outcome.summary.interrupted => {
                return Err(Failure::Interrupted(format!(
                    "interrupted during the {side} run; its partial reports are in {} (no diff)",
                    outcome.report_dir.display()
                )));
            }
            Ok(outcome) => summaries.push((outcome, target)),
            Err(source) => return Err(Failure::Side { side, source }),
        }
    }
    let side = |(o, target): &(RunOutcome, String), scenario: &Path| Side {
        scenario: scenario.display().to_string(),
        target: target.clone(),
        endpoint: o.summary.target.endpoint.clone(),
        report: o.report_dir.display().to_string(),
    };
    let result = diff::compare(
        &summaries[0].0.summary,
        &summaries[1].0.summary,
        (side(&summaries[0], left), side(&summaries[1], right)),
    );
    out(&diff::render(&result));
    let json = serde_json::to_vec_pretty(&result).expect("the diff serialises");
    let file = dir.join("diff.json");
    crate::report::json::write_atomic(&file, &json)
        .map_err(|e| Failure::Failed(format!("writing {}: {e}", file.display())))?;
    outln!("diff: {}", file.display());
    Ok(if fail_on_difference && !result.differences.is_empty() {
        EXIT_FAILED
    } else {
        0
    })
}

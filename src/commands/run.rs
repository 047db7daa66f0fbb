//! `run` and `record`.

use crate::exit::Failure;
use crate::exit_codes::{EXIT_FAILED, EXIT_INTERRUPTED};
use crate::inputs::{MetricsListen, Printing, RunInputs};
use crate::interrupt::Interrupts;
use crate::live_metrics::Endpoint;
use crate::run::RunOutcome;
use crate::term::{out, out_json};
use crate::{cli::Output, errln};

/// summary.json says the exit code the command ends with, when that is not the run's own.
fn settle(outcome: &mut RunOutcome, code: i32) {
    if let Err(e) = outcome.settle_exit_code(code) {
        errln!(
            "cogbench: error: rewriting the reports in {}: {e}",
            outcome.report_dir.display()
        );
    }
}

/// `--debug`: the plan (secrets as ***) before anything is sent.
pub(super) fn debug_plan(plan: &crate::scenario::Plan, printing: &Printing) {
    if printing.debug {
        errln!(
            "cogbench: debug: the plan\n{}",
            serde_json::to_string_pretty(&crate::summary::plan::plan_echo(plan))
                .expect("the plan serialises")
        );
    }
}

/// `--debug`: each case's first answer (codes and secrets as ***) after the run.
pub(super) fn debug_answers(outcome: &RunOutcome, printing: &Printing) {
    if printing.debug {
        for c in &outcome.summary.cases {
            if let Some(sample) = &c.sample {
                errln!("cogbench: debug: {} answered {sample:?}", c.name);
            }
        }
    }
}

/// `--metrics-listen`: bound before anything is sent, so that a port in use is bad input
/// (exit 2) and not a run lost at its end; the URL said on stderr.
pub(super) fn listen(
    metrics: Option<MetricsListen>,
    scenario: &str,
) -> Result<Option<Endpoint>, Failure> {
    let Some(m) = metrics else {
        return Ok(None);
    };
    let endpoint = Endpoint::bind(m.addr, scenario).map_err(Failure::BadInput)?;
    errln!("cogbench: live metrics at {}", endpoint.url());
    Ok(Some(endpoint))
}

/// After the command's output: the final figures wait for a scrape (`--metrics-linger`).
pub(super) async fn linger(
    endpoint: Option<Endpoint>,
    metrics: Option<MetricsListen>,
    i: &Interrupts,
) {
    if let (Some(endpoint), Some(m)) = (endpoint, metrics) {
        endpoint.linger(m.linger, i).await;
    }
}

pub async fn run(inputs: RunInputs, interrupts: Interrupts) -> Result<i32, Failure> {
    debug_plan(&inputs.plan, &inputs.printing);
    let endpoint = listen(inputs.metrics, &inputs.plan.name)?;
    let metrics = inputs.metrics;
    let code = run_to_verdict(inputs, endpoint.as_ref(), interrupts.clone()).await?;
    linger(endpoint, metrics, &interrupts).await;
    Ok(code)
}

async fn run_to_verdict(
    inputs: RunInputs,
    endpoint: Option<&Endpoint>,
    interrupts: Interrupts,
) -> Result<i32, Failure> {
    let RunInputs {
        plan,
        mut options,
        printing,
        write_deviations,
        ..
    } = inputs;
    options.live_metrics = endpoint.map(Endpoint::feed);
    if let Some((file, snapshot)) = &options.oracle
        && snapshot.header.partial
    {
        errln!(
            "cogbench: warning: {} is the snapshot of a recording that did not finish: the cases it lacks are judged by the catalog",
            file.display()
        );
    }
    if let Some((file, snapshot)) = &options.oracle
        && snapshot.header.catalog_sha256 != plan.catalog.sha256()
    {
        errln!(
            "cogbench: warning: {} was recorded with another catalog than this run's (cogbench {}): where the snapshot holds a case it judges it, but the case's request may have changed since",
            file.display(),
            snapshot.header.cogbench_version
        );
    }
    let target_label = plan.target.kind().to_owned();
    let races: Vec<String> = plan
        .catalog
        .cases
        .iter()
        .filter(|c| c.repeat.is_some_and(|r| r.concurrent))
        .map(|c| c.id.clone())
        .collect();
    options.interrupts = Some(interrupts);
    let mut outcome = crate::run::run(plan, options).await?;
    debug_answers(&outcome, &printing);
    print(&outcome, &printing);
    if let Some(file) = &write_deviations {
        let command: Vec<String> = std::env::args().collect();
        let list = crate::deviations::from_summary(
            &outcome.summary,
            &target_label,
            &command.join(" "),
            &|id| races.iter().any(|r| r == id),
        );
        if let Err(e) = std::fs::write(file, crate::deviations::render(&list)) {
            let code = Failure::Failed(format!("writing {}: {e}", file.display())).report();
            settle(&mut outcome, code);
            return Ok(code);
        }
        out(&format!(
            "deviations: {} written to {}\n",
            list.deviations.len(),
            file.display()
        ));
    }
    Ok(outcome.exit_code)
}

/// The verdict table, summary.json, or a query over it.
pub(super) fn print(outcome: &RunOutcome, printing: &Printing) {
    let summary = serde_json::to_value(&outcome.summary).expect("the summary serialises");
    match (&printing.query, printing.output) {
        (Some(q), _) => match q.search(&summary) {
            Ok(v) => out_json(&format!(
                "{}\n",
                serde_json::to_string_pretty(&v).expect("JSON serialises")
            )),
            Err(e) => errln!("cogbench: error: --query: {e}"),
        },
        (None, Output::Json) => out_json(&format!(
            "{}\n",
            serde_json::to_string_pretty(&summary).expect("JSON serialises")
        )),
        (None, Output::Table) => {
            out(&crate::report::table::render_with(
                &outcome.summary,
                printing.verbose,
            ));
            out(&format!("reports: {}\n", outcome.report_dir.display()));
        }
    }
}

/// `record`: a run whose answers become a snapshot. The catalog's verdicts are printed for
/// information; the exit code says whether the recording is whole.
pub async fn record(
    inputs: RunInputs,
    accept_server_errors: bool,
    interrupts: Interrupts,
) -> Result<i32, Failure> {
    debug_plan(&inputs.plan, &inputs.printing);
    let endpoint = listen(inputs.metrics, &inputs.plan.name)?;
    let metrics = inputs.metrics;
    let RunInputs {
        plan,
        mut options,
        printing,
        ..
    } = inputs;
    options.live_metrics = endpoint.as_ref().map(Endpoint::feed);
    let snapshot = options.record.clone().unwrap_or_default();
    // A server error a case expects (internal-error) is its answer, not a fault of the
    // recording, when it is the Cognito error the case expects (a proxy's 500 page is not).
    let expects_5xx: Vec<(String, String)> = plan
        .catalog
        .cases
        .iter()
        .filter(|c| c.expect.status >= 500)
        .filter_map(|c| Some((c.id.clone(), c.expect.error.clone()?)))
        .collect();
    options.interrupts = Some(interrupts.clone());
    let mut outcome = crate::run::run(plan, options).await?;
    let s = &outcome.summary;
    out(&crate::report::table::render_with(s, printing.verbose));
    out(&format!("reports: {}\n", outcome.report_dir.display()));
    let judged = s.cases.iter().filter(|c| !c.answers.is_empty()).count();
    out(&format!(
        "snapshot: {judged} cases recorded ({} skipped) in {}{}\n",
        s.cases.len() - judged,
        snapshot.display(),
        if s.partial { ", marked partial" } else { "" }
    ));
    out(
        "(the verdicts above are the catalog's, for information: a recording's exit code says only whether it is whole and clean)\n",
    );
    let problems = crate::oracle::record::recording_problems(s, accept_server_errors, &expects_5xx);
    if !problems.is_empty() {
        errln!(
            "cogbench: the recording is not clean, so its snapshot is not ground truth as it stands (record again, or review it before judging by it):"
        );
        for p in &problems {
            errln!("  {p}");
        }
    }
    let code = if s.interrupted {
        EXIT_INTERRUPTED
    } else if s.partial || !problems.is_empty() {
        EXIT_FAILED
    } else {
        0
    };
    settle(&mut outcome, code);
    linger(endpoint, metrics, &interrupts).await;
    Ok(code)
}

//! `bench`: a run of the scenario its flags make, printed as `run` prints.

use super::run::{debug_answers, debug_plan, linger, listen, print};
use crate::exit::Failure;
use crate::inputs::BenchInputs;
use crate::interrupt::Interrupts;
use crate::term::out;

pub async fn bench(inputs: BenchInputs, interrupts: Interrupts) -> Result<i32, Failure> {
    let (plan, mut options, printing, metrics) = match inputs {
        BenchInputs::Print(text) => {
            out(&text);
            return Ok(0);
        }
        BenchInputs::Run {
            plan,
            options,
            printing,
            metrics,
        } => (*plan, *options, printing, metrics),
    };
    debug_plan(&plan, &printing);
    let endpoint = listen(metrics, &plan.name)?;
    options.live_metrics = endpoint.as_ref().map(crate::live_metrics::Endpoint::feed);
    options.interrupts = Some(interrupts.clone());
    let outcome = crate::run::run(plan, options).await?;
    debug_answers(&outcome, &printing);
    print(&outcome, &printing);
    linger(endpoint, metrics, &interrupts).await;
    Ok(outcome.exit_code)
}

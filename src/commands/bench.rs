//! `bench`: a run of the scenario its flags make, printed as `run` prints.

use super::run::{debug_answers, debug_plan, print};
use crate::exit::Failure;
use crate::inputs::BenchInputs;
use crate::interrupt::Interrupts;
use crate::term::out;

pub async fn bench(inputs: BenchInputs, interrupts: Interrupts) -> Result<i32, Failure> {
    let (plan, mut options, printing) = match inputs {
        BenchInputs::Print(text) => {
            out(&text);
            return Ok(0);
        }
        BenchInputs::Run {
            plan,
            options,
            printing,
        } => (*plan, *options, printing),
    };
    debug_plan(&plan, &printing);
    options.interrupts = Some(interrupts);
    let outcome = crate::run::run(plan, options).await?;
    debug_answers(&outcome, &printing);
    print(&outcome, &printing);
    Ok(outcome.exit_code)
}

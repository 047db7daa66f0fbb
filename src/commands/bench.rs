//! `bench`.

use crate::exit::Failure;
use crate::inputs::BenchInputs;
use crate::interrupt::Interrupts;
use crate::outln;
use crate::term::out;

pub async fn bench(inputs: BenchInputs, interrupts: Interrupts) -> Result<i32, Failure> {
    let (plan, mut options) = match inputs {
        BenchInputs::Print(text) => {
            out(&text);
            return Ok(0);
        }
        BenchInputs::Run { plan, options } => (*plan, *options),
    };
    options.interrupts = Some(interrupts);
    let outcome = crate::run::run(plan, options).await?;
    out(&crate::report::table::render(&outcome.summary));
    outln!("reports: {}", outcome.report_dir.display());
    Ok(outcome.exit_code)
}

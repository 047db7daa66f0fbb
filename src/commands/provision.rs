//! `provision`.

use crate::exit::Failure;
use crate::interrupt::Interrupts;
use crate::provision::Options;
use crate::{errln, outln};

pub async fn provision(mut opts: Options, interrupts: Interrupts) -> Result<i32, Failure> {
    opts.interrupts = Some(interrupts);
    let quiet = !opts.progress;
    let done = crate::provision::provision(opts).await?;
    if let Some((pool, client)) = &done.created {
        outln!("# the pool and app client created; name them in the scenario:");
        outln!("pool:\n  existing: {{id: {pool}, client_id: {client}}}");
    }
    let coded = done.rows.iter().filter(|r| !r.code.is_empty()).count();
    if quiet {
        return Ok(0);
    }
    errln!(
        "cogbench provision: {} users written to {} ({coded} with a code; codes: {})",
        done.rows.len(),
        done.file.display(),
        done.codes
    );
    if coded == 0 {
        errln!(
            "cogbench provision: the target gives no codes, so the code column is empty: fill it in (from the emails), or `run` skips the cases that need a code"
        );
    }
    Ok(0)
}

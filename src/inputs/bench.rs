//! `bench`: the plan its flags describe (see `crate::bench`), and the run's options.

use std::time::SystemTime;

use super::run::{MetricsListen, Printing, metrics_listen, printing};
use super::start_at::start_at;
use super::target::{grace, target_overrides, with_timeouts};
use crate::cli::BenchArgs;
use crate::env::Env;
use crate::exit::Failure;
use crate::run::RunOptions;
use crate::scenario::{self, Overrides, Plan};

/// What `bench` does: print the scenario its flags make, or run it.
#[derive(Debug)]
pub enum BenchInputs {
    /// `--print-scenario`: the scenario's YAML.
    Print(String),
    Run {
        plan: Box<Plan>,
        options: Box<RunOptions>,
        printing: Printing,
        metrics: Option<MetricsListen>,
    },
}

pub fn bench(args: &BenchArgs, env: &dyn Env) -> Result<BenchInputs, Failure> {
    // Read first, as `run` reads it: `+3s` is from the moment the command started.
    let start_at = start_at(args.start_at.as_deref(), SystemTime::now())?;
    let printing = printing(&args.print, false, args.global.debug)?;
    let environment = target_overrides(&args.target, Some(&args.global), env);
    // The endpoint is the scenario's (which --print-scenario shows), wherever it was given.
    let endpoint = environment.endpoint_url.clone();
    if let Some(url) = &endpoint {
        scenario::check_endpoint(url)
            .map_err(|e| Failure::BadInput(format!("--endpoint-url: {e}")))?;
    }
    let scenario = crate::bench::scenario(args, endpoint.as_deref()).map_err(Failure::BadInput)?;
    let overrides: Overrides = with_timeouts(environment, &args.timeouts)?;
    // Built before it is printed too: what --print-scenario shows is a scenario that runs.
    let plan = crate::bench::plan(&scenario, &overrides).map_err(Failure::BadInput)?;
    if args.print_scenario {
        return Ok(BenchInputs::Print(scenario.to_yaml()));
    }
    let options = RunOptions {
        grace_period: grace(args.grace_period)?,
        output_dir: args.output_dir.clone(),
        progress: args.progress.into(),
        start_at,
        ..RunOptions::default()
    };
    Ok(BenchInputs::Run {
        plan: Box::new(plan),
        options: Box::new(options),
        printing,
        metrics: metrics_listen(&args.metrics)?,
    })
}

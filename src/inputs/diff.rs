//! `diff`: LEFT's catalog, mix and phases, planned once against LEFT's target and once against
//! RIGHT's.

use std::path::PathBuf;
use std::sync::Arc;

use super::target::target_overrides;
use crate::cases::Catalog;
use crate::cli::{DiffArgs, TargetArgs};
use crate::env::Env;
use crate::exit::Failure;
use crate::scenario::{self, Overrides, Plan};

#[derive(Debug)]
pub struct DiffInputs {
    pub left: Plan,
    /// LEFT's plan with RIGHT's target.
    pub right: Plan,
    /// RIGHT's scenario name.
    pub right_name: String,
    /// Where both runs and diff.json go, checked writable.
    pub dir: PathBuf,
}

pub fn diff(args: &DiffArgs, env: &dyn Env) -> Result<DiffInputs, Failure> {
    let bad = |e: scenario::ScenarioError| Failure::BadInput(e.to_string());
    let catalog = Arc::new(Catalog::builtin());
    // Each side's scenario names its own target: the environment's endpoint would make both
    // the same one.
    let environment = Overrides {
        endpoint_url: None,
        ..target_overrides(&TargetArgs::default(), Some(&args.global), env)
    };
    let right = scenario::load(&args.right, catalog.clone(), &environment).map_err(bad)?;
    let left_overrides = Overrides {
        cases: args.cases.clone(),
        ..environment.clone()
    };
    let right_overrides = Overrides {
        cases: args.cases.clone(),
        target: Some(right.target.clone()),
        ..environment
    };
    let plans = (
        scenario::load(&args.left, catalog.clone(), &left_overrides),
        scenario::load(&args.left, catalog, &right_overrides),
    );
    let (left_plan, right_plan) = match plans {
        (Ok(l), Ok(r)) => (l, r),
        (Err(e), _) | (_, Err(e)) => return Err(bad(e)),
    };
    let dir = args.output_dir.clone().unwrap_or_else(|| {
        PathBuf::from("reports")
            .join(format!("diff-{}-{}", left_plan.name, right.name))
            .join(crate::report::compact_utc(std::time::SystemTime::now()))
    });
    // Both runs and diff.json go there: a folder that cannot be made is found before either run.
    crate::files::check_dir_writable(&dir, "--output-dir").map_err(Failure::BadInput)?;
    Ok(DiffInputs {
        left: left_plan,
        right: right_plan,
        right_name: right.name,
        dir,
    })
}

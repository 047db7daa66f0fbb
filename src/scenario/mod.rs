//! Scenario files: YAML read with positions, validated, and compiled into a `Plan` before
//! any byte is sent to a target.

pub mod existing;
mod load;
mod model;
mod phase;
mod plan;
mod pool_def;
pub mod quota;
mod retry;
pub mod shard;
mod target_def;
pub mod threshold;
pub mod units;
mod values;

pub use load::{ScenarioError, load, load_for_signup, parse};
pub use phase::PhaseShard;
pub use phase::{Load, Phase, Stage, Stop};
pub use plan::{
    MixEntry, Overrides, Plan, PoolPlan, PoolRun, SignUpPlan, Signing, TargetPlan, UsersPlan,
    phase_bound, phase_starts,
};
pub use pool_def::{Attribute, UserExistenceErrors};
pub use retry::RetryPolicy;
pub use shard::Shard;
pub use target_def::{CodeSource, TargetKind, check_endpoint};
pub use threshold::{Metric, Op, Stat, Threshold};
pub use values::{MAX_USERS, Secret, Template};

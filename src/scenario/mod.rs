//! Scenario files: YAML read with positions, validated, and compiled into a `Plan` before
//! any byte is sent to a target.

mod build;
pub mod existing;
mod load;
mod model;
pub mod on_demand;
mod patterns;
mod phase;
mod plan;
mod pool_def;
pub mod quota;
pub mod reports;
mod retry;
mod schema;
pub mod shard;
mod sizing;
mod skip;
mod target_def;
pub mod threshold;
pub mod units;
mod values;
mod written;

pub use crate::target_kinds::{CodeSource, TargetKind};
pub use load::{ScenarioError, load, load_for_signup, parse};
pub use model::HttpVersion;
pub use phase::PhaseShard;
pub use phase::{Load, MAX_IN_FLIGHT, Phase, Stage, Stop};
pub use plan::{
    MixEntry, Overrides, Plan, PoolPlan, PoolRun, SignUpPlan, Signing, TargetPlan, UsersPlan,
};
pub use pool_def::{Attribute, UserExistenceErrors};
pub use retry::RetryPolicy;
pub use schema::scenario_schema;
pub use shard::Shard;
pub use sizing::phase_bound;
pub use target_def::check_endpoint;
pub use threshold::{Metric, Op, Stat, Threshold};
pub use values::{MAX_USERS, Secret, Template};
pub use written::{
    Written, WrittenCodes, WrittenHttp, WrittenJudge, WrittenPhase, WrittenTarget, WrittenUsers,
};

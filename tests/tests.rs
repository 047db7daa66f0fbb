//! One integration-test binary (faster to link than many): shipped scenarios end to end,
//! wrong targets, the command line, the summary schema.

mod support;

mod aws_kind;
mod awscli;
mod bench_options;
mod cli;
mod compare;
mod executors;
mod existing_pool;
mod faults;
mod file_readers;
mod golden;
mod hostile;
mod inputs;
mod lifecycle;
mod live_metrics;
mod oracle;
mod output;
mod pool_setups;
mod provision;
mod report_html;
mod robustness;
mod scenario_schema;
mod schema;
mod shard;
mod shipped;
mod signing;
mod transport;
mod wrong_target;

//! One integration-test binary (faster to link than many): shipped scenarios end to end,
//! wrong targets, the command line, the summary schema.

mod support;

mod awscli;
mod cli;
mod executors;
mod existing_pool;
mod schema;
mod shipped;
mod wrong_target;

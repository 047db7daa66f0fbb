//! The run's results as data (`Summary`, the only report contract) and the builder that
//! makes them from what the engine measured.

pub mod build;
pub mod deviations;
pub mod echo;
pub mod oracle;
pub mod plan;
pub mod types;

pub use types::*;

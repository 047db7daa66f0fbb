//! The kinds of target cogbench knows, one descriptor per kind: its name, what it can do,
//! where its confirmation codes come from and its quirks. A new kind is one file here plus
//! its line in `registry.rs`.
//!
//! This sits under the scenario layer (it imports only `cases`), so the scenario can ask the
//! registry while it builds its plan and the target layer reads the same descriptors at run
//! time; neither imports the other for it.

pub mod aws;
mod code_source;
mod cognito_local;
mod descriptor;
mod embedded;
mod emulator;
mod endpoint;
mod moto;
mod registry;
#[cfg(test)]
mod tests;

pub use code_source::CodeSource;
pub use descriptor::{CodeInputs, KindSpec};
pub use registry::{ALL, TargetKind};

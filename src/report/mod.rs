//! The exporters over the run's `Summary` (crate::summary): one file per format, and the
//! one writer of report files.

pub mod csv;
pub mod export;
#[cfg(test)]
mod fixtures;
pub mod hlog;
pub mod html;
pub mod json;
mod judging;
pub mod junit;
pub mod markdown;
mod svg;
pub mod table;
pub mod write;

// The summary's types, under the names the commands and tests have always used.
pub use crate::summary::types::*;
pub use crate::time::{
    compact_utc, parse_rfc3339, rfc3339_utc, rfc3339_utc_micros, rfc3339_utc_millis,
};

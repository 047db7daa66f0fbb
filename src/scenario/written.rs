//! A scenario composed in Rust (by `cogbench bench`) rather than written in a file: the keys
//! such a scenario uses, as typed values. It is printed as YAML from the same value it runs
//! from, and each key is read through the same checks as in a file, with no text in between,
//! so no value can change the document's shape whatever characters it holds.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::model::{self, HttpVersion, RawScenario};
use super::plan::{Overrides, Plan};
use crate::cases::Catalog;

#[derive(Debug, Clone, Serialize)]
pub struct Written {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub target: Option<WrittenTarget>,
    pub http: WrittenHttp,
    pub users: WrittenUsers,
    pub judge: WrittenJudge,
    pub phases: Vec<WrittenPhase>,
    /// Case id to weight.
    pub mix: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct WrittenTarget {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub codes: Option<WrittenCodes>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_reads: Option<bool>,
}

/// `codes:` of an endpoint target; `none: true` is the one form composed so far.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WrittenCodes {
    pub none: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct WrittenHttp {
    pub connections: usize,
    pub version: HttpVersion,
}

#[derive(Debug, Clone, Serialize)]
pub struct WrittenUsers {
    pub reuse_limit: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct WrittenJudge {
    pub postconditions: f64,
}

/// A phase by its executor's keys; see the scenario format for which executor takes which.
#[derive(Debug, Clone, Default, Serialize)]
pub struct WrittenPhase {
    pub executor: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vus: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
    /// As a scenario writes it (`10s`); checked when the phase is read.
    pub duration: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_in_flight: Option<usize>,
}

impl Written {
    /// The scenario file with this content, as `cogbench run` reads it.
    pub fn to_yaml(&self) -> String {
        crate::yaml::to_string(self)
    }

    /// The plan, exactly as from a scenario file with this content: each key read by its own
    /// checks, the keys not written take a file's defaults, then the same build. An error
    /// starts with the key it is about (`phases: rate: …`, `mix: unknown case …`).
    pub fn plan(
        &self,
        file: &Path,
        catalog: Arc<Catalog>,
        overrides: &Overrides,
    ) -> Result<Plan, String> {
        fn read<T: DeserializeOwned>(key: &str, value: &impl Serialize) -> Result<T, String> {
            crate::yaml::from_value(value).map_err(|e| format!("{key}: {e}"))
        }
        let known = catalog.cases.iter().map(|c| c.id.clone()).collect();
        let raw = RawScenario {
            name: read("name", &self.name)?,
            description: None,
            catalog: Vec::new(),
            target: self
                .target
                .as_ref()
                .map(|t| read("target", t))
                .transpose()?,
            pool: Default::default(),
            users: read("users", &self.users)?,
            http: read("http", &self.http)?,
            judge: read("judge", &self.judge)?,
            race_size: None,
            request: Default::default(),
            phases: read("phases", &self.phases)?,
            mix: model::with_known_cases(known, || read("mix", &self.mix))?,
            thresholds: Vec::new(),
            reports: Vec::new(),
            compare: Default::default(),
            retry: Default::default(),
        };
        super::build::build(raw, file.to_path_buf(), catalog, overrides)
    }
}

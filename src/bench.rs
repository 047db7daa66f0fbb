//! `cogbench bench`: numbers without writing YAML, as oha or hey users expect. The flags
//! become an ordinary scenario, so a bench run is judged, recorded and reported exactly like
//! `cogbench run`.

use std::path::Path;
use std::sync::Arc;

use crate::cases::Catalog;
use crate::cli::BenchArgs;
use crate::scenario::{self, Overrides, Plan};

/// The `raw` case: one fixed, valid-looking ConfirmSignUp request, judged only on the
/// transport and the HTTP status, so any endpoint (nginx answering `{}` included) can be
/// measured. It needs no pool, client or user.
const RAW_CASE: &str = r#"
version: 1
cases:
  - id: raw
    title: A fixed ConfirmSignUp request, judged on transport and HTTP status only
    checks: an HTTP 200 answer; the body, its type and headers are not judged
    spec: "§1 (the wire protocol); not a conformance case"
    confidence: documented
    user: none
    client: unknown
    request:
      ClientId: bench0client0id0000000000000
      Username: bench-user
      ConfirmationCode: "123456"
    expect:
      status: 200
      body: any
      content_type: any
      request_id: false
"#;

/// The catalog a bench run draws from: the built-in one plus `raw`.
pub fn catalog() -> Catalog {
    let mut catalog = Catalog::builtin();
    catalog
        .extend_from_str(RAW_CASE, Path::new("<bench raw case>"))
        .expect("the raw case is valid");
    catalog
}

/// The one-case scenario bench's flags describe.
#[derive(Debug, Clone)]
pub struct Spec {
    /// The flag's, else the environment's; `None`: the embedded emulator.
    pub endpoint: Option<String>,
    pub case: String,
    pub connections: usize,
    pub duration: String,
    pub rate: Option<f64>,
    pub max_in_flight: Option<usize>,
    pub http_version: String,
}

impl Spec {
    pub fn of(args: &BenchArgs, endpoint: Option<String>) -> Spec {
        Spec {
            endpoint,
            case: args.case.clone(),
            connections: args.connections,
            duration: args.duration.clone(),
            rate: args.rate,
            max_in_flight: args.max_in_flight,
            http_version: args.http_version.clone(),
        }
    }

    /// The scenario as YAML (shown by `--print-scenario`).
    pub fn scenario_text(&self) -> String {
        let mut yaml = String::from("name: bench\n");
        match (&self.endpoint, self.case.as_str()) {
            (None, _) => {}
            // raw needs nothing of the target but an answer: no provisioning, no code source.
            (Some(url), "raw") => {
                yaml += &format!(
                    "target: {{kind: endpoint, endpoint: \"{url}\", codes: {{none: true}}, admin_reads: false}}\n"
                )
            }
            (Some(url), _) => yaml += &format!("target: {{endpoint: \"{url}\"}}\n"),
        }
        yaml += &format!(
            "http: {{connections: {}, version: \"{}\"}}\n",
            self.connections, self.http_version
        );
        // A benchmark repeats one case: reusable users serve it as often as asked.
        yaml += "users: {reuse_limit: 1000000}\njudge: {postconditions: 0}\n";
        let duration = &self.duration;
        match self.rate {
            None => {
                yaml += &format!(
                    "phases: [{{executor: constant-vus, vus: {}, duration: {duration}}}]\n",
                    self.connections
                )
            }
            Some(rate) => {
                yaml += &format!(
                    "phases: [{{executor: constant-arrival-rate, rate: {rate}, duration: {duration}, max_in_flight: {}}}]\n",
                    self.max_in_flight.unwrap_or(self.connections.max(1) * 16)
                )
            }
        }
        yaml += &format!("mix: {{{}: 1}}\n", self.case);
        yaml
    }

    pub fn plan(&self, overrides: &Overrides) -> Result<Plan, scenario::ScenarioError> {
        scenario::parse(
            &self.scenario_text(),
            Path::new("<cogbench bench>"),
            Arc::new(catalog()),
            overrides,
        )
    }
}

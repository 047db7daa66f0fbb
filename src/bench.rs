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

/// The scenario the flags describe, as YAML (shown by `--print-scenario`).
pub fn scenario_text(args: &BenchArgs) -> String {
    let mut yaml = String::from("name: bench\n");
    match (&args.endpoint_url, args.case.as_str()) {
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
        args.connections, args.http_version
    );
    // A benchmark repeats one case: reusable users serve it as often as asked.
    yaml += "users: {reuse_limit: 1000000}\njudge: {postconditions: 0}\n";
    let duration = &args.duration;
    match args.rate {
        None => {
            yaml += &format!(
                "phases: [{{executor: constant-vus, vus: {}, duration: {duration}}}]\n",
                args.connections
            )
        }
        Some(rate) => {
            yaml += &format!(
                "phases: [{{executor: constant-arrival-rate, rate: {rate}, duration: {duration}, max_in_flight: {}}}]\n",
                args.max_in_flight.unwrap_or(args.connections.max(1) * 16)
            )
        }
    }
    yaml += &format!("mix: {{{}: 1}}\n", args.case);
    yaml
}

pub fn plan(args: &BenchArgs, overrides: &Overrides) -> Result<Plan, scenario::ScenarioError> {
    let text = scenario_text(args);
    scenario::parse(
        &text,
        Path::new("<cogbench bench>"),
        Arc::new(catalog()),
        overrides,
    )
}

//! `cogbench bench`: numbers without writing YAML, as oha or hey users expect. The flags
//! become an ordinary scenario (a typed value, never YAML text), so a bench run is checked,
//! judged, recorded and reported exactly like `cogbench run` with that scenario.

use std::path::Path;
use std::sync::Arc;

use std::collections::BTreeMap;

use crate::cases::Catalog;
use crate::cli::BenchArgs;
use crate::scenario::{
    HttpVersion, MAX_IN_FLIGHT, Overrides, Plan, Written, WrittenCodes, WrittenHttp, WrittenJudge,
    WrittenPhase, WrittenTarget, WrittenUsers, units,
};

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

/// Whether case `id` gives reusable users a wrong code (spec §4.5 counts those attempts).
fn guesses_codes(id: &str) -> bool {
    catalog().cases.iter().any(|c| {
        c.id == id
            && c.slot().is_some_and(|s| !s.single_use())
            && c.expect.error.as_deref() == Some("CodeMismatchException")
    })
}

/// The one-case scenario bench's flags describe. `endpoint` is the flag's, else the
/// environment's; `None`: the embedded emulator. A flag value that cannot be read is refused
/// with the flag's name.
pub fn scenario(args: &BenchArgs, endpoint: Option<&str>) -> Result<Written, String> {
    let duration = &args.duration;
    units::parse_duration(duration).map_err(|e| format!("--duration: {e}"))?;
    let version: HttpVersion = args
        .http_version
        .parse()
        .map_err(|e| format!("--http-version: {e}"))?;
    let target = endpoint.map(|url| {
        let endpoint = Some(url.to_owned());
        if args.case == "raw" {
            // raw needs nothing of the target but an answer: no provisioning, no code source.
            WrittenTarget {
                kind: Some("endpoint".into()),
                endpoint,
                codes: Some(WrittenCodes { none: true }),
                admin_reads: Some(false),
            }
        } else {
            WrittenTarget {
                endpoint,
                ..WrittenTarget::default()
            }
        }
    });
    let phase = match args.rate {
        None => WrittenPhase {
            executor: "constant-vus".into(),
            vus: Some(args.connections),
            duration: duration.clone(),
            ..WrittenPhase::default()
        },
        Some(rate) => WrittenPhase {
            executor: "constant-arrival-rate".into(),
            rate: Some(rate),
            duration: duration.clone(),
            max_in_flight: Some(match args.max_in_flight {
                Some(n) => n,
                None => default_max_in_flight(args.connections)?,
            }),
            ..WrittenPhase::default()
        },
    };
    Ok(Written {
        name: "bench".into(),
        target,
        http: WrittenHttp {
            connections: args.connections,
            version,
        },
        // A benchmark repeats one case: reusable users serve it as often as asked, but for
        // a case that gives them wrong codes, which lock a user out after 15 an hour.
        users: WrittenUsers {
            reuse_limit: if guesses_codes(&args.case) {
                15
            } else {
                1_000_000
            },
        },
        judge: WrittenJudge {
            postconditions: 0.0,
        },
        phases: vec![phase],
        mix: BTreeMap::from([(args.case.clone(), 1)]),
    })
}

/// `--max-in-flight` when not given: 16 × connections, which only `--connections` can push
/// over the bound, so the refusal names it.
fn default_max_in_flight(connections: usize) -> Result<usize, String> {
    let n = connections.max(1).saturating_mul(16);
    if n > MAX_IN_FLIGHT {
        return Err(format!(
            "--connections: with --rate, {connections} connections make a default --max-in-flight of {n} (16 × connections), over {MAX_IN_FLIGHT}; give --max-in-flight"
        ));
    }
    Ok(n)
}

/// The plan of a bench scenario, built as `cogbench run` builds the same scenario from a
/// file; a refusal names the flag behind it.
pub fn plan(scenario: &Written, overrides: &Overrides) -> Result<Plan, String> {
    scenario
        .plan(
            Path::new("<cogbench bench>"),
            Arc::new(catalog()),
            overrides,
        )
        .map_err(name_the_flag)
}

/// The flag that wrote each key of the scenario (see [`scenario`]), by the start of a refusal's
/// message, which is cut from it. First match wins; `--http-version` and `--duration`'s text
/// are refused before.
const FLAGS: [(&str, &str); 7] = [
    ("target: ", "--endpoint-url"),
    ("http: ", "--connections"),
    ("phases: vus: ", "--connections"),
    ("phases: rate: ", "--rate"),
    ("phases: max_in_flight: ", "--max-in-flight"),
    // What is left of the phase: its duration (e.g. `0s`).
    ("phases: ", "--duration"),
    ("mix: ", "--case"),
];

fn name_the_flag(message: String) -> String {
    match FLAGS
        .iter()
        .find_map(|(key, flag)| Some((flag, message.strip_prefix(key)?)))
    {
        Some((flag, rest)) => format!("{flag}: {rest}"),
        None => message,
    }
}

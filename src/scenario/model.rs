//! The scenario file as written: serde types whose `Deserialize` validates each value where
//! it stands, so errors point at the offending line and column. `plan.rs` turns them into
//! the engine's `Plan`; nothing outside this module sees these types (but `HttpVersion`, which
//! `bench` reads its --http-version into).

use std::cell::RefCell;

use schemars::{JsonSchema, json_schema};
use serde::{Deserialize, Serialize};

use super::patterns::{self, PlainText};
use super::phase::Phases;
use super::plan::PoolPlan;
use super::target_def::TargetDef;
use super::threshold::{self, Threshold};
use super::values::{
    Connections, Count, Dur, Fraction, Percent, RaceSize, ReuseLimit, Secret, Template, Weight,
};
use crate::yaml::{parsed_str, visited};

thread_local! {
    /// Case ids of the catalog the scenario is checked against, set by `load` for the duration
    /// of one parse so a misspelt case is reported at its own position.
    pub(super) static KNOWN_CASES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Runs `read` with `names` as the [`KNOWN_CASES`], restoring the previous ones after.
pub(super) fn with_known_cases<T>(names: Vec<String>, read: impl FnOnce() -> T) -> T {
    let previous = KNOWN_CASES.with(|k| k.replace(names));
    let result = read();
    KNOWN_CASES.with(|k| k.replace(previous));
    result
}

/// A cogbench scenario: what to run against which target, with which load, and what must
/// hold. `cogbench validate FILE` checks a scenario fully, without touching any target.
#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "cogbench scenario")]
pub(super) struct RawScenario {
    pub name: ScenarioName,
    /// What the scenario is for, shown in the reports.
    #[schemars(with = "Option<PlainText>")]
    pub description: Option<String>,
    /// Catalog files of the team's own, relative to the scenario file: their cases join the
    /// built-in ones (docs/catalog.md).
    #[serde(default)]
    #[allow(dead_code)]
    #[schemars(with = "Vec<PlainText>")]
    pub catalog: Vec<String>,
    /// The server the requests go to. Without it: the emulator embedded in cogbench.
    pub target: Option<TargetDef>,
    /// The user pool cogbench creates for the run (and deletes after), or an existing one.
    #[serde(default)]
    pub pool: PoolPlan,
    /// The users signed up for the run: how they are named and how many.
    #[serde(default)]
    pub users: UsersDef,
    /// The HTTP client's connections, timeouts and version.
    #[serde(default)]
    pub http: HttpDef,
    /// How answers are judged.
    #[serde(default)]
    pub judge: JudgeDef,
    /// Requests in each race case (concurrent-confirm, concurrent-force-alias…); default: the
    /// catalog's.
    pub race_size: Option<RaceSize>,
    /// Members added to every case's request (e.g. ClientMetadata, UserContextData), except
    /// where a case sets the member itself.
    #[serde(default)]
    pub request: RequestMembers,
    /// The load, phase after phase: closed (`vus`, virtual users) or open (`arrival_rate`,
    /// requests per second), or a k6 executor by name.
    pub phases: Phases,
    /// Which cases the requests are drawn from: `all` (the default: every case, weight 1) or
    /// a mapping of case id to weight.
    #[serde(default)]
    pub mix: Mix,
    /// What must hold for the run to pass (exit 0), e.g. `p99 < 50ms`.
    #[serde(default)]
    pub thresholds: Vec<Threshold>,
    /// Report formats written besides summary.json.
    #[serde(default)]
    pub reports: Vec<ReportName>,
    /// Limits `cogbench compare` applies when this run is the current one.
    #[serde(default)]
    pub compare: CompareDef,
    /// Retries of throttled (and, if asked, other) answers, as the AWS SDKs' standard mode
    /// makes them. Off by default: a load tool reports throttling.
    #[serde(default)]
    pub retry: super::retry::RetryPolicy,
}

#[derive(Deserialize, JsonSchema, Default, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub(super) struct CompareDef {
    /// How much higher the p99 latency may be than the baseline's, in percent.
    pub max_p99_increase: Option<Percent>,
    /// How much lower the throughput may be than the baseline's, in percent.
    pub max_throughput_drop: Option<Percent>,
}

/// Used in report paths, so limited to a safe alphabet.
pub(super) struct ScenarioName(pub String);
parsed_str!(ScenarioName, "a scenario name", |s| {
    if s.is_empty() || s.len() > 64 {
        return Err("a name of 1 to 64 characters".into());
    }
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        || s.starts_with('.')
    {
        return Err(format!(
            "`{s}`: use letters, digits, `-`, `_` and `.` (the name becomes a folder under reports/)"
        ));
    }
    Ok(ScenarioName(s.to_owned()))
}, schema: |_| json_schema!({
    // A plain scalar such as 2026 is read as its text.
    "type": ["string", "number", "boolean"],
    "minLength": 1,
    "maxLength": 64,
    "pattern": "^[A-Za-z0-9_-][A-Za-z0-9._-]*$",
    "description": "The scenario's name: 1 to 64 letters, digits, `-`, `_` and `.`, not starting with `.` (it becomes a folder under reports/).",
}));

parsed_str!(
    Threshold,
    "a threshold like `p99 < 50ms`",
    threshold::parse,
    schema: |_| threshold::schema()
);

/// Request members by their wire names (PascalCase), with the catalog's placeholder syntax.
#[derive(Default)]
pub(super) struct RequestMembers(pub Vec<(String, crate::cases::Value)>);

visited!(
    RequestMembers,
    deserialize_map(),
    "a mapping of request member (e.g. ClientMetadata) to value",
    schema: |g| json_schema!({
        "type": "object",
        "description": "Members added to every case's request, by their wire names (ClientMetadata, UserContextData, AnalyticsMetadata…), except where a case sets the member itself. Values are JSON; a string may be a placeholder ($username, $code, $omit, $repeat(<text>,<count>)…; $$ for a literal $). The request may take at most 1 MiB.",
        "propertyNames": g.subschema_for::<MemberName>(),
        "additionalProperties": {
            "description": "A member's value: any JSON; a string may be a placeholder.",
            "anyOf": [
                { "type": "string", "pattern": crate::cases::string_value_pattern() },
                { "type": ["object", "array", "number", "boolean", "null"] },
            ],
        },
        "examples": [{ "ClientMetadata": { "source": "cogbench" } }],
    }),
    {
        fn visit_map<A: serde::de::MapAccess<'de>>(
            self,
            mut map: A,
        ) -> Result<RequestMembers, A::Error> {
            let mut members = Vec::new();
            let mut sizes = Vec::new();
            while let Some(MemberName(name)) = map.next_key::<MemberName>()? {
                let value = map.next_value::<crate::cases::Value>()?;
                sizes.push(crate::cases::member_size(&name, &value));
                members.push((name, value));
                // Refused at the member that makes the body too large.
                crate::cases::check_request_size(
                    members
                        .iter()
                        .zip(&sizes)
                        .map(|((n, _), s)| (n.as_str(), *s)),
                )
                .map_err(|e| {
                    let name = &members.last().expect("just pushed").0;
                    serde::de::Error::custom(format!("{name}: {e}"))
                })?;
            }
            Ok(RequestMembers(members))
        }
    }
);

struct MemberName(String);
parsed_str!(MemberName, "a request member name", |s| {
    if s.is_empty()
        || !s.starts_with(|c: char| c.is_ascii_uppercase())
        || !s.chars().all(|c| c.is_ascii_alphanumeric())
    {
        return Err(format!(
            "`{s}`: request members are named as on the wire, e.g. ClientMetadata, UserContextData, AnalyticsMetadata, Session"
        ));
    }
    Ok(MemberName(s.to_owned()))
}, schema: |_| patterns::string(
    "^[A-Z][A-Za-z0-9]*$",
    "A request member by its wire name (PascalCase), e.g. ClientMetadata.",
));

pub(super) struct CaseName(pub String);
parsed_str!(CaseName, "a case id", |s| {
    KNOWN_CASES.with(|known| {
        let known = known.borrow();
        if known.iter().any(|k| k == s) {
            Ok(CaseName(s.to_owned()))
        } else {
            let hint = known
                .iter()
                .min_by_key(|k| edit_distance(k, s))
                .filter(|k| edit_distance(k, s) <= 3)
                .map(|k| format!(" (did you mean `{k}`?)"))
                .unwrap_or_default();
            Err(format!(
                "unknown case `{s}`{hint}; `cogbench cases` lists them: {}",
                known.join(", ")
            ))
        }
    })
}, schema: |_| {
    let builtin: Vec<String> = crate::cases::Catalog::builtin()
        .cases
        .into_iter()
        .map(|c| c.id)
        .collect();
    json_schema!({
        "type": "string",
        "pattern": format!("^{}$", crate::cases::CASE_ID_PATTERN),
        "description": "A case id: a built-in one (`cogbench cases` lists them) or one from the scenario's `catalog:` files.",
        "examples": builtin,
    })
});

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct UsersDef {
    /// The usernames of the users signed up (default `cb-{run}-{n}`).
    #[serde(default = "default_username")]
    pub username: Template,
    /// Their emails (default `cb-{run}-{n}@example.com`).
    #[serde(default = "default_email")]
    pub email: Template,
    /// Their password (optional), a secret: `${ENV_VAR}` or `${file:PATH}`.
    pub password: Option<Secret>,
    /// Single-use UNCONFIRMED users, for the cases that confirm: `auto` (the default) or a
    /// number.
    #[serde(default = "auto")]
    pub fresh: Count,
    /// Users per reusable state, for the cases that change nothing: `auto` (the default) or a
    /// number.
    #[serde(default = "auto")]
    pub reusable: Count,
    /// Requests per reusable user (default 10; Cognito allows 15 attempts a user an hour).
    #[serde(default = "default_reuse_limit")]
    pub reuse_limit: ReuseLimit,
    /// Whether a long run's users may be signed up during the load (`false`: all before it).
    #[serde(default = "yes")]
    pub on_demand: bool,
    /// Users signed up beforehand (existing-pool mode), relative to the scenario file.
    #[schemars(with = "Option<PlainText>")]
    pub from_csv: Option<String>,
}

impl Default for UsersDef {
    fn default() -> Self {
        section_defaults()
    }
}

/// An absent section is an empty one: its serde field defaults, the only place they are written.
fn section_defaults<T: serde::de::DeserializeOwned>() -> T {
    use serde::de::value::{Error, MapDeserializer};
    let empty = MapDeserializer::<_, Error>::new(std::iter::empty::<(&str, &str)>());
    T::deserialize(empty).expect("a section's defaults are valid")
}

fn default_username() -> Template {
    Template("cb-{run}-{n}".into())
}
fn default_email() -> Template {
    Template("cb-{run}-{n}@example.com".into())
}
fn auto() -> Count {
    Count::Auto
}
fn yes() -> bool {
    true
}
fn default_reuse_limit() -> ReuseLimit {
    ReuseLimit(10)
}

#[derive(Deserialize, JsonSchema, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct HttpDef {
    /// Connections the client keeps (default: one per virtual user, or per request in flight
    /// up to 256).
    pub connections: Option<Connections>,
    /// How long to wait for a connection.
    pub connect_timeout: Option<Dur>,
    /// How long to wait for a whole answer.
    pub read_timeout: Option<Dur>,
    #[serde(default)]
    pub version: HttpVersion,
}

/// `http.version`: HTTP/1.1 (the default, what the AWS SDKs speak to Cognito), or HTTP/2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, Default)]
pub enum HttpVersion {
    #[default]
    #[serde(rename = "1.1")]
    Http1,
    /// On http:// endpoints, cleartext HTTP/2 with prior knowledge (h2c).
    #[serde(rename = "2")]
    Http2,
}

impl std::str::FromStr for HttpVersion {
    type Err = String;
    /// As `http.version` is read: `1.1` or `2`.
    fn from_str(s: &str) -> Result<HttpVersion, String> {
        use serde::de::IntoDeserializer;
        let text: serde::de::value::StrDeserializer<'_, serde::de::value::Error> =
            s.into_deserializer();
        HttpVersion::deserialize(text).map_err(|e| e.to_string())
    }
}

// Derived, it would say strings only: YAML's `version: 2` and `version: 1.1` are numbers in
// JSON, and the loader reads them as the version written.
crate::yaml::json_schema!(HttpVersion, |_| json_schema!({
    "enum": ["1.1", "2", 1.1, 2],
    "description": "HTTP/1.1 (the default, what the AWS SDKs speak to Cognito), or 2: HTTP/2 (on http:// endpoints, cleartext HTTP/2 with prior knowledge).",
}));

#[derive(Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub(super) struct JudgeDef {
    /// The fraction of responses whose postconditions (the user's state after) are read back
    /// and checked (default 1: every one).
    #[serde(default = "one")]
    pub postconditions: Fraction,
}

impl Default for JudgeDef {
    fn default() -> Self {
        section_defaults()
    }
}

fn one() -> Fraction {
    Fraction(1.0)
}

/// A report format by name (`json`, `csv`, `junit`, `hlog`, `html`, `markdown`).
pub(super) struct ReportName(pub crate::scenario::reports::Format);
parsed_str!(ReportName, "a report format", |s| {
    crate::scenario::reports::Format::parse(s).map(ReportName)
}, schema: |_| crate::scenario::reports::Format::schema());

/// Which cases the requests are drawn from, and how often.
#[derive(Default)]
pub(super) enum Mix {
    /// Every catalog case, weight 1.
    #[default]
    All,
    Weighted(Vec<(String, u32)>),
}

visited!(
    Mix,
    deserialize_any(),
    "`all` or a mapping of case id to weight",
    schema: |g| {
        let weight = g.subschema_for::<Weight>();
        let case = g.subschema_for::<CaseName>();
        // The built-in ids as keys too, so an editor completes them; any other id is open,
        // as `catalog:` files add cases.
        let builtin: serde_json::Map<String, serde_json::Value> = crate::cases::Catalog::builtin()
            .cases
            .into_iter()
            .map(|c| (c.id, weight.clone().into()))
            .collect();
        json_schema!({
            "description": "Which cases the requests are drawn from: `all` (every case of the catalog, weight 1) or a mapping of case id to weight. Case ids are the catalog's: the built-in ones (`cogbench cases`) and those of the scenario's `catalog:` files; cogbench validate checks they exist.",
            "anyOf": [
                { "const": "all" },
                {
                    "type": "object",
                    "minProperties": 1,
                    "propertyNames": case,
                    "properties": builtin,
                    "additionalProperties": weight,
                },
            ],
        })
    },
    {
        fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Mix, E> {
            crate::yaml::keyword(s, "all", Mix::All, &self)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Mix, A::Error> {
            let mut entries: Vec<(String, u32)> = Vec::new();
            while let Some(CaseName(case)) = map.next_key::<CaseName>()? {
                let Weight(w) = map.next_value::<Weight>()?;
                if entries.iter().any(|(c, _)| *c == case) {
                    return Err(serde::de::Error::custom(format!(
                        "case `{case}` is listed twice"
                    )));
                }
                entries.push((case, w));
            }
            if entries.is_empty() {
                return Err(serde::de::Error::custom("the mix names no case"));
            }
            Ok(Mix::Weighted(entries))
        }
    }
);

//! The scenario file as written: serde types whose `Deserialize` validates each value where
//! it stands, so errors point at the offending line and column. `plan.rs` turns them into
//! the engine's `Plan`; nothing outside this module sees these types.

use std::cell::RefCell;
use std::time::Duration;

use serde::Deserialize;

use super::phase::Phases;
use super::threshold::{self, Threshold};
use super::units::parse_duration;
use crate::yaml::{checked_map, parsed_str};

thread_local! {
    /// Case ids of the catalog the scenario is checked against, set by `load` for the duration
    /// of one parse so a misspelt case is reported at its own position.
    pub(super) static KNOWN_CASES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

pub const MAX_USERS: u64 = 1_000_000;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawScenario {
    pub name: ScenarioName,
    pub description: Option<String>,
    /// Catalog files of the team's own (read before the rest, by `scenario::parse`).
    #[serde(default)]
    #[allow(dead_code)]
    pub catalog: Vec<String>,
    pub target: Option<TargetDef>,
    #[serde(default)]
    pub pool: PoolDef,
    #[serde(default)]
    pub users: UsersDef,
    #[serde(default)]
    pub http: HttpDef,
    #[serde(default)]
    pub judge: JudgeDef,
    /// Requests in each race case (concurrent-confirm, concurrent-force-alias…); default: the
    /// catalog's.
    pub race_size: Option<RaceSize>,
    /// Members added to every case's request (e.g. ClientMetadata, UserContextData), except
    /// where a case sets the member itself.
    #[serde(default)]
    pub request: RequestMembers,
    pub phases: Phases,
    #[serde(default)]
    pub mix: Mix,
    #[serde(default)]
    pub thresholds: Vec<Threshold>,
    #[serde(default)]
    pub reports: Vec<ReportName>,
    /// Limits `cogbench compare` applies when this run is the current one.
    #[serde(default)]
    pub compare: CompareDef,
    #[serde(default)]
    pub retry: super::retry::RetryPolicy,
}

#[derive(Deserialize, Default, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub(super) struct CompareDef {
    pub max_p99_increase: Option<Percent>,
    pub max_throughput_drop: Option<Percent>,
}

/// A percentage: `10%` or `10`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Percent(pub f64);
impl<'de> Deserialize<'de> for Percent {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Checked in the visitor, so an error is placed at the value.
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Percent;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a percentage of 0 or more, like 10% or 10")
            }
            fn visit_f64<E: serde::de::Error>(self, n: f64) -> Result<Percent, E> {
                if n.is_finite() && n >= 0.0 {
                    Ok(Percent(n))
                } else {
                    Err(E::invalid_value(serde::de::Unexpected::Float(n), &self))
                }
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Percent, E> {
                self.visit_f64(n as f64)
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Percent, E> {
                if n < 0 {
                    return Err(E::invalid_value(serde::de::Unexpected::Signed(n), &self));
                }
                self.visit_f64(n as f64)
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Percent, E> {
                let n = s
                    .trim()
                    .strip_suffix('%')
                    .and_then(|n| n.trim().parse().ok());
                match n {
                    Some(n) => self.visit_f64(n),
                    None => Err(E::invalid_value(serde::de::Unexpected::Str(s), &self)),
                }
            }
        }
        d.deserialize_any(V)
    }
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
});

#[derive(Debug, Clone, Copy)]
pub(crate) struct Dur(pub Duration);
parsed_str!(Dur, "a duration like 500ms, 10s or 2m", |s| parse_duration(
    s
)
.map(Dur));

parsed_str!(Threshold, "a threshold like `p99 < 50ms`", threshold::parse);

/// A secret: only ever `${ENV_VAR}` (read from the environment while the scenario loads) or
/// `${file:PATH}` (a file's content without its trailing newline; PATH relative to the working
/// folder), never the secret itself.
#[derive(Clone)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(***)")
    }
}

parsed_str!(Secret, "`${ENV_VAR}` or `${file:PATH}`", |s| {
    if let Some(path) = s.strip_prefix("${file:").and_then(|r| r.strip_suffix('}')) {
        let text = crate::files::read_to_string_limited(
            std::path::Path::new(path),
            crate::files::SECRET_MAX,
            "secret",
        )
        .map_err(|e| format!("secret file {e}"))?;
        let secret = text.trim_end_matches(['\n', '\r']);
        if secret.is_empty() {
            return Err(format!("secret file {path} is empty"));
        }
        return Ok(Secret(secret.to_owned()));
    }
    let name = s
        .strip_prefix("${")
        .and_then(|r| r.strip_suffix('}'))
        .filter(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
        .ok_or_else(|| {
            "secrets are read from the environment or a file: write `${ENV_VAR}` or `${file:PATH}`, never the secret itself"
                .to_owned()
        })?;
    match std::env::var(name) {
        Ok(v) if !v.is_empty() => Ok(Secret(v)),
        Ok(_) => Err(format!("environment variable {name} is empty")),
        Err(_) => Err(format!("environment variable {name} is not set")),
    }
});

/// Request members by their wire names (PascalCase), with the catalog's placeholder syntax.
#[derive(Default)]
pub(super) struct RequestMembers(pub Vec<(String, crate::cases::Value)>);

impl<'de> Deserialize<'de> for RequestMembers {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RequestMembers;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a mapping of request member (e.g. ClientMetadata) to value")
            }
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
        d.deserialize_map(V)
    }
}

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
});

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

/// What kind of server the target is; it decides what cogbench can do there.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TargetKind {
    /// The reference emulator, started in-process.
    Embedded,
    /// A running `cogbench emulator` (or a server with its `/_emulator/` side routes).
    Emulator,
    /// cognito-local (npm): codes read from its database files.
    CognitoLocal,
    /// moto's server mode (PyPI): it checks no codes, so any code is sent.
    Moto,
    /// Any other endpoint that speaks the Cognito API unsigned, with a code source.
    Endpoint,
}

impl TargetKind {
    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Embedded => "embedded",
            TargetKind::Emulator => "emulator",
            TargetKind::CognitoLocal => "cognito-local",
            TargetKind::Moto => "moto",
            TargetKind::Endpoint => "endpoint",
        }
    }

    pub fn parse(s: &str) -> Result<TargetKind, String> {
        [
            TargetKind::Embedded,
            TargetKind::Emulator,
            TargetKind::CognitoLocal,
            TargetKind::Moto,
            TargetKind::Endpoint,
        ]
        .into_iter()
        .find(|k| k.as_str() == s)
        .ok_or_else(|| format!("unknown target kind `{s}`; expected embedded, emulator, cognito-local, moto or endpoint"))
    }
}

/// Where the confirmation codes of provisioned users come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeSource {
    /// `GET {endpoint}/_emulator/codes/{pool}/{username}`.
    EmulatorRoute,
    /// cognito-local's `{data_dir}/.cognito/db/{pool}.json`.
    CognitoLocal { data_dir: std::path::PathBuf },
    /// The target checks no code (moto): this one is sent.
    Fixed(String),
    /// `GET` of a URL template with `{pool}` and `{username}`; the body is the code.
    Http { url: String },
    /// A shell command template with `{pool}` and `{username}`; its output is the code.
    Command { command: String },
    /// No codes: cases that need one are skipped.
    None,
}

pub(super) struct TargetDef {
    pub kind: Option<TargetKind>,
    pub endpoint: Option<String>,
    pub region: Option<String>,
    pub data_dir: Option<String>,
    pub codes: Option<CodeSource>,
    pub admin_reads: Option<bool>,
    /// The embedded emulator's fault switches (`cogbench emulator --faults` syntax).
    pub faults: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawTarget {
    kind: Option<TargetKind>,
    endpoint: Option<String>,
    region: Option<String>,
    data_dir: Option<String>,
    codes: Option<RawCodes>,
    admin_reads: Option<bool>,
    faults: Option<String>,
}

/// `codes:` of an `endpoint` target: exactly one of the forms.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCodes {
    http: Option<String>,
    command: Option<String>,
    fixed: Option<String>,
    #[serde(default)]
    none: bool,
}

impl TryFrom<RawTarget> for TargetDef {
    type Error = String;
    fn try_from(r: RawTarget) -> Result<TargetDef, String> {
        if let Some(e) = &r.endpoint {
            check_endpoint(e)?;
        }
        if let Some(region) = &r.region {
            check_region(region)?;
        }
        let codes = match r.codes {
            None => None,
            Some(c) => {
                Some(match (c.http, c.command, c.fixed, c.none) {
                    (Some(url), None, None, false) => {
                        if !url.contains("{username}") {
                            return Err("codes.http: the URL template needs {username} (and usually {pool})".into());
                        }
                        CodeSource::Http { url }
                    }
                    (None, Some(command), None, false) => {
                        if !command.contains("{username}") {
                            return Err("codes.command: the command template needs {username} (and usually {pool})".into());
                        }
                        CodeSource::Command { command }
                    }
                    (None, None, Some(code), false) => CodeSource::Fixed(code),
                    (None, None, None, true) => CodeSource::None,
                    _ => {
                        return Err(
                            "codes: give exactly one of http, command, fixed or none: true".into(),
                        );
                    }
                })
            }
        };
        if let Some(spec) = &r.faults {
            crate::emulator::Faults::parse([spec.as_str()]).map_err(|e| format!("faults: {e}"))?;
            if !matches!(r.kind, Some(TargetKind::Embedded) | None) || r.endpoint.is_some() {
                return Err("`faults` switches faults on in the embedded emulator; a running one takes `cogbench emulator --faults`".into());
            }
        }
        if codes.is_some() && !matches!(r.kind, Some(TargetKind::Endpoint) | None) {
            return Err(
                "`codes` belongs to kind: endpoint; the other kinds know where their codes are"
                    .into(),
            );
        }
        Ok(TargetDef {
            kind: r.kind,
            endpoint: r.endpoint,
            region: r.region,
            data_dir: r.data_dir,
            codes,
            admin_reads: r.admin_reads,
            faults: r.faults,
        })
    }
}
checked_map!(TargetDef, RawTarget, "a target");

pub fn check_endpoint(e: &str) -> Result<(), String> {
    // Quoted as the user would see it, but for a password.
    let shown = crate::term::redact_url(e);
    let url =
        reqwest::Url::parse(e).map_err(|why| format!("endpoint `{shown}` is not a URL: {why}"))?;
    // Credentials in the URL would be printed wherever the endpoint is (errors, reports), and
    // Cognito takes none there: its calls are signed from the credential chain.
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "endpoint `{shown}` must not carry a user name or password (cogbench signs with the AWS credential chain: see Signing)"
        ));
    }
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "endpoint `{shown}` must start with http:// or https://"
        ));
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(format!("endpoint `{shown}` names no host"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(format!(
            "endpoint `{shown}` must not carry a query or fragment"
        ));
    }
    Ok(())
}

pub(super) fn check_region(region: &str) -> Result<(), String> {
    if region.is_empty()
        || !region
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        return Err(format!("region `{region}` should look like us-east-1"));
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Attribute {
    #[serde(rename = "email")]
    Email,
    #[serde(rename = "phone_number")]
    PhoneNumber,
    #[serde(rename = "preferred_username")]
    PreferredUsername,
}

impl Attribute {
    pub fn as_str(self) -> &'static str {
        match self {
            Attribute::Email => "email",
            Attribute::PhoneNumber => "phone_number",
            Attribute::PreferredUsername => "preferred_username",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub enum UserExistenceErrors {
    #[default]
    #[serde(rename = "LEGACY")]
    Legacy,
    #[serde(rename = "ENABLED")]
    Enabled,
}

impl UserExistenceErrors {
    pub fn as_str(self) -> &'static str {
        match self {
            UserExistenceErrors::Legacy => "LEGACY",
            UserExistenceErrors::Enabled => "ENABLED",
        }
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct ClientDef {
    #[serde(default)]
    pub prevent_user_existence_errors: UserExistenceErrors,
}

#[derive(Deserialize, Default, Clone)]
#[serde(deny_unknown_fields)]
pub(super) struct ClientsDef {
    #[serde(default)]
    pub public: ClientDef,
    #[serde(default)]
    pub secret: ClientDef,
}

pub(super) struct PoolDef {
    pub name: Option<String>,
    pub alias_attributes: Vec<Attribute>,
    pub username_attributes: Vec<Attribute>,
    pub auto_verified_attributes: Vec<Attribute>,
    pub case_sensitive: bool,
    pub clients: ClientsDef,
    pub delete_after: bool,
    /// A pool cogbench did not create: nothing is created or deleted there.
    pub existing: Option<super::existing::ExistingPool>,
}

impl Default for PoolDef {
    fn default() -> Self {
        PoolDef::try_from(RawPool::default()).expect("defaults are valid")
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPool {
    name: Option<String>,
    alias_attributes: Option<Vec<Attribute>>,
    #[serde(default)]
    username_attributes: Vec<Attribute>,
    auto_verified_attributes: Option<Vec<Attribute>>,
    case_sensitive: Option<bool>,
    #[serde(default)]
    clients: ClientsDef,
    delete_after: Option<bool>,
    existing: Option<super::existing::ExistingPool>,
}

impl TryFrom<RawPool> for PoolDef {
    type Error = String;
    fn try_from(r: RawPool) -> Result<PoolDef, String> {
        if let Some(name) = &r.name
            && (name.is_empty() || name.len() > 128)
        {
            return Err("pool name: 1 to 128 characters".into());
        }
        if r.username_attributes
            .contains(&Attribute::PreferredUsername)
        {
            return Err("username_attributes may hold email and phone_number only".into());
        }
        let alias = match r.alias_attributes {
            Some(a) => a,
            None if r.username_attributes.is_empty() => vec![Attribute::Email],
            None => Vec::new(),
        };
        if !alias.is_empty() && !r.username_attributes.is_empty() {
            return Err(
                "alias_attributes and username_attributes exclude each other (spec §4.2)".into(),
            );
        }
        let verified = r
            .auto_verified_attributes
            .unwrap_or_else(|| vec![Attribute::Email]);
        if verified.contains(&Attribute::PreferredUsername) {
            return Err("auto_verified_attributes may hold email and phone_number only".into());
        }
        if verified.contains(&Attribute::PhoneNumber) {
            return Err("phone_number verification is not supported yet: cogbench signs users up with an email only".into());
        }
        if r.existing.is_some() {
            if r.delete_after == Some(true) {
                return Err(
                    "pool.delete_after: cogbench never deletes an existing pool (pool.existing)"
                        .into(),
                );
            }
            if r.name.is_some() {
                return Err(
                    "pool.name: an existing pool keeps its name; give pool.existing.id only".into(),
                );
            }
        }
        Ok(PoolDef {
            name: r.name,
            alias_attributes: alias,
            username_attributes: r.username_attributes,
            auto_verified_attributes: verified,
            case_sensitive: r.case_sensitive.unwrap_or(true),
            clients: r.clients,
            delete_after: r.delete_after.unwrap_or(r.existing.is_none()),
            existing: r.existing,
        })
    }
}
checked_map!(PoolDef, RawPool, "a pool");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Count {
    Auto,
    Exactly(u64),
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Count;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                write!(f, "`auto` or a whole number from 1 to {MAX_USERS}")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Count, E> {
                if s == "auto" {
                    Ok(Count::Auto)
                } else {
                    Err(E::invalid_value(serde::de::Unexpected::Str(s), &self))
                }
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Count, E> {
                if (1..=MAX_USERS).contains(&n) {
                    Ok(Count::Exactly(n))
                } else {
                    Err(E::invalid_value(serde::de::Unexpected::Unsigned(n), &self))
                }
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Count, E> {
                Err(E::invalid_value(serde::de::Unexpected::Signed(n), &self))
            }
        }
        d.deserialize_any(V)
    }
}

/// A user naming template: `{n}` is the user's index, `{run}` a per-run id.
#[derive(Debug, Clone)]
pub struct Template(pub String);
parsed_str!(Template, "a template containing {n}", |s| {
    if !s.contains("{n}") {
        return Err(format!(
            "`{s}` must contain {{n}} so every user gets a distinct value"
        ));
    }
    let stripped = s.replace("{n}", "").replace("{run}", "");
    if stripped.contains('{') || stripped.contains('}') {
        return Err(format!("`{s}`: only {{n}} and {{run}} can be substituted"));
    }
    if s.chars().any(char::is_whitespace) {
        return Err(format!("`{s}` must not contain whitespace"));
    }
    Ok(Template(s.to_owned()))
});

impl Template {
    pub fn render(&self, run: &str, n: u64) -> String {
        self.0.replace("{run}", run).replace("{n}", &n.to_string())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct UsersDef {
    #[serde(default = "default_username")]
    pub username: Template,
    #[serde(default = "default_email")]
    pub email: Template,
    pub password: Option<Secret>,
    #[serde(default = "auto")]
    pub fresh: Count,
    #[serde(default = "auto")]
    pub reusable: Count,
    #[serde(default = "default_reuse_limit")]
    pub reuse_limit: ReuseLimit,
    /// Users signed up beforehand (existing-pool mode), relative to the scenario file.
    pub from_csv: Option<String>,
}

impl Default for UsersDef {
    fn default() -> Self {
        UsersDef {
            username: default_username(),
            email: default_email(),
            password: None,
            fresh: Count::Auto,
            reusable: Count::Auto,
            reuse_limit: default_reuse_limit(),
            from_csv: None,
        }
    }
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
fn default_reuse_limit() -> ReuseLimit {
    ReuseLimit(10)
}

#[derive(Debug, Clone, Copy)]
pub(super) struct ReuseLimit(pub u64);
impl<'de> Deserialize<'de> for ReuseLimit {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::yaml::whole_number(d, 1..=1_000_000, "a whole number from 1 to 1000000")
            .map(ReuseLimit)
    }
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub(super) struct HttpDef {
    pub connections: Option<Connections>,
    pub connect_timeout: Option<Dur>,
    pub read_timeout: Option<Dur>,
    #[serde(default)]
    pub version: HttpVersion,
}

/// `http.version`: HTTP/1.1 (the default, what the AWS SDKs speak to Cognito), or HTTP/2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
pub enum HttpVersion {
    #[default]
    #[serde(rename = "1.1")]
    Http1,
    /// On http:// endpoints, cleartext HTTP/2 with prior knowledge (h2c).
    #[serde(rename = "2")]
    Http2,
}

#[derive(Debug, Clone, Copy)]
pub(super) struct RaceSize(pub u32);
impl<'de> Deserialize<'de> for RaceSize {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::yaml::whole_number(d, 2..=100, "from 2 to 100 concurrent requests")
            .map(|n| RaceSize(n as u32))
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Connections(pub usize);
impl<'de> Deserialize<'de> for Connections {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::yaml::whole_number(d, 1..=10_000, "from 1 to 10000 connections")
            .map(|n| Connections(n as usize))
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct JudgeDef {
    #[serde(default = "one")]
    pub postconditions: Fraction,
}

impl Default for JudgeDef {
    fn default() -> Self {
        JudgeDef {
            postconditions: one(),
        }
    }
}

fn one() -> Fraction {
    Fraction(1.0)
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Fraction(pub f64);
impl<'de> Deserialize<'de> for Fraction {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        // Checked in the visitor, so an error is placed at the value.
        struct V;
        impl serde::de::Visitor<'_> for V {
            type Value = Fraction;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a fraction from 0 (never) to 1 (every response)")
            }
            fn visit_f64<E: serde::de::Error>(self, f: f64) -> Result<Fraction, E> {
                if (0.0..=1.0).contains(&f) {
                    Ok(Fraction(f))
                } else {
                    Err(E::invalid_value(serde::de::Unexpected::Float(f), &self))
                }
            }
            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<Fraction, E> {
                self.visit_f64(n as f64)
            }
            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<Fraction, E> {
                self.visit_f64(n as f64)
            }
        }
        d.deserialize_f64(V)
    }
}

/// A report format by name (`json`, `csv`, `junit`, `hlog`, `html`, `markdown`).
pub(super) struct ReportName(pub crate::scenario::reports::Format);
parsed_str!(ReportName, "a report format", |s| {
    crate::scenario::reports::Format::parse(s).map(ReportName)
});

/// Which cases the requests are drawn from, and how often.
#[derive(Default)]
pub(super) enum Mix {
    /// Every catalog case, weight 1.
    #[default]
    All,
    Weighted(Vec<(String, u32)>),
}

impl<'de> Deserialize<'de> for Mix {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Mix;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("`all` or a mapping of case id to weight")
            }
            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<Mix, E> {
                if s == "all" {
                    Ok(Mix::All)
                } else {
                    Err(E::invalid_value(serde::de::Unexpected::Str(s), &self))
                }
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
        d.deserialize_any(V)
    }
}

struct Weight(u32);
impl<'de> Deserialize<'de> for Weight {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        crate::yaml::whole_number(d, 1..=10_000, "a weight from 1 to 10000")
            .map(|n| Weight(n as u32))
    }
}

//! The case catalog as data: `fixtures/cases.yaml` (built into the binary) read into typed,
//! validated cases.

use std::collections::BTreeMap;
use std::path::Path;

use regex::Regex;
use serde::Deserialize;

pub use super::kinds::{
    Capability, ClientKind, Confidence, PoolVariant, Requirement, Slot, UserKind,
};
pub use super::value::{Field, Value};
use crate::yaml::{self, YamlError, checked_map, parsed_str};

const BUILTIN: &str = include_str!("../../fixtures/cases.yaml");

#[derive(Debug, Clone)]
pub struct Catalog {
    pub cases: Vec<Case>,
    /// The well-formed request cases change one member of (for cases added later).
    default_request: BTreeMap<String, Value>,
    /// The errors the model lists for ConfirmSignUp.
    pub errors: Vec<super::errors::DocumentedError>,
    /// The request members of ConfirmSignUp (from the member table).
    pub members: Vec<String>,
    /// SHA-256 (hex) over every source the catalog was read from, in order: a snapshot
    /// records it, so a judge can tell when expectations may have moved since.
    sha256: String,
}

impl Catalog {
    /// The catalog shipped with cogbench: `fixtures/cases.yaml` plus the member-constraint
    /// cases generated from `fixtures/members.yaml`.
    pub fn builtin() -> Catalog {
        let mut c = Catalog::parse_with_generated(BUILTIN, Path::new("fixtures/cases.yaml"))
            .expect("the built-in catalog is checked by the test suite");
        c.sha256 = digest(&[BUILTIN, super::members::TABLE, super::errors::TABLE]);
        c
    }

    /// SHA-256 (hex) of the catalog's sources.
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    fn parse_with_generated(text: &str, file: &Path) -> Result<Catalog, YamlError> {
        let mut raw: RawCatalog = yaml::from_str(text, file)?;
        let table: super::members::Table =
            yaml::from_str(super::members::TABLE, Path::new("fixtures/members.yaml"))?;
        for generated in super::members::generate(&table) {
            let id = generated["id"].as_str().unwrap_or_default().to_owned();
            let case: Case = serde_json::from_value(generated).map_err(|e| {
                YamlError::whole(
                    Path::new("fixtures/members.yaml"),
                    format!("generated case `{id}`: {e}"),
                )
            })?;
            raw.cases.push(case);
        }
        Catalog::assemble(raw, file)
    }

    pub fn parse(text: &str, file: &Path) -> Result<Catalog, YamlError> {
        let raw: RawCatalog = yaml::from_str(text, file)?;
        let mut c = Catalog::assemble(raw, file)?;
        c.sha256 = digest(&[text, super::members::TABLE, super::errors::TABLE]);
        Ok(c)
    }

    fn assemble(raw: RawCatalog, file: &Path) -> Result<Catalog, YamlError> {
        let errors: super::errors::ErrorTable =
            yaml::from_str(super::errors::TABLE, Path::new("fixtures/errors.yaml"))?;
        let members: super::members::Table =
            yaml::from_str(super::members::TABLE, Path::new("fixtures/members.yaml"))?;
        let mut catalog = Catalog {
            cases: Vec::with_capacity(raw.cases.len()),
            default_request: raw.default_request,
            errors: errors.errors,
            members: members.members.into_iter().map(|m| m.name).collect(),
            sha256: String::new(),
        };
        for case in raw.cases {
            if catalog.get(&case.id).is_some() {
                return Err(YamlError::whole(
                    file,
                    format!("case id `{}` appears twice", case.id),
                ));
            }
            catalog.add(case);
        }
        Ok(catalog)
    }

    /// Merges the default request under the case's own members and adds (or replaces) it.
    fn add(&mut self, mut case: Case) {
        let mut members = self.default_request.clone();
        case.own_members = case
            .request_overrides
            .keys()
            .chain(case.last_overrides.iter().flat_map(|m| m.keys()))
            .cloned()
            .collect();
        for (name, value) in std::mem::take(&mut case.request_overrides) {
            members.insert(name, value);
        }
        let sent = |members: BTreeMap<String, Value>| -> Vec<(String, Value)> {
            members
                .into_iter()
                .filter(|(_, v)| !matches!(v, Value::Omit))
                .collect()
        };
        // Over the merged request, so `$omit` there stays omitted unless the last sets it.
        case.last_request = case.last_overrides.take().map(|last| {
            let mut m = members.clone();
            m.extend(last);
            sent(m)
        });
        case.request = sent(members);
        match self.cases.iter_mut().find(|c| c.id == case.id) {
            Some(existing) => *existing = case,
            None => self.cases.push(case),
        }
    }

    /// Adds a team's own catalog file: new cases, cases replacing built-in ones with the same
    /// id, and `overrides` that change parts of a case's expectation (e.g. pinning the exact
    /// messages a pool returns).
    pub fn extend_from_file(&mut self, file: &Path) -> Result<(), YamlError> {
        let text = yaml::read_file(file, "catalog", crate::files::CATALOG_MAX)?;
        self.extend_from_str(&text, file)
    }

    /// Adds and overrides cases from a team catalog's text (`file` names it in errors).
    pub fn extend_from_str(&mut self, text: &str, file: &Path) -> Result<(), YamlError> {
        let fail = |message: String| YamlError::whole(file, message);
        let extra: UserCatalog = yaml::from_str(text, file)?;
        let mut ids = std::collections::HashSet::new();
        if let Some(twice) = extra.cases.iter().find(|c| !ids.insert(c.id.as_str())) {
            return Err(twice_in(text, file, &twice.id));
        }
        self.sha256 = digest(&[&self.sha256, text]);
        for case in extra.cases {
            self.add(case);
        }
        for (id, patch) in extra.overrides {
            let case = self
                .cases
                .iter_mut()
                .find(|c| c.id == id)
                .ok_or_else(|| fail(format!("overrides: no case `{id}` to override")))?;
            patch
                .apply(case)
                .map_err(|e| fail(format!("overrides.{id}: {e}")))?;
        }
        Ok(())
    }

    pub fn get(&self, id: &str) -> Option<&Case> {
        self.cases.iter().find(|c| c.id == id)
    }

    pub fn index_of(&self, id: &str) -> Option<usize> {
        self.cases.iter().position(|c| c.id == id)
    }
}

/// SHA-256 over the parts, each length-prefixed so that no two lists of parts collide.
fn digest(parts: &[&str]) -> String {
    use sha2::Digest;
    let mut h = sha2::Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_be_bytes());
        h.update(p.as_bytes());
    }
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

/// A team's catalog file (`catalog:` in a scenario).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserCatalog {
    #[allow(dead_code)]
    version: u32,
    #[serde(default)]
    cases: Vec<Case>,
    #[serde(default)]
    overrides: BTreeMap<String, CasePatch>,
}

/// Changes to one case: the fields given replace the case's own.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CasePatch {
    confidence: Option<Confidence>,
    note: Option<String>,
    #[serde(default)]
    expect: ExpectPatch,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct ExpectPatch {
    status: Option<u16>,
    error: Option<String>,
    /// A regex (full match), or null to stop checking the message.
    #[serde(default, deserialize_with = "double_option")]
    message: Option<Option<MessagePattern>>,
    body: Option<BodyShape>,
    content_type: Option<ContentTypes>,
    request_id: Option<bool>,
}

/// `content_type:` in an expectation: one media type, several accepted ones, or `any`.
#[derive(Deserialize, Debug, Clone)]
#[serde(untagged)]
enum ContentTypes {
    One(String),
    Several(Vec<String>),
}

impl ContentTypes {
    fn accepted(self) -> Option<Vec<String>> {
        match self {
            ContentTypes::One(t) if t == "any" => None,
            ContentTypes::One(t) => Some(vec![t]),
            ContentTypes::Several(v) => Some(v),
        }
    }
}

/// The answer's Content-Type when a case names none. Real traffic shows
/// `application/x-amz-json-1.1`; the API reference's sample shows `1.0`, and which one the
/// service sends today is open (spec §1.3, §6.7), so both are accepted and the reports say
/// which came.
pub fn default_content_types() -> Vec<String> {
    vec![
        crate::protocol::CONTENT_TYPE.to_owned(),
        "application/x-amz-json-1.0".to_owned(),
    ]
}

impl CasePatch {
    fn apply(self, case: &mut Case) -> Result<(), String> {
        if let Some(c) = self.confidence {
            case.confidence = c;
        }
        if let Some(n) = self.note {
            case.note = Some(n);
        }
        let e = &mut case.expect;
        let p = self.expect;
        if let Some(s) = p.status {
            e.status = s;
        }
        if let Some(err) = p.error {
            e.error = Some(err);
        }
        if let Some(message) = p.message {
            (e.message_pattern, e.message) = message.map(|m| (m.written, m.anchored)).unzip();
        }
        if let Some(b) = p.body {
            e.body = b;
        }
        if let Some(ct) = p.content_type {
            e.content_type = ct.accepted();
        }
        if let Some(r) = p.request_id {
            e.request_id = r;
        }
        if e.expects_success() && e.error.is_some() {
            return Err("a 2xx expectation cannot name an error".into());
        }
        Ok(())
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalog {
    #[allow(dead_code)]
    version: u32,
    default_request: BTreeMap<String, Value>,
    cases: Vec<Case>,
}

/// `X-Amz-Target` of a case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetHeader {
    ConfirmSignUp,
    Omit,
    Custom(String),
}

#[derive(Debug, Clone)]
pub struct Http {
    /// `POST` unless a case checks another method.
    pub method: String,
    pub target: TargetHeader,
    pub content_type: String,
    pub body: Option<String>,
    /// Headers sent besides the protocol's (a web ACL rule may look at one), names in lower
    /// case.
    pub headers: Vec<(String, String)>,
}

/// The longest value of a case's header: far under the 8 KiB many servers take for a line.
const MAX_HEADER_VALUE: usize = 4096;

/// Headers a case may not set: the protocol's own, the signature's, and the framing's and the
/// connection's (hop by hop).
const RESERVED_HEADERS: &[&str] = &[
    "host",
    "content-type",
    "content-length",
    "transfer-encoding",
    "content-encoding",
    "connection",
    "keep-alive",
    "upgrade",
    "te",
    "trailer",
    "expect",
    "proxy-authorization",
    "x-amz-target",
    "authorization",
    "x-amz-date",
    "x-amz-security-token",
    "x-amz-content-sha256",
    "user-agent",
    "accept",
];

fn check_headers(
    id: &str,
    headers: BTreeMap<String, String>,
) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (name, value) in headers {
        let lower = name.to_ascii_lowercase();
        if reqwest::header::HeaderName::from_bytes(lower.as_bytes()).is_err() {
            return Err(format!(
                "case `{id}`: http.headers: `{}` is not an HTTP header name",
                crate::term::inline(&name)
            ));
        }
        if lower.len() > 128 {
            return Err(format!(
                "case `{id}`: http.headers: a header name of {} characters (at most 128)",
                lower.len()
            ));
        }
        if out.iter().any(|(n, _)| *n == lower) {
            return Err(format!(
                "case `{id}`: http.headers: `{lower}` is given twice (names are compared without case)"
            ));
        }
        if RESERVED_HEADERS.contains(&lower.as_str()) {
            return Err(format!(
                "case `{id}`: http.headers: `{lower}` belongs to the protocol, the signature or the connection, which cogbench sets (http.target, http.content_type and http.body change the protocol's own)"
            ));
        }
        if value.len() > MAX_HEADER_VALUE {
            return Err(format!(
                "case `{id}`: http.headers: the value of `{lower}` is {} bytes long (at most {MAX_HEADER_VALUE})",
                value.len()
            ));
        }
        if !value
            .bytes()
            .all(|b| b == b' ' || b == b'\t' || (0x21..0x7f).contains(&b))
        {
            return Err(format!(
                "case `{id}`: http.headers: the value of `{lower}` must be printable ASCII"
            ));
        }
        out.push((lower, value));
    }
    Ok(out)
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawHttp {
    method: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    target: Option<Option<String>>,
    content_type: Option<String>,
    body: Option<String>,
    headers: Option<BTreeMap<String, String>>,
}

fn double_option<'de, D: serde::Deserializer<'de>, T: Deserialize<'de>>(
    d: D,
) -> Result<Option<Option<T>>, D::Error> {
    Option::<T>::deserialize(d).map(Some)
}

/// `message:` in an expectation: a regex the whole message must match. Compiled as it is
/// read, so a bad pattern is reported at the value itself.
struct MessagePattern {
    written: String,
    anchored: Regex,
}

parsed_str!(MessagePattern, "a regex", |p| {
    // Checked as written first: the error then points into the user's own pattern, and a
    // pattern such as `a)(b` cannot become valid by closing the group put around it.
    Regex::new(p).map_err(|e| e.to_string())?;
    let anchored = Regex::new(&format!("^(?:{p})$")).map_err(|e| e.to_string())?;
    Ok(MessagePattern {
        written: p.to_owned(),
        anchored,
    })
}, schema: |_| schemars::json_schema!({
    "type": "string",
    "format": "regex",
    "description": "A regular expression (Rust's regex syntax), matched against the whole message.",
}));

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum BodyShape {
    /// `{}`, or an object whose only member is a string `Session` (spec §2.2).
    Output,
    /// An object with a string `__type` and optionally a string `message`/`Message` (spec §1.4).
    Error,
    Any,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Whom {
    User,
    PreviousOwner,
    /// The holder and every user of an alias crowd, taken together.
    Group,
    /// The user's email as a sign-in alias: AdminGetUser by the email must name the user.
    Alias,
}

impl Whom {
    pub fn as_str(self) -> &'static str {
        match self {
            Whom::User => "user",
            Whom::PreviousOwner => "previous_owner",
            Whom::Group => "group",
            Whom::Alias => "alias",
        }
    }

    pub fn parse(name: &str) -> Option<Whom> {
        [Whom::User, Whom::PreviousOwner, Whom::Group, Whom::Alias]
            .into_iter()
            .find(|w| w.as_str() == name)
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PostCheck {
    pub of: Whom,
    pub status: Option<String>,
    #[serde(default)]
    pub attributes: BTreeMap<String, String>,
    /// `of: group`: how many of the group have email_verified "true" (one owner per alias).
    pub verified_owners: Option<u64>,
}

/// A case that sends several requests and is judged on all of them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Repeat {
    pub count: u32,
    /// All at once (a race); otherwise one after another.
    #[serde(default)]
    pub concurrent: bool,
    /// A race with `expect_others`: at least one answer meets `expect` (rather than exactly
    /// one), the rest `expect_others`. For answers of which the target decides how many, such
    /// as requests turned away past a rate.
    #[serde(default)]
    pub at_least_one: bool,
}

#[derive(Debug, Clone)]
pub struct Expect {
    pub status: u16,
    pub error: Option<String>,
    /// The pattern as written; `message` is it anchored for a full match.
    pub message_pattern: Option<String>,
    pub message: Option<Regex>,
    pub body: BodyShape,
    /// The media types accepted; `None` = any content type.
    pub content_type: Option<Vec<String>>,
    /// The answer must carry an `x-amzn-RequestId` (spec §1.3: every answer does).
    pub request_id: bool,
    pub post: Vec<PostCheck>,
}

impl Expect {
    pub fn expects_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawExpect {
    status: u16,
    error: Option<String>,
    message: Option<MessagePattern>,
    body: Option<BodyShape>,
    content_type: Option<ContentTypes>,
    request_id: Option<bool>,
    #[serde(default)]
    post: Vec<PostCheck>,
}

impl TryFrom<RawExpect> for Expect {
    type Error = String;
    fn try_from(r: RawExpect) -> Result<Expect, String> {
        if !(100..600).contains(&r.status) {
            return Err(format!("status {} is not an HTTP status", r.status));
        }
        let success = (200..300).contains(&r.status);
        if success && (r.error.is_some() || r.message.is_some()) {
            return Err("a 2xx expectation cannot name an error or message".into());
        }
        if !success && r.error.is_none() {
            return Err("an error expectation needs `error` (the error type)".into());
        }
        let (message_pattern, message) = r.message.map(|m| (m.written, m.anchored)).unzip();
        let content_type = match r.content_type {
            None => Some(default_content_types()),
            Some(c) => c.accepted(),
        };
        Ok(Expect {
            status: r.status,
            error: r.error,
            message_pattern,
            message,
            body: r.body.unwrap_or(if success {
                BodyShape::Output
            } else {
                BodyShape::Error
            }),
            content_type,
            request_id: r.request_id.unwrap_or(true),
            post: r.post,
        })
    }
}
checked_map!(Expect, RawExpect, "an expectation", schema: |_| not_described("An expectation"));

#[derive(Debug, Clone)]
pub struct Case {
    pub id: String,
    pub title: String,
    pub checks: String,
    pub spec: String,
    pub confidence: Confidence,
    pub note: Option<String>,
    pub user: UserKind,
    pub consumes: bool,
    pub client: ClientKind,
    pub pool: PoolVariant,
    pub requires: Vec<Requirement>,
    /// Request members after merging the catalog's default request; omitted members removed.
    pub request: Vec<(String, Value)>,
    /// Members the case sets itself (its one change); scenario-wide members leave them alone.
    pub own_members: std::collections::BTreeSet<String>,
    request_overrides: BTreeMap<String, Value>,
    pub http: Http,
    pub expect: Expect,
    /// Several requests per execution: see `expect_others`.
    pub repeat: Option<Repeat>,
    /// With `repeat`: sequential, what every answer but the last must be; concurrent, what every
    /// answer but exactly one (which must meet `expect`) must be. Absent: all meet `expect`.
    pub expect_others: Option<Expect>,
    /// A sequence's last request when it differs from the others: `request` with the case's
    /// `last_request` members merged over it (omitted members removed).
    pub last_request: Option<Vec<(String, Value)>>,
    last_overrides: Option<BTreeMap<String, Value>>,
}

/// A case id given twice in one catalog file, placed at its second `id:` with the first named
/// (the parsed cases carry no positions; their `id:` lines are found in the text).
fn twice_in(text: &str, file: &Path, id: &str) -> YamlError {
    let pattern = format!(
        r#"^(\s*(?:-\s+)?)id:\s*["']?{}["']?\s*(?:#.*)?$"#,
        regex::escape(id)
    );
    let line = regex::Regex::new(&pattern).expect("an escaped id makes a valid pattern");
    let at: Vec<(usize, usize)> = text
        .lines()
        .enumerate()
        .filter_map(|(i, l)| line.captures(l).map(|c| (i + 1, c[1].chars().count() + 1)))
        .collect();
    match at[..] {
        [(l1, c1), (l2, c2), ..] => YamlError {
            file: file.to_path_buf(),
            position: Some((l2, c2)),
            message: format!("case id `{id}` appears twice (first at {l1}:{c1})"),
        },
        _ => YamlError::whole(file, format!("case id `{id}` appears twice")),
    }
}

impl Case {
    /// The case with a scenario's `request:` members merged in: they replace or add to the
    /// catalog's default members (`$omit` removes one) but never a member the case itself sets.
    pub fn with_members(&self, extra: &[(String, Value)]) -> Case {
        let mut case = self.clone();
        for (name, value) in extra {
            if case.own_members.contains(name) {
                continue;
            }
            for request in std::iter::once(&mut case.request).chain(case.last_request.as_mut()) {
                request.retain(|(n, _)| n != name);
                if *value != Value::Omit {
                    request.push((name.clone(), value.clone()));
                }
            }
        }
        case
    }

    /// Where its users come from; `None` for cases about no user or an unknown one.
    pub fn slot(&self) -> Option<Slot> {
        Slot::of(self.user, self.consumes)
    }

    /// Users one execution of the case takes: an alias crowd signs up one user per request.
    pub fn users_per_request(&self) -> u64 {
        1
    }

    /// Requests one execution sends.
    pub fn requests_per_execution(&self) -> u64 {
        self.repeat.map_or(1, |r| u64::from(r.count))
    }

    /// Capabilities the case cannot run without.
    pub fn needs(&self) -> Vec<Capability> {
        let mut needs = Vec::new();
        if self.user != UserKind::None {
            needs.push(Capability::Provision);
        }
        // A raw body replaces the members, and their placeholders with them.
        let uses_code = self.http.body.is_none()
            && self
                .request
                .iter()
                .chain(self.last_request.iter().flatten())
                .any(|(_, v)| {
                    matches!(
                        v,
                        Value::Field(Field::Code | Field::WrongCode | Field::OldCode)
                    )
                });
        // Set-up confirms CONFIRMED users and alias holders with their codes.
        let confirms_at_setup = matches!(
            self.user,
            UserKind::Confirmed
                | UserKind::AliasContested
                | UserKind::AliasContestedOtherCase
                | UserKind::AliasCrowd
        );
        if uses_code || confirms_at_setup || self.user == UserKind::Resent {
            needs.push(Capability::ReadCodes);
        }
        if self.user == UserKind::Expired {
            needs.push(Capability::AdvanceClock);
        }
        if self.user == UserKind::Resent {
            needs.push(Capability::ResendCodes);
        }
        needs.extend(self.pool.needs());
        needs
    }

    /// Capabilities that deepen the verdict when present (postconditions).
    pub fn wants(&self) -> Vec<Capability> {
        if self.expect.post.is_empty() {
            Vec::new()
        } else {
            vec![Capability::AdminReads]
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCase {
    id: String,
    title: String,
    checks: String,
    spec: String,
    confidence: Confidence,
    note: Option<String>,
    user: UserKind,
    consumes: Option<bool>,
    client: Option<ClientKind>,
    #[serde(default)]
    pool: PoolVariant,
    #[serde(default)]
    requires: Vec<Requirement>,
    #[serde(default)]
    request: BTreeMap<String, Value>,
    #[serde(default)]
    http: RawHttp,
    expect: Expect,
    repeat: Option<Repeat>,
    expect_others: Option<Expect>,
    last_request: Option<BTreeMap<String, Value>>,
}

impl TryFrom<RawCase> for Case {
    type Error = String;
    fn try_from(r: RawCase) -> Result<Case, String> {
        if !is_case_id(&r.id) {
            return Err(format!(
                "case id `{}` must be letters, digits, `-` or `_`",
                r.id
            ));
        }
        if r.spec.trim().is_empty() {
            return Err(format!("case `{}` must cite a spec section", r.id));
        }
        for (what, members) in [
            ("request", Some(&r.request)),
            ("last_request", r.last_request.as_ref()),
        ] {
            if let Some(members) = members {
                super::value::check_request_size(
                    members
                        .iter()
                        .map(|(n, v)| (n.as_str(), super::value::member_size(n, v))),
                )
                .map_err(|e| format!("case `{}`: {what}: {e}", r.id))?;
            }
        }
        for post in &r.expect.post {
            if post.of == Whom::PreviousOwner
                && !matches!(
                    r.user,
                    UserKind::AliasContested
                        | UserKind::AliasContestedOtherCase
                        | UserKind::AliasCrowd
                )
            {
                return Err(format!(
                    "case `{}`: only an alias-contested user has a previous_owner",
                    r.id
                ));
            }
            if (post.of == Whom::Group) != post.verified_owners.is_some() {
                return Err(format!(
                    "case `{}`: `verified_owners` goes with `of: group`, and only there",
                    r.id
                ));
            }
            if post.of == Whom::Group && r.user != UserKind::AliasCrowd {
                return Err(format!("case `{}`: only an alias-crowd is a group", r.id));
            }
        }
        match (r.repeat, &r.expect_others) {
            (Some(rep), _) if !(2..=100).contains(&rep.count) => {
                return Err(format!("case `{}`: repeat.count must be 2 to 100", r.id));
            }
            (Some(rep), None) if !rep.concurrent => {
                return Err(format!(
                    "case `{}`: a sequential repeat needs `expect_others` for the answers before the last",
                    r.id
                ));
            }
            (None, Some(_)) => {
                return Err(format!("case `{}`: `expect_others` needs `repeat`", r.id));
            }
            (Some(rep), others) if rep.at_least_one && (!rep.concurrent || others.is_none()) => {
                return Err(format!(
                    "case `{}`: repeat.at_least_one goes with a concurrent repeat and `expect_others`",
                    r.id
                ));
            }
            _ => {}
        }
        if let Some(last) = &r.last_request {
            match r.repeat {
                None => {
                    return Err(format!(
                        "case `{}`: `last_request` needs a sequential `repeat` (its last request is the one it changes)",
                        r.id
                    ));
                }
                Some(rep) if rep.concurrent => {
                    return Err(format!(
                        "case `{}`: `last_request` goes with a sequential `repeat` only; a concurrent one has no last request",
                        r.id
                    ));
                }
                Some(_) => {}
            }
            if r.http.body.is_some() {
                return Err(format!(
                    "case `{}`: `last_request` changes members, but `http.body` replaces them all",
                    r.id
                ));
            }
            if last.is_empty() {
                return Err(format!(
                    "case `{}`: `last_request` is empty; name the members the last request changes, or leave it out",
                    r.id
                ));
            }
        }
        // A reusable user is counted against `users.reuse_limit` once per execution; a repeat
        // would send it `count` requests each time, past the limit (and past the attempt limit
        // of 15 per user per hour, spec §4.5).
        let consumes = r.consumes.unwrap_or(r.expect.expects_success());
        if r.repeat.is_some() && Slot::of(r.user, consumes).is_some_and(|slot| !slot.single_use()) {
            return Err(format!(
                "case `{}`: `repeat` needs a user of its own (`consumes: true`): a reusable user would get repeat.count requests each time it is handed out, past users.reuse_limit",
                r.id
            ));
        }
        // The pool passes one UserCreation request a second, SignUp included: its users'
        // sign-ups would be turned away.
        if r.pool == PoolVariant::RateQuota && !matches!(r.user, UserKind::Unknown | UserKind::None)
        {
            return Err(format!(
                "case `{}`: a rate-quota pool passes one SignUp or ConfirmSignUp a second, so its cases take `user: unknown` or `none` (cogbench could not sign their users up)",
                r.id
            ));
        }
        if r.user == UserKind::AliasCrowd && !r.repeat.is_some_and(|x| x.concurrent) {
            return Err(format!(
                "case `{}`: an alias-crowd races: it needs a concurrent repeat",
                r.id
            ));
        }
        let method = r.http.method.unwrap_or_else(|| "POST".to_owned());
        if !["GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"].contains(&method.as_str())
        {
            return Err(format!("case `{}`: unknown HTTP method `{method}`", r.id));
        }
        let http = Http {
            method,
            target: match r.http.target {
                None => TargetHeader::ConfirmSignUp,
                Some(None) => TargetHeader::Omit,
                Some(Some(t)) => TargetHeader::Custom(t),
            },
            content_type: r
                .http
                .content_type
                .unwrap_or_else(|| crate::protocol::CONTENT_TYPE.to_owned()),
            body: r.http.body,
            headers: check_headers(&r.id, r.http.headers.unwrap_or_default())?,
        };
        Ok(Case {
            consumes: r.consumes.unwrap_or(r.expect.expects_success()),
            client: r.client.unwrap_or(ClientKind::Public),
            id: r.id,
            title: r.title,
            checks: r.checks,
            spec: r.spec,
            confidence: r.confidence,
            note: r.note,
            user: r.user,
            pool: r.pool,
            requires: r.requires,
            request: Vec::new(),
            own_members: Default::default(),
            request_overrides: r.request,
            http,
            expect: r.expect,
            repeat: r.repeat,
            expect_others: r.expect_others,
            last_request: None,
            last_overrides: r.last_request,
        })
    }
}
checked_map!(Case, RawCase, "a case", schema: |_| not_described("A case"));

/// The alphabet of case ids, as a pattern (ECMA 262): the scenario schema checks the ids a
/// scenario names against it (which catalog holds them is for `cogbench validate` to say).
pub const CASE_ID_PATTERN: &str = "[A-Za-z0-9_-]+";

fn is_case_id(id: &str) -> bool {
    !id.is_empty()
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// The schema of a part of a catalog file: catalog files have no published schema yet, so
/// it says only that `cogbench validate` checks it.
fn not_described(what: &str) -> schemars::Schema {
    schemars::json_schema!({
        "type": "object",
        "description": format!("{what} of a catalog file; cogbench validate checks it."),
    })
}

#[cfg(test)]
mod tests;

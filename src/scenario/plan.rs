//! The validated plan: every default applied, users sized, secrets read. The engine, the
//! target and the reports work from this alone.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::existing::{self, ExistingPool, ListedUser};
use super::model::TargetKind;
use super::model::{
    Attribute, CodeSource, Count, Mix, RawScenario, Secret, Template, UserExistenceErrors,
};
use super::phase::{Load, Phase, Stop};
use super::shard::Shard;
use super::threshold::Threshold;
use std::collections::BTreeMap;

use super::reports::Format;
use crate::cases::{Capability, Catalog, ClientKind, PoolVariant, Requirement, Slot};
use crate::client::ClientSettings;

#[derive(Debug, Clone)]
pub struct Plan {
    pub name: String,
    pub description: Option<String>,
    pub file: PathBuf,
    pub target: TargetPlan,
    pub region: String,
    /// The pools the run creates: the scenario's first, then the variants some cases need
    /// (e.g. a case-insensitive copy), each with the users its cases take.
    pub pools: Vec<PoolRun>,
    pub phases: Vec<Phase>,
    pub mix: Vec<MixEntry>,
    pub thresholds: Vec<Threshold>,
    /// Report formats to write; always holds `Json`.
    pub reports: Vec<Format>,
    /// `compare:` limits (percent): p99 increase, throughput drop.
    pub compare: (Option<f64>, Option<f64>),
    pub retry: super::RetryPolicy,
    pub http: ClientSettings,
    /// Fraction of answers whose postconditions are read back with AdminGetUser.
    pub postconditions: f64,
    /// Members merged into every case's request (`Case::with_members`).
    pub request: Vec<(String, crate::cases::Value)>,
    pub catalog: Arc<Catalog>,
    /// `--shard I/N`: `phases` and the users are this process's part of the scenario's.
    pub shard: Option<Shard>,
    /// SigV4 on the provisioning and admin calls.
    pub signing: Signing,
}

/// Whether the provisioning and admin calls are signed (never SignUp, ConfirmSignUp or
/// ResendConfirmationCode). As the AWS CLI: with credentials, on every kind of target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signing {
    /// `--no-sign-request`: nothing is signed and no credentials are looked up.
    Off,
    /// Credentials from the standard chain (`target::credentials`); `profile` is `--profile`.
    /// Without any, calls go unsigned.
    Chain { profile: Option<String> },
}

impl Signing {
    pub fn describe(&self) -> String {
        match self {
            Signing::Off => "off (--no-sign-request)".to_owned(),
            Signing::Chain { profile: None } => "credentials chain".to_owned(),
            Signing::Chain { profile: Some(p) } => format!("credentials chain, profile {p}"),
        }
    }
}

/// Where requests go and what can be done there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TargetPlan {
    pub kind: TargetKind,
    /// `None` for the embedded emulator (its port is chosen when it starts).
    pub endpoint: Option<String>,
    pub codes: CodeSource,
    /// AdminGetUser read-backs are sent (a real pool answers them only when signed).
    pub admin_reads: bool,
    /// The embedded emulator's fault switches, as written (checked when loaded).
    pub faults: Option<String>,
}

impl TargetPlan {
    pub fn kind(&self) -> &'static str {
        self.kind.as_str()
    }

    pub fn capabilities(&self) -> Vec<Capability> {
        let mut c = vec![Capability::Provision];
        if self.codes != CodeSource::None {
            c.push(Capability::ReadCodes);
        }
        if self.admin_reads {
            c.push(Capability::AdminReads);
        }
        // Only cogbench's emulator has a clock to move (its side route).
        if matches!(self.kind, TargetKind::Embedded | TargetKind::Emulator) {
            c.push(Capability::AdvanceClock);
        }
        // cognito-local 5.3.0 and moto 5.2.5 answer ResendConfirmationCode with a 500.
        if !matches!(self.kind, TargetKind::CognitoLocal | TargetKind::Moto) {
            c.push(Capability::ResendCodes);
        }
        c
    }
}

/// The target from the scenario and the command line (which wins).
fn target_plan(def: Option<&super::model::TargetDef>, o: &Overrides) -> Result<TargetPlan, String> {
    if let Some(t) = &o.target {
        return Ok(t.clone());
    }
    let endpoint = match &o.endpoint_url {
        Some(url) => {
            super::model::check_endpoint(url).map_err(|e| format!("--endpoint-url: {e}"))?;
            Some(url.clone())
        }
        None => def.and_then(|d| d.endpoint.clone()),
    }
    .map(|e| e.trim_end_matches('/').to_owned());
    let scenario_kind = def.and_then(|d| d.kind);
    let kind = match (&o.target_kind, scenario_kind) {
        (Some(k), _) => TargetKind::parse(k).map_err(|e| format!("--target-kind: {e}"))?,
        (None, Some(TargetKind::Embedded) | None) if endpoint.is_some() => TargetKind::Emulator,
        (None, Some(k)) => k,
        (None, None) => TargetKind::Embedded,
    };
    match (kind, &endpoint) {
        (TargetKind::Embedded, Some(_)) => {
            return Err(
                "target: the embedded emulator starts in-process and takes no endpoint".into(),
            );
        }
        (TargetKind::Embedded, None) => {}
        (k, None) => {
            return Err(format!(
                "target: kind {} needs `endpoint` (or --endpoint-url)",
                k.as_str()
            ));
        }
        _ => {}
    }
    let data_dir = o
        .data_dir
        .clone()
        .or_else(|| def.and_then(|d| d.data_dir.clone()));
    let scenario_codes = def.and_then(|d| d.codes.clone());
    let codes = match kind {
        TargetKind::Embedded | TargetKind::Emulator => CodeSource::EmulatorRoute,
        TargetKind::CognitoLocal => CodeSource::CognitoLocal {
            data_dir: data_dir
                .ok_or("target: kind cognito-local needs `data_dir` (or --data-dir): the folder it runs in, where .cognito/db/ holds its pools")?
                .into(),
        },
        // moto checks no confirmation code (it has none to expose): any code is accepted.
        TargetKind::Moto => CodeSource::Fixed("123456".into()),
        TargetKind::Endpoint => scenario_codes.unwrap_or(CodeSource::None),
    };
    Ok(TargetPlan {
        kind,
        endpoint,
        codes,
        admin_reads: def.and_then(|d| d.admin_reads).unwrap_or(true),
        faults: if kind == TargetKind::Embedded {
            def.and_then(|d| d.faults.clone())
        } else {
            None
        },
    })
}

#[derive(Debug, Clone)]
pub struct PoolPlan {
    pub name: Option<String>,
    pub alias_attributes: Vec<Attribute>,
    pub username_attributes: Vec<Attribute>,
    pub auto_verified_attributes: Vec<Attribute>,
    pub case_sensitive: bool,
    pub public_client: UserExistenceErrors,
    pub secret_client: UserExistenceErrors,
    pub delete_after: bool,
    /// Existing-pool mode: the pool and client named by the scenario; nothing is created.
    pub existing: Option<ExistingPool>,
}

impl PoolPlan {
    pub fn has_email_alias(&self) -> bool {
        self.alias_attributes.contains(&Attribute::Email)
            && self.auto_verified_attributes.contains(&Attribute::Email)
    }
}

/// How many users of each slot to provision.
#[derive(Debug, Clone)]
pub struct UsersPlan {
    pub username: Template,
    pub email: Template,
    pub password: Option<Secret>,
    /// Users per slot; slots the mix does not use are absent.
    pub counts: BTreeMap<Slot, u64>,
    /// Users in each alias crowd (the largest concurrent group among the crowd cases).
    pub crowd_size: u64,
    /// Requests per reusable user (real Cognito caps ConfirmSignUp at 15 per user per hour, spec §4.5).
    pub reuse_limit: u64,
    /// False when a phase has no bound on its requests (a `vus` phase with a duration): the
    /// counts are then defaults and the run stops, clearly, if a slot runs out.
    pub bounded: bool,
    /// Existing-pool mode: the users of `users.from_csv`, in file order.
    pub listed: Arc<Vec<ListedUser>>,
}

impl UsersPlan {
    pub fn count(&self, slot: Slot) -> u64 {
        self.counts.get(&slot).copied().unwrap_or(0)
    }

    /// Sign-ups the plan needs, holders of contested emails included.
    pub fn total_signups(&self) -> u64 {
        if !self.listed.is_empty() {
            return 0;
        }
        self.counts
            .iter()
            .map(|(slot, n)| match slot {
                Slot::Crowd => n * (1 + self.crowd_size),
                s if s.with_holder() => n * 2,
                _ => *n,
            })
            .sum()
    }
}

#[derive(Debug, Clone)]
pub struct PoolRun {
    pub variant: PoolVariant,
    pub pool: PoolPlan,
    pub users: UsersPlan,
}

impl Plan {
    /// The scenario's own pool.
    pub fn main_pool(&self) -> &PoolRun {
        &self.pools[0]
    }

    pub fn total_signups(&self) -> u64 {
        self.pools.iter().map(|p| p.users.total_signups()).sum()
    }
}

#[derive(Debug, Clone)]
pub struct MixEntry {
    pub case: usize,
    /// Index into `Plan::pools`.
    pub pool: usize,
    pub weight: u32,
    /// Why the case cannot run on this target and pool; such cases are reported as skipped and never sent.
    pub skip: Option<String>,
}

/// Command-line values that take precedence over the scenario (documented precedence:
/// command line, then scenario, then defaults).
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    pub endpoint_url: Option<String>,
    /// `--target-kind`.
    pub target_kind: Option<String>,
    /// `--data-dir`: cognito-local's working folder.
    pub data_dir: Option<String>,
    /// Another scenario's whole target (`cogbench diff` runs one scenario against two).
    pub target: Option<TargetPlan>,
    /// `--cases`: comma-separated case ids or globs (`member-*`); only those run.
    pub cases: Option<String>,
    pub connect_timeout: Option<Duration>,
    pub read_timeout: Option<Duration>,
    /// `--report FORMAT`: formats added to the scenario's.
    pub reports: Vec<Format>,
    /// `--allow-above-quota`: plan past a real pool's default request-rate quota.
    pub allow_above_quota: bool,
    /// `--region`.
    pub region: Option<String>,
    /// `--no-verify-ssl`.
    pub no_verify_ssl: bool,
    /// `--ca-bundle`.
    pub ca_bundle: Option<PathBuf>,
    /// `--no-sign-request`.
    pub no_sign_request: bool,
    /// `--profile`.
    pub profile: Option<String>,
    /// `--shard I/N`: run part I of N of the scenario's load.
    pub shard: Option<Shard>,
}

/// Users provisioned per kind when a phase has no bound on its requests.
const UNBOUNDED_FRESH: u64 = 10_000;
const UNBOUNDED_REUSABLE: u64 = 100;

pub(super) fn build(
    raw: RawScenario,
    file: PathBuf,
    catalog: Arc<Catalog>,
    overrides: &Overrides,
) -> Result<Plan, String> {
    let catalog = match raw.race_size {
        None => catalog,
        Some(n) => {
            let mut resized = (*catalog).clone();
            for case in &mut resized.cases {
                if let Some(r) = &mut case.repeat
                    && r.concurrent
                {
                    r.count = n.0;
                }
            }
            Arc::new(resized)
        }
    };
    let target = target_plan(raw.target.as_ref(), overrides)?;
    if let Some(endpoint) = &target.endpoint
        && super::quota::is_aws(endpoint)
        && !overrides.allow_above_quota
        && let Some(refusal) = super::quota::check(&raw.phases.0)
    {
        return Err(refusal);
    }
    let region = region_of(raw.target.as_ref(), overrides)?;
    let pool = pool_of(raw.pool);
    check_naming(
        &raw.users.username,
        &raw.users.email,
        &pool,
        overrides.shard,
    )?;
    // Against AWS the quota is the account's: the whole scenario's rate counts, not a shard's.
    let phases: Vec<Phase> = match overrides.shard {
        None => raw.phases.0.clone(),
        Some(s) => raw.phases.0.iter().map(|p| s.split(p)).collect(),
    };
    let listed = match (&pool.existing, &raw.users.from_csv) {
        (None, None) => Vec::new(),
        (None, Some(_)) => {
            return Err("users.from_csv lists users of a pool that already exists: name it in pool.existing (id, client_id, client_secret)".into());
        }
        (Some(_), None) => {
            return Err("pool.existing needs users.from_csv: a CSV of users signed up beforehand (columns username, code, sub, email, signed_up_at)".into());
        }
        (Some(_), Some(path)) => {
            if target.kind == TargetKind::Embedded {
                return Err("pool.existing: the embedded emulator starts empty; name the running target that holds the pool (target.endpoint or --endpoint-url)".into());
            }
            existing::read_csv(&file, path)?.1
        }
    };
    // Each shard signs in with its own listed users, dealt round-robin in file order.
    let listed: Vec<ListedUser> = match overrides.shard {
        Some(s) if !listed.is_empty() => {
            let whole = listed.len();
            let coded = listed.iter().filter(|u| !u.code.is_empty()).count();
            let mine: Vec<ListedUser> = listed
                .into_iter()
                .enumerate()
                .filter(|(j, _)| s.owns(*j as u64))
                .map(|(_, u)| u)
                .collect();
            // As for the whole file (below): a shard's part must not hide a row without a code.
            if coded != 0 && coded != whole && target.codes == CodeSource::None {
                return Err("users.from_csv: some rows have no code and the target has no code source (target.codes); give every row a code or none".into());
            }
            if mine.is_empty() {
                return Err(format!(
                    "--shard {s}: users.from_csv lists {whole} users, fewer than the {} shards; each shard needs users of its own",
                    s.count
                ));
            }
            mine
        }
        _ => listed,
    };
    let now = std::time::SystemTime::now();

    let mut capabilities = target.capabilities();
    if !listed.is_empty() {
        // Expired codes come from the listed users' age (signed_up_at), not from a clock.
        if !capabilities.contains(&Capability::AdvanceClock) {
            capabilities.push(Capability::AdvanceClock);
        }
        // Listed users arrive with their codes, or the target's code source finds them.
        let all_coded = listed.iter().all(|u| !u.code.is_empty());
        if all_coded {
            capabilities.push(Capability::ReadCodes);
        } else if target.codes == CodeSource::None && listed.iter().any(|u| !u.code.is_empty()) {
            return Err("users.from_csv: some rows have no code and the target has no code source (target.codes); give every row a code or none".into());
        }
    }
    let mut variants: Vec<(PoolVariant, PoolPlan)> = vec![(PoolVariant::Scenario, pool.clone())];
    let mix: Vec<MixEntry> = match raw.mix {
        Mix::All => (0..catalog.cases.len())
            .map(|case| (case, 1))
            .collect::<Vec<_>>(),
        Mix::Weighted(entries) => entries
            .into_iter()
            .map(|(id, w)| (catalog.index_of(&id).expect("checked while parsing"), w))
            .collect(),
    }
    .into_iter()
    .map(|(case, weight)| {
        let variant = match catalog.cases[case].pool {
            // A pool that already compares usernames case-insensitively serves as it is.
            PoolVariant::CaseInsensitive if !pool.case_sensitive => PoolVariant::Scenario,
            v => v,
        };
        let index = match variants.iter().position(|(v, _)| *v == variant) {
            Some(i) => i,
            // An existing pool has no variants; such cases are skipped below.
            None if pool.existing.is_some() => 0,
            None => {
                let mut p = pool.clone();
                if variant == PoolVariant::CaseInsensitive {
                    p.case_sensitive = false;
                }
                p.name = p.name.map(|n| format!("{n}-{}", variant.as_str()));
                variants.push((variant, p));
                variants.len() - 1
            }
        };
        let skip = match &pool.existing {
            Some(e) => existing_skip(&catalog.cases[case], variant, e, &listed, now),
            None => None,
        }
        .or_else(|| skip_reason(&catalog.cases[case], &variants[index].1, &capabilities));
        MixEntry {
            case,
            pool: index,
            weight,
            skip,
        }
    })
    .collect();
    check_request_sizes(&mix, &catalog, &raw.request.0)?;
    let mix: Vec<MixEntry> = match &overrides.cases {
        None => mix,
        Some(patterns) => {
            let patterns: Vec<&str> = patterns
                .split(',')
                .map(str::trim)
                .filter(|p| !p.is_empty())
                .collect();
            let kept: Vec<MixEntry> = mix
                .into_iter()
                .filter(|m| patterns.iter().any(|p| glob(p, &catalog.cases[m.case].id)))
                .collect();
            if kept.is_empty() {
                return Err(format!(
                    "--cases `{}` matches no case of the mix (`cogbench cases` lists them)",
                    patterns.join(",")
                ));
            }
            kept
        }
    };
    if mix.iter().all(|m| m.skip.is_some()) {
        return Err(format!(
            "mix: every case is skipped on this target and pool ({})",
            mix.iter()
                .filter_map(|m| m.skip.clone())
                .collect::<Vec<_>>()
                .join("; ")
        ));
    }

    for t in &raw.thresholds {
        if let Some(case) = &t.case {
            let in_mix = mix.iter().any(|m| catalog.cases[m.case].id == *case);
            if !in_mix {
                return Err(format!(
                    "thresholds: `{t}` names case `{case}`, which is not in the mix"
                ));
            }
        }
    }

    let listed = Arc::new(listed);
    let mut pools = Vec::with_capacity(variants.len());
    for (i, (variant, pool)) in variants.into_iter().enumerate() {
        let mut users = size_users(&raw.users, &phases, &mix, i, &catalog, overrides.shard)?;
        if !listed.is_empty() {
            fit_to_listed(
                &mut users,
                &listed,
                now,
                raw.users.from_csv.as_deref().unwrap_or(""),
            )?;
            users.listed = listed.clone();
        }
        pools.push(PoolRun {
            variant,
            pool,
            users,
        });
    }
    let signups: u64 = pools.iter().map(|p| p.users.total_signups()).sum();
    if signups > super::model::MAX_USERS {
        return Err(format!(
            "users: the plan needs {signups} sign-ups, above the limit of {}; shorten the phases or lower the rate",
            super::model::MAX_USERS
        ));
    }

    let http = http_of(&raw.http, default_connections(&phases), overrides)?;

    Ok(Plan {
        name: raw.name.0,
        description: raw.description,
        file,
        target,
        region,
        pools,
        phases,
        mix,
        thresholds: raw.thresholds,
        retry: raw.retry,
        compare: (
            raw.compare.max_p99_increase.map(|p| p.0),
            raw.compare.max_throughput_drop.map(|p| p.0),
        ),
        reports: {
            let mut r: Vec<Format> = if raw.reports.is_empty() {
                vec![Format::Json, Format::Csv]
            } else {
                raw.reports.iter().map(|n| n.0).collect()
            };
            r.extend(overrides.reports.iter().copied());
            r.push(Format::Json);
            r.sort();
            r.dedup();
            r
        },
        http,
        postconditions: raw.judge.postconditions.0,
        request: raw.request.0,
        catalog,
        shard: overrides.shard,
        signing: if overrides.no_sign_request {
            Signing::Off
        } else {
            Signing::Chain {
                profile: overrides.profile.clone(),
            }
        },
    })
}

fn region_of(
    target: Option<&super::model::TargetDef>,
    overrides: &Overrides,
) -> Result<String, String> {
    Ok(match &overrides.region {
        Some(r) => {
            super::model::check_region(r).map_err(|e| format!("--region: {e}"))?;
            r.clone()
        }
        None => target
            .and_then(|t| t.region.clone())
            .unwrap_or_else(|| "us-east-1".to_owned()),
    })
}

fn pool_of(p: super::model::PoolDef) -> PoolPlan {
    PoolPlan {
        name: p.name,
        alias_attributes: p.alias_attributes,
        username_attributes: p.username_attributes,
        auto_verified_attributes: p.auto_verified_attributes,
        case_sensitive: p.case_sensitive,
        public_client: p.clients.public.prevent_user_existence_errors,
        secret_client: p.clients.secret.prevent_user_existence_errors,
        delete_after: p.delete_after,
        existing: p.existing,
    }
}

/// Each case of the mix as sent, with the scenario's `request:` members: the two may fit
/// apart and not together. Sizes are taken once per member, not once per case.
fn check_request_sizes(
    mix: &[MixEntry],
    catalog: &Catalog,
    members: &[(String, crate::cases::Value)],
) -> Result<(), String> {
    use crate::cases::{Value, check_request_size, member_size};
    let extra: Vec<(&str, usize, bool)> = members
        .iter()
        .map(|(n, v)| (n.as_str(), member_size(n, v), *v == Value::Omit))
        .collect();
    for entry in mix {
        let case = &catalog.cases[entry.case];
        // As Case::with_members merges them: a scenario member replaces the case's default
        // one, unless the case sets that member itself.
        let applied =
            |name: &str| !case.own_members.contains(name) && extra.iter().any(|(n, ..)| *n == name);
        for request in std::iter::once(&case.request).chain(case.last_request.as_ref()) {
            let kept = request
                .iter()
                .filter(|(n, _)| !applied(n))
                .map(|(n, v)| (n.as_str(), member_size(n, v)));
            let added = extra
                .iter()
                .filter(|(n, _, omit)| !omit && !case.own_members.contains(*n))
                .map(|(n, size, _)| (*n, *size));
            check_request_size(kept.chain(added))
                .map_err(|e| format!("request: with the members of case `{}`, {e}", case.id))?;
        }
    }
    Ok(())
}

/// The scenario's `http:` with the command line's TLS and timeout options over it. A CA bundle
/// that cannot be used is bad input, found here before any target starts.
fn http_of(
    def: &super::model::HttpDef,
    default_pool_size: usize,
    overrides: &Overrides,
) -> Result<ClientSettings, String> {
    if let Some(path) = &overrides.ca_bundle {
        crate::client::read_ca_bundle(path).map_err(|e| e.to_string())?;
    }
    let mut http = ClientSettings {
        pool_size: def.connections.as_ref().map_or(default_pool_size, |c| c.0),
        http2: def.version == super::model::HttpVersion::Http2,
        verify_tls: !overrides.no_verify_ssl,
        ca_bundle: overrides.ca_bundle.clone(),
        ..ClientSettings::default()
    };
    if let Some(d) = overrides
        .connect_timeout
        .or(def.connect_timeout.as_ref().map(|d| d.0))
    {
        http.connect_timeout = d;
    }
    if let Some(d) = overrides
        .read_timeout
        .or(def.read_timeout.as_ref().map(|d| d.0))
    {
        http.read_timeout = d;
    }
    Ok(http)
}

/// What `cogbench provision` needs from a scenario: where the pool is, which pool and client
/// (`pool.existing`, or the pool's settings for `--create-pool`) and how users are named.
#[derive(Debug, Clone)]
pub struct SignUpPlan {
    pub name: String,
    pub file: PathBuf,
    pub target: TargetPlan,
    pub region: String,
    pub pool: PoolPlan,
    pub username: Template,
    pub email: Template,
    pub password: Option<Secret>,
    /// `users.from_csv`, resolved against the scenario's folder: where the list goes by default.
    pub from_csv: Option<PathBuf>,
    pub http: ClientSettings,
}

pub(super) fn build_signup(
    raw: RawScenario,
    file: PathBuf,
    overrides: &Overrides,
) -> Result<SignUpPlan, String> {
    let target = target_plan(raw.target.as_ref(), overrides)?;
    if target.kind == TargetKind::Embedded {
        return Err("provision: the embedded emulator starts empty and stops with the command that started it; name a running target (target.endpoint or --endpoint-url, e.g. `cogbench emulator --port 9229`)".into());
    }
    let region = region_of(raw.target.as_ref(), overrides)?;
    let pool = pool_of(raw.pool);
    check_naming(&raw.users.username, &raw.users.email, &pool, None)?;
    let from_csv = raw.users.from_csv.as_deref().map(|p| match file.parent() {
        Some(dir) if std::path::Path::new(p).is_relative() => dir.join(p),
        _ => PathBuf::from(p),
    });
    Ok(SignUpPlan {
        name: raw.name.0,
        file,
        target,
        region,
        pool,
        username: raw.users.username,
        email: raw.users.email,
        password: raw.users.password,
        from_csv,
        http: http_of(&raw.http, 16, overrides)?,
    })
}

/// `*` matches any run of characters, `?` one; everything else itself.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let (mut star, mut mark) = (None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

fn check_naming(
    username: &Template,
    email: &Template,
    pool: &PoolPlan,
    shard: Option<Shard>,
) -> Result<(), String> {
    // The longest run id: a shard's carries its index (`run::run_id`).
    let run = match shard {
        Some(_) => "abcdefs1000",
        None => "abcdef",
    };
    let sample_user = username.render(run, MAX_INDEX);
    let sample_email = email.render(run, MAX_INDEX);
    if !sample_email.contains('@') {
        return Err(format!(
            "users.email: `{}` does not render an email address",
            email.0
        ));
    }
    if pool.username_attributes.is_empty() {
        if sample_user.chars().count() > 128 {
            return Err(format!(
                "users.username: `{}` renders names over 128 characters",
                username.0
            ));
        }
        if pool.alias_attributes.contains(&Attribute::Email) && sample_user.contains('@') {
            return Err("users.username: a pool with an email alias refuses usernames that look like an email (spec §4.2)".into());
        }
    } else if sample_email.chars().count() > 128 {
        return Err(format!(
            "users.email: `{}` renders addresses over 128 characters",
            email.0
        ));
    }
    Ok(())
}

const MAX_INDEX: u64 = 9_999_999;

fn skip_reason(
    case: &crate::cases::Case,
    pool: &PoolPlan,
    capabilities: &[Capability],
) -> Option<String> {
    for need in case.needs() {
        if !capabilities.contains(&need) {
            return Some(format!(
                "the target cannot {}",
                match need {
                    Capability::ReadCodes => "read confirmation codes",
                    Capability::AdvanceClock => "advance its clock",
                    Capability::ResendCodes => "resend confirmation codes (ResendConfirmationCode)",
                    Capability::AdminReads => "read users back",
                    Capability::Provision => "provision users",
                }
            ));
        }
    }
    for req in &case.requires {
        let unmet = match req {
            Requirement::EmailAlias => (!pool.has_email_alias())
                .then_some("the pool has no verified email alias (pool.alias_attributes and auto_verified_attributes must include email)"),
            Requirement::LegacyUserExistenceErrors => {
                let puee = match case.client {
                    ClientKind::Secret => pool.secret_client,
                    _ => pool.public_client,
                };
                (puee != UserExistenceErrors::Legacy)
                    .then_some("the client has PreventUserExistenceErrors ENABLED, which hides unknown users (spec §4.3)")
            }
            Requirement::CaseSensitivePool => (!pool.case_sensitive)
                .then_some("the pool compares usernames case-insensitively (pool.case_sensitive: false)"),
        };
        if let Some(why) = unmet {
            return Some(format!("requires {}: {why}", req.as_str()));
        }
    }
    None
}

/// Why a case cannot run in an existing pool, whose only users are the listed ones and whose
/// only client is the named one.
fn existing_skip(
    case: &crate::cases::Case,
    variant: PoolVariant,
    pool: &ExistingPool,
    listed: &[ListedUser],
    now: std::time::SystemTime,
) -> Option<String> {
    use crate::cases::UserKind;
    if variant != PoolVariant::Scenario {
        return Some(format!(
            "needs a {} pool, which cogbench creates only in provisioning mode (pool.existing names one pool)",
            variant.as_str()
        ));
    }
    match (case.client, pool.client_secret.is_some()) {
        (ClientKind::Public, true) => {
            return Some(
                "needs an app client without a secret; pool.existing names a client with one"
                    .into(),
            );
        }
        (ClientKind::Secret, false) => {
            return Some("needs an app client with a secret; pool.existing names one without (give client_secret: ${ENV_VAR})".into());
        }
        (ClientKind::Hiding, _) => {
            return Some("needs a second app client with PreventUserExistenceErrors ENABLED, which cogbench creates only in provisioning mode".into());
        }
        _ => {}
    }
    match case.user {
        UserKind::AliasContested
        | UserKind::AliasContestedOtherCase
        | UserKind::AliasCrowd
        | UserKind::Resent => Some(format!(
            "needs {} users that cogbench signs up itself; existing-pool mode has only the users of users.from_csv",
            match case.user {
                UserKind::Resent => "resent-code",
                _ => "alias-contested",
            }
        )),
        UserKind::Expired if !listed.iter().any(|u| u.expired(now)) => Some(
            "users.from_csv lists no user signed up more than 24 h ago (signed_up_at), so no code has expired"
                .into(),
        ),
        _ => None,
    }
}

/// Existing-pool mode: the slots are served from the listed users, those with an expired code
/// for `expired`, the others for the rest. A bounded plan must fit; an unbounded one takes
/// what there is.
fn fit_to_listed(
    users: &mut UsersPlan,
    listed: &[ListedUser],
    now: std::time::SystemTime,
    file: &str,
) -> Result<(), String> {
    let expired = listed.iter().filter(|u| u.expired(now)).count() as u64;
    let live = listed.len() as u64 - expired;
    let need_expired = users.count(Slot::Expired);
    let live_slots = [Slot::Confirmed, Slot::Unconfirmed, Slot::Fresh];
    let need_live: u64 = live_slots.iter().map(|s| users.count(*s)).sum();
    if users.bounded {
        if need_live > live || need_expired > expired {
            return Err(format!(
                "users.from_csv: the phases need {need_live} users with a live code and {need_expired} with an expired one; {file} has {live} and {expired}. List more users or shorten the phases"
            ));
        }
        return Ok(());
    }
    // Without a bound, each reusable slot gets a tenth of the live users, the fresh slot the rest.
    let mut left = live;
    for slot in live_slots {
        let Some(n) = users.counts.get_mut(&slot) else {
            continue;
        };
        *n = if slot == Slot::Fresh {
            left
        } else {
            (*n).min((live / 10).max(1)).min(left)
        };
        left -= *n;
        if *n == 0 {
            return Err(format!(
                "users.from_csv: {file} has too few users with a live code ({live}) for the mix"
            ));
        }
    }
    if let Some(n) = users.counts.get_mut(&Slot::Expired) {
        *n = (*n).min(expired);
    }
    Ok(())
}

/// Upper bound on the requests a phase sends, or `None` when it runs for a duration with a
/// closed model (its count depends on the target's speed).
pub fn phase_bound(phase: &Phase, cycle: u64) -> Option<u64> {
    let starts = phase_starts(phase, cycle)?;
    // Users are sized with one start to spare in an open phase.
    Some(match phase.load {
        Load::Open { .. } => starts + 1,
        _ => starts,
    })
}

/// Starts the phase makes exactly, when bounded: what a progress bar counts to.
pub fn phase_starts(phase: &Phase, cycle: u64) -> Option<u64> {
    // A shard's part of an open phase: every N-th request of the whole schedule.
    if let Some(n) = phase.shard.as_ref().and_then(|s| s.open_requests()) {
        return Some(n);
    }
    match &phase.load {
        Load::Closed {
            stop: Stop::Rounds(n),
            ..
        } => Some(n * cycle),
        Load::Closed {
            stop: Stop::Iterations(n),
            ..
        } => Some(*n),
        Load::Closed {
            stop: Stop::Duration(_),
            ..
        }
        | Load::RampingVus { .. } => None,
        Load::Open {
            start_rate, stages, ..
        } => Some(super::super::engine::open_total(*start_rate, stages)),
    }
}

/// Users for the pool `pool` (an index into the plan's pools): the cycle counts every runnable
/// case, the uses only the cases that run in this pool.
fn size_users(
    def: &super::model::UsersDef,
    phases: &[Phase],
    mix: &[MixEntry],
    pool: usize,
    catalog: &Catalog,
    shard: Option<Shard>,
) -> Result<UsersPlan, String> {
    let runnable: Vec<&MixEntry> = mix.iter().filter(|m| m.skip.is_none()).collect();
    let cycle: u64 = runnable.iter().map(|m| u64::from(m.weight)).sum();
    let mut bounded = true;
    let mut total: u64 = 0;
    for p in phases {
        match phase_bound(p, cycle) {
            // Round up per phase: each phase restarts the weighted sequence.
            Some(n) => total += n.div_ceil(cycle) * cycle,
            None => bounded = false,
        }
    }
    let rounds = total / cycle.max(1);
    let mut uses: BTreeMap<Slot, u64> = BTreeMap::new();
    for m in runnable.iter().filter(|m| m.pool == pool) {
        let case = &catalog.cases[m.case];
        if let Some(slot) = case.slot() {
            *uses.entry(slot).or_default() +=
                rounds * u64::from(m.weight) * case.users_per_request();
        }
    }
    let limit = def.reuse_limit.0;
    let mut counts = BTreeMap::new();
    for (&slot, &n) in &uses {
        let (what, count, needed, unbounded_default) = if slot.single_use() {
            ("fresh", def.fresh, n, UNBOUNDED_FRESH)
        } else {
            (
                "reusable",
                def.reusable,
                n.div_ceil(limit),
                UNBOUNDED_REUSABLE,
            )
        };
        // A shard provisions its part of a number given, and needs only its part.
        let count = match (count, shard) {
            (Count::Exactly(k), Some(s)) => Count::Exactly(s.share(k)),
            (c, _) => c,
        };
        let resolved = match count {
            Count::Auto if bounded => needed,
            Count::Auto => needed.max(unbounded_default),
            Count::Exactly(k) if bounded && k < needed => {
                let part = shard.map_or(String::new(), |s| {
                    format!(" (shard {s}'s part of the number given)")
                });
                return Err(format!(
                    "users.{what} is {k}{part}, but the phases can send requests needing {needed} {} users; raise it or write `auto`",
                    slot.describe()
                ));
            }
            Count::Exactly(k) => k,
        };
        counts.insert(slot, resolved);
    }
    let crowd_size = runnable
        .iter()
        .filter(|m| m.pool == pool)
        .map(|m| &catalog.cases[m.case])
        .filter(|c| c.slot() == Some(Slot::Crowd))
        .map(|c| c.requests_per_execution())
        .max()
        .unwrap_or(0);
    let plan = UsersPlan {
        username: def.username.clone(),
        email: def.email.clone(),
        password: def.password.clone(),
        counts,
        crowd_size,
        reuse_limit: limit,
        bounded,
        listed: Arc::default(),
    };
    Ok(plan)
}

fn default_connections(phases: &[Phase]) -> usize {
    phases
        .iter()
        .map(|p| match p.load {
            Load::Open { max_in_flight, .. } => max_in_flight.min(256),
            ref closed => closed.max_concurrency(),
        })
        .max()
        .unwrap_or(16)
        .max(16)
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn globs_match_whole_ids() {
        assert!(glob("member-*", "member-client-id-empty"));
        assert!(glob("*-at-max", "member-session-at-max"));
        assert!(glob("valid-code", "valid-code"));
        assert!(glob("wrong-c?de", "wrong-code"));
        assert!(glob("*", "anything"));
        assert!(!glob("member-*", "valid-code"));
        assert!(!glob("valid", "valid-code"));
        assert!(glob("a*b*c", "a-x-b-y-c"));
        assert!(!glob("a*b*c", "a-x-c-y-b"));
    }
}

#[cfg(test)]
mod existing_pool_tests {
    use super::*;

    #[test]
    fn an_existing_pool_skips_users_it_cannot_sign_up_with_the_reason() {
        let catalog = Catalog::builtin();
        let pool = ExistingPool {
            id: "us-east-1_abc".into(),
            client_id: "abc".into(),
            client_secret: None,
        };
        let case = catalog.get("alias-exists-case-insensitive").unwrap();
        // An existing pool that is already case-insensitive serves the variant as it is: the
        // user kind is what it cannot host.
        let why = existing_skip(
            case,
            PoolVariant::Scenario,
            &pool,
            &[],
            std::time::SystemTime::now(),
        )
        .unwrap();
        assert!(
            why.contains("alias-contested") && why.contains("signs up itself"),
            "{why}"
        );
        let why = existing_skip(
            case,
            PoolVariant::CaseInsensitive,
            &pool,
            &[],
            std::time::SystemTime::now(),
        )
        .unwrap();
        assert!(why.contains("case-insensitive pool"), "{why}");
    }
}

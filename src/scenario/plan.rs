//! The validated plan: every default applied, users sized, secrets read. The engine, the
//! target and the reports work from this alone.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use super::existing::ListedUsers;
use super::phase::Phase;
/// The pool as planned is the pool as written once checked: `pool_def` reads `pool:` into it.
pub use super::pool_def::PoolPlan;
use super::shard::Shard;
use super::threshold::Threshold;
use super::values::{Secret, Template};
use std::collections::BTreeMap;

use super::reports::Format;
use crate::cases::{Capability, Catalog, PoolVariant, Slot};
use crate::client::ClientSettings;
use crate::target_kinds::{CodeSource, TargetKind};

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
    pub retry: super::retry::RetryPolicy,
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
    /// The embedded emulator's request-rate quotas, as written (checked when loaded).
    pub quota: Option<String>,
    /// The embedded emulator's Lambda endpoint (checked when loaded).
    pub lambda_endpoint: Option<String>,
    /// A real pool's code source answers with the code of the latest ResendConfirmationCode
    /// (`target.resend_codes`), so the resend cases can run.
    pub resend_codes: bool,
    /// What the scenario says the owner set up in its pool (`target.configured`).
    pub configured: Vec<PoolVariant>,
}

impl TargetPlan {
    pub fn kind(&self) -> &'static str {
        self.kind.as_str()
    }

    pub fn capabilities(&self) -> Vec<Capability> {
        let mut c = self.kind.capabilities(&self.codes, self.admin_reads);
        if self.resend_codes && !c.contains(&Capability::ResendCodes) {
            c.push(Capability::ResendCodes);
        }
        for need in self.configured.iter().filter_map(|v| v.needs()) {
            if !c.contains(&need) {
                c.push(need);
            }
        }
        c
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
    /// `users.on_demand`: a long run's users may be signed up during the load.
    pub on_demand: bool,
    /// False when a phase has no bound on its requests (a `vus` phase with a duration): the
    /// counts are then defaults and the run stops, clearly, if a slot runs out.
    pub bounded: bool,
    /// Existing-pool mode: the users of `users.from_csv`, read as the run needs them.
    pub listed: Option<Arc<ListedUsers>>,
}

impl UsersPlan {
    pub fn count(&self, slot: Slot) -> u64 {
        self.counts.get(&slot).copied().unwrap_or(0)
    }

    /// Sign-ups the plan needs, holders of contested emails included.
    pub fn total_signups(&self) -> u64 {
        Slot::ALL.iter().map(|&slot| self.signups_of(slot)).sum()
    }

    /// Sign-ups of one slot's users: a holder with each contested user, a holder and every
    /// member with each crowd; none for listed users (they exist already).
    pub fn signups_of(&self, slot: Slot) -> u64 {
        if self.listed.is_some() {
            return 0;
        }
        self.count(slot) * slot_signups(slot, self.crowd_size)
    }
}

/// Sign-ups one tenant of `slot` takes.
pub fn slot_signups(slot: Slot, crowd_size: u64) -> u64 {
    match slot {
        Slot::Crowd => 1 + crowd_size,
        s if s.with_holder() => 2,
        _ => 1,
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

    /// The stock of a slot of `count` users when they are supplied on demand during the load,
    /// or `None` when they are all provisioned before it.
    pub fn on_demand_stock(&self, pool: usize, slot: Slot, count: u64) -> Option<u64> {
        super::on_demand::on_demand_stock(&self.phases, self.first_only(pool), slot, count)
    }

    /// Pool `pool`'s users are all provisioned before the load: the scenario says so, or the
    /// target is a real pool (see `on_demand_stock`).
    fn first_only(&self, pool: usize) -> bool {
        self.target.kind.real_pool || !self.pools[pool].users.on_demand
    }

    /// Of the sign-ups, those made during the load, as it needs them, rather than before it.
    pub fn on_demand_signups(&self) -> u64 {
        self.pools
            .iter()
            .enumerate()
            .map(|(i, p)| {
                super::on_demand::on_demand_signups(
                    &self.phases,
                    self.first_only(i),
                    |slot| p.users.count(slot),
                    |slot| p.users.signups_of(slot),
                )
            })
            .sum()
    }

    /// The plan sends calls a real pool authorizes with IAM (spec §5): it creates its pools,
    /// or reads users back.
    pub fn sends_signed_calls(&self) -> bool {
        self.main_pool().pool.existing.is_none() || self.target.admin_reads
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
    /// `--duration`: the length of a single-phase scenario's steady phase.
    pub duration: Option<Duration>,
    pub connect_timeout: Option<Duration>,
    pub read_timeout: Option<Duration>,
    /// `--report FORMAT`: formats added to the scenario's.
    pub reports: Vec<Format>,
    /// `--allow-above-quota`: plan past a real pool's default request-rate quota.
    pub allow_above_quota: bool,
    /// `--region`.
    pub region: Option<String>,
    /// AWS_USE_FIPS_ENDPOINT: kind aws's endpoint is the region's FIPS one.
    pub use_fips: Option<bool>,
    /// AWS_USE_DUALSTACK_ENDPOINT: kind aws's endpoint is the region's dual-stack one.
    pub use_dual_stack: Option<bool>,
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

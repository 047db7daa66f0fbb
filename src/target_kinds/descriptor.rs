//! What cogbench knows about one kind of target.

use super::code_source::CodeSource;
use crate::cases::Capability;

/// What the scenario and the command line say that a kind may need to find its codes.
pub struct CodeInputs {
    /// `target.data_dir` or `--data-dir`.
    pub data_dir: Option<String>,
    /// `target.codes` (only a kind with `takes_codes` is given one).
    pub scenario_codes: Option<CodeSource>,
    /// The users come from `pool.existing` and `users.from_csv`, signed up beforehand with
    /// their codes (or `provision` lists such users): a kind may then need no code source.
    pub pre_provisioned: bool,
}

/// One kind of target.
pub struct KindSpec {
    /// The name in `target.kind`, `--target-kind` and the reports.
    pub name: &'static str,
    /// Started in-process by cogbench: it takes no endpoint, takes the scenario's `faults`,
    /// and starts empty.
    pub in_process: bool,
    /// What the kind can do besides provisioning, reading codes (when it has a code source)
    /// and reading users back (unless `admin_reads: false`), in the order reports list them.
    pub capabilities: &'static [Capability],
    /// Where the codes of the users cogbench signs up come from.
    pub codes: fn(CodeInputs) -> Result<CodeSource, String>,
    /// The scenario may say where codes come from (`target.codes`).
    pub takes_codes: bool,
    /// Sign-ups at once, when the kind cannot take more.
    pub max_signup_workers: Option<usize>,
    /// Why `pool.existing` cannot name a pool on this kind.
    pub refuses_existing_pool: Option<&'static str>,
    /// Why `cogbench provision` cannot sign users up on this kind.
    pub refuses_provision: Option<&'static str>,
    /// Without an endpoint, the endpoint follows from the region (`aws::endpoint`); `fips`
    /// and `dual_stack` choose its variant.
    pub from_region: bool,
    /// A real pool, whatever its endpoint (a VPC endpoint, a proxy): the request-rate quota
    /// guard is on, and the provisioning and admin calls must be signed (a plan that sends
    /// any refuses `--no-sign-request`, and a run without credentials stops before sending).
    pub real_pool: bool,
    /// Why the kind cannot do what a case needs, said in its skip reason instead of the
    /// general one.
    pub lacks: &'static [(Capability, &'static str)],
    /// What a scenario may declare the owner set up in its pool (`target.configured`): the
    /// pool set-ups such a target can have and cogbench cannot make itself.
    pub configurable: &'static [Capability],
}

impl KindSpec {
    /// What the target can do, given its code source and whether it reads users back.
    pub fn capabilities(&self, codes: &CodeSource, admin_reads: bool) -> Vec<Capability> {
        let mut c = vec![Capability::Provision];
        if *codes != CodeSource::None {
            c.push(Capability::ReadCodes);
        }
        if admin_reads {
            c.push(Capability::AdminReads);
        }
        c.extend_from_slice(self.capabilities);
        c
    }

    /// The kind's own reason for lacking `need`, when it has one.
    pub fn why_not(&self, need: Capability) -> Option<&'static str> {
        self.lacks
            .iter()
            .find(|(c, _)| *c == need)
            .map(|(_, why)| *why)
    }
}
